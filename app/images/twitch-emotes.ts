/**
 * Twitch emotes (issue 11 item 1): every id in a record's `emotes` tag
 * (`id:start-end,start-end/id2:start-end`), stored in the original's layout
 * `emotes/<id>/<light|dark>-<1.0|2.0|3.0>` from `<cdn>/emoticons/v2/<id>/default/<theme>/<scale>`.
 */
import type { TagValue } from '../archive/record.js';
import { downloadImage, type ImageContext } from './download.js';
import type { Tally } from './tally.js';
import {
  isTwitchEmoteId,
  twitchEmoteFile,
  TWITCH_SCALES,
  TWITCH_THEMES,
  type TwitchScale,
  type TwitchTheme,
} from './layout.js';
import { joinUrl } from './sources.js';

/** The emote ids of an `emotes` tag value, in order of first appearance; malformed parts are skipped. */
export function emoteIdsOf(tag: TagValue | undefined | null): string[] {
  if (typeof tag !== 'string' || tag === '') return [];
  const ids: string[] = [];
  for (const part of tag.split('/')) {
    const colon = part.indexOf(':');
    const id = colon < 0 ? part : part.slice(0, colon);
    if (isTwitchEmoteId(id) && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

export const twitchEmoteUrl = (cdn: string, id: string, theme: TwitchTheme, scale: TwitchScale) =>
  joinUrl(cdn, `emoticons/v2/${encodeURIComponent(id)}/default/${theme}/${scale}`);

/**
 * Fetches the six files of one emote into `tally`. The first answers for the emote: when
 * the CDN does not know `dark-1.0`, the other five are not asked for.
 */
export async function fetchTwitchEmote(ctx: ImageContext, id: string, tally: Tally): Promise<void> {
  const files = TWITCH_THEMES.flatMap((theme) => TWITCH_SCALES.map((scale) => ({ theme, scale })));
  files.sort((a, b) => Number(isFirst(b)) - Number(isFirst(a)));
  const one = async ({ theme, scale }: (typeof files)[number]) => {
    const target = twitchEmoteFile(ctx.segments, id, theme, scale);
    const o = await downloadImage(ctx, 'twitch', target, twitchEmoteUrl(ctx.sources.cdn, id, theme, scale));
    tally.add('twitch', id, `${theme}-${scale}`, o);
    return o;
  };
  if ((await one(files[0]!)).status === 'missing') return;
  await Promise.all(files.slice(1).map(one));
}

const isFirst = (f: { theme: TwitchTheme; scale: TwitchScale }) => f.theme === 'dark' && f.scale === '1.0';
