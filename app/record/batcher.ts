/**
 * Minute batches of one receiver (SPEC §5). Lines are kept in journal files, not in
 * memory, so memory stays flat however fast lines arrive; only estimated intervals
 * (which back-narrowing may still shorten) are remembered. A minute is split into
 * chunks of at most `chunkLimit` lines so that writing one never needs unbounded
 * memory; several files for one minute are normal and merged later.
 */
import type { WrittenFile } from '../archive/store.js';
import { writeJournalBatch, type JournalFile, type JournalStore } from './journal.js';
import { batchDueAt, batchTimeOf, narrowedRange, type Interval } from './timing.js';

interface Chunk {
  batch: number;
  file: JournalFile;
  count: number;
  closed: boolean;
}

interface Estimate extends Interval {
  chunk: Chunk;
  index: number;
}

export interface WriteOutcome {
  written: WrittenFile[];
  error: Error | null;
}

const DEFAULT_CHUNK_LIMIT = 10_000;

export class ReceiverBatcher {
  private readonly chunks: Chunk[] = [];
  /** The chunk new lines of a batch time go to. */
  private readonly current = new Map<number, Chunk>();
  private estimates: Estimate[] = [];

  constructor(
    private readonly store: JournalStore,
    private readonly segments: string,
    readonly receiver: string,
    readonly channel: string,
    private readonly chunkLimit = DEFAULT_CHUNK_LIMIT,
  ) {}

  add(raw: string, history: boolean, recv: number, iv: Interval): void {
    const batch = batchTimeOf(iv.time);
    let chunk = this.current.get(batch);
    if (!chunk || chunk.closed || chunk.count >= this.chunkLimit) {
      chunk = {
        batch,
        file: this.store.create({ receiver: this.receiver, channel: this.channel, batch }),
        count: 0,
        closed: false,
      };
      this.chunks.push(chunk);
      this.current.set(batch, chunk);
    }
    const index = chunk.file.append(recv, iv.time, iv.range, raw, history);
    chunk.count++;
    if (iv.range > 0) this.estimates.push({ time: iv.time, range: iv.range, chunk, index });
  }

  /** Back-narrowing of this receiver's unwritten estimates to a newly seen exact server time. */
  narrow(exact: number): void {
    if (this.estimates.length === 0) return;
    let stale = false;
    for (const e of this.estimates) {
      if (e.chunk.closed) {
        stale = true;
        continue;
      }
      const r = narrowedRange(e, exact);
      if (r === null) continue;
      e.range = r;
      e.chunk.file.narrow(e.index, r);
    }
    if (stale) this.estimates = this.estimates.filter((e) => !e.chunk.closed);
  }

  get openChunks(): number {
    return this.chunks.length;
  }

  /**
   * Writes every chunk whose batch is due at local time `now` (all of them when `now` is
   * Infinity). A chunk that cannot be written keeps its journal for the next start.
   */
  async writeDue(now: number): Promise<WriteOutcome> {
    const due = this.chunks.filter((c) => !c.closed && batchDueAt(c.batch) <= now);
    if (due.length === 0) return { written: [], error: null };
    for (const c of due) {
      c.closed = true;
      if (this.current.get(c.batch) === c) this.current.delete(c.batch);
    }
    this.estimates = this.estimates.filter((e) => !e.chunk.closed);
    const written: WrittenFile[] = [];
    let error: Error | null = null;
    for (const c of due) {
      try {
        c.file.flush();
        const w = await writeJournalBatch(this.segments, c.file.path);
        if (w) written.push(w);
        this.store.done(c.file);
      } catch (e) {
        this.store.abandon(c.file);
        error ??= e as Error;
      }
      this.chunks.splice(this.chunks.indexOf(c), 1);
    }
    return { written, error };
  }

  writeAll(): Promise<WriteOutcome> {
    return this.writeDue(Infinity);
  }
}
