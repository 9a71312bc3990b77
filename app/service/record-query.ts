/**
 * Records of a time range, read from the batch files the index points at, in SPEC §4
 * order; and one record's detail by key. A key names the file and line:
 * `<YYYY-MM-DDTHH>/<MM.SS-HASH.json>#<line>`, so it stays valid as long as the file exists.
 */
import path from 'node:path';
import { compareCodePoints, encodeRecord } from '../archive/encode.js';
import { chatDir, parseBatchFileName, parseHourName } from '../archive/layout.js';
import type { ChatRecord } from '../archive/record.js';
import { loadBatchBytes, readLoaded } from '../archive/read.js';
import type { ArgsOf, RecordDetail, RecordPage, RecordRow, Result } from './contract.js';
import { lowerBound, type ChannelIndex } from './index-cache.js';
import { ircLine } from './irc-line.js';
import { summarize } from './overview.js';
import { invalid, ok } from './validate.js';

export type RecordFilter = NonNullable<ArgsOf<'records'>['filter']>;

/** Results of `records` kept for paging through one range without re-reading it. */
const ROW_CACHE = 4;
/** Records one `records` query may sort; beyond that the UI must narrow the range. */
export const MAX_RANGE_RECORDS = 500_000;

/**
 * The `records` method: a page of a range, read from its files when the range allows it
 * (see pageRows), else from the range's rows, read once and kept (with each filter's
 * result) for paging; `clear` when the archive's files changed.
 */
export class RecordsQuery {
  readonly #cache: Array<{ key: string; rows: RecordRow[] }> = [];

  clear(): void {
    this.#cache.length = 0;
  }

  async page(
    segments: string,
    ci: ChannelIndex | undefined,
    { channel, from, to, offset, limit, filter }: ArgsOf<'records'>,
  ): Promise<Result<RecordPage>> {
    const filtered = !!filter && (!!filter.user || !!filter.text || (filter.commands?.length ?? 0) > 0);
    if (!filtered) {
      const page = await pageRows(segments, channel, ci, from, to, offset, limit);
      if (page) return ok({ total: page.total, offset, rows: page.rows });
    }
    const rangeKey = JSON.stringify([channel, from, to]);
    let all = this.#find(rangeKey);
    if (!all) {
      const s = summarize(channel, ci, from, to, 'day');
      const count = s.ok ? s.summary.buckets.reduce((n, b) => n + b.records, 0) : Infinity;
      if (count > MAX_RANGE_RECORDS)
        return invalid(
          `the range holds ${count} records; at most ${MAX_RANGE_RECORDS} can be listed at once: narrow it`,
        );
      all = this.#keep(rangeKey, await rangeRows(segments, channel, ci, from, to, undefined));
    }
    let hit = all;
    if (filtered) {
      const key = JSON.stringify([channel, from, to, filter]);
      hit =
        this.#find(key) ??
        this.#keep(
          key,
          all.filter((r) => matches(r.record, filter)),
        );
    }
    return ok({ total: hit.length, offset, rows: hit.slice(offset, offset + limit) });
  }

  #find(key: string): RecordRow[] | undefined {
    return this.#cache.find((c) => c.key === key)?.rows;
  }

  #keep(key: string, rows: RecordRow[]): RecordRow[] {
    this.#cache.unshift({ key, rows });
    this.#cache.length = Math.min(this.#cache.length, ROW_CACHE);
    return rows;
  }
}

/** `<hour>/<file>#<line>`; the hour and file names are checked by the layout's own rules. */
const KEY_RE = /^([^/]+)\/([^/#]+)#(\d{1,7})$/;

export function parseRecordKey(key: string): { hour: string; name: string; line: number } | null {
  const m = KEY_RE.exec(key);
  if (!m || parseHourName(m[1]!) === null || !parseBatchFileName(m[2]!)) return null;
  return { hour: m[1]!, name: m[2]!, line: Number(m[3]) };
}

export function matches(r: ChatRecord, f: RecordFilter | undefined): boolean {
  if (!f) return true;
  if (f.commands && f.commands.length > 0 && !f.commands.includes(r.command)) return false;
  if (f.user) {
    const u = f.user.toLowerCase();
    const display = r.tags?.['display-name'];
    if (![r.sender, r.user, typeof display === 'string' ? display : null].some((s) => s?.toLowerCase().includes(u)))
      return false;
  }
  if (f.text && !(r.params.at(-1) ?? '').toLowerCase().includes(f.text.toLowerCase())) return false;
  return true;
}

/** A batch file's records as rows keyed by file and line; lines that are not valid records are left out (verify reports them). */
async function readRows(file: string, rel: string): Promise<RecordRow[]> {
  const rows: RecordRow[] = [];
  readLoaded(await loadBatchBytes(file), ({ record, line }) => rows.push({ key: `${rel}#${line - 1}`, record }));
  return rows;
}

/** Rows of recently read files, by path: paging through an hour reads each file once. */
const recentFiles = new Map<string, RecordRow[]>();
const RECENT_FILES = 240;

async function cachedRows(file: string, rel: string): Promise<RecordRow[]> {
  const hit = recentFiles.get(file);
  if (hit) {
    recentFiles.delete(file);
    recentFiles.set(file, hit);
    return hit;
  }
  const rows = await readRows(file, rel);
  recentFiles.set(file, rows);
  if (recentFiles.size > RECENT_FILES) recentFiles.delete(recentFiles.keys().next().value!);
  return rows;
}

/**
 * One page of an unfiltered, minute-aligned range, reading only the files the page falls
 * in. Settled minutes hold one canonical file each, already in SPEC §4 order, and minute
 * files follow each other in time, so the index's per-file record counts place any
 * offset without reading anything. Null when that does not hold (a minute still holding
 * several files, damaged files, a range that cuts a minute): then the caller reads it all.
 */
export async function pageRows(
  segments: string,
  channel: string,
  ci: ChannelIndex | undefined,
  from: number,
  to: number,
  offset: number,
  limit: number,
): Promise<{ total: number; rows: RecordRow[] } | null> {
  if (!ci) return { total: 0, rows: [] };
  if (from % 60 !== 0 || to % 60 !== 0) return null;
  const minutes = ci.minutes;
  const files = [];
  for (let i = lowerBound(minutes, from); i < minutes.length && minutes[i]! < to; i++) {
    const list = ci.byMinute.get(minutes[i]!)!;
    if (list.length !== 1 || list[0]!.summary.problems > 0) return null;
    files.push(list[0]!);
  }
  const total = files.reduce((n, f) => n + f.summary.records, 0);
  const dir = chatDir(segments, channel);
  const rows: RecordRow[] = [];
  let start = 0;
  for (const f of files) {
    const end = start + f.summary.records;
    if (end > offset && start < offset + limit) {
      let fileRows: RecordRow[];
      try {
        fileRows = await cachedRows(path.join(dir, f.rel), f.rel);
      } catch {
        return null; // merged away since the index listed it
      }
      if (fileRows.length !== f.summary.records) return null;
      rows.push(...fileRows.slice(Math.max(0, offset - start), offset + limit - start));
    }
    if (end >= offset + limit) break;
    start = end;
  }
  return { total, rows };
}

/** SPEC §4 order: time, time_range, then the UTF-8 bytes of the canonical line (computed only on ties). */
export function compareRows(a: RecordRow, b: RecordRow): number {
  const ra = a.record;
  const rb = b.record;
  if (ra.time !== rb.time) return ra.time - rb.time;
  if (ra.time_range !== rb.time_range) return ra.time_range - rb.time_range;
  return compareCodePoints(encodeRecord(ra), encodeRecord(rb)) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * Every record with `from <= time < to` (a record lives in the file of its time's minute),
 * sorted. Records of a minute that still holds several files appear once per file until
 * the merge joins them.
 */
export async function rangeRows(
  segments: string,
  channel: string,
  ci: ChannelIndex | undefined,
  from: number,
  to: number,
  filter: RecordFilter | undefined,
): Promise<RecordRow[]> {
  if (!ci) return [];
  const dir = chatDir(segments, channel);
  const minutes = ci.minutes;
  const files = [];
  for (let i = lowerBound(minutes, Math.floor(from / 60) * 60); i < minutes.length && minutes[i]! < to; i++)
    files.push(...ci.byMinute.get(minutes[i]!)!);
  const rows: RecordRow[] = [];
  for (const f of files) {
    let fileRows: RecordRow[];
    try {
      fileRows = await cachedRows(path.join(dir, f.rel), f.rel);
    } catch {
      continue; // merged away since the index listed it
    }
    for (const row of fileRows)
      if (row.record.time >= from && row.record.time < to && matches(row.record, filter)) rows.push(row);
  }
  return rows.sort(compareRows);
}

export async function recordDetail(segments: string, channel: string, key: string): Promise<RecordDetail | null> {
  const k = parseRecordKey(key);
  if (!k) return null;
  const rel = `${k.hour}/${k.name}`;
  let rows: RecordRow[];
  try {
    // The page listing this key has usually just read the file: the detail comes from the same rows.
    rows = await cachedRows(path.join(chatDir(segments, channel), rel), rel);
  } catch {
    return null;
  }
  const row = rows.find((r) => r.key === key);
  if (!row) return null;
  const r = row.record;
  return {
    key,
    record: r,
    file: path.posix.join(channel, 'chat', rel),
    ircLine: ircLine(r),
    receivers: Object.keys(r.receivers)
      .sort()
      .map((id) => ({ id, receivedAt: r.receivers[id]!, range: r.receiver_ranges[id] ?? [r.time, r.time_range] })),
  };
}
