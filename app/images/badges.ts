/**
 * Twitch chat badges (issue 11 item 3), only with a token: Helix
 * `GET <helix>/chat/badges/global` and `GET <helix>/chat/badges?broadcaster_id=<id>`
 * (headers `Client-Id` and `Authorization: Bearer <token>`) answer
 * `{ data: [{ set_id, versions: [{ id, title, image_url_1x, image_url_2x, image_url_4x }] }] }`.
 * Images are stored by Twitch's own image id (`…/badges/v1/<image id>/<n>`), because a
 * channel's `subscriber/3` is another picture than the next channel's:
 * `emotes/badges/<image id>/<1x|2x|4x>`; the sets are snapshotted like emote sets, mapping
 * `set_id/version` to the image id. Without a token badges stay text.
 *
 * Helix wants the client id the token was issued to; when it is not given, Twitch's
 * `oauth2/validate` tells it (a chat login token works).
 */
import { z } from 'zod';
import { badgeFile, isImageId, urlHash } from './layout.js';
import { downloadImage, type ImageContext } from './download.js';
import { getJson, type Fetch } from './emote-sets.js';
import { writeSnapshot } from './snapshots.js';
import { joinUrl } from './sources.js';
import type { Tally } from './tally.js';

export interface HelixAuth {
  token: string;
  clientId: string;
}

export interface BadgeVersion {
  id: string;
  title: string;
  /** The folder of its images under `emotes/badges/`. */
  image: string;
  files: Array<{ name: string; url: string }>;
}

export interface BadgeSet {
  set_id: string;
  versions: BadgeVersion[];
}

/** A chat login token may carry the IRC `oauth:` prefix; Helix wants the bare token. */
export const bareToken = (token: string) => token.trim().replace(/^oauth:/i, '');

/** The token's client id from Twitch, or why there is none. */
export async function resolveHelixAuth(ctx: ImageContext, token: string, clientId?: string): Promise<Fetch<HelixAuth>> {
  const bare = bareToken(token);
  if (clientId) return { ok: true, value: { token: bare, clientId } };
  const r = await getJson(ctx, joinUrl(ctx.sources.twitchAuth, 'oauth2/validate'), { authorization: `OAuth ${bare}` });
  const refused = { ok: false as const, reason: 'Twitch did not accept the token (badges stay text)' };
  if (!r.ok)
    return r.status === 401 ? refused : { ok: false, reason: `cannot check the token with Twitch: ${r.reason}` };
  const id = (r.value as { client_id?: unknown } | null)?.client_id;
  if (typeof id !== 'string' || !/^[A-Za-z0-9]{1,64}$/.test(id)) return refused;
  return { ok: true, value: { token: bare, clientId: id } };
}

/** Badge set and version names from data: they become keys and snapshot content, never paths. */
export const badgeName = z.string().refine(isImageId);

const helixBadges = z.object({
  data: z.array(
    z.object({
      set_id: badgeName,
      versions: z.array(
        z.object({
          id: badgeName,
          title: z.string().max(500).optional(),
          image_url_1x: z.string().max(2000),
          image_url_2x: z.string().max(2000).optional(),
          image_url_4x: z.string().max(2000).optional(),
        }),
      ),
    }),
  ),
});

/** Twitch's image id from `…/badges/v1/<id>/1`, else a hash of the URL (still one folder per picture). */
function imageIdOf(url: string): string {
  const id = /\/badges\/v1\/([^/]+)\/[^/]+$/.exec(url)?.[1];
  return id && isImageId(id) ? id : urlHash(url).slice(0, 32);
}

export function parseBadges(body: unknown): BadgeSet[] | null {
  const p = helixBadges.safeParse(body);
  if (!p.success) return null;
  return p.data.data
    .map((s) => ({
      set_id: s.set_id,
      versions: s.versions
        .map((v) => {
          const files = (
            [
              ['1x', v.image_url_1x],
              ['2x', v.image_url_2x],
              ['4x', v.image_url_4x],
            ] as const
          ).flatMap(([name, url]) => (url && /^https?:\/\//.test(url) ? [{ name, url }] : []));
          return { id: v.id, title: v.title ?? '', image: imageIdOf(v.image_url_1x), files };
        })
        .filter((v) => v.files.length > 0)
        .sort((a, b) => (a.id < b.id ? -1 : 1)),
    }))
    .sort((a, b) => (a.set_id < b.set_id ? -1 : 1));
}

export interface BadgeRun {
  source: 'badges';
  channel: string | null;
  error: string | null;
  sets: number;
  snapshot: { path: string; written: boolean } | null;
}

/** The global badges (`twitchId` null) or a channel's: snapshot and images. */
export async function archiveBadges(
  ctx: ImageContext,
  auth: HelixAuth,
  channel: string | null,
  twitchId: string | null,
  tally: Tally,
  seenAt = Date.now() / 1000,
): Promise<BadgeRun> {
  const url = joinUrl(
    ctx.sources.helix,
    twitchId === null ? 'chat/badges/global' : `chat/badges?broadcaster_id=${encodeURIComponent(twitchId)}`,
  );
  const fail = (error: string): BadgeRun => ({ source: 'badges', channel, error, sets: 0, snapshot: null });
  const r = await getJson(ctx, url, { 'client-id': auth.clientId, authorization: `Bearer ${auth.token}` });
  if (!r.ok) return fail(r.status === 401 ? 'Helix did not accept the token and client id' : r.reason);
  const sets = r.value === null ? [] : parseBadges(r.value);
  if (!sets) return fail('Helix answered in an unknown shape');
  const content = {
    source: 'badges',
    scope: twitchId === null ? 'global' : 'channel',
    twitch_id: twitchId,
    sets: sets.map((s) => ({ ...s, versions: s.versions.map((v) => ({ ...v, files: v.files.map((f) => f.name) })) })),
  };
  const snapshot = await writeSnapshot(ctx.segments, 'badges', channel, content, seenAt);
  const seen = new Set<string>();
  await Promise.all(
    sets.flatMap((s) =>
      s.versions.flatMap((v) =>
        v.files.map(async (f) => {
          const target = badgeFile(ctx.segments, v.image, f.name);
          if (seen.has(target)) return;
          seen.add(target);
          tally.add('badges', `${s.set_id}/${v.id}`, f.name, await downloadImage(ctx, 'badges', target, f.url));
        }),
      ),
    ),
  );
  return { source: 'badges', channel, error: null, sets: sets.length, snapshot };
}
