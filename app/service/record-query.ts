/**
 * Records of a time range, read from the batch files the index points at, in SPEC §4
 * order; and one record's detail by key. A key names the file and line:
 * `<YYYY-MM-DDTHH>/<MM.SS-HASH.json>#<line>`, so it stays valid as long as the file exists.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { compareCodePoints, encodeRecord } from '../archive/encode.js';
import { chatDir, parseBatchFileName, parseHourName } from '../archive/layout.js';
import { validateRecord, type ChatRecord } from '../archive/record.js';
import type { ArgsOf, RecordDetail, RecordRow } from './contract.js';
import { lowerBound, type ChannelIndex } from './index-cache.js';
import { ircLine } from './irc-line.js';

export type RecordFilter = NonNullable<ArgsOf<'records'>['filter']>;

const KEY_RE = /^(\d{4}-\d{2}-\d{2}T\d{2})\/(\d{2}[.:]\d{2}-[A-Za-z0-9_-]{43}\.json)#(\d{1,7})$/;

export function parseRecordKey(key: string): { hour: string; name: string; line: number } | null {
  const m = KEY_RE.exec(key);
  if (!m || parseHourName(m[1]!) === null || !parseBatchFileName(m[2]!)) return null;
  return { hour: m[1]!, name: m[2]!, line: Number(m[3]) };
}

function matches(r: ChatRecord, f: RecordFilter | undefined): boolean {
  if (!f) return true;
  if (f.commands && f.commands.length > 0 && !f.commands.includes(r.command)) return false;
  if (f.user) {
    const u = f.user.toLowerCase();
    const display = r.tags?.['display-name'];
    if (![r.sender, r.user, typeof display === 'string' ? display : null].some((s) => s?.toLowerCase().includes(u))) return false;
  }
  if (f.text && !(r.params.at(-1) ?? '').toLowerCase().includes(f.text.toLowerCase())) return false;
  return true;
}

/** Parses a batch file's lines; lines that are not valid records are skipped (verify reports them). */
async function readRows(file: string, rel: string): Promise<RecordRow[]> {
  const rows: RecordRow[] = [];
  const text = await fs.readFile(file, 'utf8');
  let n = 0;
  for (const line of text.split('\n')) {
    const at = n++;
    if (line === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    const v = validateRecord(parsed);
    if (v.ok) rows.push({ key: `${rel}#${at}`, record: v.record });
  }
  return rows;
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
      fileRows = await readRows(path.join(dir, f.rel), f.rel);
    } catch {
      continue; // merged away since the index listed it
    }
    for (const row of fileRows) if (row.record.time >= from && row.record.time < to && matches(row.record, filter)) rows.push(row);
  }
  return rows.sort(compareRows);
}

export async function recordDetail(segments: string, channel: string, key: string): Promise<RecordDetail | null> {
  const k = parseRecordKey(key);
  if (!k) return null;
  const rel = `${k.hour}/${k.name}`;
  let rows: RecordRow[];
  try {
    rows = await readRows(path.join(chatDir(segments, channel), k.hour, k.name), rel);
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
