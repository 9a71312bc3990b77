/**
 * Import ("backfill"): fold other nodes' segments folders into an archive. Every file is
 * validated before its content enters the archive; the sources are only ever read.
 *
 * Decision: a source file's content enters the archive through the hour's merge (its
 * observations are normalized together with the hour's files and the result written
 * atomically), not by copying the file first and merging after. Nothing can be lost by
 * that: until the merged files are written the source still holds everything, and the
 * merged result is written before any old file is deleted. It saves writing and reading
 * every imported byte twice.
 */
import { promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import { hourDir, isConflictCopy, parseBatchFileName, parseHourName, strayReason, type Stray } from './layout.js';
import { CHANNEL } from '../rules.js';
import { lineProblemsText, parseLoaded, prefetched, type Loaded } from './read.js';
import {
  HourMerge,
  MergeState,
  addHour,
  addSummary,
  emptyMergeSummary,
  mergeAll,
  withChannelLock,
  type FileProblem,
  type MergeSummary,
} from './merge.js';
import { newBatchId, quarantine, type Quarantined } from './quarantine.js';

export interface ImportCounts {
  filesTotal: number;
  filesChecked: number;
  /** Files whose content entered the archive (at least one observation it did not hold). */
  copied: number;
  /** Files whose every observation the archive already held (byte-identical ones are not even read). */
  alreadyPresent: number;
  quarantined: Quarantined[];
  /** Valid content, but name or bytes not canonical: imported by its records. */
  nonCanonical: Array<{ path: string; reasons: string[] }>;
  recordsMerged: number;
  newObservations: number;
}

/** scanning the sources → importing them hour by hour → merging the channels they reached → done. */
export type ImportPhase = 'scanning' | 'importing' | 'merging' | 'done';

export interface ImportSummary extends ImportCounts {
  importId: string;
  sources: string[];
  strays: Stray[];
  problems: FileProblem[];
  merge: MergeSummary;
}

export interface ImportOptions {
  signal?: AbortSignal;
  /** The counts so far, at every phase and after every file. */
  onProgress?: (counts: Readonly<ImportCounts>, phase: ImportPhase) => void;
  importId?: string;
}

interface SourceFile {
  path: string;
  /** Path relative to its source, for messages and quarantine. */
  rel: string;
  name: string;
  source: number;
  conflict: boolean;
}

/** The source files of one hour of one channel: they enter the archive through that hour's merge. */
interface HourGroup {
  channel: string;
  hour: number;
  files: SourceFile[];
}

export async function importSegments(
  dest: string,
  sources: string[],
  opts: ImportOptions = {},
): Promise<ImportSummary> {
  const run = new ImportRun(dest, sources, opts);
  run.progress('scanning');
  const groups = await run.scan();
  run.progress('importing');
  await run.importAll(groups);
  run.progress('done');
  return run.summary;
}

/**
 * One import: its destination, id, options and summary, and the archive's merge state
 * (loaded once the sources are scanned, saved however the import ends). Its steps are
 * the methods below, in the order importSegments calls them.
 */
class ImportRun {
  readonly summary: ImportSummary;
  readonly #dest: string;
  readonly #opts: ImportOptions;

  constructor(dest: string, sources: string[], opts: ImportOptions) {
    this.#dest = dest;
    this.#opts = opts;
    this.summary = {
      importId: opts.importId ?? newBatchId('import'),
      sources,
      filesTotal: 0,
      filesChecked: 0,
      copied: 0,
      alreadyPresent: 0,
      quarantined: [],
      nonCanonical: [],
      recordsMerged: 0,
      newObservations: 0,
      strays: [],
      problems: [],
      merge: emptyMergeSummary(),
    };
  }

  progress(phase: ImportPhase): void {
    this.#opts.onProgress?.(this.summary, phase);
  }

  /** Finds every source's batch files, grouped by channel and hour; everything else is reported. */
  async scan(): Promise<HourGroup[]> {
    const sum = this.summary;
    const destReal = await fs.realpath(this.#dest).catch(() => path.resolve(this.#dest));
    const groups = new Map<string, HourGroup>();
    for (let i = 0; i < sum.sources.length; i++) {
      const src = sum.sources[i]!;
      const srcReal = await fs.realpath(src).catch(() => path.resolve(src));
      if (srcReal === destReal) {
        sum.problems.push({ path: src, reason: 'is the archive itself; nothing to import' });
        continue;
      }
      const found = sum.strays.length + sum.problems.length + sum.filesTotal;
      sum.filesTotal += await this.#scanSource(src, i, groups);
      if (sum.strays.length + sum.problems.length + sum.filesTotal === found) {
        const chat = await fs.stat(path.join(src, 'chat')).catch(() => null);
        const hint = chat?.isDirectory()
          ? `; it looks like a channel folder: import its parent, ${path.dirname(path.resolve(src))}`
          : '';
        sum.strays.push({
          path: src,
          reason: `holds no <channel>/chat/<hour>/ batch files: is it a segments folder?${hint}`,
        });
      }
    }
    return [...groups.values()].sort((a, b) =>
      a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : a.hour - b.hour,
    );
  }

  /** Each hour through its merge (under the channel's lock), then every channel reached merged until settled. */
  async importAll(groups: HourGroup[]): Promise<void> {
    const { signal } = this.#opts;
    const state = await MergeState.load(this.#dest);
    const channels = new Set<string>();
    try {
      for (const g of groups) {
        signal?.throwIfAborted();
        channels.add(g.channel);
        await withChannelLock(this.#dest, g.channel, () => this.#importHour(g, state));
        this.progress('importing');
      }
      this.progress('merging');
      for (const channel of [...channels].sort()) {
        const m = await mergeAll(this.#dest, { channel, state, signal });
        this.summary.recordsMerged += m.records;
        addSummary(this.summary.merge, m);
      }
    } finally {
      await state.save();
    }
  }

  async #importHour({ channel, hour, files }: HourGroup, state: MergeState): Promise<void> {
    const sum = this.summary;
    const { signal } = this.#opts;
    const work = await HourMerge.open(this.#dest, channel, hour, { state, signal, expectExtra: true });
    if (work.state === 'blocked') {
      // The archive's own hour cannot be read completely; merging into it now could not be trusted.
      sum.problems.push(
        ...work.result.problems.map((p) => ({
          ...p,
          reason: `${p.reason}; this hour was not imported (the sources still hold it)`,
        })),
      );
      return;
    }
    const toRead: SourceFile[] = [];
    for (const f of files.sort((a, b) => (a.rel < b.rel ? -1 : 1))) {
      const name = parseBatchFileName(f.name);
      if (!f.conflict && name && !name.colon && work.holds(f.name)) {
        sum.filesChecked++;
        sum.alreadyPresent++;
        this.progress('importing');
      } else toRead.push(f);
    }
    const byPath = new Map(toRead.map((f) => [f.path, f]));
    for await (const item of prefetched(toRead.map((f) => f.path))) {
      signal?.throwIfAborted();
      sum.filesChecked++;
      try {
        await this.#importFile(byPath.get(item.path)!, item, work);
      } finally {
        this.progress('importing');
      }
    }
    try {
      await work.commit();
      const r = work.result;
      addHour(sum.merge, r);
      sum.recordsMerged += r.records;
      sum.quarantined.push(...r.quarantined);
      sum.problems.push(...r.problems);
    } catch (e) {
      if (signal?.aborted) throw e;
      // A failed write (disk full, ...) leaves the hour's old files in place; the source still holds the rest.
      sum.problems.push({
        path: hourDir(this.#dest, channel, hour),
        reason: `merge failed, nothing of this hour was changed or lost: ${(e as Error).message}`,
      });
    }
  }

  /** Validates one source file and hands its observations to the hour's merge. */
  async #importFile(
    f: SourceFile,
    item: { loaded?: Loaded; error?: NodeJS.ErrnoException },
    work: HourMerge,
  ): Promise<void> {
    const sum = this.summary;
    const quarantined = (reason: string, bytes?: Buffer) =>
      quarantine(this.#dest, sum.importId, quarantineRel(f), f.path, reason, bytes);
    if (item.error) {
      const err = item.error;
      if (err.code === 'ENOENT') sum.problems.push({ path: f.path, reason: 'vanished during the import' });
      else sum.quarantined.push(await quarantined(`cannot read: ${err.message}`));
      return;
    }
    const name = parseBatchFileName(f.name);
    const sink = work.fileSink();
    const parsed = parseLoaded(item.loaded!, name?.hash, sink.add);
    if (parsed.observed) {
      const fresh = sink.done();
      sum.newObservations += fresh;
      if (fresh > 0) sum.copied++;
      else sum.alreadyPresent++;
    }
    if (parsed.problems.length) {
      const reason = lineProblemsText(parsed.problems);
      const whole = parsed.observed === 0;
      sum.quarantined.push(
        await quarantined(
          whole ? reason : `valid lines were imported; these were not:\n${reason}`,
          item.loaded as Buffer,
        ),
      );
      return;
    }
    const reasons = [...parsed.nonCanonical];
    if (!parsed.hashMatches) reasons.push('name does not match the content hash');
    if (name?.colon) reasons.push('MM:SS name (rewritten as MM.SS)');
    if (f.conflict) reasons.push('sync conflict copy');
    if (reasons.length) sum.nonCanonical.push({ path: f.path, reasons });
  }

  /** Finds a source's batch files (grouped by channel and hour) and reports everything else; returns how many it found. */
  async #scanSource(src: string, index: number, groups: Map<string, HourGroup>): Promise<number> {
    const sum = this.summary;
    let found = 0;
    const st = await fs.lstat(src).catch((e: NodeJS.ErrnoException) => e);
    if (st instanceof Error) {
      sum.problems.push({
        path: src,
        reason: st.code === 'ENOENT' ? 'source folder does not exist' : `cannot read: ${st.message}`,
      });
      return 0;
    }
    if (!st.isDirectory()) {
      sum.problems.push({ path: src, reason: 'source is not a folder' });
      return 0;
    }
    const stray = (p: string, reason: string) => sum.strays.push({ path: p, reason });
    for (const ch of await this.#entries(src)) {
      if (ch.name.startsWith('.')) continue; // the other node's own state and quarantine
      const chPath = path.join(src, ch.name);
      if (ch.isSymbolicLink()) {
        stray(chPath, 'symbolic link, not followed');
        continue;
      }
      if (!ch.isDirectory()) {
        stray(chPath, 'not a channel folder');
        continue;
      }
      if (!CHANNEL.pattern.test(ch.name)) {
        stray(chPath, 'folder name is not a Twitch channel name');
        continue;
      }
      const chat = path.join(chPath, 'chat');
      const chatSt = await fs.lstat(chat).catch(() => null);
      if (!chatSt) continue; // a channel folder without chat (video segments, say): nothing for us
      if (!chatSt.isDirectory() || chatSt.isSymbolicLink()) {
        stray(chat, 'chat is not a folder (links are not followed)');
        continue;
      }
      for (const h of await this.#entries(chat)) {
        const hPath = path.join(chat, h.name);
        const hour = parseHourName(h.name);
        if (h.isSymbolicLink()) {
          stray(hPath, 'symbolic link, not followed');
          continue;
        }
        if (hour === null) {
          stray(hPath, h.isDirectory() ? 'folder name is not an hour (YYYY-MM-DDTHH)' : strayReason(h.name));
          continue;
        }
        if (!h.isDirectory()) {
          stray(hPath, 'hour name but not a folder');
          continue;
        }
        for (const f of await this.#entries(hPath)) {
          const fPath = path.join(hPath, f.name);
          if (f.isSymbolicLink()) {
            stray(fPath, 'symbolic link, not followed');
            continue;
          }
          if (f.isDirectory()) {
            stray(fPath, 'folder nested in an hour folder, not imported');
            continue;
          }
          const conflict = isConflictCopy(f.name);
          if (!f.isFile() || (!conflict && !parseBatchFileName(f.name))) {
            stray(fPath, f.isFile() ? strayReason(f.name) : 'not a regular file');
            continue;
          }
          if (conflict) stray(fPath, 'sync conflict copy: its records are imported');
          const key = `${ch.name}/${hour}`;
          let g = groups.get(key);
          if (!g) groups.set(key, (g = { channel: ch.name, hour, files: [] }));
          g.files.push({ path: fPath, rel: path.relative(src, fPath), name: f.name, source: index, conflict });
          found++;
        }
      }
    }
    return found;
  }

  async #entries(dir: string): Promise<Dirent[]> {
    try {
      return (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    } catch (e) {
      this.summary.problems.push({ path: dir, reason: `cannot read folder: ${(e as Error).message}` });
      return [];
    }
  }
}

const quarantineRel = (f: SourceFile) => path.join(`source-${f.source + 1}`, f.rel);
