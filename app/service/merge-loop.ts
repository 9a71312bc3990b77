/**
 * The background merge: every `intervalMs` (and on demand) it settles the pending hours of
 * the channels the service recorded or imported, rescans for files other processes wrote
 * (a sync tool, the command line) and counts the hours still pending. One run at a time;
 * its status goes to the clients as `merge` events.
 */
import { mergeAll, pendingHours } from '../archive/merge.js';
import type { MergeStatus } from './contract.js';
import { errorMessage } from './validate.js';

export interface MergeLoopOptions {
  /** The archive folder now (the desktop may move it). */
  segments(): string;
  /** Period of the background runs; 0 runs only on demand. */
  intervalMs: number;
  /** A merge changed the files of `channel`. */
  changed(channel: string): Promise<void>;
  /** Picks up files other processes wrote; the index cache makes it a listing. */
  rescan(): Promise<void>;
  onStatus(status: MergeStatus): void;
}

export class MergeLoop {
  readonly #opts: MergeLoopOptions;
  /** Channels the loop settles: recorded ones and import targets. */
  readonly #channels = new Set<string>();
  #status: MergeStatus = { running: false, pendingHours: 0, lastRun: null, lastError: null };
  #timer: NodeJS.Timeout | null = null;
  #run: Promise<void> | null = null;
  #closed = false;

  constructor(opts: MergeLoopOptions) {
    this.#opts = opts;
    if (opts.intervalMs > 0) {
      this.#timer = setInterval(() => void this.runNow(), opts.intervalMs);
      this.#timer.unref();
    }
  }

  get status(): MergeStatus {
    return { ...this.#status };
  }

  add(channels: Iterable<string>): void {
    for (const c of channels) this.#channels.add(c);
  }

  /** Starts a run, or joins the one under way. */
  runNow(): Promise<void> {
    if (this.#run || this.#closed) return this.#run ?? Promise.resolve();
    this.#run = this.#merge().finally(() => (this.#run = null));
    return this.#run;
  }

  /** A run that starts after this call: files that arrived during a run under way are merged too. */
  async runFresh(): Promise<void> {
    await this.#run;
    return this.runNow();
  }

  /** No more runs; waits for the one under way. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#run;
  }

  async #merge(): Promise<void> {
    const segments = this.#opts.segments();
    this.#setStatus({ ...this.#status, running: true });
    let lastError: string | null = null;
    for (const channel of [...this.#channels]) {
      try {
        const sum = await mergeAll(segments, { channel });
        if (sum.filesWritten + sum.filesRemoved > 0) await this.#opts.changed(channel);
      } catch (e) {
        lastError = `merging #${channel}: ${errorMessage(e)}`;
      }
    }
    try {
      await this.#opts.rescan();
    } catch (e) {
      lastError ??= errorMessage(e);
    }
    let pending = this.#status.pendingHours;
    try {
      pending = (await pendingHours(segments)).length;
    } catch (e) {
      lastError ??= errorMessage(e);
    }
    this.#setStatus({ running: false, pendingHours: pending, lastRun: Date.now() / 1000, lastError });
  }

  #setStatus(status: MergeStatus): void {
    this.#status = status;
    this.#opts.onStatus({ ...status });
  }
}
