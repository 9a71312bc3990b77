/**
 * The ArchiveApi over HTTP: `POST /api/<method>` (JSON in, `Result` out), `GET /api/events`
 * (server-sent events), and the built renderer with its CSP. Loopback by default; any
 * other address needs a token and is read-only unless writes are allowed explicitly.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { ApiError, Result } from './contract.js';
import type { ArchiveService } from './service.js';
import { IMAGES_PREFIX, readImageFile, readRendererFile, type StaticFile } from './static-files.js';
import type { ArchiveMetrics } from './metrics.js';
import { isMethodName } from './validate.js';
import { hostOnly, isLoopback } from './loopback.js';

export { isLoopback };

export interface HttpServerOptions {
  service: ArchiveService;
  host?: string;
  port?: number;
  token?: string | null;
  allowWrite?: boolean;
  /** The built renderer (out/renderer); null serves the API only. */
  rendererDir?: string | null;
  /** Served at `/metrics` (Prometheus text), with the same access rules as everything else. */
  metrics?: ArchiveMetrics | null;
}

export interface RunningServer {
  url: string;
  server: Server;
  readOnly: boolean;
  close(): Promise<void>;
}

/** Request bodies above this are refused before parsing (the largest argument is a few kB). */
const MAX_BODY = 4 * 1024 * 1024;
const COOKIE = 'chat_archiver_token';
const HEARTBEAT_MS = 15_000;

const STATUS: Record<ApiError['code'], number> = {
  invalid_argument: 400,
  forbidden: 403,
  not_found: 404,
  busy: 409,
  io: 500,
  internal: 500,
  unavailable: 503,
};

/** The listening configuration is refused before anything is served, with a message for the user. */
export function checkServeOptions(o: { host: string; token?: string | null }): string | null {
  if (!isLoopback(o.host) && !o.token)
    return `refusing to serve on ${o.host} without --token: anyone who can reach it could read the archive`;
  if (o.token !== undefined && o.token !== null && o.token.length < 16) return '--token must be at least 16 characters';
  return null;
}

export async function startHttpServer(opts: HttpServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? null;
  const refused = checkServeOptions({ host, token });
  if (refused) throw new Error(refused);
  const loopback = isLoopback(host);
  const readOnly = !loopback && !opts.allowWrite;
  const sockets = new Set<ServerResponse>();
  const tokenDigest = token ? createHash('sha256').update(token).digest() : null;

  const authorized = (req: IncomingMessage, url: URL): boolean => {
    if (!tokenDigest) return true;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const cookie = parseCookies(req.headers.cookie)[COOKIE];
    const query = req.method === 'GET' ? url.searchParams.get('token') : null;
    return [bearer, cookie, query].some(
      (t) => typeof t === 'string' && timingSafeEqual(createHash('sha256').update(t).digest(), tokenDigest),
    );
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent)
        sendResult(res, { ok: false, error: { code: 'internal', message: 'the server failed to answer' } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // DNS rebinding: a loopback server only answers requests addressed to a loopback name.
    if (loopback && !isLoopback(hostOnly(req.headers.host ?? '')))
      return sendError(res, 'forbidden', 'this server only answers requests for localhost');
    if (!authorized(req, url)) return sendError(res, 'forbidden', 'a valid token is required');

    if (url.pathname.startsWith('/api/')) {
      const name = url.pathname.slice('/api/'.length);
      if (name === 'events' && req.method === 'GET') return events(res);
      if (!isMethodName(name)) return sendError(res, 'not_found', `no such method: ${name.slice(0, 64)}`);
      if (req.method !== 'POST') return sendError(res, 'not_found', 'API methods are called with POST');
      // Cross-site pages cannot send JSON without a preflight we never answer; and the origin must be us.
      if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
        return sendError(res, 'invalid_argument', 'send the arguments as application/json');
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${req.headers.host}`)
        return sendError(res, 'forbidden', 'cross-origin calls are refused');
      const body = await readBody(req);
      if (body === null) return sendError(res, 'invalid_argument', `request body larger than ${MAX_BODY} bytes`);
      let args: unknown;
      try {
        args = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        return sendError(res, 'invalid_argument', 'the request body is not JSON');
      }
      // The call itself succeeded at the HTTP level: a typed error is a 200 with ok:false, so
      // browsers do not log the UI's ordinary "not found" answers as failed requests.
      return sendResult(res, await opts.service.call(name, args, { readOnly }), 200);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 'not_found', 'not found');
    if (token && url.searchParams.has('token')) {
      // Trade the token in the address for a cookie, so it leaves the address bar and history.
      res.writeHead(303, {
        location: url.pathname,
        'set-cookie': `${COOKIE}=${encodeURIComponent(url.searchParams.get('token')!)}; HttpOnly; SameSite=Strict; Path=/`,
        'cache-control': 'no-store',
      });
      return void res.end();
    }
    if (url.pathname.startsWith(IMAGES_PREFIX))
      return sendFile(req, res, await readImageFile(opts.service.segmentsDir, url.pathname));
    if (url.pathname === '/metrics' && opts.metrics) {
      const body = await opts.metrics.text();
      res.writeHead(200, { 'content-type': opts.metrics.contentType, 'cache-control': 'no-store' });
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
    return serveStatic(req, res, url.pathname);
  }

  function events(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
    });
    res.write(': connected\n\n');
    sockets.add(res);
    const unsubscribe = opts.service.onEvent((e) => res.write(`data: ${JSON.stringify(e)}\n\n`));
    const beat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
    res.on('close', () => {
      clearInterval(beat);
      unsubscribe();
      sockets.delete(res);
    });
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (!opts.rendererDir)
      return sendError(res, 'not_found', 'this server has no user interface (build it with `npm run build`)');
    return sendFile(req, res, await readRendererFile(opts.rendererDir, pathname));
  }

  function sendFile(req: IncomingMessage, res: ServerResponse, f: StaticFile): void {
    if (!f.ok)
      return sendError(
        res,
        f.status === 403 ? 'forbidden' : f.status === 404 ? 'not_found' : 'invalid_argument',
        f.message,
      );
    res.writeHead(200, { ...f.headers, 'content-length': f.bytes.length });
    res.end(req.method === 'HEAD' ? undefined : f.bytes);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const urlHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${urlHost}:${addr.port}/`,
    server,
    readOnly,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    try {
      out[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // a malformed cookie is no token
    }
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooBig ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendResult(
  res: ServerResponse,
  result: Result<unknown>,
  status = result.ok ? 200 : STATUS[result.error.code],
): void {
  const body = JSON.stringify(result);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

function sendError(res: ServerResponse, code: ApiError['code'], message: string): void {
  sendResult(res, { ok: false, error: { code, message } });
}
