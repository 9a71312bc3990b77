/**
 * Where images live in a segments folder (README "Emotes, badges and linked media"):
 *
 *   emotes/<id>/<light|dark>-<1.0|2.0|3.0>              Twitch emotes, the original's layout
 *   emotes/<7tv|bttv|ffz>/<id>/<file>                   third-party emote images
 *   emotes/badges/<image id>/<1x|2x|4x>                 Twitch badge images
 *   emotes/sets/<source>/global/<stamp>-<hash>.json     snapshots of global sets
 *   emotes/sets/<source>/channels/<channel>/<stamp>-<hash>.json   ... of a channel's sets
 *   media/<url hash>  +  media/<url hash>.json           linked media and what it is
 *
 * Every name in a path comes from data (chat tags, API answers, another node's files), so
 * each is checked against a strict rule before it becomes a path; nothing here can point
 * outside these folders.
 */
import path from 'node:path';
import { createHash } from 'node:crypto';

export const EMOTES_DIR = 'emotes';
export const MEDIA_DIR = 'media';

export const TWITCH_THEMES = ['light', 'dark'] as const;
export const TWITCH_SCALES = ['1.0', '2.0', '3.0'] as const;
export type TwitchTheme = (typeof TWITCH_THEMES)[number];
export type TwitchScale = (typeof TWITCH_SCALES)[number];

export const PROVIDERS = ['7tv', 'bttv', 'ffz'] as const;
export type Provider = (typeof PROVIDERS)[number];
/** What a set snapshot is of: a third-party provider's emotes, or Twitch's badges. */
export type SetSource = Provider | 'badges';

/** Folders inside `emotes/` that are not Twitch emote ids. */
const EMOTES_RESERVED = new Set<string>([...PROVIDERS, 'badges', 'sets']);

/** Ids and file names from data: letters, digits, `_` and `-` (and `.` inside file names), never `.`-led. */
const ID_RE = /^[A-Za-z0-9_-]{1,100}$/;
const FILE_RE = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/;

export const isImageId = (id: string) => ID_RE.test(id);
/** Emote codes are single words of chat text. */
export const isEmoteCode = (code: string) => /^\S{1,100}$/u.test(code);
export const isImageFileName = (name: string) => FILE_RE.test(name) && !name.includes('..');
/** A Twitch emote id that can be a folder of `emotes/` (not one of the reserved names). */
export const isTwitchEmoteId = (id: string) => ID_RE.test(id) && !EMOTES_RESERVED.has(id);

export const twitchEmoteFile = (segments: string, id: string, theme: TwitchTheme, scale: TwitchScale) =>
  path.join(segments, EMOTES_DIR, id, `${theme}-${scale}`);

export const providerEmoteFile = (segments: string, provider: Provider, id: string, file: string) =>
  path.join(segments, EMOTES_DIR, provider, id, file);

export const badgeFile = (segments: string, imageId: string, file: string) =>
  path.join(segments, EMOTES_DIR, 'badges', imageId, file);

/** The folder of a source's snapshots: global, or one channel's. */
export const snapshotDir = (segments: string, source: SetSource, channel: string | null) =>
  channel === null
    ? path.join(segments, EMOTES_DIR, 'sets', source, 'global')
    : path.join(segments, EMOTES_DIR, 'sets', source, 'channels', channel);

const pad = (n: number) => String(n).padStart(2, '0');

/** `2024-01-06T16.19.44-<hash>.json`: the time the set was seen (UTC, no colons: Windows), then the content hash. */
export function snapshotFileName(seenAt: number, hash: string): string {
  const d = new Date(Math.floor(seenAt) * 1000);
  const stamp = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}.${pad(d.getUTCMinutes())}.${pad(d.getUTCSeconds())}`;
  return `${stamp}-${hash}.json`;
}

const SNAPSHOT_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})\.(\d{2})\.(\d{2})-([A-Za-z0-9_-]{43})\.json$/;

export function parseSnapshotFileName(name: string): { seenAt: number; hash: string } | null {
  const m = SNAPSHOT_RE.exec(name);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  if (Number.isNaN(ms) || new Date(ms).getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return { seenAt: ms / 1000, hash: m[7]! };
}

/** Media files are named by the SHA-256 of their URL (base64url), like batch files by their bytes. */
export const urlHash = (url: string) => createHash('sha256').update(url).digest('base64url');
export const mediaFile = (segments: string, url: string) => path.join(segments, MEDIA_DIR, urlHash(url));
export const mediaInfoFile = (segments: string, url: string) => mediaFile(segments, url) + '.json';
