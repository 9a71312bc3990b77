/** The built renderer's files and the archive's images, for both the app:// protocol and `serve`: one path check for both. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CONTENT_TYPES, SECURITY_HEADERS } from './csp.js';
import { isInside } from './validate.js';
import { readArchiveImage } from '../images/read-image.js';

export type StaticFile =
  | { ok: true; bytes: Buffer; headers: Record<string, string> }
  | { ok: false; status: 400 | 403 | 404; message: string };

/** `pathname` as it came in the URL (still percent-encoded); never resolves outside `root`. */
export async function readRendererFile(root: string, pathname: string): Promise<StaticFile> {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return { ok: false, status: 400, message: 'malformed path' };
  }
  if (rel.includes('\0')) return { ok: false, status: 400, message: 'malformed path' };
  if (rel.endsWith('/')) rel += 'index.html';
  const file = path.join(root, path.normalize(rel));
  if (!isInside(root, file)) return { ok: false, status: 403, message: 'outside the user interface folder' };
  try {
    const bytes = await fs.readFile(file);
    return {
      ok: true,
      bytes,
      headers: {
        ...SECURITY_HEADERS,
        'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
      },
    };
  } catch {
    return { ok: false, status: 404, message: 'not found' };
  }
}

/** URLs under `/images/` are the archive's emote and badge images (app/images/read-image.ts). */
export const IMAGES_PREFIX = '/images/';

/** An archive image for the viewer: `pathname` starts with `/images/`. */
export async function readImageFile(segments: string, pathname: string): Promise<StaticFile> {
  const f = await readArchiveImage(segments, pathname.slice(IMAGES_PREFIX.length));
  if (!f.ok) return { ok: false, status: f.status === 415 ? 404 : f.status, message: f.message };
  return {
    ok: true,
    bytes: f.bytes,
    headers: {
      ...SECURITY_HEADERS,
      'content-security-policy': "default-src 'none'",
      'content-type': f.contentType,
      // Emote files do not change (a name is one image); an hour spares the disk while scrolling.
      'cache-control': 'private, max-age=3600',
    },
  };
}
