/**
 * Health metrics in Prometheus text format (issue 11 item 6), with prom-client: served by
 * `serve` at `/metrics` and by `record --metrics HOST:PORT`. Counts the recorder already
 * keeps are read when scraped (nothing is added to the receive path for them); what only
 * passes by (server lag, written batches) comes from the recording observer; merges from
 * the service's events; images from the image fetcher's outcomes.
 *
 *   chat_archiver_lines_received_total{channel,receiver}        every line a connection got
 *   chat_archiver_lines_ignored_total{channel,receiver,reason}  command | channel | preamble | unparsable
 *   chat_archiver_lines_stored_total{channel,receiver}          kept (in the journal)
 *   chat_archiver_lines_written_total{channel,receiver}         in batch files
 *   chat_archiver_batch_lines, chat_archiver_batch_bytes {channel}   histograms of written batch files
 *   chat_archiver_open_batches{channel,receiver}
 *   chat_archiver_connection_state{channel,receiver,state}      1 for the current state
 *   chat_archiver_reconnects_total{channel}                     connections after the first
 *   chat_archiver_recording{channel}
 *   chat_archiver_server_lag_seconds{channel,receiver}          receive time − tmi-sent-ts of the latest line
 *   chat_archiver_merge_runs_total, _merge_failures_total, _merge_duration_seconds, _merge_pending_hours
 *   chat_archiver_images_fetched_total{source}, chat_archiver_images_failed_total{source,reason}
 *   chat_archiver_images_queue{state}, chat_archiver_images_dropped_total
 * and prom-client's process metrics (CPU, memory, event loop lag).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { hostOnly, isLoopback } from './loopback.js';
import type { ChannelStats } from '../record/recorder.js';
import type { ReceiverStats } from '../record/channel-recorder.js';
import type { RecordingObserver } from '../record/observer.js';
import type { DownloadOutcome } from '../images/download.js';
import type { LiveImagesStats } from '../images/live.js';
import type { ApiEvent, ConnectionState } from './contract.js';

const P = 'chat_archiver_';
const STATES: ConnectionState[] = ['connecting', 'connected', 'reconnecting', 'stopped', 'error'];
const IGNORED = {
  droppedCommand: 'command',
  droppedChannel: 'channel',
  preamble: 'preamble',
  unparsable: 'unparsable',
} as const;

export interface WatchedRecorder {
  receivers(): ChannelStats[];
}

export class ArchiveMetrics {
  readonly registry = new Registry();
  /** Told of every line kept and batch written; cheap on purpose (one map write per line). */
  readonly observer: RecordingObserver;
  private readonly recorders = new Set<WatchedRecorder>();
  private readonly images = new Set<() => LiveImagesStats>();
  /** `channel\0receiver` → lag of its latest timestamped line, and lines written. */
  private readonly lag = new Map<string, number>();
  private readonly written = new Map<string, number>();
  private readonly batchLines: Histogram<'channel'>;
  private readonly batchBytes: Histogram<'channel'>;
  private readonly mergeRuns: Counter;
  private readonly mergeFailures: Counter;
  private readonly mergeDuration: Histogram;
  private readonly mergePending: Gauge;
  private readonly fetched: Counter<'source'>;
  private readonly failed: Counter<'source' | 'reason'>;
  private mergeStarted: number | null = null;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: P });
    const stats = () => [...this.recorders].flatMap((r) => r.receivers());
    const perReceiver = (f: (s: ChannelStats, r: ReceiverStats) => void) => {
      for (const s of stats()) for (const r of s.receivers) f(s, r);
    };
    const perReceiverCounter = (name: string, help: string, value: (r: ReceiverStats) => number) =>
      new Counter({
        name: `${P}${name}`,
        help,
        labelNames: ['channel', 'receiver'],
        registers,
        collect() {
          this.reset();
          perReceiver((s, r) => this.inc({ channel: s.channel, receiver: r.receiver }, value(r)));
        },
      });
    perReceiverCounter(
      'lines_received_total',
      'Lines received by a connection (receiver), parsed or not.',
      (r) => r.counters.lines,
    );
    perReceiverCounter(
      'lines_stored_total',
      'Lines kept (in the journal, on their way to a batch file).',
      (r) => r.counters.stored,
    );
    new Counter({
      name: `${P}lines_ignored_total`,
      help: 'Lines received and not kept: other commands, other channels, the connection preamble, unparsable.',
      labelNames: ['channel', 'receiver', 'reason'],
      registers,
      collect() {
        this.reset();
        perReceiver((s, r) => {
          for (const [key, reason] of Object.entries(IGNORED))
            this.inc({ channel: s.channel, receiver: r.receiver, reason }, r.counters[key as keyof typeof IGNORED]);
        });
      },
    });
    /** Values noted per `channel\0receiver` as lines pass, reported when scraped. */
    const noted = (
      values: Map<string, number>,
      report: (labels: { channel: string; receiver: string }, v: number) => void,
    ) => {
      for (const [key, v] of values) {
        const [channel, receiver] = key.split('\0') as [string, string];
        report({ channel, receiver }, v);
      }
    };
    const written = this.written;
    new Counter({
      name: `${P}lines_written_total`,
      help: 'Lines in batch files written.',
      labelNames: ['channel', 'receiver'],
      registers,
      collect() {
        this.reset();
        noted(written, (labels, v) => this.inc(labels, v));
      },
    });
    this.batchLines = new Histogram({
      name: `${P}batch_lines`,
      help: 'Lines per batch file written.',
      labelNames: ['channel'],
      buckets: [1, 4, 16, 64, 256, 1024, 4096, 16384],
      registers,
    });
    this.batchBytes = new Histogram({
      name: `${P}batch_bytes`,
      help: 'Bytes per batch file written.',
      labelNames: ['channel'],
      buckets: [256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216],
      registers,
    });
    new Gauge({
      name: `${P}open_batches`,
      help: 'Batch chunks of a receiver not yet written.',
      labelNames: ['channel', 'receiver'],
      registers,
      collect() {
        this.reset();
        perReceiver((s, r) => this.set({ channel: s.channel, receiver: r.receiver }, r.openBatches));
      },
    });
    new Gauge({
      name: `${P}connection_state`,
      help: 'A connection’s state: 1 for the state it is in.',
      labelNames: ['channel', 'receiver', 'state'],
      registers,
      collect() {
        this.reset();
        perReceiver((s, r) => {
          for (const state of STATES)
            this.set({ channel: s.channel, receiver: r.receiver, state }, r.state === state ? 1 : 0);
        });
      },
    });
    new Counter({
      name: `${P}reconnects_total`,
      help: 'Connections opened after the first one of a channel: server-requested handovers and reconnects after failures.',
      labelNames: ['channel'],
      registers,
      collect() {
        this.reset();
        for (const s of stats()) this.inc({ channel: s.channel }, s.reconnects);
      },
    });
    new Gauge({
      name: `${P}recording`,
      help: '1 while a channel is being recorded.',
      labelNames: ['channel'],
      registers,
      collect() {
        this.reset();
        for (const s of stats()) this.set({ channel: s.channel }, s.recording ? 1 : 0);
      },
    });
    const lag = this.lag;
    new Gauge({
      name: `${P}server_lag_seconds`,
      help: "Local receive time minus the server's tmi-sent-ts of the latest timestamped line.",
      labelNames: ['channel', 'receiver'],
      registers,
      collect() {
        this.reset();
        noted(lag, (labels, v) => this.set(labels, v));
      },
    });
    this.mergeRuns = new Counter({ name: `${P}merge_runs_total`, help: 'Background merge runs finished.', registers });
    this.mergeFailures = new Counter({
      name: `${P}merge_failures_total`,
      help: 'Background merge runs that ended with an error.',
      registers,
    });
    this.mergeDuration = new Histogram({
      name: `${P}merge_duration_seconds`,
      help: 'How long a background merge run took.',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
      registers,
    });
    this.mergePending = new Gauge({
      name: `${P}merge_pending_hours`,
      help: 'Hours that still need merging after the last run.',
      registers,
    });
    this.fetched = new Counter({
      name: `${P}images_fetched_total`,
      help: 'Images (emotes, badges, media) fetched and stored.',
      labelNames: ['source'],
      registers,
    });
    this.failed = new Counter({
      name: `${P}images_failed_total`,
      help: 'Images not stored: missing (404, refused: not asked again for a while) or failed (tried again later).',
      labelNames: ['source', 'reason'],
      registers,
    });
    const images = this.images;
    new Gauge({
      name: `${P}images_queue`,
      help: 'Image jobs of the recording waiting and running.',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        let queued = 0;
        let running = 0;
        for (const f of images) {
          const s = f();
          queued += s.queued;
          running += s.running;
        }
        this.set({ state: 'queued' }, queued);
        this.set({ state: 'running' }, running);
      },
    });
    new Counter({
      name: `${P}images_dropped_total`,
      help: 'Image jobs dropped because the queue was full (the emotes command catches up).',
      registers,
      collect() {
        this.reset();
        let n = 0;
        for (const f of images) n += f().dropped;
        this.inc(n);
      },
    });

    this.observer = {
      lineStored: (channel, receiver, line, received) => {
        const ts = line.tags?.['tmi-sent-ts'];
        if (typeof ts === 'string') {
          const sent = Number(ts) / 1000;
          if (Number.isFinite(sent)) this.lag.set(`${channel}\0${receiver}`, received - sent);
        }
      },
      batchWritten: (channel, receiver, records, bytes) => {
        const key = `${channel}\0${receiver}`;
        this.written.set(key, (this.written.get(key) ?? 0) + records);
        this.batchLines.observe({ channel }, records);
        this.batchBytes.observe({ channel }, bytes);
      },
    };
  }

  watchRecorder(r: WatchedRecorder): void {
    this.recorders.add(r);
  }

  watchImages(stats: () => LiveImagesStats): void {
    this.images.add(stats);
  }

  /** An image's outcome (the image context's `onOutcome`). */
  imageOutcome = (source: string, o: DownloadOutcome): void => {
    if (o.status === 'stored') this.fetched.inc({ source });
    else if (o.status === 'missing' && !o.known) this.failed.inc({ source, reason: 'missing' });
    else if (o.status === 'failed') this.failed.inc({ source, reason: 'failed' });
  };

  /** Merge runs from the service's events: `running` true, then false with the result. */
  serviceEvent = (e: ApiEvent): void => {
    if (e.type !== 'merge') return;
    if (e.status.running) {
      this.mergeStarted = performance.now();
      return;
    }
    if (this.mergeStarted === null) return;
    this.mergeDuration.observe((performance.now() - this.mergeStarted) / 1000);
    this.mergeStarted = null;
    this.mergeRuns.inc();
    if (e.status.lastError) this.mergeFailures.inc();
    this.mergePending.set(e.status.pendingHours);
  };

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/**
 * `record --metrics`: a server with one page, `/metrics`. Loopback unless another host is
 * named; a loopback server answers only requests addressed to a loopback name (DNS rebinding).
 */
export async function startMetricsServer(
  metrics: ArchiveMetrics,
  host: string,
  port: number,
): Promise<{ url: string; close: () => Promise<void> }> {
  const loopback = isLoopback(host);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: number, text: string) => res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
    if (loopback && !isLoopback(hostOnly(req.headers.host ?? ''))) return refuse(403, 'only for localhost\n');
    if (url.pathname !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD'))
      return refuse(404, 'see /metrics\n');
    metrics.text().then(
      (body) =>
        res
          .writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' })
          .end(req.method === 'HEAD' ? undefined : body),
      () => refuse(500, 'metrics failed\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
