/**
 * Third-party emote sets (issue 11 item 2): 7TV, BetterTTV and FrankerFaceZ, a channel's
 * and everyone's. Their public API answers are read as untrusted input (zod, emote by emote:
 * one bad entry is skipped, not the set), turned into one shape, snapshotted, and their
 * images stored under `emotes/<provider>/<id>/<file>`.
 *
 *   7TV   GET <7tv>/v3/users/twitch/<id>  → { emote_set: { emotes: [...] } }; <7tv>/v3/emote-sets/global → { emotes }
 *         emote { id, name (the code in this set), flags (1: zero-width), data: { animated, host: { url, files: [{ name }] } } }
 *         files are `<host.url>/<name>`; the WebP ones are kept (1x.webp … 4x.webp)
 *   BTTV  GET <bttv>/3/cached/users/twitch/<id> → { channelEmotes, sharedEmotes }; <bttv>/3/cached/emotes/global → [...]
 *         emote { id, code, animated }; files `<bttv cdn>/emote/<id>/<1x|2x|3x>`
 *   FFZ   GET <ffz>/v1/room/id/<id> → { room: { set }, sets: { <id>: { emoticons } } }; <ffz>/v1/set/global → { default_sets, sets }
 *         emoticon { id, name, urls: { 1, 2, 4 }, animated?: { 1, 2, 4 } }; files `1`, `2`, `4` (`animated-1`, …)
 *
 * A channel that has no account with a provider (404) has an empty set there.
 */
import { z } from 'zod';
import { getWithRetry, downloadImage, JSON_MAX_BYTES, JSON_TYPES, type ImageContext } from './download.js';
import { isEmoteCode, isImageFileName, isImageId, providerEmoteFile, type Provider } from './layout.js';
import { writeSnapshot } from './snapshots.js';
import { joinUrl } from './sources.js';
import { Tally } from './tally.js';

export interface SetEmote {
  id: string;
  /** The code that stands for it in chat. */
  name: string;
  animated: boolean;
  zero_width: boolean;
  files: Array<{ name: string; url: string }>;
}

export interface EmoteSet {
  provider: Provider;
  scope: 'global' | 'channel';
  /** The channel's Twitch user id (`room-id`); null for global sets. */
  twitch_id: string | null;
  emotes: SetEmote[];
}

/** A snapshot's content: the set without URLs (they say where it was, not what it is). */
export interface EmoteSetSnapshot extends Omit<EmoteSet, 'emotes'> {
  emotes: Array<Omit<SetEmote, 'files'> & { files: string[] }>;
}

function emote(
  id: string,
  name: string,
  animated: boolean,
  zeroWidth: boolean,
  files: SetEmote['files'],
): SetEmote | null {
  const ok = isImageId(id) && isEmoteCode(name) && files.length > 0 && files.every((f) => isImageFileName(f.name));
  return ok ? { id, name, animated, zero_width: zeroWidth, files } : null;
}

/** Each entry of `list` parsed on its own; the ones that do not fit are skipped. */
function each<T>(list: unknown, schema: z.ZodType<T>, make: (e: T) => SetEmote | null): SetEmote[] {
  if (!Array.isArray(list)) return [];
  const out: SetEmote[] = [];
  for (const item of list) {
    const p = schema.safeParse(item);
    const e = p.success ? make(p.data) : null;
    if (e) out.push(e);
  }
  return out;
}

/** A URL from an answer, made absolute (they are often protocol-relative: `//cdn…`) against the API's own. */
function absolute(url: string, base: string): string | null {
  try {
    const u = new URL(url, base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}

const stvEmote = z.object({
  id: z.string(),
  name: z.string(),
  flags: z.number().optional(),
  data: z.object({
    animated: z.boolean().optional(),
    host: z.object({ url: z.string(), files: z.array(z.object({ name: z.string(), format: z.string().optional() })) }),
  }),
});

export function parseSevenTv(emotes: unknown, apiBase: string): SetEmote[] {
  return each(emotes, stvEmote, (e) => {
    const host = absolute(e.data.host.url, apiBase);
    if (!host) return null;
    const webp = e.data.host.files.filter((f) => f.name.endsWith('.webp'));
    const files = (webp.length ? webp : e.data.host.files).map((f) => ({ name: f.name, url: joinUrl(host, f.name) }));
    return emote(e.id, e.name, e.data.animated ?? false, ((e.flags ?? 0) & 1) === 1, files);
  });
}

const bttvEmote = z.object({ id: z.string(), code: z.string(), animated: z.boolean().optional() });
export const BTTV_FILES = ['1x', '2x', '3x'] as const;

export function parseBttv(emotes: unknown, cdn: string): SetEmote[] {
  return each(emotes, bttvEmote, (e) =>
    emote(
      e.id,
      e.code,
      e.animated ?? false,
      false,
      BTTV_FILES.map((f) => ({ name: f, url: joinUrl(cdn, `emote/${encodeURIComponent(e.id)}/${f}`) })),
    ),
  );
}

const urlsBySize = z.record(z.string(), z.string().nullable());
const ffzEmote = z.object({
  id: z.union([z.number().int(), z.string()]),
  name: z.string(),
  urls: urlsBySize,
  animated: urlsBySize.nullable().optional(),
  modifier: z.boolean().optional(),
});
const FFZ_SIZES = ['1', '2', '4'];

export function parseFfzSets(sets: unknown, which: (id: string) => boolean, apiBase: string): SetEmote[] {
  if (!sets || typeof sets !== 'object') return [];
  const out: SetEmote[] = [];
  for (const [setId, set] of Object.entries(sets as Record<string, unknown>)) {
    if (!which(setId) || !set || typeof set !== 'object') continue;
    out.push(
      ...each((set as { emoticons?: unknown }).emoticons, ffzEmote, (e) => {
        const files: SetEmote['files'] = [];
        for (const [prefix, urls] of [
          ['', e.urls],
          ['animated-', e.animated ?? {}],
        ] as const)
          for (const size of FFZ_SIZES) {
            const url = urls[size] ? absolute(urls[size], apiBase) : null;
            if (url) files.push({ name: `${prefix}${size}`, url });
          }
        return emote(String(e.id), e.name, e.animated != null, e.modifier ?? false, files);
      }),
    );
  }
  return out;
}

/** The API address of a provider's set: a channel's (by Twitch user id) or the global one. */
export function setUrl(ctx: ImageContext, provider: Provider, twitchId: string | null): string {
  const id = twitchId === null ? null : encodeURIComponent(twitchId);
  switch (provider) {
    case '7tv':
      return joinUrl(ctx.sources.sevenTv, id ? `v3/users/twitch/${id}` : 'v3/emote-sets/global');
    case 'bttv':
      return joinUrl(ctx.sources.bttv, id ? `3/cached/users/twitch/${id}` : '3/cached/emotes/global');
    case 'ffz':
      return joinUrl(ctx.sources.ffz, id ? `v1/room/id/${id}` : 'v1/set/global');
  }
}

/** The answer's emotes in our shape; `null` answer means the channel has no account there. */
export function parseSetAnswer(ctx: ImageContext, provider: Provider, global: boolean, body: unknown): SetEmote[] {
  const o = (body ?? {}) as Record<string, unknown>;
  switch (provider) {
    case '7tv':
      return parseSevenTv(
        global ? o.emotes : ((o.emote_set as Record<string, unknown> | null)?.emotes ?? []),
        ctx.sources.sevenTv,
      );
    case 'bttv':
      return global
        ? parseBttv(body, ctx.sources.bttvCdn)
        : [...parseBttv(o.channelEmotes, ctx.sources.bttvCdn), ...parseBttv(o.sharedEmotes, ctx.sources.bttvCdn)];
    case 'ffz': {
      const defaults = Array.isArray(o.default_sets) ? o.default_sets.map(String) : [];
      // The global answer also lists sets of single users; only the default sets are everyone's.
      return parseFfzSets(o.sets, global ? (id) => defaults.includes(id) : () => true, ctx.sources.ffz);
    }
  }
}

export type Fetch<T> = { ok: true; value: T } | { ok: false; reason: string; status?: number };

/** GETs a JSON answer; a 404 is `null` (no such user there), other failures are reasons. */
export async function getJson(
  ctx: ImageContext,
  url: string,
  headers?: Record<string, string>,
): Promise<Fetch<unknown>> {
  const r = await getWithRetry(ctx, url, { maxBytes: JSON_MAX_BYTES, types: JSON_TYPES, headers });
  if (!r.ok) return r.status === 404 ? { ok: true, value: null } : { ok: false, reason: r.message, status: r.status };
  try {
    return { ok: true, value: JSON.parse(r.bytes.toString('utf8')) };
  } catch {
    return { ok: false, reason: `${new URL(url).host} sent JSON that does not parse` };
  }
}

export async function fetchEmoteSet(
  ctx: ImageContext,
  provider: Provider,
  twitchId: string | null,
): Promise<Fetch<EmoteSet>> {
  const r = await getJson(ctx, setUrl(ctx, provider, twitchId));
  if (!r.ok) return r;
  const emotes = r.value === null ? [] : parseSetAnswer(ctx, provider, twitchId === null, r.value);
  // One entry per id; sorted so that equal sets are equal bytes.
  const byId = new Map(emotes.map((e) => [e.id + '\0' + e.name, e]));
  const sorted = [...byId.values()].sort((a, b) => cmp(a.name, b.name) || cmp(a.id, b.id));
  return {
    ok: true,
    value: { provider, scope: twitchId === null ? 'global' : 'channel', twitch_id: twitchId, emotes: sorted },
  };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function snapshotOf(set: EmoteSet): EmoteSetSnapshot {
  return { ...set, emotes: set.emotes.map((e) => ({ ...e, files: e.files.map((f) => f.name) })) };
}

export interface SetRun {
  source: Provider;
  channel: string | null;
  /** Why the set could not be had; its images were then not fetched. */
  error: string | null;
  emotes: number;
  snapshot: { path: string; written: boolean } | null;
}

/** Fetches a provider's set, writes its snapshot if it changed, then stores its images. */
export async function archiveEmoteSet(
  ctx: ImageContext,
  provider: Provider,
  channel: string | null,
  twitchId: string | null,
  tally: Tally,
  seenAt = Date.now() / 1000,
): Promise<SetRun> {
  const got = await fetchEmoteSet(ctx, provider, twitchId);
  if (!got.ok) return { source: provider, channel, error: got.reason, emotes: 0, snapshot: null };
  const set = got.value;
  const snapshot = await writeSnapshot(ctx.segments, provider, channel, snapshotOf(set), seenAt);
  await Promise.all(
    set.emotes.flatMap((e) =>
      e.files.map(async (f) =>
        tally.add(
          provider,
          e.id,
          f.name,
          await downloadImage(ctx, provider, providerEmoteFile(ctx.segments, provider, e.id, f.name), f.url),
        ),
      ),
    ),
  );
  return { source: provider, channel, error: null, emotes: set.emotes.length, snapshot };
}
