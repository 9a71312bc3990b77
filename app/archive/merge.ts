/**
 * Merging on disk (SPEC §6 "Files"): an hour folder is normalized by reading every batch
 * file in it, writing the minute files of the result that are missing, and only then
 * deleting the files that are not part of the result. A crash at any point leaves old or
 * new files (or both), never less; the next run finishes the job.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import {
  batchFileName,
  chatDir,
  hourDir,
  hourName,
  isConflictCopy,
  isOwnTemporary,
  listBatchFiles,
  listChannels,
  listHours,
  type BatchFile,
  type Stray,
} from './layout.js';
import { contentHash } from './encode.js';
import { ObservationSet, cluster, minuteBatches, type NormalizeWarning } from './normalize.js';
import { observationHour, type Observation } from './observation.js';
import { lineProblemsText, parseLoaded, prefetched } from './read.js';
import { writeFileAtomic } from './atomic.js';
import { newBatchId, quarantine, type Quarantined } from './quarantine.js';

export interface FileProblem {
  path: string;
  reason: string;
}

export interface MergeCounts {
  filesRead: number;
  filesWritten: number;
  filesRemoved: number;
  records: number;
  observations: number;
}

export interface MergeHourResult extends MergeCounts {
  channel: string;
  hour: number;
  skipped: boolean;
  /** Observations there were before this merge (in the folder, not counting `extra`). */
  observationsBefore: number;
  /** Observations of `extra` the folder did not hold yet, per group of `extra`. */
  newObservations: number[];
  /** Hours that received observations filed here by mistake; they need normalizing too. */
  relocatedTo: number[];
  quarantined: Quarantined[];
  problems: FileProblem[];
  warnings: NormalizeWarning[];
}

const STATE_DIR = '.chat-archiver';

/** Which hours are settled: hour → digest of the file names it held after its last normalization. */
export class MergeState {
  private hours = new Map<string, string>();
  private dirty = false;
  private constructor(private readonly file: string) {}

  static async load(segments: string): Promise<MergeState> {
    const s = new MergeState(path.join(segments, STATE_DIR, 'merge-state.json'));
    try {
      const j = JSON.parse(await fs.readFile(s.file, 'utf8')) as { version: number; hours: Record<string, string> };
      if (j.version === 1) for (const [k, v] of Object.entries(j.hours)) if (typeof v === 'string') s.hours.set(k, v);
    } catch {
      // No state yet, or unreadable: every hour is simply normalized once more.
    }
    return s;
  }

  isSettled(channel: string, hour: number, names: string[]): boolean {
    return this.hours.get(`${channel}/${hourName(hour)}`) === digestNames(names);
  }

  settle(channel: string, hour: number, names: string[]): void {
    this.hours.set(`${channel}/${hourName(hour)}`, digestNames(names));
    this.dirty = true;
  }

  async save(): Promise<void> {
    if (!this.dirty) return;
    const hours = Object.fromEntries([...this.hours].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
    await writeFileAtomic(this.file, Buffer.from(JSON.stringify({ version: 1, hours })), true);
    this.dirty = false;
  }
}

/** One digest of a set of file names (they carry content hashes, so it stands for the folder's content). */
export function digestNames(names: string[]): string {
  return createHash('sha256')
    .update([...names].sort().join('\n'))
    .digest('base64url');
}

async function hourInputs(dir: string, hour: number) {
  const { files, strays } = await listBatchFiles(dir, hour);
  const conflicts = strays.filter((s) => isConflictCopy(path.basename(s.path)));
  const names = [...files.map((f) => f.name), ...conflicts.map((c) => path.basename(c.path))];
  return { files, conflicts, strays, names };
}

const chains = new Map<string, Promise<unknown>>();
/** Serializes work on one channel of one archive within this process (merge loop vs import). */
export function withChannelLock<T>(segments: string, channel: string, fn: () => Promise<T>): Promise<T> {
  const key = path.resolve(segments) + '\0' + channel;
  const prev = chains.get(key) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const tail = run.catch(() => {});
  chains.set(key, tail);
  void tail.then(() => {
    if (chains.get(key) === tail) chains.delete(key);
  });
  return run;
}

export interface MergeHourOptions {
  state?: MergeState;
  /** Normalize even if the state says the hour is settled. */
  force?: boolean;
  signal?: AbortSignal;
}

export async function mergeHour(
  segments: string,
  channel: string,
  hour: number,
  opts: MergeHourOptions = {},
): Promise<MergeHourResult> {
  const work = await HourMerge.open(segments, channel, hour, opts);
  if (work.state === 'open') await work.commit();
  return work.result;
}

/**
 * Where an hour's merge stands:
 * - `settled`: the merge state says the folder has not changed since it was last normalized; nothing to do;
 * - `blocked`: a file cannot be read, or a conflict copy holds invalid lines (`result.problems` says which):
 *   the hour is left as it is rather than rewritten from part of what it holds;
 * - `open`: every observation of the folder is held; more may be added, then `commit`;
 * - `committed`: the result is written and what it replaces removed.
 */
export type HourMergeState = 'settled' | 'blocked' | 'open' | 'committed';

/**
 * One hour being normalized, in three steps: `open` reads the folder; `fileSink` takes
 * observations from outside it, one file at a time (an import; they may belong to any
 * hour); `commit` writes the result, then deletes what it replaces. Observations are
 * grouped as they arrive (ObservationSet), which keeps a big hour small.
 */
export class HourMerge {
  readonly result: MergeHourResult;
  #state: HourMergeState = 'open';
  private readonly own = new ObservationSet();
  private readonly foreign = new Map<number, ObservationSet>();
  /** Files with invalid lines (their valid lines are merged): quarantined, then removed. */
  private readonly damaged: Array<{ path: string; reason: string; bytes?: Buffer }> = [];
  /** Conflict copies whose every line was merged: removed once the result is written. */
  private readonly mergedConflicts: string[] = [];
  private files: BatchFile[] = [];
  private strays: Stray[] = [];

  get state(): HourMergeState {
    return this.#state;
  }

  /** The folder already holds a batch file of this name (hence of these bytes). */
  holds(name: string): boolean {
    return this.files.some((f) => f.name === name);
  }

  private constructor(
    private readonly segments: string,
    private readonly channel: string,
    private readonly hour: number,
    private readonly opts: MergeHourOptions,
  ) {
    this.result = {
      channel,
      hour,
      skipped: false,
      filesRead: 0,
      filesWritten: 0,
      filesRemoved: 0,
      records: 0,
      observations: 0,
      observationsBefore: 0,
      newObservations: [],
      relocatedTo: [],
      quarantined: [],
      problems: [],
      warnings: [],
    };
  }

  /** Reads the hour's folder (see HourMergeState for what it may be left in). */
  static async open(
    segments: string,
    channel: string,
    hour: number,
    opts: MergeHourOptions & { expectExtra?: boolean } = {},
  ): Promise<HourMerge> {
    const w = new HourMerge(segments, channel, hour, opts);
    const { files, conflicts, strays, names } = await hourInputs(w.dir, hour);
    w.files = files;
    w.strays = strays;
    if (!opts.force && !opts.expectExtra && opts.state?.isSettled(channel, hour, names)) {
      w.result.skipped = true;
      w.#state = 'settled';
      return w;
    }
    const hashes = new Map(files.map((f) => [f.path, f.hash]));
    const isConflict = new Set(conflicts.map((c) => c.path));
    for await (const item of prefetched([...files.map((f) => f.path), ...conflicts.map((c) => c.path)])) {
      opts.signal?.throwIfAborted();
      if (item.error) {
        if (item.error.code === 'ENOENT') {
          // Merged away by a concurrent run, or deleted by a sync tool whose origin wrote its content
          // elsewhere first. Not read, so never ours to delete: should it come back, the next merge reads it.
          w.files = w.files.filter((f) => f.path !== item.path);
          continue;
        }
        // Unreadable: the hour stays as it is (commit refuses) rather than be half-known.
        w.result.problems.push({ path: item.path, reason: `cannot read: ${item.error.message}` });
        w.#state = 'blocked';
        return w;
      }
      const parsed = parseLoaded(item.loaded!, hashes.get(item.path), (o) => w.file(o));
      w.result.filesRead++;
      w.result.observationsBefore += parsed.observed;
      if (parsed.problems.length) {
        const reason = lineProblemsText(parsed.problems);
        const bytes = Buffer.isBuffer(item.loaded) ? item.loaded : undefined;
        w.damaged.push({
          path: item.path,
          reason: isConflict.has(item.path) ? `sync conflict copy: ${reason}` : reason,
          bytes,
        });
      } else if (isConflict.has(item.path)) w.mergedConflicts.push(item.path);
    }
    return w;
  }

  get dir(): string {
    return hourDir(this.segments, this.channel, this.hour);
  }

  /** Takes one file's observations from outside, one by one; `done` returns how many were new to the folder. */
  fileSink(): { add: (o: Observation) => void; done: () => number } {
    let fresh = 0;
    return {
      add: (o) => {
        if (this.file(o)) fresh++;
      },
      done: () => {
        this.result.newObservations.push(fresh);
        return fresh;
      },
    };
  }

  private file(o: Observation): boolean {
    const h = observationHour(o);
    if (h === this.hour) return this.own.add(o);
    let set = this.foreign.get(h);
    if (!set) this.foreign.set(h, (set = new ObservationSet()));
    return set.add(o);
  }

  /** Writes the result, then removes what it replaces; only an open hour. A throw leaves every old file in place. */
  async commit(): Promise<void> {
    const { result, segments, channel, hour, opts } = this;
    if (this.#state !== 'open') return;
    opts.signal?.throwIfAborted();
    const merged = cluster(this.own);
    result.warnings = merged.warnings;
    result.observations = merged.observations;
    result.records = merged.records.length;
    const keep = new Set<string>();
    for (const { minute, bytes } of minuteBatches(merged.records)) {
      const name = batchFileName(minute, contentHash(bytes));
      keep.add(name);
      if (await writeFileAtomic(path.join(this.dir, name), bytes)) result.filesWritten++;
    }
    for (const [h, set] of [...this.foreign].sort((a, b) => a[0] - b[0])) {
      const target = hourDir(segments, channel, h);
      for (const { minute, bytes } of minuteBatches(cluster(set).records)) {
        if (await writeFileAtomic(path.join(target, batchFileName(minute, contentHash(bytes))), bytes))
          result.filesWritten++;
      }
      result.relocatedTo.push(h);
    }
    // Everything is written; now the inputs that the result replaces can go.
    const qid = this.damaged.length ? newBatchId('merge') : '';
    const gone: string[] = [...this.mergedConflicts];
    for (const d of this.damaged) {
      const q = await quarantine(segments, qid, path.relative(segments, d.path), d.path, d.reason, d.bytes);
      result.quarantined.push(q);
      if (!q.copy) {
        result.problems.push({ path: d.path, reason: 'could not be quarantined, left in place' });
        keep.add(path.basename(d.path));
      } else if (!this.files.some((f) => f.path === d.path)) gone.push(d.path);
    }
    // A sync tool propagates these deletions; each one is safe because what it deletes is written above.
    for (const p of [...this.files.filter((f) => !keep.has(f.name)).map((f) => f.path), ...gone]) {
      await fs.rm(p, { force: true });
      result.filesRemoved++;
    }
    await removeStaleTemporaries(this.strays);
    // Settled as what this merge made it, not as the folder is now: a file that arrived meanwhile is unmerged.
    if (opts.state) opts.state.settle(channel, hour, [...keep]);
    this.#state = 'committed';
  }
}

/** Older than any write still in progress can be (a write takes milliseconds, a slow fsync seconds). */
const STALE_TEMPORARY_MS = 10 * 60_000;

/** Our own temporaries that a killed write left behind: removed once no write can still be using them. */
async function removeStaleTemporaries(strays: Stray[]): Promise<void> {
  for (const s of strays) {
    if (!isOwnTemporary(path.basename(s.path))) continue;
    const st = await fs.lstat(s.path).catch(() => null);
    if (st?.isFile() && Date.now() - st.mtimeMs > STALE_TEMPORARY_MS) await fs.rm(s.path, { force: true });
  }
}

export interface MergeSummary extends MergeCounts {
  hoursMerged: number;
  hoursSkipped: number;
  quarantined: Quarantined[];
  problems: FileProblem[];
  warnings: NormalizeWarning[];
  strays: Stray[];
}

export interface MergeAllOptions {
  channel?: string;
  /** The archive's merge state when the caller already holds it (an import); saved either way. */
  state?: MergeState;
  signal?: AbortSignal;
  onProgress?: (p: { channel: string; hoursDone: number; hoursTotal: number }) => void;
}

export const emptyMergeSummary = (): MergeSummary => ({
  filesRead: 0,
  filesWritten: 0,
  filesRemoved: 0,
  records: 0,
  observations: 0,
  hoursMerged: 0,
  hoursSkipped: 0,
  quarantined: [],
  problems: [],
  warnings: [],
  strays: [],
});

export function addHour(sum: MergeSummary, r: MergeHourResult): void {
  if (r.skipped) {
    sum.hoursSkipped++;
    return;
  }
  sum.hoursMerged++;
  sum.filesRead += r.filesRead;
  sum.filesWritten += r.filesWritten;
  sum.filesRemoved += r.filesRemoved;
  sum.records += r.records;
  sum.observations += r.observations;
  sum.quarantined.push(...r.quarantined);
  sum.problems.push(...r.problems);
  sum.warnings.push(...r.warnings);
}

/** Adds one summary to another (an import's merge, channel after channel). */
export function addSummary(sum: MergeSummary, part: MergeSummary): void {
  for (const k of [
    'filesRead',
    'filesWritten',
    'filesRemoved',
    'records',
    'observations',
    'hoursMerged',
    'hoursSkipped',
  ] as const)
    sum[k] += part[k];
  sum.quarantined.push(...part.quarantined);
  sum.problems.push(...part.problems);
  sum.warnings.push(...part.warnings);
  sum.strays.push(...part.strays);
}

/** Settles every hour that needs it, in every channel (or one), until nothing moves. */
export async function mergeAll(segments: string, opts: MergeAllOptions = {}): Promise<MergeSummary> {
  const sum = emptyMergeSummary();
  const state = opts.state ?? (await MergeState.load(segments));
  let channels: string[];
  if (opts.channel) channels = [opts.channel];
  else {
    const l = await listChannels(segments);
    channels = l.channels;
    sum.strays.push(...l.strays);
  }
  try {
    for (const channel of channels) {
      await withChannelLock(segments, channel, () => mergeChannel(segments, channel, state, sum, opts));
    }
  } finally {
    await state.save();
  }
  return sum;
}

async function mergeChannel(
  segments: string,
  channel: string,
  state: MergeState,
  sum: MergeSummary,
  opts: MergeAllOptions,
): Promise<void> {
  const { hours, strays } = await listHours(segments, channel);
  sum.strays.push(...strays);
  let todo = hours;
  let done = 0;
  let total = todo.length;
  // Relocated observations make their target hour pending; a pass after a pass catches them.
  for (let pass = 0; todo.length > 0; pass++) {
    const next = new Set<number>();
    for (const hour of todo) {
      opts.signal?.throwIfAborted();
      const r = await mergeHour(segments, channel, hour, { state, signal: opts.signal });
      addHour(sum, r);
      for (const h of r.relocatedTo) next.add(h);
      opts.onProgress?.({ channel, hoursDone: ++done, hoursTotal: total });
    }
    todo = [...next].sort((a, b) => a - b);
    total += todo.length;
    if (pass > 3) {
      // Relocation moves observations into their own hour, which never relocates again; this is a guard only.
      sum.problems.push({ path: chatDir(segments, channel), reason: 'hours kept relocating observations; stopped' });
      break;
    }
  }
}

/** Hours whose files changed since they were last normalized. */
export async function pendingHours(
  segments: string,
  channel?: string,
): Promise<Array<{ channel: string; hour: number }>> {
  const state = await MergeState.load(segments);
  const channels = channel ? [channel] : (await listChannels(segments)).channels;
  const out: Array<{ channel: string; hour: number }> = [];
  for (const c of channels) {
    for (const hour of (await listHours(segments, c)).hours) {
      const { names } = await hourInputs(hourDir(segments, c, hour), hour);
      if (!state.isSettled(c, hour, names)) out.push({ channel: c, hour });
    }
  }
  return out;
}
