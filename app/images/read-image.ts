/**
 * Images for the viewer, read from the archive (`/images/emotes/...` over `serve` and the
 * desktop's app:// protocol). The files came from CDNs and other nodes' folders, so they
 * are untrusted: only names that keep the layout's rules, only regular files inside
 * `<segments>/emotes` (no symbolic link leads out), and only raster images recognised by
 * their first bytes are served, with that type: never HTML or SVG on the viewer's origin.
 */
import { promises as fs, constants } from 'node:fs';
import path from 'node:path';
import { EMOTES_DIR, isImageFileName } from './layout.js';

export type ImageFile =
  { ok: true; bytes: Buffer; contentType: string } | { ok: false; status: 400 | 404 | 415; message: string };

/** Served images are emotes and badges: a few MB at most. */
const MAX_SERVED_BYTES = 16 * 1024 * 1024;

/** The type of an image by its first bytes, or null for anything else. */
export function sniffImageType(b: Uint8Array): string | null {
  const ascii = (from: number, to: number) => Buffer.from(b.subarray(from, to)).toString('latin1');
  if (b.length >= 8 && b[0] === 0x89 && ascii(1, 4) === 'PNG' && b[4] === 0x0d && b[5] === 0x0a) return 'image/png';
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return 'image/gif';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  if (ascii(4, 8) === 'ftyp' && ['avif', 'avis'].includes(ascii(8, 12))) return 'image/avif';
  return null;
}

/** `rel` is the part of the URL after `/images/` (still percent-encoded), e.g. `emotes/25/dark-1.0`. */
export async function readArchiveImage(segments: string, rel: string): Promise<ImageFile> {
  let parts: string[];
  try {
    parts = rel.split('/').map(decodeURIComponent);
  } catch {
    return { ok: false, status: 400, message: 'malformed path' };
  }
  if (parts[0] !== EMOTES_DIR || parts.length < 3 || parts.length > 4 || !parts.slice(1).every(isImageFileName))
    return { ok: false, status: 404, message: 'not an image of the archive' };
  const root = path.join(segments, EMOTES_DIR);
  const file = path.join(segments, ...parts);
  let fh: fs.FileHandle | undefined;
  try {
    // The folders on the way may be links another node planted: the real path must stay inside.
    const [realRoot, real] = await Promise.all([fs.realpath(root), fs.realpath(file)]);
    if (!real.startsWith(realRoot + path.sep)) return { ok: false, status: 404, message: 'not found' };
    fh = await fs.open(real, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    const st = await fh.stat();
    if (!st.isFile() || st.size > MAX_SERVED_BYTES) return { ok: false, status: 404, message: 'not found' };
    const bytes = await fh.readFile();
    const contentType = sniffImageType(bytes);
    if (!contentType) return { ok: false, status: 415, message: 'not an image this viewer shows' };
    return { ok: true, bytes, contentType };
  } catch {
    return { ok: false, status: 404, message: 'not found' };
  } finally {
    await fh?.close();
  }
}
