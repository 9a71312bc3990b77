/**
 * A fake Twitch chat server for tests and benchmarks: WebSocket with the `irc`
 * subprotocol on 127.0.0.1:0, the login handshake, JOIN/PART, PING/PONG both ways,
 * fan-out of channel lines to every joined connection, scripted faults, fixture replay,
 * and a fake recent-messages HTTP endpoint.
 */
import http from 'node:http';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';

const FIXTURE_PATH = new URL('../../app/service/sample/recentmessages-nymn.json', import.meta.url);

/** The fixture's 800 lines as the recent-messages service served them. */
export function fixtureLines(): string[] {
  return (JSON.parse(fs.readFileSync(FIXTURE_PATH, 'utf8')) as { messages: string[] }).messages;
}

/**
 * The line as a live connection receives it: without the service's `historical`, `rm-received-ts`
 * and `rm-deleted` (on messages deleted since, 4 lines of the fixture) tags.
 */
export function liveLine(line: string): string {
  if (!line.startsWith('@')) return line;
  const sp = line.indexOf(' ');
  const tags = line
    .slice(1, sp)
    .split(';')
    .filter((t) => !/^(?:historical|rm-received-ts|rm-deleted)(?:=|$)/.test(t));
  return `@${tags.join(';')}${line.slice(sp)}`;
}

/**
 * The fixture's lines in `#channel` as makers of fresh lines: each takes a number (for a unique
 * id) and a `tmi-sent-ts` (ms). Id-less lines (CLEARCHAT) get a unique target instead.
 */
export function freshLineTemplates(channel: string): Array<(n: number, ts: number) => string> {
  return fixtureLines().map((raw) => {
    const line = liveLine(raw).replace(' #nymn', ` #${channel}`);
    const withId = /^(.*?(?:^@|;)id=)[^; ]+(.*?tmi-sent-ts=)\d+(.*)$/s.exec(line);
    if (withId) {
      const [, a, b, c] = withId as unknown as [string, string, string, string];
      return (n, ts) => `${a}bench-${n}${b}${ts}${c}`;
    }
    const tsFirst = /^(.*?tmi-sent-ts=)\d+(.*?(?:^@|;)id=)[^; ]+(.*)$/s.exec(line);
    if (tsFirst) {
      const [, a, b, c] = tsFirst as unknown as [string, string, string, string];
      return (n, ts) => `${a}${ts}${b}bench-${n}${c}`;
    }
    const noId = /^(.*?tmi-sent-ts=)\d+(.*)$/s.exec(line)!;
    const [, a, c] = noId as unknown as [string, string, string];
    return (n, ts) => `${a}${ts}${c.replace(/ (\S+)$/, ` $1_${n}`)}`;
  });
}

export interface FakeClient {
  id: number;
  ws: WebSocket;
  nick: string | null;
  pass: string | null;
  joined: Set<string>;
  /** Half-open: nothing is delivered either way, like a link that died without a FIN. */
  silenced: boolean;
  closed: boolean;
  /** Lines the client sent, in order. */
  received: string[];
}

export interface FakeTwitchOptions {
  /** Reject a login (answer with the "Login authentication failed" NOTICE and close). */
  rejectLogin?: (pass: string | null, nick: string) => boolean;
}

export class FakeTwitch {
  readonly clients: FakeClient[] = [];
  /** channel (without #) → lines the recent-messages endpoint serves. */
  readonly history = new Map<string, string[]>();
  private nextId = 0;

  private constructor(
    private readonly wss: WebSocketServer,
    private readonly http: http.Server,
    private readonly opts: FakeTwitchOptions,
  ) {
    wss.on('connection', (ws) => this.accept(ws));
  }

  static async start(opts: FakeTwitchOptions = {}): Promise<FakeTwitch> {
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has('irc') ? 'irc' : false),
    });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    let self: FakeTwitch | undefined;
    const server = http.createServer((req, res) => self!.serveHistory(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    self = new FakeTwitch(wss, server, opts);
    return self;
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}`;
  }

  get historyUrl(): string {
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}/api/v2/recent-messages/`;
  }

  private serveHistory(req: http.IncomingMessage, res: http.ServerResponse): void {
    const m = /^\/api\/v2\/recent-messages\/([a-z0-9_]+)$/.exec(req.url ?? '');
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ messages: this.history.get(m[1]!) ?? [], error: null, error_code: null }));
  }

  private accept(ws: WebSocket): void {
    const c: FakeClient = {
      id: this.nextId++,
      ws,
      nick: null,
      pass: null,
      joined: new Set(),
      silenced: false,
      closed: false,
      received: [],
    };
    this.clients.push(c);
    ws.on('close', () => {
      c.closed = true;
      c.joined.clear();
    });
    ws.on('error', () => {});
    ws.on('message', (data) => {
      if (c.silenced) return;
      for (const line of data.toString().split(/\r?\n/)) if (line) this.command(c, line);
    });
  }

  private command(c: FakeClient, line: string): void {
    c.received.push(line);
    const [cmd = '', ...rest] = line.split(' ');
    const arg = rest.join(' ');
    switch (cmd.toUpperCase()) {
      case 'CAP':
        return this.send(c, `:tmi.twitch.tv CAP * ACK :${arg.replace(/^REQ :/, '')}`);
      case 'PASS':
        c.pass = arg;
        return;
      case 'NICK': {
        c.nick = arg;
        if (this.opts.rejectLogin?.(c.pass, arg)) {
          this.send(c, ':tmi.twitch.tv NOTICE * :Login authentication failed');
          setTimeout(() => c.ws.close(), 50);
          return;
        }
        const n = arg;
        return this.send(c, [
          `:tmi.twitch.tv 001 ${n} :Welcome, GLHF!`,
          `:tmi.twitch.tv 002 ${n} :Your host is tmi.twitch.tv`,
          `:tmi.twitch.tv 003 ${n} :This server is rather new`,
          `:tmi.twitch.tv 004 ${n} :-`,
          `:tmi.twitch.tv 375 ${n} :-`,
          `:tmi.twitch.tv 372 ${n} :You are in a maze of twisty passages, all alike.`,
          `:tmi.twitch.tv 376 ${n} :>`,
        ]);
      }
      case 'JOIN':
        for (const ch of arg.split(',')) {
          const n = c.nick ?? 'unknown';
          this.send(c, [
            `:${n}!${n}@${n}.tmi.twitch.tv JOIN ${ch}`,
            `:${n}.tmi.twitch.tv 353 ${n} = ${ch} :${n}`,
            `:${n}.tmi.twitch.tv 366 ${n} ${ch} :End of /NAMES list`,
            `@badge-info=;badges=;color=;display-name=${n};emote-sets=0;mod=0;subscriber=0;user-type= :tmi.twitch.tv USERSTATE ${ch}`,
            `@emote-only=0;followers-only=-1;r9k=0;room-id=62300805;slow=0;subs-only=0 :tmi.twitch.tv ROOMSTATE ${ch}`,
          ]);
          c.joined.add(ch.replace(/^#/, ''));
        }
        return;
      case 'PART':
        for (const ch of arg.split(',')) {
          const n = c.nick ?? 'unknown';
          this.send(c, `:${n}!${n}@${n}.tmi.twitch.tv PART ${ch}`);
          c.joined.delete(ch.replace(/^#/, ''));
        }
        return;
      case 'PING':
        return this.send(c, `:tmi.twitch.tv PONG tmi.twitch.tv ${arg || ':tmi.twitch.tv'}`);
      default:
        return;
    }
  }

  /** Sends lines (one frame, CRLF after each) to one client unless it is half-open or closed. */
  send(c: FakeClient, lines: string | string[]): void {
    if (c.silenced || c.closed || c.ws.readyState !== WebSocket.OPEN) return;
    c.ws.send(Array.isArray(lines) ? lines.map((l) => l + '\r\n').join('') : lines + '\r\n');
  }

  /** Sends a frame exactly as given (for malformed framing). */
  sendFrame(c: FakeClient, frame: string): void {
    if (c.silenced || c.closed || c.ws.readyState !== WebSocket.OPEN) return;
    c.ws.send(frame);
  }

  joinedClients(channel: string): FakeClient[] {
    return this.clients.filter(
      (c) => !c.closed && !c.silenced && c.ws.readyState === WebSocket.OPEN && c.joined.has(channel),
    );
  }

  /** Fans lines of a channel out to every joined client; returns the clients reached. */
  broadcast(channel: string, lines: string | string[]): FakeClient[] {
    const to = this.joinedClients(channel);
    for (const c of to) this.send(c, lines);
    return to;
  }

  async waitFor(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  waitForJoined(channel: string, count: number, timeoutMs?: number): Promise<void> {
    return this.waitFor(
      () => this.joinedClients(channel).length >= count,
      timeoutMs,
      `${count} client(s) joined to #${channel}`,
    );
  }

  /** Twitch's RECONNECT: the client should move; the server closes the old socket after `keepOpenMs`. */
  reconnect(c: FakeClient, keepOpenMs = 1000): void {
    this.send(c, ':tmi.twitch.tv RECONNECT');
    setTimeout(() => c.ws.close(), keepOpenMs);
  }

  /** Drops the TCP connection without a WebSocket close handshake. */
  abruptClose(c: FakeClient): void {
    c.ws.terminate();
  }

  /** The link stays up but nothing passes either way. */
  halfOpen(c: FakeClient): void {
    c.silenced = true;
  }

  /**
   * One frame of awkward but real-world-possible lines for a channel: trailing spaces,
   * an unparsable line, NOTICEs without text (tmi.js throws on the `*` one), an unknown
   * command, another channel. Returns the frame and which lines a recorder must store.
   */
  static awkwardFrame(channel: string): { frame: string; stored: string[] } {
    const stored = [
      `@id=aw1;tmi-sent-ts=1704557984095;flag;empty= :u!u@u.tmi.twitch.tv PRIVMSG #${channel} :trailing spaces   `,
      `:tmi.twitch.tv NOTICE #${channel}`,
      `@id=aw2;tmi-sent-ts=1704557985000;msg=a\\sb\\nc :u!u@u.tmi.twitch.tv PRIVMSG #${channel} :👋🏽 \u{E0000}`,
    ];
    const lines = [
      stored[0]!,
      ': ',
      ':tmi.twitch.tv NOTICE *',
      stored[1]!,
      `:tmi.twitch.tv FOOBAR #${channel} :unknown command`,
      ':u!u@u.tmi.twitch.tv PRIVMSG #elsewhere :not requested',
      stored[2]!,
    ];
    return { frame: lines.join('\r\n') + '\r\n', stored };
  }

  pingAll(): void {
    for (const c of this.clients) this.send(c, 'PING :tmi.twitch.tv');
  }

  /**
   * Replays fixture lines as live traffic on a channel: each line without the service's
   * tags goes to every joined client; the original line (with them) becomes history.
   * `before(i)` runs before line i and may await (to inject faults at a point).
   */
  async replay(
    channel: string,
    lines: string[],
    opts: {
      intervalMs?: number;
      before?: (i: number) => Promise<void> | void;
      onSent?: (i: number, to: FakeClient[]) => void;
    } = {},
  ): Promise<void> {
    const hist = this.history.get(channel) ?? [];
    this.history.set(channel, hist);
    for (let i = 0; i < lines.length; i++) {
      await opts.before?.(i);
      const to = this.broadcast(channel, liveLine(lines[i]!));
      hist.push(lines[i]!);
      opts.onSent?.(i, to);
      if (opts.intervalMs) await new Promise((r) => setTimeout(r, opts.intervalMs));
    }
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}
