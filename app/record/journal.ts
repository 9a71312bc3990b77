/**
 * Crash safety (SPEC §5, issue 3 item 5): every stored line goes first to an append-only
 * journal file, one per receiver and open batch chunk, written within a quarter second
 * and fsynced at least once per second. A batch file is written from its journal, which
 * is then removed; journals left by a dead process are replayed at start-up.
 *
 * Layout: `<segments>/.chat-archiver/journal/<owner>/<receiver>.<batch>.<seq>.jnl`, where
 * the owner folder belongs to one running recorder (`owner.json` names its process), so
 * two recorders on one segments folder never replay each other's live journals. The
 * leading dot keeps archive listings and sync tools away.
 *
 * A journal file is a header line `{"receiver","channel","batch"}` followed by entries
 * `[receiveTime, time, timeRange, rawLine]` (`…, 1]` for a history line whose service
 * tags must be stripped) and narrowings `[entryIndex, newTimeRange]`. The raw line is
 * stored rather than the record because encoding a record costs several times more on
 * the receive path; the parser is deterministic, so replay rebuilds the same record.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChatRecord, Tags } from '../archive/record.js';
import { hourDir, hourStart } from '../archive/layout.js';
import { encodeRecord, joinLines, type EncodedLine } from '../archive/encode.js';
import { writeBatchBytes, type WrittenFile } from '../archive/store.js';
import { parseIrcLine, type IrcLine } from '../archive/irc-parse.js';
import { stripHistoryTags } from '../archive/line-rules.js';

const JOURNAL_ROOT = path.join('.chat-archiver', 'journal');
const OWNER_FILE = 'owner.json';

export interface JournalHeader {
  receiver: string;
  channel: string;
  batch: number;
}

export interface JournalEntry {
  recv: number;
  time: number;
  range: number;
  raw: string;
  history: boolean;
}

export class JournalFile {
  private pending: string[] = [];
  private unsynced = false;
  private closed = false;
  /** Number of entries appended (narrowings refer to entries by this index). */
  entries = 0;

  constructor(
    readonly path: string,
    private readonly fd: number,
  ) {}

  static create(file: string, header: JournalHeader): JournalFile {
    const fd = fs.openSync(file, 'wx');
    const j = new JournalFile(file, fd);
    j.pending.push(JSON.stringify(header) + '\n');
    return j;
  }

  append(recv: number, time: number, range: number, raw: string, history: boolean): number {
    this.pending.push(JSON.stringify(history ? [recv, time, range, raw, 1] : [recv, time, range, raw]) + '\n');
    return this.entries++;
  }

  narrow(index: number, range: number): void {
    this.pending.push(`[${index},${JSON.stringify(range)}]\n`);
  }

  /** Hands pending entries to the OS: from then on they survive the death of this process. */
  flush(): void {
    if (this.closed || this.pending.length === 0) return;
    const text = this.pending.join('');
    fs.writeSync(this.fd, text);
    // Cleared only once written: after a failed write (disk full) the next flush retries.
    this.pending = [];
    this.unsynced = true;
  }

  /** Makes flushed entries durable against power loss. */
  sync(): void {
    this.flush();
    if (this.closed || !this.unsynced) return;
    fs.fsyncSync(this.fd);
    this.unsynced = false;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    fs.closeSync(this.fd);
  }

  remove(): void {
    this.close();
    fs.rmSync(this.path, { force: true });
  }
}

/**
 * Reads a journal; a torn last line (the process died mid-write) is ignored. Null for
 * a file that never got its header (nothing was recorded in it); throws for one whose
 * header is damaged, so that it is reported and kept, not deleted.
 */
export function readJournal(file: string): { header: JournalHeader; entries: JournalEntry[] } | null {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  let header: JournalHeader | null = null;
  const entries: JournalEntry[] = [];
  for (const line of lines) {
    if (line === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      if (header === null) throw new Error('journal header is damaged');
      continue;
    }
    if (header === null) {
      const h = v as Partial<JournalHeader>;
      if (typeof h?.receiver !== 'string' || typeof h.channel !== 'string' || typeof h.batch !== 'number')
        throw new Error('journal header is damaged');
      header = h as JournalHeader;
    } else if (Array.isArray(v) && v.length >= 4) {
      const [recv, time, range, raw, history] = v as [number, number, number, string, number?];
      entries.push({ recv, time, range, raw, history: history === 1 });
    } else if (Array.isArray(v) && v.length === 2) {
      const e = entries[v[0] as number];
      if (e) e.range = v[1] as number;
    }
  }
  return header && { header, entries };
}

/** The record of one journal entry. */
function journalRecord(receiver: string, e: JournalEntry): ChatRecord | null {
  let line = parseIrcLine(e.raw);
  if (!line) return null; // only parsed lines are journaled; a damaged one cannot be rebuilt
  if (e.history) line = stripHistoryTags(line);
  return recordOfLine(line, receiver, e.recv, e.time, e.range);
}

/** One receiver's record of a parsed line, its keys (and its tags' keys) inserted in sorted order. */
export function recordOfLine(
  line: IrcLine,
  receiver: string,
  received: number,
  time: number,
  range: number,
): ChatRecord {
  let tags: Tags | null = null;
  if (line.tags) {
    tags = {};
    for (const k of Object.keys(line.tags).sort()) tags[k] = line.tags[k]!;
  }
  return {
    command: line.command,
    host: line.host,
    params: line.params,
    receiver_ranges: { [receiver]: [time, range] },
    receivers: { [receiver]: received },
    sender: line.sender,
    tags,
    time,
    time_range: range,
    user: line.user,
  };
}

const ARRAY_INDEX_RE = /^(?:0|[1-9]\d*)$/;

/**
 * The canonical line of a journal record. Its keys were inserted in sorted order, so
 * the engine's native JSON.stringify gives the RFC 8785 bytes several times faster than
 * the generic encoder, except when a key looks like an array index (JavaScript orders
 * those first); then the generic encoder is used. A property test holds the two equal.
 */
export function encodeJournalRecord(r: ChatRecord): string {
  if (r.tags && Object.keys(r.tags).some((k) => ARRAY_INDEX_RE.test(k))) return encodeRecord(r);
  return JSON.stringify(r);
}

/** A journal's batch bytes, ordered and deduplicated by `joinLines`, the one definition of both. */
export function journalBatchBytes(
  receiver: string,
  entries: Iterable<JournalEntry>,
): { bytes: Buffer; records: number } {
  const lines: EncodedLine[] = [];
  for (const e of entries) {
    const r = journalRecord(receiver, e);
    if (r) lines.push({ time: r.time, timeRange: r.time_range, line: encodeJournalRecord(r) });
  }
  return { bytes: joinLines(lines), records: lines.length };
}

export function journalRecords(receiver: string, entries: Iterable<JournalEntry>): ChatRecord[] {
  const out: ChatRecord[] = [];
  for (const e of entries) {
    const r = journalRecord(receiver, e);
    if (r) out.push(r);
  }
  return out;
}

/** Writes one journal's records as a batch file (nothing if it holds none). */
export async function writeJournalBatch(segments: string, file: string): Promise<WrittenFile | null> {
  const j = readJournal(file);
  if (!j || j.entries.length === 0) return null;
  const { receiver, channel, batch } = j.header;
  const { bytes, records } = journalBatchBytes(receiver, j.entries);
  return writeBatchBytes(hourDir(segments, channel, hourStart(batch)), batch, bytes, records);
}

/** The journal folder of one running recorder; flushes and syncs its open files. */
export class JournalStore {
  readonly dir: string;
  private readonly open = new Set<JournalFile>();
  private seq = 0;

  constructor(
    segments: string,
    readonly owner: string,
  ) {
    this.dir = path.join(segments, JOURNAL_ROOT, owner);
  }

  init(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    fs.writeFileSync(path.join(this.dir, OWNER_FILE), JSON.stringify({ pid: process.pid, host: os.hostname() }));
  }

  create(header: JournalHeader): JournalFile {
    const f = JournalFile.create(path.join(this.dir, `${header.receiver}.${header.batch}.${this.seq++}.jnl`), header);
    this.open.add(f);
    return f;
  }

  /** Removes a journal whose batch file has been written. */
  done(f: JournalFile): void {
    this.open.delete(f);
    f.remove();
  }

  /** Leaves a journal in place (its batch could not be written) for replay at the next start. */
  abandon(f: JournalFile): void {
    this.open.delete(f);
    f.close();
  }

  flushAll(): void {
    for (const f of this.open) f.flush();
  }

  syncAll(): void {
    for (const f of this.open) f.sync();
  }

  /** Removes the folder when nothing is left in it (journals of failed writes stay). */
  close(): void {
    for (const f of this.open) f.close();
    this.open.clear();
    const left = fs.readdirSync(this.dir).filter((n) => n !== OWNER_FILE);
    if (left.length === 0) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function ownerAlive(dir: string): boolean {
  try {
    const o = JSON.parse(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8')) as { pid?: unknown; host?: unknown };
    if (typeof o.pid !== 'number' || o.host !== os.hostname()) return false;
    if (o.pid === process.pid) return false;
    process.kill(o.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface ReplaySummary {
  written: WrittenFile[];
  problems: { path: string; reason: string }[];
}

/**
 * Writes the batches of journals left behind by recorders that are no longer running
 * (crashed, killed) and removes them. Journals of a live recorder are left alone.
 */
export async function replayLeftoverJournals(segments: string): Promise<ReplaySummary> {
  const root = path.join(segments, JOURNAL_ROOT);
  const summary: ReplaySummary = { written: [], problems: [] };
  let owners: string[];
  try {
    owners = fs.readdirSync(root);
  } catch {
    return summary;
  }
  for (const owner of owners) {
    const dir = path.join(root, owner);
    if (!fs.statSync(dir).isDirectory() || ownerAlive(dir)) continue;
    let failed = false;
    for (const name of fs.readdirSync(dir)) {
      if (!name.endsWith('.jnl')) continue;
      const file = path.join(dir, name);
      try {
        const w = await writeJournalBatch(segments, file);
        if (w) summary.written.push(w);
        fs.rmSync(file, { force: true });
      } catch (e) {
        failed = true;
        summary.problems.push({ path: file, reason: (e as Error).message });
      }
    }
    if (!failed) fs.rmSync(dir, { recursive: true, force: true });
  }
  return summary;
}
