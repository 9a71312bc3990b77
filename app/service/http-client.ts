/**
 * The ArchiveApi over HTTP: `POST /api/<method>` with the JSON arguments, events from
 * `GET /api/events` (server-sent events). The renderer uses this when `window.archive`
 * (the Electron preload bridge) is absent, and cannot tell the two apart: every failure,
 * network ones included, comes back as a `Result` error, never as a thrown exception.
 */
import type { ApiError, ApiEvent, ArchiveApi, MethodName, Result } from './contract.js';
import { apiMethods } from './api-proxy.js';

/** The part of the browser's EventSource this client uses (not in Node 20's types). */
interface EventSourceLike {
  onmessage: ((e: { data: string }) => void) | null;
  close(): void;
}
type EventSourceCtor = new (url: string, init?: { withCredentials?: boolean }) => EventSourceLike;

export interface HttpClientOptions {
  /** Origin (and optional path prefix) of the server; '' means the page's own origin. */
  baseUrl?: string;
  /** Bearer token for non-loopback servers; in a browser the server's cookie does this instead. */
  token?: string;
  fetch?: typeof fetch;
  /** Defaults to the global EventSource; without one, events are read with fetch streaming. */
  EventSource?: EventSourceCtor | null;
  /** Delay before reconnecting the fetch-based event stream. */
  reconnectMs?: number;
}

const failure = (code: ApiError['code'], message: string): Result<never> => ({ ok: false, error: { code, message } });

function isResult(x: unknown): x is Result<unknown> {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  if (r.ok === true) return 'value' in r;
  return r.ok === false && typeof r.error?.code === 'string' && typeof r.error.message === 'string';
}

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

// Declaration merging gives the class the ArchiveApi methods that the constructor installs (apiMethods).
export interface HttpArchiveClient extends ArchiveApi {}
export class HttpArchiveClient {
  readonly #base: string;
  readonly #token: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #EventSource: EventSourceCtor | null;
  readonly #reconnectMs: number;
  readonly #listeners = new Set<(e: ApiEvent) => void>();
  #stopEvents: (() => void) | null = null;

  constructor(options: HttpClientOptions = {}) {
    this.#base = (options.baseUrl ?? '').replace(/\/+$/, '');
    this.#token = options.token;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    const globalEs = (globalThis as { EventSource?: EventSourceCtor }).EventSource;
    this.#EventSource = options.EventSource === undefined ? (globalEs ?? null) : options.EventSource;
    this.#reconnectMs = options.reconnectMs ?? 2000;
    Object.assign(
      this,
      apiMethods((method, args) => this.#call(method, args)),
    );
  }

  async #call(method: MethodName, args: unknown): Promise<Result<unknown>> {
    let res: Response;
    try {
      res = await this.#fetch(`${this.#base}/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.#auth() },
        body: JSON.stringify(args ?? {}),
        credentials: 'same-origin',
      });
    } catch (e) {
      return failure('unavailable', `cannot reach the archive service: ${(e as Error).message}`);
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      return failure(
        res.ok ? 'internal' : 'unavailable',
        `the archive service answered HTTP ${res.status} without a result`,
      );
    }
    return isResult(body)
      ? body
      : failure('internal', `the archive service answered HTTP ${res.status} with an unexpected body`);
  }

  #auth(): Record<string, string> {
    return this.#token ? { authorization: `Bearer ${this.#token}` } : {};
  }

  onEvent(listener: (e: ApiEvent) => void): () => void {
    this.#listeners.add(listener);
    if (!this.#stopEvents) this.#stopEvents = this.#openEvents();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0 && this.#stopEvents) {
        this.#stopEvents();
        this.#stopEvents = null;
      }
    };
  }

  /** Closes the event stream (for tests and non-browser callers). */
  close(): void {
    this.#listeners.clear();
    this.#stopEvents?.();
    this.#stopEvents = null;
  }

  #emit(data: string): void {
    let event: ApiEvent;
    try {
      event = JSON.parse(data) as ApiEvent;
    } catch {
      return;
    }
    for (const l of [...this.#listeners]) l(event);
  }

  #openEvents(): () => void {
    const url = `${this.#base}/api/events`;
    // EventSource cannot send headers; with a token it goes in the query (the server accepts both).
    const withToken = this.#token ? `${url}?token=${encodeURIComponent(this.#token)}` : url;
    if (this.#EventSource) {
      const es = new this.#EventSource(withToken, { withCredentials: true });
      es.onmessage = (e) => this.#emit(e.data);
      return () => es.close();
    }
    return this.#streamEvents(url);
  }

  /** Server-sent events read with fetch, for runtimes without EventSource (Node 20). */
  #streamEvents(url: string): () => void {
    const abort = new AbortController();
    const run = async () => {
      while (!abort.signal.aborted) {
        try {
          const res = await this.#fetch(url, {
            headers: { accept: 'text/event-stream', ...this.#auth() },
            signal: abort.signal,
          });
          if (!res.body) throw new Error('no body');
          const decoder = new TextDecoder();
          let buffer = '';
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
            buffer += decoder.decode(chunk, { stream: true });
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const data = block
                .split('\n')
                .filter((l) => l.startsWith('data:'))
                .map((l) => l.slice(5).replace(/^ /, ''))
                .join('\n');
              if (data) this.#emit(data);
            }
          }
        } catch {
          // reconnect below, like EventSource does
        }
        if (!abort.signal.aborted) await pause(this.#reconnectMs, abort.signal);
      }
    };
    void run();
    return () => abort.abort();
  }
}
