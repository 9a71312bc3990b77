/**
 * Linked media (issue 11 item 4, opt-in): images and videos linked in chat messages, stored
 * as `media/<SHA-256 of the URL, base64url>` with `media/<hash>.json` beside it saying what
 * it is (`url`, final `url` after redirects, `content_type`, `bytes`, `sha256`, `fetched_at`).
 * Every link is untrusted: fetched only through safe-fetch.ts (http(s), public addresses
 * only after DNS resolution, each redirect hop checked, size cap, content type checked
 * before the body is read). Links that are not media (a web page) are remembered like a
 * 404 so they are not asked again every run.
 */
import { createHash } from 'node:crypto';
import { exists, writeFileAtomic } from '../archive/atomic.js';
import { canonicalJson } from '../archive/encode.js';
import { getWithRetry, isTransient, type DownloadOutcome, type ImageContext } from './download.js';
import { mediaFile, mediaInfoFile, MEDIA_DIR, urlHash } from './layout.js';

export const MEDIA_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'video/mp4',
  'video/webm',
] as const;
export const DEFAULT_MEDIA_MAX_BYTES = 25 * 1024 * 1024;
const MAX_URL = 2000;

/** The http(s) links of a message text, in order, each once; trailing punctuation is not part of a link. */
export function linksOf(text: string): string[] {
  if (!text.includes('http')) return [];
  const out: string[] = [];
  for (const m of text.matchAll(/\bhttps?:\/\/[^\s<>"'\x00-\x1f]+/gi)) {
    const link = m[0].replace(/[).,!?:;\]}'"\x01]+$/, '');
    if (link.length > MAX_URL || out.includes(link)) continue;
    try {
      const u = new URL(link);
      if ((u.protocol === 'http:' || u.protocol === 'https:') && u.hostname) out.push(link);
    } catch {
      // not a URL after all
    }
  }
  return out;
}

export interface MediaInfo {
  url: string;
  final_url: string;
  content_type: string;
  bytes: number;
  sha256: string;
  fetched_at: number;
}

/** Stores one linked file unless it is there; the memory of refusals is keyed by the URL's hash. */
export async function archiveMedia(
  ctx: ImageContext,
  url: string,
  maxBytes = DEFAULT_MEDIA_MAX_BYTES,
): Promise<DownloadOutcome> {
  const target = mediaFile(ctx.segments, url);
  const outcome = await fetchMedia(ctx, url, target, maxBytes);
  ctx.onOutcome?.('media', outcome);
  return outcome;
}

async function fetchMedia(ctx: ImageContext, url: string, target: string, maxBytes: number): Promise<DownloadOutcome> {
  if (await exists(mediaInfoFile(ctx.segments, url))) return { status: 'present', path: target };
  const key = `${MEDIA_DIR}/${urlHash(url)}`;
  const known = ctx.memory.known(key);
  if (known) return { status: 'missing', path: target, reason: known, known: true };
  const r = await getWithRetry(ctx, url, { maxBytes, types: MEDIA_TYPES });
  if (!r.ok) {
    if (r.failure === 'aborted' || isTransient(r)) return { status: 'failed', path: target, reason: r.message };
    ctx.memory.remember(key, r.message);
    return { status: 'missing', path: target, reason: r.message, known: false };
  }
  const info: MediaInfo = {
    url,
    final_url: r.url,
    content_type: r.contentType,
    bytes: r.bytes.length,
    sha256: createHash('sha256').update(r.bytes).digest('base64url'),
    fetched_at: Math.floor(Date.now() / 1000),
  };
  try {
    // The file first, then what it is: a `.json` means its file is complete.
    await writeFileAtomic(target, r.bytes, true);
    await writeFileAtomic(mediaInfoFile(ctx.segments, url), Buffer.from(canonicalJson(info) + '\n'), true);
    return { status: 'stored', path: target };
  } catch (e) {
    return { status: 'failed', path: target, reason: `cannot write ${target}: ${(e as Error).message}` };
  }
}
