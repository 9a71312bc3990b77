/** What a recording with images stores while it runs, waited for on disk. */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { TWITCH_SCALES, TWITCH_THEMES } from '../../app/images/layout.js';
import { emoteIdsOf } from '../../app/images/twitch-emotes.js';
import { parseIrcLine } from '../../app/archive/irc-parse.js';

/**
 * Waits until every Twitch emote of the recorded `lines` (all its files) and `channel`'s 7TV
 * set are stored in `segments`; returns the emote ids.
 */
export async function waitForLiveImages(segments: string, lines: string[], channel: string): Promise<Set<string>> {
  const ids = new Set(lines.flatMap((l) => emoteIdsOf(parseIrcLine(l)?.tags?.emotes)));
  const files = TWITCH_THEMES.flatMap((theme) => TWITCH_SCALES.map((scale) => `${theme}-${scale}`));
  const stored = (id: string) => files.every((f) => fs.existsSync(path.join(segments, 'emotes', id, f)));
  await expect.poll(() => [...ids].filter(stored).length, { timeout: 30_000 }).toBe(ids.size);
  await expect
    .poll(() => fs.existsSync(path.join(segments, 'emotes/sets/7tv/channels', channel)), { timeout: 30_000 })
    .toBe(true);
  return ids;
}
