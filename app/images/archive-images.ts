/**
 * Bringing a whole archive's images in (`chat-archiver emotes`): every Twitch emote its
 * records name, the third-party and badge sets of its channels and everyone's, and (opt-in)
 * linked media. Nothing stops the rest: each failure is reported by what it is about.
 */
import { archiveBadges, type BadgeRun, type HelixAuth } from './badges.js';
import type { ImageContext } from './download.js';
import { archiveEmoteSet, type SetRun } from './emote-sets.js';
import { PROVIDERS } from './layout.js';
import { archiveMedia, DEFAULT_MEDIA_MAX_BYTES } from './media.js';
import { scanRecords } from './scan-records.js';
import { Tally } from './tally.js';
import { fetchTwitchEmote } from './twitch-emotes.js';

export interface SetOptions {
  /** 7TV, BetterTTV and FrankerFaceZ sets. */
  thirdParty: boolean;
  /** Helix credentials for badges; null: badges stay text. */
  badges: HelixAuth | null;
}

/** A channel's sets (`channel` null: the global ones) with their images. */
export async function archiveSets(
  ctx: ImageContext,
  channel: string | null,
  twitchId: string | null,
  o: SetOptions,
  tally: Tally,
): Promise<Array<SetRun | BadgeRun>> {
  const runs: Array<Promise<SetRun | BadgeRun>> = [];
  if (o.thirdParty) for (const p of PROVIDERS) runs.push(archiveEmoteSet(ctx, p, channel, twitchId, tally));
  if (o.badges) runs.push(archiveBadges(ctx, o.badges, channel, twitchId, tally));
  return Promise.all(runs);
}

export type Phase = 'scanning' | 'emotes' | 'sets' | 'media';

export interface ArchiveImagesOptions extends SetOptions {
  channels?: string[];
  media: boolean;
  mediaMaxBytes?: number;
  onProgress?: (phase: Phase, done: number, total: number) => void;
}

export interface ArchiveImagesSummary {
  files: number;
  records: number;
  emoteIds: number;
  links: number;
  sets: Array<SetRun | BadgeRun>;
  tally: Tally;
  cancelled: boolean;
}

export async function archiveImages(ctx: ImageContext, o: ArchiveImagesOptions): Promise<ArchiveImagesSummary> {
  const signal = ctx.net.signal;
  const progress = o.onProgress ?? (() => {});
  const scan = await scanRecords(ctx.segments, {
    channels: o.channels,
    links: o.media,
    signal,
    onProgress: (d, t) => progress('scanning', d, t),
  });
  const tally = new Tally();
  const summary: ArchiveImagesSummary = {
    files: scan.files,
    records: scan.records,
    emoteIds: scan.emoteIds.size,
    links: scan.links.size,
    sets: [],
    tally,
    cancelled: false,
  };
  const steps = async <T>(phase: Phase, items: T[], run: (item: T) => Promise<unknown>) => {
    let done = 0;
    progress(phase, 0, items.length);
    await Promise.all(
      items.map(async (item) => {
        if (signal?.aborted) return;
        await run(item);
        progress(phase, ++done, items.length);
      }),
    );
  };
  await steps('emotes', [...scan.emoteIds], (id) => fetchTwitchEmote(ctx, id, tally));
  if (o.thirdParty || o.badges) {
    const scopes: Array<[string | null, string | null]> = [[null, null]];
    for (const [channel, rooms] of scan.roomIds) for (const room of rooms) scopes.push([channel, room]);
    await steps('sets', scopes, async ([channel, room]) =>
      summary.sets.push(...(await archiveSets(ctx, channel, room, o, tally))),
    );
  }
  if (o.media)
    await steps('media', [...scan.links], async (url) =>
      tally.add('media', url, '', await archiveMedia(ctx, url, o.mediaMaxBytes ?? DEFAULT_MEDIA_MAX_BYTES)),
    );
  await ctx.memory.save();
  summary.cancelled = signal?.aborted ?? false;
  return summary;
}
