/**
 * Which tool wrote a source, from its layout and its first bytes (never its whole content):
 * a segments folder (`<channel>/chat/`), a justlog logs folder, Chatterino logs, TwitchDownloader
 * or recent-messages JSON, raw IRC lines. null with the reason when it is none of them.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseIrcLine } from '../archive/irc-parse.js';
import { findFiles } from './files.js';
import { justlogShape } from './justlog.js';
import { headOf } from './lines.js';
import type { Format } from './source.js';

export type DetectedFormat = Format | 'segments';
export interface Detection {
  format: DetectedFormat | null;
  /** What gave it away, or why nothing did: one line for the user. */
  reason: string;
}

const CHATTERINO_NAME = /-\d{4}-\d{2}-\d{2}\.log$/;
const HEAD_BYTES = 64 * 1024;

/** The format of one file, from its first bytes. */
export async function sniffFile(file: string): Promise<Detection> {
  let head: string;
  try {
    head = (await headOf(file, HEAD_BYTES)).toString('utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    return { format: null, reason: `cannot read ${file}: ${(e as Error).message}` };
  }
  const name = path.basename(file);
  const start = head.trimStart();
  if (start.startsWith('{')) {
    if (/"messages"\s*:\s*\[/.test(head))
      return { format: 'recent-messages', reason: `${name} is a recent-messages answer` };
    if (/"(?:comments|FileInfo|streamer|video)"\s*:/.test(head))
      return { format: 'twitchdownloader', reason: `${name} is TwitchDownloader chat JSON` };
    return { format: null, reason: `${name} is JSON, but neither TwitchDownloader chat nor a recent-messages answer` };
  }
  const lines = start.split('\n', 20).filter((l) => l.trim() !== '');
  const first = lines[0] ?? '';
  if (first.startsWith('# Start logging at') || (CHATTERINO_NAME.test(name) && /^\[\d{1,2}:\d{2}/.test(first)))
    return { format: 'chatterino', reason: `${name} is a Chatterino log` };
  const irc = lines.filter((l) => /^[@:]/.test(l) && parseIrcLine(l.replace(/\r$/, '')) !== null);
  if (irc.length > 0 && irc.length >= lines.length / 2) return { format: 'irc', reason: `${name} holds raw IRC lines` };
  return {
    format: null,
    reason: `${name} is not a format chat-archiver imports (justlog, irc, twitchdownloader, chatterino, recent-messages, segments)`,
  };
}

export async function detectFormat(src: string): Promise<Detection> {
  const st = await fs.lstat(src).catch(() => null);
  if (!st) return { format: null, reason: `${src} does not exist` };
  if (st.isFile()) return sniffFile(src);
  if (!st.isDirectory()) return { format: null, reason: `${src} is neither a file nor a folder` };
  const entries = await fs.readdir(src, { withFileTypes: true }).catch(() => []);
  for (const e of entries.filter((x) => x.isDirectory() && !x.name.startsWith('.')).slice(0, 200)) {
    const chat = await fs.stat(path.join(src, e.name, 'chat')).catch(() => null);
    if (chat?.isDirectory()) return { format: 'segments', reason: `a segments folder (${e.name}/chat/)` };
  }
  if (entries.some((e) => e.isDirectory() && e.name === 'chat'))
    return { format: 'segments', reason: 'one channel of a segments folder (import its parent)' };
  const shape = await justlogShape(src);
  if (shape)
    return {
      format: 'justlog',
      reason: shape === 'logs' ? 'a justlog logs folder' : 'one room of a justlog logs folder',
    };
  const found = await findFiles(src, 4);
  const files = found.files.slice(0, 500);
  const named = files.find((f) => CHATTERINO_NAME.test(f.rel));
  if (named) {
    const d = await sniffFile(named.path);
    if (d.format === 'chatterino') return { format: 'chatterino', reason: `Chatterino logs (${named.rel})` };
  }
  for (const f of files.slice(0, 5)) {
    const d = await sniffFile(f.path);
    if (d.format) return { format: d.format, reason: `${d.reason} (${f.rel})` };
  }
  return {
    format: null,
    reason: files.length
      ? `${src}: no file in it is in a format chat-archiver imports (justlog, irc, twitchdownloader, chatterino, recent-messages), and it is no segments folder`
      : `${src} holds no files`,
  };
}

/**
 * The one format of a set of sources: `requested`, or (auto) told from each. Folders nothing
 * recognises go to the segments import, which names what it finds there (a channel folder,
 * nothing at all); a file nothing recognises, or sources of different formats, are errors.
 */
export async function resolveFormat(
  sources: string[],
  requested: DetectedFormat | 'auto',
): Promise<{ ok: true; format: DetectedFormat } | { ok: false; message: string }> {
  if (requested !== 'auto') return { ok: true, format: requested };
  const found = await Promise.all(
    sources.map(async (s) => ({ s, d: await detectFormat(s), file: (await fs.lstat(s).catch(() => null))?.isFile() })),
  );
  const formats = new Set(found.map((x) => x.d.format).filter((f) => f !== null));
  if (formats.size > 1)
    return {
      ok: false,
      message: `the sources are of different formats (${found.map((x) => `${x.s}: ${x.d.format ?? 'unknown'}`).join(', ')}): import them separately or choose the format`,
    };
  const [only = 'segments'] = formats;
  const unknown = found.find((x) => x.d.format === null && (x.file || only !== 'segments'));
  if (unknown) return { ok: false, message: `${unknown.d.reason}; choose the format` };
  return { ok: true, format: only };
}
