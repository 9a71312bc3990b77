/**
 * What the viewer needs to draw third-party emotes and badges at a moment of a channel's
 * chat: the snapshots in effect then (snapshots.ts), merged into one lookup by code and by
 * `set/version`. A channel's own sets beat the global ones, and where two providers use
 * one code, 7TV beats BetterTTV beats FrankerFaceZ (the order chat clients such as
 * Chatterino use). Snapshot files may come from other nodes: read leniently, entry by entry.
 */
import { promises as fs } from 'node:fs';
import { z } from 'zod';
import path from 'node:path';
import {
  EMOTES_DIR,
  isEmoteCode,
  isImageFileName,
  isImageId,
  isTwitchEmoteId,
  PROVIDERS,
  type Provider,
  type SetSource,
} from './layout.js';
import { listSnapshots, snapshotAt } from './snapshots.js';
import { badgeName } from './badges.js';

export interface ViewerEmote {
  provider: Provider;
  id: string;
  /** Image paths on the viewer's origin (`/images/emotes/…`). */
  src: string;
  src2x: string | null;
  zeroWidth: boolean;
}

export interface ViewerBadge {
  title: string;
  src: string;
  src2x: string | null;
}

export interface ViewerImageSets {
  /**
   * Some Twitch emote images are stored: the viewer asks for them (and falls back to the code
   * for any that is missing); when none are, it does not ask at all.
   */
  twitch: boolean;
  /** Third-party emotes by their code. */
  emotes: Record<string, ViewerEmote>;
  /** Badge images by `set_id/version` (only when badges were stored). */
  badges: Record<string, ViewerBadge>;
}

const fileName = z.string().refine(isImageFileName);
const emoteSnapshot = z.object({
  emotes: z.array(z.unknown()),
});
const emoteEntry = z.object({
  id: z.string().refine(isImageId),
  name: z.string().refine(isEmoteCode),
  zero_width: z.boolean().optional(),
  files: z.array(fileName).min(1),
});
const badgeSnapshot = z.object({
  sets: z.array(
    z.object({
      set_id: badgeName,
      versions: z.array(
        z.object({
          id: badgeName,
          title: z.string().max(500).optional(),
          image: z.string().refine(isImageId),
          files: z.array(fileName).min(1),
        }),
      ),
    }),
  ),
});

/** Parsed snapshots by path: their names carry their content hash, so an entry never goes stale. */
const cache = new Map<string, unknown>();
const CACHE_ENTRIES = 256;

async function readSnapshot(file: string): Promise<unknown> {
  if (cache.has(file)) return cache.get(file);
  let value: unknown = null;
  try {
    value = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch {
    // unreadable or not JSON: as if there were none
  }
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(file, value);
  return value;
}

async function inEffect(segments: string, source: SetSource, channel: string | null, at: number): Promise<unknown> {
  const s = snapshotAt(await listSnapshots(segments, source, channel), at);
  return s ? readSnapshot(s.path) : null;
}

/** The display files of an emote: its 1x and 2x images, animated ones first where a provider keeps both. */
function pick(provider: Provider, files: string[]): [string, string | null] {
  const prefer: Record<Provider, [string[], string[]]> = {
    '7tv': [
      ['1x.webp', '1x.avif', '1x.gif', '1x.png'],
      ['2x.webp', '2x.avif', '2x.gif', '2x.png'],
    ],
    bttv: [['1x'], ['2x']],
    ffz: [
      ['animated-1', '1'],
      ['animated-2', '2'],
    ],
  };
  const [one, two] = prefer[provider];
  return [one.find((f) => files.includes(f)) ?? files[0]!, two.find((f) => files.includes(f)) ?? null];
}

const imagePath = (...parts: string[]) => ['', 'images', 'emotes', ...parts.map(encodeURIComponent)].join('/');

/** Whether `emotes/` holds a Twitch emote folder; stops at the first one. */
async function anyTwitchEmote(segments: string): Promise<boolean> {
  try {
    for await (const e of await fs.opendir(path.join(segments, EMOTES_DIR)))
      if (e.isDirectory() && isTwitchEmoteId(e.name)) return true;
  } catch {
    // no emotes folder
  }
  return false;
}

export async function imageSetsAt(segments: string, channel: string, at: number): Promise<ViewerImageSets> {
  // Maps, not objects, while building: codes come from data (`__proto__` is a fine emote name).
  const emotes = new Map<string, ViewerEmote>();
  const badges = new Map<string, ViewerBadge>();
  // Lowest precedence first: later entries replace earlier ones with the same code.
  const order: Array<[Provider, string | null]> = [
    ...[...PROVIDERS].reverse().map((p): [Provider, null] => [p, null]),
    ...[...PROVIDERS].reverse().map((p): [Provider, string] => [p, channel]),
  ];
  const snapshots = await Promise.all(order.map(([p, c]) => inEffect(segments, p, c, at)));
  order.forEach(([provider], i) => {
    const parsed = emoteSnapshot.safeParse(snapshots[i]);
    if (!parsed.success) return;
    for (const raw of parsed.data.emotes) {
      const e = emoteEntry.safeParse(raw);
      if (!e.success) continue;
      const [one, two] = pick(provider, e.data.files);
      emotes.set(e.data.name, {
        provider,
        id: e.data.id,
        src: imagePath(provider, e.data.id, one),
        src2x: two ? imagePath(provider, e.data.id, two) : null,
        zeroWidth: e.data.zero_width ?? false,
      });
    }
  });
  for (const scope of [null, channel]) {
    const parsed = badgeSnapshot.safeParse(await inEffect(segments, 'badges', scope, at));
    if (!parsed.success) continue;
    for (const s of parsed.data.sets)
      for (const v of s.versions) {
        const has = (f: string) => v.files.includes(f);
        badges.set(`${s.set_id}/${v.id}`, {
          title: v.title ?? s.set_id,
          src: imagePath('badges', v.image, has('1x') ? '1x' : v.files[0]!),
          src2x: has('2x') ? imagePath('badges', v.image, '2x') : null,
        });
      }
  }
  return {
    twitch: await anyTwitchEmote(segments),
    emotes: Object.fromEntries(emotes),
    badges: Object.fromEntries(badges),
  };
}
