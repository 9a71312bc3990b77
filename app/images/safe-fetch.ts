/**
 * GET for URLs that come from data (chat messages, third-party API answers): http(s) only;
 * the host is resolved here and every address it resolves to is checked (address-rules.ts)
 * before connecting, and the connection goes to the checked address (no second lookup a
 * DNS-rebinding server could answer differently); redirects are followed by hand, each hop
 * checked the same way; the body is capped while it streams and its type checked before
 * it is read. Origins the user configured (a CDN mirror on the LAN) skip the address check.
 */
import http from 'node:http';
import https from 'node:https';
import dns from 'node:dns';
import net from 'node:net';
import type { LookupFunction } from 'node:net';
import { refusedAddress, type AddressPolicy } from './address-rules.js';

export interface FetchPolicy extends AddressPolicy {
  maxBytes: number;
  /** Accepted content types, lower case, without parameters; `image/` accepts every image type. */
  types: readonly string[];
  /** Origins (`https://host:port`) whose addresses are not checked: servers the user configured. */
  trustedOrigins?: ReadonlySet<string>;
  maxRedirects?: number;
  timeoutMs?: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** The resolver (tests replace it to play a DNS-rebinding server); `dns.lookup` by default. */
  resolve?: (hostname: string, family: number | undefined) => Promise<dns.LookupAddress[]>;
}

const systemResolve = (hostname: string, family: number | undefined) =>
  dns.promises.lookup(hostname, { all: true, family: family ?? 0 });

export type FetchFailure =
  /** The URL or an address it leads to is not allowed: final. */
  | 'refused'
  /** The server answered with an error status (`status`). */
  | 'http'
  | 'too-large'
  | 'type'
  /** Connection failed, reset, or timed out: worth retrying. */
  | 'network'
  | 'aborted';

export type Fetched =
  | { ok: true; url: string; contentType: string; bytes: Buffer }
  | { ok: false; failure: FetchFailure; message: string; status?: number; retryAfterMs?: number };

export const USER_AGENT = 'chat-archiver/0.1';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

class RefusedError extends Error {
  readonly refused = true;
}

/** A lookup that resolves every address of the host, refuses the host if any is refused, and connects to a checked one. */
function checkedLookup(policy: FetchPolicy): LookupFunction {
  const resolve = policy.resolve ?? systemResolve;
  return (hostname, options, callback) => {
    const family = typeof options.family === 'number' ? options.family : undefined;
    resolve(hostname, family).then(
      (addresses) => {
        if (addresses.length === 0) return callback(new Error(`${hostname} has no address`), '', 0);
        for (const a of addresses) {
          const why = refusedAddress(a.address, policy);
          if (why) return callback(new RefusedError(`${hostname} resolves to ${why} (${a.address})`), '', 0);
        }
        if (options.all) return callback(null, addresses);
        callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

const typeOf = (header: string | undefined) => (header ?? '').split(';')[0]!.trim().toLowerCase();

export function typeAccepted(contentType: string, types: readonly string[]): boolean {
  return contentType !== '' && types.some((t) => (t.endsWith('/') ? contentType.startsWith(t) : contentType === t));
}

function retryAfterMs(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** One GET of `url` under `policy`; never throws. */
export async function safeGet(url: string, policy: FetchPolicy): Promise<Fetched> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const r = await getOnce(current, policy);
    if (!('redirect' in r)) return r;
    if (hop >= (policy.maxRedirects ?? 5))
      return { ok: false, failure: 'refused', message: `too many redirects (from ${url})` };
    current = r.redirect;
  }
}

function getOnce(url: string, policy: FetchPolicy): Promise<Fetched | { redirect: string }> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.resolve({ ok: false, failure: 'refused', message: `not a URL: ${url.slice(0, 200)}` });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return Promise.resolve({ ok: false, failure: 'refused', message: `${u.protocol} URLs are not fetched` });
  if (u.username || u.password)
    return Promise.resolve({ ok: false, failure: 'refused', message: 'URLs with credentials are not fetched' });
  const trusted = policy.trustedOrigins?.has(u.origin) ?? false;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  // An address in the URL itself is never looked up, so it is checked here.
  if (!trusted && net.isIP(host)) {
    const why = refusedAddress(host, policy);
    if (why) return Promise.resolve({ ok: false, failure: 'refused', message: `${u.host} is ${why}` });
  }
  if (policy.signal?.aborted) return Promise.resolve({ ok: false, failure: 'aborted', message: 'cancelled' });

  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: Fetched | { redirect: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      policy.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(r);
    };
    const fail = (failure: FetchFailure, message: string, extra: Partial<Fetched> = {}) =>
      finish({ ok: false, failure, message, ...extra } as Fetched);
    const get = u.protocol === 'https:' ? https.get : http.get;
    const req = get(
      u,
      {
        headers: { 'user-agent': USER_AGENT, accept: policy.types.join(', '), ...policy.headers },
        ...(trusted ? {} : { lookup: checkedLookup(policy) }),
        // A fresh connection per request: a pooled socket could be one made for another host check.
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (REDIRECTS.has(status) && res.headers.location) {
          let next: string;
          try {
            next = new URL(res.headers.location, u).toString();
          } catch {
            return fail('refused', `bad redirect target from ${u.host}`);
          }
          return finish({ redirect: next });
        }
        if (status !== 200)
          return fail('http', `${u.host} answered ${status}`, {
            status,
            retryAfterMs: retryAfterMs(res.headers['retry-after']),
          });
        const contentType = typeOf(res.headers['content-type']);
        if (!typeAccepted(contentType, policy.types))
          return fail('type', `${u.host} sent ${contentType || 'no content type'}, not ${policy.types.join(' or ')}`);
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > policy.maxBytes)
          return fail('too-large', `${declared} bytes is more than the ${policy.maxBytes} allowed`);
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > policy.maxBytes) return fail('too-large', `more than the ${policy.maxBytes} bytes allowed`);
          chunks.push(c);
        });
        res.on('end', () =>
          res.complete
            ? finish({ ok: true, url: u.toString(), contentType, bytes: Buffer.concat(chunks) })
            : fail('network', `${u.host}: the answer was cut off`),
        );
        res.on('error', (e) => fail('network', `${u.host}: ${e.message}`));
        res.on('aborted', () => fail('network', `${u.host}: the answer was cut off`));
      },
    );
    req.on('error', (e) => {
      if ((e as Partial<RefusedError>).refused) fail('refused', e.message);
      else fail('network', `${u.host}: ${(e as NodeJS.ErrnoException).code ?? e.message}`);
    });
    const timer = setTimeout(
      () => fail('network', `${u.host}: no answer within ${policy.timeoutMs ?? 30_000} ms`),
      policy.timeoutMs ?? 30_000,
    );
    const onAbort = () => fail('aborted', 'cancelled');
    policy.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
