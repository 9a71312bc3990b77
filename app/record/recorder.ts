/**
 * The recorder's programmatic API, used by the CLI and by the service layer (desktop
 * app). Keep it stable:
 *
 *   const r = new Recorder({ segments, nodeName, server?, username?, token?, historyUrl?, clock? });
 *   await r.start(['channel', ...])   → { ok: true } | { ok: false, error: { code, message } }
 *       The first start replays journals a crashed recorder left in `segments`.
 *       Starting a channel that is already recording does nothing.
 *   await r.stop(['channel'])          stops those channels, writing their open batches
 *   await r.stop()                     stops everything; the recorder can be started again
 *   r.status()                         ChannelRecording[] (./status.ts), one per channel
 *                                      started and not stopped
 *   r.counters()                       line counts per channel (received, stored, dropped...)
 *   r.receivers()                      per channel and receiver: counts, open batches, state; and
 *                                      reconnects per channel (for metrics)
 *   options.observer                   told of every line kept and batch written (observer.ts):
 *                                      images and metrics watch a recording this way
 *   events (RecorderEvents, typed): 'status' (ChannelRecording[]) about once a second and
 *           on every change of state; 'filesWritten' (paths: string[]) batch files newly
 *           created; 'unparsable' ({ channel, receiverId, line }) a line our parser
 *           rejected (also a leftover journal that could not be replayed, with channel '').
 *   The constructor throws on an invalid node name or server URL (settings validate both).
 *
 * Receiver ids are `<nodeName>.<5 random letters/digits>.<n>` (history: `...h<n>`), the
 * 5 characters fixed for the lifetime of the Recorder.
 */
import { EventEmitter } from 'node:events';
import { DEFAULT_SERVER } from './defaults.js';
import { randomInt } from 'node:crypto';
import { breaks, CHANNEL, CHAT_SERVER, NODE_NAME } from '../rules.js';
import type { ChannelRecording } from './status.js';
import { JournalStore, replayLeftoverJournals } from './journal.js';
import { ChannelRecorder, type ChannelContext, type Clock } from './channel-recorder.js';
import { addCounters, emptyCounters, type ReceiverCounters } from './receiver.js';
import type { TailRecord } from './live-tail.js';
import type { RecordingObserver } from './observer.js';
import type { ReceiverStats } from './channel-recorder.js';

export type { Clock } from './channel-recorder.js';

export interface RecorderOptions {
  segments: string;
  nodeName: string;
  /** ws:// or wss:// URL of the chat server; Twitch's by default. */
  server?: string;
  /** Login; anonymous when absent. */
  username?: string;
  token?: string;
  /** Recent-messages service URL; history gap filling is on when set. */
  historyUrl?: string;
  clock?: Clock;
  keepalive?: { idleSeconds: number; deadSeconds: number };
  backoff?: { initialMs: number; maxMs: number };
  /** Lines per batch file at most (a busy minute becomes several files). */
  chunkLimit?: number;
  /** Watches lines and batch files (images, metrics); its failures never reach the recording. */
  observer?: RecordingObserver;
}

export interface ChannelStats {
  channel: string;
  recording: boolean;
  reconnects: number;
  receivers: ReceiverStats[];
}

/** A line our parser rejected; `channel` and `receiverId` are '' for a leftover journal that could not be replayed. */
export interface UnparsableLine {
  channel: string;
  receiverId: string;
  line: string;
}

/** The recorder's events and their arguments: listeners are checked against them. */
export interface RecorderEvents {
  status: [status: ChannelRecording[]];
  filesWritten: [paths: string[]];
  unparsable: [unparsable: UnparsableLine];
}

export type StartResult = { ok: true } | { ok: false; error: { code: 'invalid_argument' | 'io'; message: string } };

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomSlug = () => Array.from({ length: 5 }, () => ALNUM[randomInt(ALNUM.length)]).join('');

function guarded(f: () => void): void {
  try {
    f();
  } catch {
    // an observer's failure is its own (observer.ts)
  }
}

const FLUSH_MS = 250;
const TICKS_PER_SECOND = 1000 / FLUSH_MS;

export class Recorder extends EventEmitter<RecorderEvents> {
  readonly slug = randomSlug();
  private readonly channels = new Map<string, ChannelRecorder>();
  /** Final counts of channels stopped since the recorder was created. */
  private readonly finished = new Map<string, ReceiverCounters>();
  private readonly ctx: ChannelContext;
  /** `<nodeName>.<slug>`: the journal folder's name and the prefix of receiver ids. */
  private readonly owner: string;
  private store: JournalStore | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;
  private ticks = 0;
  private starting: Promise<void> | null = null;

  constructor(private readonly opts: RecorderOptions) {
    super();
    const server = opts.server ?? DEFAULT_SERVER;
    const wrong = breaks(NODE_NAME, opts.nodeName) ?? breaks(CHAT_SERVER, server);
    if (wrong) throw new Error(wrong);
    let connections = 0;
    let histories = 0;
    const owner = (this.owner = `${opts.nodeName}.${this.slug}`);
    const storeOf = () => {
      if (!this.store) throw new Error('recorder not started');
      return this.store;
    };
    this.ctx = {
      segments: opts.segments,
      get store() {
        return storeOf();
      },
      server,
      username: opts.username,
      token: opts.token,
      historyUrl: opts.historyUrl,
      clock: opts.clock ?? { now: () => Date.now() / 1000 },
      keepalive: opts.keepalive ?? { idleSeconds: 5, deadSeconds: 10 },
      backoff: opts.backoff ?? { initialMs: 1000, maxMs: 30_000 },
      chunkLimit: opts.chunkLimit,
      newReceiverId: () => `${owner}.${connections++}`,
      newHistoryId: () => `${owner}.h${histories++}`,
      filesWritten: (channel, receiver, files) => {
        const created = files.filter((f) => f.created).map((f) => f.path);
        if (created.length) this.emit('filesWritten', created);
        for (const f of files) guarded(() => opts.observer?.batchWritten?.(channel, receiver, f.records, f.bytes));
      },
      lineStored: opts.observer?.lineStored
        ? (channel, receiver, line, received) =>
            guarded(() => opts.observer!.lineStored!(channel, receiver, line, received))
        : () => {},
      unparsable: (channel, receiverId, line) => this.emit('unparsable', { channel, receiverId, line }),
      changed: () => this.emit('status', this.status()),
    };
  }

  async start(channels: string[]): Promise<StartResult> {
    const bad = channels.map((c) => breaks(CHANNEL, c)).find((m) => m !== null);
    if (bad) return { ok: false, error: { code: 'invalid_argument', message: bad } };
    try {
      await (this.starting ??= this.open());
    } catch (e) {
      this.starting = null;
      return {
        ok: false,
        error: { code: 'io', message: `cannot prepare ${this.opts.segments}: ${(e as Error).message}` },
      };
    }
    for (const c of channels) {
      let ch = this.channels.get(c);
      if (!ch) this.channels.set(c, (ch = new ChannelRecorder(this.ctx, c)));
      ch.start();
    }
    return { ok: true };
  }

  private async open(): Promise<void> {
    const replay = await replayLeftoverJournals(this.opts.segments);
    const created = replay.written.filter((w) => w.created).map((w) => w.path);
    if (created.length) this.emit('filesWritten', created);
    for (const p of replay.problems)
      this.emit('unparsable', { channel: '', receiverId: '', line: `journal ${p.path}: ${p.reason}` });
    this.store = new JournalStore(this.opts.segments, this.owner);
    this.store.init();
    this.timer = setInterval(() => this.tick(), FLUSH_MS);
  }

  private tick(): void {
    const store = this.store;
    if (!store) return;
    // Lines reach the OS within FLUSH_MS, the disk within a second (SPEC §5 crash safety).
    // Counted before the flush: a failing flush must not stop the once-a-second work.
    const second = ++this.ticks % TICKS_PER_SECOND === 0;
    try {
      store.flushAll();
      if (second) store.syncAll();
    } catch (e) {
      for (const ch of this.channels.values()) ch.reportError(`cannot write the journal: ${(e as Error).message}`);
    }
    if (!second) return;
    for (const ch of this.channels.values()) ch.tick();
    this.emit('status', this.status());
  }

  async stop(channels?: string[]): Promise<void> {
    const which = channels ?? [...this.channels.keys()];
    await Promise.all(which.map((c) => this.channels.get(c)?.stop()));
    for (const c of which) {
      const ch = this.channels.get(c);
      if (!ch) continue;
      this.finished.set(c, addCounters(this.finished.get(c) ?? emptyCounters(), ch.counters()));
      this.channels.delete(c);
    }
    if (this.channels.size === 0 && this.store) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.store.close();
      this.store = null;
      this.starting = null;
    }
    this.emit('status', this.status());
  }

  status(): ChannelRecording[] {
    return [...this.channels.values()].map((c) => c.status());
  }

  /** The latest lines of a channel being recorded (see LiveTail); none for other channels. */
  tail(channel: string, limit: number): TailRecord[] {
    return this.channels.get(channel)?.tail.records(limit) ?? [];
  }

  /** Channels being recorded, each with its receivers' counts (stopped channels' are in `counters()`). */
  receivers(): ChannelStats[] {
    return [...this.channels.values()].map((c) => ({
      channel: c.channel,
      recording: c.status().recording,
      reconnects: c.reconnects,
      receivers: c.receivers(),
    }));
  }

  /** Line counts per channel since the recorder was created, stopped channels included. */
  counters(): Record<string, ReceiverCounters> {
    const out: Record<string, ReceiverCounters> = {};
    for (const [name, c] of this.finished) out[name] = addCounters(emptyCounters(), c);
    for (const [name, c] of this.channels) out[name] = addCounters(out[name] ?? emptyCounters(), c.counters());
    return out;
  }
}
