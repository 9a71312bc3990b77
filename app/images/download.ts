/**
 * Getting one file into the archive: skipped when it is there (idempotent), else fetched
 * with retries and backoff for what may pass (network errors, 429, 5xx; Retry-After is
 * honoured up to the longest backoff), never retried for what will not (404 and other
 * answers, refusals), written atomically. Final failures are remembered (missing.ts).
 */
import path from 'node:path';
import pLimit, { type LimitFunction } from 'p-limit';
import { exists, writeFileAtomic } from '../archive/atomic.js';
import { safeGet, type FetchPolicy, type Fetched } from './safe-fetch.js';
import { MissingMemory } from './missing.js';
import { DEFAULT_SOURCES, type ImageSources } from './sources.js';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseMs: 1000, maxMs: 30_000 };
/** Emote and badge images; the largest animated 3.0 emotes are a few MB. */
export const IMAGE_MAX_BYTES = 10 * 1024 * 1024;
export const IMAGE_TYPES = ['image/'] as const;
/** Third-party set answers; a channel with a thousand 7TV emotes is a few MB. */
export const JSON_MAX_BYTES = 32 * 1024 * 1024;
export const JSON_TYPES = ['application/json'] as const;
export const DEFAULT_CONCURRENCY = 6;

/** What every fetcher shares: where to write, whom to ask, how hard to try. */
export interface ImageContext {
  segments: string;
  sources: ImageSources;
  /** Address rules, trusted origins, timeout and cancellation for every request. */
  net: Pick<FetchPolicy, 'allowLoopback' | 'trustedOrigins' | 'timeoutMs' | 'signal'>;
  retry: RetryPolicy;
  memory: MissingMemory;
  /** Bounds the requests in flight, whoever makes them. */
  limit: LimitFunction;
  /** Each image's outcome, for counts and metrics. */
  onOutcome?: (source: string, outcome: DownloadOutcome) => void;
}

export interface ContextOptions {
  segments: string;
  sources?: Partial<ImageSources>;
  allowLoopback?: boolean;
  retry?: RetryPolicy;
  concurrency?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Ask again for what is remembered as missing. */
  retryMissing?: boolean;
  /** Keep the memory of failures in this process only (tests). */
  memoryFile?: string | null;
  onOutcome?: ImageContext['onOutcome'];
}

export async function openImageContext(o: ContextOptions): Promise<ImageContext> {
  const sources = { ...DEFAULT_SOURCES, ...o.sources };
  // The servers the user named are trusted as they are (a mirror on the LAN); URLs found in data are not.
  const trustedOrigins = new Set(
    Object.entries(sources)
      .filter(([k, v]) => v !== DEFAULT_SOURCES[k as keyof ImageSources])
      .map(([, v]) => new URL(v).origin),
  );
  return {
    segments: o.segments,
    sources,
    net: { allowLoopback: o.allowLoopback, trustedOrigins, timeoutMs: o.timeoutMs, signal: o.signal },
    retry: o.retry ?? DEFAULT_RETRY,
    memory: await MissingMemory.open(o.memoryFile === undefined ? MissingMemory.fileIn(o.segments) : o.memoryFile, {
      ignore: o.retryMissing,
    }),
    limit: pLimit(o.concurrency ?? DEFAULT_CONCURRENCY),
    onOutcome: o.onOutcome,
  };
}

export type DownloadOutcome =
  | { status: 'stored'; path: string }
  | { status: 'present'; path: string }
  /** Final: the server said it is not there, or the URL is refused. `known`: remembered from an earlier run. */
  | { status: 'missing'; path: string; reason: string; known: boolean }
  /** Gave up for now (network, server errors after every retry, cancelled, disk): tried again next time. */
  | { status: 'failed'; path: string; reason: string };

/** Worth trying again later: the network, or a server error or rate limit. */
export const isTransient = (r: Extract<Fetched, { ok: false }>) =>
  r.failure === 'network' || (r.failure === 'http' && (r.status === 408 || r.status === 429 || (r.status ?? 0) >= 500));

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** GET with retries for transient failures; each try waits for a free slot of `ctx.limit`. */
export async function getWithRetry(
  ctx: ImageContext,
  url: string,
  accept: Pick<FetchPolicy, 'maxBytes' | 'types' | 'headers'>,
): Promise<Fetched> {
  const { attempts, baseMs, maxMs } = ctx.retry;
  for (let attempt = 1; ; attempt++) {
    const r = await ctx.limit(() => safeGet(url, { ...ctx.net, ...accept }));
    if (r.ok || !isTransient(r) || attempt >= attempts) return r;
    // Full jitter keeps many fetchers from retrying in step.
    const backoff = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
    await sleep(Math.min(maxMs, r.retryAfterMs ?? Math.random() * backoff), ctx.net.signal);
    if (ctx.net.signal?.aborted) return { ok: false, failure: 'aborted', message: 'cancelled' };
  }
}

/** Stores `url`'s image at `target` unless it is there; `source` names the kind for counts. */
export async function downloadImage(
  ctx: ImageContext,
  source: string,
  target: string,
  url: string,
): Promise<DownloadOutcome> {
  const outcome = await download(ctx, target, url);
  ctx.onOutcome?.(source, outcome);
  return outcome;
}

async function download(ctx: ImageContext, target: string, url: string): Promise<DownloadOutcome> {
  if (await exists(target)) return { status: 'present', path: target };
  const key = path.relative(ctx.segments, target).split(path.sep).join('/');
  const known = ctx.memory.known(key);
  if (known) return { status: 'missing', path: target, reason: known, known: true };
  const r = await getWithRetry(ctx, url, { maxBytes: IMAGE_MAX_BYTES, types: IMAGE_TYPES });
  if (!r.ok) {
    if (r.failure === 'aborted' || isTransient(r)) return { status: 'failed', path: target, reason: r.message };
    ctx.memory.remember(key, r.message);
    return { status: 'missing', path: target, reason: r.message, known: false };
  }
  try {
    const created = await writeFileAtomic(target, r.bytes);
    return { status: created ? 'stored' : 'present', path: target };
  } catch (e) {
    return { status: 'failed', path: target, reason: `cannot write ${target}: ${(e as Error).message}` };
  }
}
