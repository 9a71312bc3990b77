/**
 * Coverage records on disk (rules in coverage.ts): listing, reading, writing a set of
 * records under content-addressed names, and merging a channel's folder day by day —
 * the merged file written before any file it replaces is removed, damaged files
 * quarantined once their valid lines are in.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic.js';
import {
  byDay,
  coverageFileName,
  encodeSpans,
  parseCoverage,
  parseCoverageFileName,
  spanDay,
  type ConnectedSpan,
  type ParsedCoverage,
} from './coverage.js';
import { contentHash } from './encode.js';
import { isOwnTemporary, strayReason, type Stray } from './layout.js';
import { newBatchId, quarantine, type Quarantined } from './quarantine.js';
import { lineProblemsText } from './read.js';

export const COVERAGE = 'coverage';
/** Coverage files are small (one line per connection of a day); anything bigger is not one. */
const MAX_COVERAGE_BYTES = 16 * 1024 * 1024;

export const coverageDir = (segments: string, channel: string) => path.join(segments, channel, COVERAGE);

export interface CoverageFile {
  path: string;
  name: string;
  day: number;
  hash: string;
}

export async function listCoverageFiles(dir: string): Promise<{ files: CoverageFile[]; strays: Stray[] }> {
  const files: CoverageFile[] = [];
  const strays: Stray[] = [];
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { files, strays };
    throw e;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    const n = parseCoverageFileName(e.name);
    if (n && e.isFile()) files.push({ path: p, name: e.name, ...n });
    else
      strays.push({
        path: p,
        reason: n
          ? 'coverage file name but not a regular file'
          : strayReason(e.name).replace('MM.SS-HASH', 'YYYY-MM-DD-HASH'),
      });
  }
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { files, strays };
}

export interface ReadCoverage extends ParsedCoverage {
  hashMatches: boolean;
  bytes: Buffer;
}

export async function readCoverageFile(file: string, hash?: string): Promise<ReadCoverage> {
  const st = await fs.lstat(file);
  if (!st.isFile()) throw new Error('not a regular file');
  if (st.size > MAX_COVERAGE_BYTES) throw new Error(`${st.size} bytes: too big for a coverage file`);
  const bytes = await fs.readFile(file);
  return { ...parseCoverage(bytes), hashMatches: hash === undefined || contentHash(bytes) === hash, bytes };
}

/** Writes records as one canonical file per day; returns the paths (existing ones included). */
export async function writeSpans(segments: string, channel: string, spans: Iterable<ConnectedSpan>): Promise<string[]> {
  const dir = coverageDir(segments, channel);
  const out: string[] = [];
  for (const [day, list] of [...byDay(spans)].sort((a, b) => a[0] - b[0])) {
    const bytes = encodeSpans(list);
    const p = path.join(dir, coverageFileName(day, bytes));
    await writeFileAtomic(p, bytes);
    out.push(p);
  }
  return out;
}

/** Writes `spans`, then removes the `previous` files they supersede (a recorder's own earlier writes). */
export async function replaceSpans(
  segments: string,
  channel: string,
  spans: ConnectedSpan[],
  previous: readonly string[],
): Promise<string[]> {
  const written = spans.length ? await writeSpans(segments, channel, spans) : [];
  for (const p of previous) if (!written.includes(p)) await fs.rm(p, { force: true });
  return written;
}

export interface CoverageMergeResult {
  filesRead: number;
  filesWritten: number;
  filesRemoved: number;
  spans: number;
  quarantined: Quarantined[];
  problems: Array<{ path: string; reason: string }>;
  strays: Stray[];
}

export const emptyCoverageMerge = (): CoverageMergeResult => ({
  filesRead: 0,
  filesWritten: 0,
  filesRemoved: 0,
  spans: 0,
  quarantined: [],
  problems: [],
  strays: [],
});

/**
 * Settles a channel's coverage folder: every day holding more than one file, a
 * non-canonical file, or records of another day becomes one canonical file per day.
 * `extra` records (an import) are joined in. A file that cannot be read stops nothing but
 * its own removal.
 */
export async function mergeCoverage(
  segments: string,
  channel: string,
  extra: ConnectedSpan[] = [],
): Promise<CoverageMergeResult> {
  const res = emptyCoverageMerge();
  const dir = coverageDir(segments, channel);
  const { files, strays } = await listCoverageFiles(dir);
  res.strays = strays.filter((s) => !isOwnTemporary(path.basename(s.path)));
  const days = new Map<number, CoverageFile[]>();
  for (const f of files) days.set(f.day, [...(days.get(f.day) ?? []), f]);
  const extraByDay = byDay(extra);
  const all = new Set([...days.keys(), ...extraByDay.keys()]);
  /** Records found in a file of another day: they go to their own day, which is then merged too. */
  const moved = new Map<number, ConnectedSpan[]>();
  const work = [...all].sort((a, b) => a - b);
  let qid = '';
  const read = new Map<number, { spans: ConnectedSpan[]; remove: CoverageFile[]; dirty: boolean }>();
  for (const day of work) {
    const list = days.get(day) ?? [];
    const spans: ConnectedSpan[] = [...(extraByDay.get(day) ?? [])];
    const remove: CoverageFile[] = [];
    let dirty = list.length !== 1 || spans.length > 0;
    for (const f of list) {
      let r: ReadCoverage;
      try {
        r = await readCoverageFile(f.path, f.hash);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // merged away by a concurrent writer
        res.problems.push({ path: f.path, reason: `cannot read, left in place: ${(e as Error).message}` });
        continue;
      }
      res.filesRead++;
      for (const s of r.spans) {
        const d = spanDay(s);
        if (d === day) spans.push(s);
        else {
          moved.set(d, [...(moved.get(d) ?? []), s]);
          dirty = true;
        }
      }
      if (r.problems.length) {
        const reason = lineProblemsText(r.problems);
        const q = await quarantine(
          segments,
          (qid ||= newBatchId('coverage')),
          path.relative(segments, f.path),
          f.path,
          reason,
          r.bytes,
        );
        res.quarantined.push(q);
        if (!q.copy) {
          res.problems.push({ path: f.path, reason: 'damaged, could not be quarantined, left in place' });
          continue;
        }
        dirty = true;
      } else if (!r.canonical || !r.hashMatches) dirty = true;
      remove.push(f);
    }
    read.set(day, { spans, remove, dirty });
  }
  for (const [day, spans] of moved) {
    const entry = read.get(day) ?? { spans: [], remove: [], dirty: true };
    entry.spans.push(...spans);
    entry.dirty = true;
    read.set(day, entry);
  }
  const keep = new Set<string>();
  const remove: CoverageFile[] = [];
  for (const [day, entry] of [...read].sort((a, b) => a[0] - b[0])) {
    if (!entry.dirty) {
      res.spans += entry.spans.length;
      continue;
    }
    remove.push(...entry.remove);
    if (entry.spans.length === 0) continue;
    const bytes = encodeSpans(entry.spans);
    const name = coverageFileName(day, bytes);
    keep.add(name);
    if (await writeFileAtomic(path.join(dir, name), bytes)) res.filesWritten++;
    res.spans += bytes.toString('utf8').split('\n').length - 1;
  }
  // Everything is written; only now can what it replaces go.
  for (const f of remove) {
    if (keep.has(f.name)) continue;
    await fs.rm(f.path, { force: true });
    res.filesRemoved++;
  }
  return res;
}

/** Every record of a channel (files that cannot be read are skipped: verify names them). */
export async function readChannelSpans(segments: string, channel: string): Promise<ConnectedSpan[]> {
  const { files } = await listCoverageFiles(coverageDir(segments, channel));
  const out: ConnectedSpan[] = [];
  for (const f of files) {
    try {
      out.push(...(await readCoverageFile(f.path)).spans);
    } catch {
      // vanished (merged away) or unreadable
    }
  }
  return out;
}
