/**
 * Everything tmi.js-specific (1.8.5). Swapping the client library means rewriting only
 * this file.
 *
 * Decision: tmi.js performs the connection handshake only — it sends CAP REQ (tags,
 * commands, membership), PASS (token or the anonymous placeholder) and NICK (a
 * justinfan name when anonymous), recognises the welcome (376) and rejected logins,
 * and answers the server's PING. We hand it nothing else, because as shipped it loses
 * data (trims frames, drops lines its parser rejects, rewrites tags) and can throw on
 * odd lines. Every frame is captured verbatim from the socket before tmi.js sees it;
 * our code splits, parses and stores the lines, joins channels, keeps the link alive
 * and reconnects. tmi.js's own keepalive (it misses Twitch's prefixed PONG and closes
 * a healthy link) and reconnect logic are switched off.
 */
import tmi from 'tmi.js';
import WebSocket from 'ws';

export interface ConnectionHandlers {
  /** One WebSocket frame exactly as received. */
  frame(text: string): void;
  /** The server accepted the login (welcome received); channels can be joined now. */
  registered(): void;
  /** The socket is gone. `loginFailed`: the server rejected the credentials (do not retry). */
  closed(info: { reason: string; loginFailed: boolean }): void;
}

export interface ChatConnection {
  send(line: string): void;
  /** Graceful close; forced after `graceMs` if the server does not answer. */
  close(graceMs?: number): void;
  /** Drops the link at once (a dead link would make a graceful close wait). */
  terminate(): void;
}

export interface ConnectOptions {
  /** ws:// or wss:// URL. */
  server: string;
  username?: string;
  token?: string;
}

/** The parts of tmi.js's client we use that its type declarations do not show. */
interface TmiInternals {
  ws: WebSocket | null;
  reason: string;
  pingLoop: ReturnType<typeof setInterval> | null;
  _openConnection(): void;
  _onOpen(): void;
  _onError(): void;
  _onClose(): void;
  _onMessage(event: { data: string }): void;
  connect(): Promise<unknown>;
  on(event: string, fn: (...args: unknown[]) => void): void;
  removeAllListeners(): void;
}

const silent = { info() {}, warn() {}, error() {} };

/** Lines tmi.js needs for the handshake: welcome numerics, CAP, PING, server notices to `*`. */
function forTmi(line: string): boolean {
  return (
    line.startsWith('PING') ||
    line.startsWith(':tmi.twitch.tv 00') ||
    line.startsWith(':tmi.twitch.tv 37') ||
    line.startsWith(':tmi.twitch.tv CAP ') ||
    line.startsWith(':tmi.twitch.tv NOTICE * ')
  );
}

const LOGIN_FAILURE_RE = /login|auth|invalid nick/i;

export function openChatConnection(opts: ConnectOptions, handlers: ConnectionHandlers): ChatConnection {
  const url = new URL(opts.server);
  const secure = url.protocol === 'wss:';
  const client = new tmi.Client({
    options: { skipUpdatingEmotesets: true },
    connection: { server: url.hostname, port: Number(url.port) || (secure ? 443 : 80), secure, reconnect: false },
    identity: opts.username ? { username: opts.username, password: opts.token } : {},
    channels: [],
    logger: silent,
  }) as unknown as TmiInternals;

  let ws: WebSocket | null = null;
  let registered = false;
  let socketError = '';
  let closedReported = false;
  let forceTimer: ReturnType<typeof setTimeout> | undefined;

  client._openConnection = function openOurSocket(this: TmiInternals) {
    ws = new WebSocket(opts.server, 'irc', { perMessageDeflate: false });
    this.ws = ws;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const text = isBinary ? data.toString('utf8') : data.toString();
      handlers.frame(text);
      if (registered && !text.includes('PING')) return;
      const mine = text.split('\r\n').filter(forTmi);
      if (mine.length === 0) return;
      try {
        client._onMessage({ data: mine.join('\r\n') });
      } catch {
        // One odd line (e.g. a NOTICE without text) must not take the connection down.
      }
      // tmi.js starts its keepalive right after the welcome; ours replaces it.
      if (client.pingLoop) {
        clearInterval(client.pingLoop);
        client.pingLoop = null;
      }
    });
    ws.on('error', (e: Error) => {
      socketError = e.message;
    });
    ws.on('close', () => {
      clearTimeout(forceTimer);
      if (closedReported) return;
      closedReported = true;
      const reason =
        client.reason && client.reason !== 'Connection closed.' ? client.reason : socketError || 'connection closed';
      handlers.closed({ reason, loginFailed: !registered && LOGIN_FAILURE_RE.test(client.reason || '') });
      client.removeAllListeners();
    });
    ws.onopen = () => client._onOpen();
  };

  client.on('connected', () => {
    registered = true;
    handlers.registered();
  });
  client.connect().catch(() => {
    // Failures arrive through the socket's close event.
  });

  return {
    send(line) {
      if (ws?.readyState === WebSocket.OPEN) ws.send(line);
    },
    close(graceMs = 2000) {
      if (!ws) return;
      const s = ws;
      if (s.readyState === WebSocket.CONNECTING) return s.terminate();
      s.close();
      forceTimer = setTimeout(() => s.terminate(), graceMs);
    },
    terminate() {
      ws?.terminate();
    },
  };
}
