/**
 * The records of a span, fetched page by page as the list scrolls to them, so an hour of
 * 100k lines costs what is on screen. After a refresh the old pages stay visible until
 * their replacements arrive (no flicker while recording).
 */
import type { ApiError, ArchiveApi, ArgsOf, RecordRow } from '../../app/service/contract.js';

export type RecordsQuery = Omit<ArgsOf<'records'>, 'offset' | 'limit'>;

const PAGE_SIZE = 500;
const PARALLEL = 3;

export class PagedRecords {
  total: number | null = null;
  error: ApiError | null = null;
  #pages = new Map<number, RecordRow[]>();
  #stale = new Map<number, RecordRow[]>();
  #inflight = new Set<number>();
  #wanted: [number, number] = [0, 0];
  #disposed = false;

  constructor(
    private readonly api: ArchiveApi,
    readonly query: RecordsQuery,
    private readonly onChange: () => void,
  ) {
    this.ensure(0, 0);
  }

  rowAt(i: number): RecordRow | undefined {
    const p = Math.floor(i / PAGE_SIZE);
    return (this.#pages.get(p) ?? this.#stale.get(p))?.[i % PAGE_SIZE];
  }

  /** Rows `start..end` (inclusive) are on screen: fetch their pages, latest wish first. */
  ensure(start: number, end: number): void {
    this.#wanted = [Math.floor(start / PAGE_SIZE), Math.floor(end / PAGE_SIZE)];
    this.#pump();
  }

  /** The span's files changed: fetch again, keeping what is shown until then. */
  refresh(): void {
    for (const [p, rows] of this.#pages) this.#stale.set(p, rows);
    this.#pages.clear();
    this.#pump();
  }

  dispose(): void {
    this.#disposed = true;
  }

  #pump(): void {
    const [a, b] = this.#wanted;
    for (let p = a; p <= b && this.#inflight.size < PARALLEL; p++) {
      if (this.total !== null && p * PAGE_SIZE >= Math.max(this.total, 1) && p > 0) break;
      if (!this.#pages.has(p) && !this.#inflight.has(p)) void this.#fetch(p);
    }
  }

  async #fetch(p: number): Promise<void> {
    this.#inflight.add(p);
    const res = await this.api.records({ ...this.query, offset: p * PAGE_SIZE, limit: PAGE_SIZE });
    this.#inflight.delete(p);
    if (this.#disposed) return;
    if (res.ok) {
      this.total = res.value.total;
      this.#pages.set(p, res.value.rows);
      this.#stale.delete(p);
      this.error = null;
    } else {
      this.error = res.error;
    }
    this.onChange();
    if (res.ok) this.#pump();
  }

  /**
   * The index of a record in this list, or null when it is not in it (filtered out, or
   * outside the span). Records are in time order, so the count of those before its time
   * says where to look.
   */
  async locate(ref: { key?: string; id?: string }, time: number): Promise<number | null> {
    const is = (r: RecordRow) =>
      (ref.key !== undefined && r.key === ref.key) || (ref.id !== undefined && r.record.tags?.id === ref.id);
    const { from, to } = this.query;
    if (time < from || time >= to) return null;
    let before = 0;
    if (time > from) {
      const res = await this.api.records({ ...this.query, to: time, offset: 0, limit: 1 });
      if (!res.ok) return null;
      before = res.value.total;
    }
    // Records sharing its time (or a few ordered differently) sit just after that count.
    for (let p = Math.floor(Math.max(0, before - 50) / PAGE_SIZE); p * PAGE_SIZE < before + 2 * PAGE_SIZE; p++) {
      let rows = this.#pages.get(p);
      if (!rows) {
        const res = await this.api.records({ ...this.query, offset: p * PAGE_SIZE, limit: PAGE_SIZE });
        if (!res.ok) return null;
        rows = res.value.rows;
        if (!this.#disposed) this.#pages.set(p, rows);
      }
      const i = rows.findIndex(is);
      if (i >= 0) return p * PAGE_SIZE + i;
      if (rows.length < PAGE_SIZE) break;
    }
    return null;
  }
}
