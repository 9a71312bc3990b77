/**
 * One channel's connections (SPEC §5, issue 3 item 4): one receiver per connection,
 * overlapping handover on RECONNECT, backoff after failures, and our own keepalive.
 */
import type { WrittenFile } from '../archive/store.js';
import type { ChannelRecording, ConnectionState } from './status.js';
import { ReceiverBatcher } from './batcher.js';
import type { JournalStore } from './journal.js';
import { Receiver, addCounters, emptyCounters, type ReceiverCounters } from './receiver.js';
import { splitFrame, type IrcLine } from '../archive/irc-parse.js';
import { openChatConnection, type ChatConnection } from './tmi-adapter.js';
import { fetchHistory, historyUrlFor, recordHistory, type HistoryWindow } from './history.js';
import { LiveTail } from './live-tail.js';
import { CoverageLog } from './coverage-log.js';
import { plainNetworkError } from './network-words.js';
import type { ConnectedSpan } from '../archive/coverage.js';

export interface Clock {
  /** Local time, Unix seconds. */
  now(): number;
}

export interface ReceiverStats {
  receiver: string;
  counters: ReceiverCounters;
  openBatches: number;
  state: ConnectionState;
}

export interface ChannelContext {
  segments: string;
  store: JournalStore;
  server: string;
  username?: string;
  token?: string;
  historyUrl?: string;
  clock: Clock;
  /** A link silent this long gets a PING; silent `deadSeconds` it is dropped and replaced. */
  keepalive: { idleSeconds: number; deadSeconds: number };
  backoff: { initialMs: number; maxMs: number };
  chunkLimit?: number;
  newReceiverId(): string;
  newHistoryId(): string;
  filesWritten(channel: string, receiver: string, files: WrittenFile[]): void;
  /** Each line a receiver kept (live or history); see observer.ts. */
  lineStored(channel: string, receiver: string, line: IrcLine, received: number): void;
  unparsable(channel: string, receiverId: string, line: string): void;
  changed(): void;
}

/** Lines per minute over the last 60 s, in one-second slots. */
class LineRate {
  private readonly counts = new Float64Array(60);
  private readonly stamps = new Float64Array(60).fill(-Infinity);

  add(now: number, n: number): void {
    const s = Math.floor(now);
    const i = ((s % 60) + 60) % 60;
    if (this.stamps[i] !== s) {
      this.stamps[i] = s;
      this.counts[i] = 0;
    }
    this.counts[i]! += n;
  }

  perMinute(now: number): number {
    const s = Math.floor(now);
    let sum = 0;
    for (let i = 0; i < 60; i++) if (s - this.stamps[i]! < 60) sum += this.counts[i]!;
    return sum;
  }
}

interface Link {
  id: string;
  receiver: Receiver;
  batcher: ReceiverBatcher;
  conn: ChatConnection;
  state: ConnectionState;
  /** Received RECONNECT: a successor is on its way, this one may end any moment. */
  retiring: boolean;
  /** We are closing it (handover or stop): its end is not a failure. */
  closing: boolean;
  closed: boolean;
  /** Resolves when the socket is gone. */
  ended: Promise<void>;
  lastDataAt: number;
  pingSent: boolean;
  rate: LineRate;
  lastLineAt: number | null;
  /** When it joined the channel (its first ROOMSTATE): its coverage starts here. */
  readyAt: number | null;
}

/** Open connections' coverage records are rewritten this often, so a crash loses at most this much of them. */
const COVERAGE_EVERY_S = 30;

export class ChannelRecorder {
  private links: Link[] = [];
  private readonly channels: ReadonlySet<string>;
  private recording = false;
  private filesWritten = 0;
  private lastError: string | null = null;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private retryAt: number | null = null;
  /** The latest moment a connection of this recording was known to receive (for the history window). */
  private aliveUntil: number | null = null;
  private lastFill: ChannelRecording['lastFill'] = null;
  private coverageWritten = 0;
  private readonly coverage: CoverageLog;
  /** Links our keepalive dropped, with the words why. */
  private readonly dropped = new Map<Link, string>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly abort = new AbortController();
  /** Counts of receivers that are done (closed links, history fetches). */
  private readonly totals: ReceiverCounters = emptyCounters();
  /** The latest live lines, for watching (history fills are old news and stay out). */
  readonly tail = new LiveTail();
  /** Every receiver's own counts since the channel was created (closed ones too): a few numbers each. */
  private readonly receiverCounters = new Map<string, Readonly<ReceiverCounters>>();
  /** Connections opened, the first of each start included. */
  private connects = 0;
  private starts = 0;

  constructor(
    private readonly ctx: ChannelContext,
    readonly channel: string,
  ) {
    this.channels = new Set([`#${channel}`]);
    this.coverage = new CoverageLog(ctx.segments, channel, (m) => this.reportError(m));
  }

  start(): void {
    if (this.recording) return;
    this.recording = true;
    this.starts++;
    this.connect();
  }

  private connect(): void {
    if (!this.recording) return;
    const ctx = this.ctx;
    const id = ctx.newReceiverId();
    this.connects++;
    const { batcher, receiver } = this.newReceiver(id, false);
    let ended!: () => void;
    const link: Link = {
      id,
      receiver,
      batcher,
      conn: undefined as unknown as ChatConnection,
      state: 'connecting',
      retiring: false,
      closing: false,
      closed: false,
      ended: new Promise((r) => (ended = r)),
      lastDataAt: ctx.clock.now(),
      pingSent: false,
      rate: new LineRate(),
      lastLineAt: null,
      readyAt: null,
    };
    this.links.push(link);
    link.conn = openChatConnection(
      { server: ctx.server, username: ctx.username, token: ctx.token },
      {
        frame: (text) => this.onFrame(link, text),
        registered: () => link.conn.send(`JOIN ${[...this.channels].join(',')}`),
        closed: (info) => {
          this.onClosed(link, info);
          ended();
        },
      },
    );
    ctx.changed();
  }

  private newReceiver(id: string, history: boolean): { batcher: ReceiverBatcher; receiver: Receiver } {
    const ctx = this.ctx;
    const batcher = new ReceiverBatcher(ctx.store, ctx.segments, id, this.channel, ctx.chunkLimit);
    const receiver = new Receiver(id, this.channels, batcher, {
      history,
      onUnparsable: (l) => ctx.unparsable(this.channel, id, l),
      onStored: (line, received, iv) => {
        // History fills are old news for the live preview, but their emotes are emotes.
        if (!history) this.tail.add(id, received, line, iv);
        ctx.lineStored(this.channel, id, line, received);
      },
    });
    this.receiverCounters.set(id, receiver.counters);
    return { batcher, receiver };
  }

  private onFrame(link: Link, text: string): void {
    const now = this.ctx.clock.now();
    link.lastDataAt = now;
    link.pingSent = false;
    const wasReady = link.receiver.ready;
    const before = link.receiver.counters.stored;
    for (const raw of splitFrame(text)) {
      try {
        const line = link.receiver.handleLine(raw, now);
        if (line?.command === 'RECONNECT') this.handover(link);
      } catch (e) {
        // The journal could not take the line (disk full, too many open files).
        this.reportError(`cannot record a line: ${(e as Error).message}`);
      }
    }
    const stored = link.receiver.counters.stored - before;
    if (stored > 0) {
      link.rate.add(now, stored);
      link.lastLineAt = now;
    }
    if (!wasReady && link.receiver.ready) this.onReady(link);
  }

  /** The server asked us to reconnect: open the successor now, close this one once it is ready. */
  private handover(link: Link): void {
    if (link.retiring || link.closed) return;
    link.retiring = true;
    link.state = 'reconnecting';
    this.connect();
  }

  private onReady(link: Link): void {
    const now = this.ctx.clock.now();
    link.state = 'connected';
    link.readyAt = now;
    this.attempt = 0;
    this.lastError = null;
    this.links = this.links.filter((l) => !l.closed);
    // A predecessor still receiving (a server-asked handover) overlaps this one: nothing was missed.
    const overlapped = this.links.some((l) => l !== link && l.readyAt !== null && !l.closed);
    for (const other of this.links) {
      if (other === link || other.closed || other.closing) continue;
      // Only older links: a newer one is itself a successor of this one.
      if (this.links.indexOf(other) > this.links.indexOf(link)) continue;
      other.closing = true;
      other.conn.close();
    }
    if (this.ctx.historyUrl && !overlapped)
      this.track(this.fillFromHistory(this.ctx.historyUrl, { after: this.aliveUntil, before: now }));
    this.track(this.coverage.live(this.openSpans()));
    this.ctx.changed();
  }

  /** Coverage records of the connections that are in the channel now. */
  private openSpans(): ConnectedSpan[] {
    return this.links
      .filter((l) => l.readyAt !== null && !l.closed)
      .map((l) => ({
        receiver: l.id,
        connected: l.readyAt!,
        last: Math.max(l.readyAt!, l.lastDataAt),
        disconnected: null,
        reason: null,
      }));
  }

  /** The final coverage record of a connection that was in the channel. */
  private endSpan(link: Link, reason: string): void {
    if (link.readyAt === null) return;
    const now = this.ctx.clock.now();
    // A close we chose ends a link that was receiving until now; any other end, at its last sign of life.
    const last = Math.max(link.readyAt, link.closing ? now : link.lastDataAt);
    this.aliveUntil = Math.max(this.aliveUntil ?? 0, last);
    this.track(
      this.coverage.ended(
        { receiver: link.id, connected: link.readyAt, last, disconnected: now, reason },
        this.openSpans(),
      ),
    );
  }

  private onClosed(link: Link, info: { reason: string; loginFailed: boolean }): void {
    link.closed = true;
    link.state = link.closing || link.retiring || !this.recording ? 'stopped' : 'error';
    addCounters(this.totals, link.receiver.counters);
    const words = plainNetworkError(info.reason);
    this.endSpan(
      link,
      link.closing
        ? this.recording
          ? 'handed over to a new connection'
          : 'recording stopped'
        : link.retiring
          ? 'closed by the server after asking to reconnect'
          : (this.dropped.get(link) ?? `connection lost: ${words}`),
    );
    const dropped = this.dropped.get(link);
    this.dropped.delete(link);
    this.track(this.writeLink(link));
    if (link.closing || !this.recording) return this.ctx.changed();
    if (info.loginFailed) {
      // A rejected login does not get better by retrying: stop, no retry storm.
      this.lastError = `login rejected by the chat server: ${info.reason}`;
      this.recording = false;
      for (const l of this.links) if (!l.closed) l.conn.close();
      return this.ctx.changed();
    }
    // A link the server asked to move ending is the handover, not an error.
    if (!link.retiring)
      this.lastError =
        dropped ??
        (link.receiver.ready ? `connection lost: ${words}` : `cannot connect to ${this.ctx.server}: ${words}`);
    const alive = this.links.some((l) => !l.closed && !l.retiring);
    if (!alive) {
      link.state = 'reconnecting';
      this.scheduleReconnect();
    }
    this.ctx.changed();
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || !this.recording) return;
    const { initialMs, maxMs } = this.ctx.backoff;
    const delay = Math.min(initialMs * 2 ** this.attempt, maxMs);
    this.attempt++;
    this.retryAt = this.ctx.clock.now() + delay / 1000;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.retryAt = null;
      this.connect();
    }, delay);
  }

  /** Asks the history service for the window no connection of this recording received, and records what it gives. */
  private async fillFromHistory(base: string, window: HistoryWindow): Promise<void> {
    const fetched = await fetchHistory(historyUrlFor(base, this.channel, window), this.abort.signal);
    if (this.abort.signal.aborted) return;
    if (!fetched.ok) {
      this.lastError = fetched.error;
      return;
    }
    const id = this.ctx.newHistoryId();
    const { batcher, receiver } = this.newReceiver(id, true);
    recordHistory(receiver, fetched.lines, this.ctx.clock.now());
    addCounters(this.totals, receiver.counters);
    this.lastFill = { receiverId: id, from: window.after, to: window.before, lines: receiver.counters.stored };
    this.ctx.changed();
    await this.write(batcher, Infinity);
  }

  /** A closed link's batches can no longer narrow: written at once. */
  private async writeLink(link: Link): Promise<void> {
    await this.write(link.batcher, Infinity);
    // A closed link stays listed while it is the only one, so the status shows why.
    if (this.links.length > 1 || !this.recording) this.links = this.links.filter((l) => l !== link);
    this.ctx.changed();
  }

  private async write(batcher: ReceiverBatcher, now: number): Promise<void> {
    const { written, error } = await batcher.writeDue(now);
    const created = written.filter((w) => w.created);
    this.filesWritten += created.length;
    if (written.length) this.ctx.filesWritten(this.channel, batcher.receiver, written);
    if (error) this.lastError = `cannot write batch files: ${error.message} (kept in the journal)`;
  }

  private track(p: Promise<unknown>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  reportError(message: string): void {
    if (this.lastError === message) return;
    this.lastError = message;
    this.ctx.changed();
  }

  /** Once a second: keepalive and due batches. */
  tick(): void {
    const now = this.ctx.clock.now();
    const { idleSeconds, deadSeconds } = this.ctx.keepalive;
    for (const link of this.links) {
      if (link.closed) continue;
      const silent = now - link.lastDataAt;
      if (silent >= deadSeconds) {
        this.lastError = `no data from the chat server for ${Math.round(silent)} s; connection dropped`;
        this.dropped.set(link, this.lastError);
        link.conn.terminate();
      } else if (silent >= idleSeconds && !link.pingSent) {
        link.pingSent = true;
        link.conn.send('PING :tmi.twitch.tv');
      }
      this.track(this.write(link.batcher, now));
    }
    if (now - this.coverageWritten >= COVERAGE_EVERY_S && this.links.some((l) => l.readyAt !== null && !l.closed)) {
      this.coverageWritten = now;
      this.track(this.coverage.live(this.openSpans()));
    }
  }

  /** Closes every connection and writes all open batches. */
  async stop(): Promise<void> {
    this.recording = false;
    this.abort.abort();
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.retryAt = null;
    const open = this.links.filter((l) => !l.closed);
    for (const l of open) {
      l.closing = true;
      l.conn.close(1000);
    }
    await Promise.all(open.map((l) => l.ended));
    while (this.pending.size) await Promise.allSettled([...this.pending]);
    for (const l of this.links) if (l.state !== 'error') l.state = 'stopped';
    this.ctx.changed();
  }

  /** Live totals: closed receivers' counts plus the open ones'. */
  counters(): ReceiverCounters {
    const sum = addCounters(emptyCounters(), this.totals);
    for (const l of this.links) if (!l.closed) addCounters(sum, l.receiver.counters);
    return sum;
  }

  /** Per receiver, for metrics: its counts, open batch chunks, and state (`stopped` once closed). */
  receivers(): ReceiverStats[] {
    const open = new Map(this.links.filter((l) => !l.closed).map((l) => [l.id, l]));
    return [...this.receiverCounters].map(([id, counters]) => ({
      receiver: id,
      counters: { ...counters },
      openBatches: open.get(id)?.batcher.openChunks ?? 0,
      state: open.get(id)?.state ?? 'stopped',
    }));
  }

  /** Connections opened after the first of each start: handovers and reconnects. */
  get reconnects(): number {
    return this.connects - this.starts;
  }

  status(): ChannelRecording {
    const now = this.ctx.clock.now();
    return {
      channel: this.channel,
      recording: this.recording,
      connections: this.links.map((l) => ({
        receiverId: l.id,
        state: l.state,
        linesPerMinute: l.rate.perMinute(now),
        lastLineAt: l.lastLineAt,
      })),
      filesWritten: this.filesWritten,
      lastError: this.lastError,
      tailVersion: this.tail.version,
      retryAt: this.retryAt,
      lastFill: this.lastFill,
    };
  }
}
