/**
 * Folder layout (SPEC §2): `<segments>/<channel>/chat/<YYYY-MM-DDTHH>/<MM.SS>-<HASH>.json`.
 * Pure name rules here; directory listing at the end.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { BATCH_FILE, CHANNEL, RESERVED_FOLDER_NAMES } from '../rules.js';

const HOUR_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})$/;
const BATCH_RE = BATCH_FILE.pattern;
/** Our own temporaries: a leading dot so sync tools and readers skip them. */
export const TEMP_PREFIX = '.chat-archiver-';
/** A temporary of ours that a killed write left behind (or one still being written). */
export const isOwnTemporary = (name: string) => name.startsWith(TEMP_PREFIX) && name.endsWith('.tmp');

export const hourStart = (t: number) => Math.floor(t / 3600) * 3600;
export const minuteStart = (t: number) => Math.floor(t / 60) * 60;

const pad = (n: number) => String(n).padStart(2, '0');

export function hourName(t: number): string {
  const d = new Date(hourStart(t) * 1000);
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}`;
}

/** Unix seconds of an hour folder's name, or null if the name is not one. */
export function parseHourName(name: string): number | null {
  const m = HOUR_RE.exec(name);
  if (!m) return null;
  const [y, mo, d, h] = m.slice(1).map(Number) as [number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h);
  const back = new Date(ms);
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    back.getUTCHours() !== h
  )
    return null;
  return ms / 1000;
}

export function batchFileName(batchTime: number, hash: string): string {
  const inHour = batchTime - hourStart(batchTime);
  return `${pad(Math.floor(inHour / 60))}.${pad(inHour % 60)}-${hash}.json`;
}

export interface BatchName {
  /** Seconds since the start of the hour. */
  offset: number;
  hash: string;
  /** Written by the original implementation (`MM:SS`). */
  colon: boolean;
}

export function parseBatchFileName(name: string): BatchName | null {
  const m = BATCH_RE.exec(name);
  if (!m) return null;
  const mm = Number(m[1]);
  const ss = Number(m[3]);
  if (mm > 59 || ss > 59) return null;
  return { offset: mm * 60 + ss, hash: m[4]!, colon: m[2] === ':' };
}

export const chatDir = (segments: string, channel: string) => path.join(segments, channel, 'chat');
export const hourDir = (segments: string, channel: string, hour: number) =>
  path.join(chatDir(segments, channel), hourName(hour));

/** Something in an archive that is not part of it; reported, never deleted. */
export interface Stray {
  path: string;
  reason: string;
}

export interface BatchFile {
  path: string;
  name: string;
  /** Batch time, Unix seconds. */
  time: number;
  hash: string;
  colon: boolean;
}

/** Conflict copies made by sync tools (Syncthing) that may still hold a batch: merged in, then removed, reported. */
export const isConflictCopy = (name: string) => /^\d{2}[.:]\d{2}-.*\.sync-conflict-.*\.json$/.test(name);

/** Syncthing's temporary of a file it is receiving (Windows: `~syncthing~`); it renames it into place when done. */
export const isSyncTemporary = (name: string) =>
  (name.startsWith('.syncthing.') || name.startsWith('~syncthing~')) && name.endsWith('.tmp');

/** Names that sync tools and editors leave behind; skipped quietly but still reported. */
export function strayReason(name: string): string {
  if (name.startsWith(TEMP_PREFIX)) return 'temporary file of an unfinished write';
  if (isSyncTemporary(name))
    return 'temporary file in transfer (Syncthing is receiving it, or kept a superseded transfer)';
  if (name.endsWith('.tmp') || name.startsWith('.syncthing.')) return 'temporary file';
  if (name.includes('.sync-conflict-')) return 'sync conflict copy';
  if (name === '.stfolder' || name === '.stversions') return 'sync tool folder';
  if (name.endsWith('~') || name.endsWith('.bak') || name.endsWith('.swp')) return 'editor backup';
  return 'name is not a batch file name (MM.SS-HASH.json)';
}

/**
 * Folders beside the channels that hold no chat: `emotes/` (the original's layout for emote
 * images, and this project's third-party emotes, badges and set snapshots) and `media/`
 * (linked media). Both are valid Twitch channel names, so they are reserved by name and
 * skipped here without being reported: a channel called `emotes` or `media` cannot be
 * archived in this layout (nor in the original's), and the channel rule refuses them.
 */
const RESERVED_FOLDERS: ReadonlySet<string> = new Set(RESERVED_FOLDER_NAMES);

export async function listChannels(segments: string): Promise<{ channels: string[]; strays: Stray[] }> {
  const channels: string[] = [];
  const strays: Stray[] = [];
  for (const e of await readDirOrEmpty(segments)) {
    if (e.name.startsWith('.')) continue; // .quarantine, .chat-archiver state, sync folders
    if (RESERVED_FOLDERS.has(e.name) && e.isDirectory()) continue;
    const p = path.join(segments, e.name);
    if (!e.isDirectory()) strays.push({ path: p, reason: 'not a channel folder' });
    else if (!CHANNEL.pattern.test(e.name))
      strays.push({ path: p, reason: 'folder name is not a Twitch channel name' });
    else channels.push(e.name);
  }
  return { channels: channels.sort(), strays };
}

export async function listHours(segments: string, channel: string): Promise<{ hours: number[]; strays: Stray[] }> {
  const dir = chatDir(segments, channel);
  const hours: number[] = [];
  const strays: Stray[] = [];
  for (const e of await readDirOrEmpty(dir)) {
    const p = path.join(dir, e.name);
    const h = parseHourName(e.name);
    if (h === null)
      strays.push({
        path: p,
        reason: e.isDirectory() ? 'folder name is not an hour (YYYY-MM-DDTHH)' : strayReason(e.name),
      });
    else if (!e.isDirectory()) strays.push({ path: p, reason: 'hour name but not a folder' });
    else hours.push(h);
  }
  return { hours: hours.sort((a, b) => a - b), strays };
}

/** Batch files of one hour folder, sorted by name; anything else is a stray. */
export async function listBatchFiles(dir: string, hour: number): Promise<{ files: BatchFile[]; strays: Stray[] }> {
  const files: BatchFile[] = [];
  const strays: Stray[] = [];
  for (const e of await readDirOrEmpty(dir)) {
    const p = path.join(dir, e.name);
    const b = parseBatchFileName(e.name);
    if (b && e.isFile()) files.push({ path: p, name: e.name, time: hour + b.offset, hash: b.hash, colon: b.colon });
    else strays.push({ path: p, reason: b ? 'batch file name but not a regular file' : strayReason(e.name) });
  }
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { files, strays };
}

async function readDirOrEmpty(dir: string) {
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
