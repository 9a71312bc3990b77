/**
 * The archive index: one small summary per batch file (records, records per command,
 * observations per receiver), cached by file name. The name carries the content hash, so
 * an entry never goes stale; a rescan only lists folders and reads files it has not seen.
 * Overview queries then aggregate in memory without touching the disk.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  chatDir,
  hourName,
  listBatchFiles,
  listChannels,
  listHours,
  minuteStart,
  parseHourName,
} from '../archive/layout.js';
import { writeFileAtomic } from '../archive/atomic.js';
import { loadBatchBytes, readLoaded, type Loaded } from '../archive/read.js';
import { CHANNEL_NAME } from '../rules.js';
import type { IndexStatus } from './contract.js';

export interface FileSummary {
  records: number;
  byCommand: Record<string, number>;
  /** receiver id → observations. */
  receivers: Record<string, number>;
  /** Lines that are not valid records. */
  problems: number;
}

export interface IndexedFile {
  /** Path relative to the channel's chat folder: `<hour>/<name>`. */
  rel: string;
  name: string;
  minute: number;
  summary: FileSummary;
}

/** Pure: the summary of a batch file's bytes, read by the archive's reader (lines that are not valid records are problems). */
export function summarizeBatch(loaded: Loaded): FileSummary {
  const s: FileSummary = { records: 0, byCommand: {}, receivers: {}, problems: 0 };
  const { problems } = readLoaded(loaded, ({ record }) => {
    s.records++;
    s.byCommand[record.command] = (s.byCommand[record.command] ?? 0) + 1;
    for (const id of Object.keys(record.receivers)) s.receivers[id] = (s.receivers[id] ?? 0) + 1;
  });
  s.problems = problems.length;
  return s;
}

/** One channel's files by minute; `minutes` is kept sorted for range queries. */
export class ChannelIndex {
  readonly byMinute = new Map<number, IndexedFile[]>();
  #sorted: number[] | null = null;

  get minutes(): number[] {
    if (!this.#sorted) this.#sorted = [...this.byMinute.keys()].sort((a, b) => a - b);
    return this.#sorted;
  }

  setHour(hour: number, files: IndexedFile[]): void {
    for (let m = hour; m < hour + 3600; m += 60) this.byMinute.delete(m);
    for (const f of files) {
      const list = this.byMinute.get(f.minute);
      if (list) list.push(f);
      else this.byMinute.set(f.minute, [f]);
    }
    this.#sorted = null;
  }
}

/** Index of the first element of sorted `a` that is >= t. */
export function lowerBound(a: readonly number[], t: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface ArchiveIndexOptions {
  /** Where summaries are persisted; null keeps them in memory only. */
  cacheDir: string | null;
  onProgress?: (p: IndexStatus) => void;
  /** Files read at once during a scan. */
  concurrency?: number;
}

const CACHE_FILE = new RegExp(`^(${CHANNEL_NAME})\\.json$`);
const CACHE_VERSION = 1;
type PersistedSummary = [
  records: number,
  byCommand: Record<string, number>,
  receivers: Record<string, number>,
  problems: number,
];

export class ArchiveIndex {
  readonly #segments: string;
  readonly #opts: ArchiveIndexOptions;
  readonly #channels = new Map<string, ChannelIndex>();
  /** channel → file name → summary: the persisted cache. */
  readonly #known = new Map<string, Map<string, FileSummary>>();
  readonly #dirty = new Set<string>();
  #loaded = false;
  #progress: IndexStatus = { scanning: false, filesTotal: 0, filesScanned: 0, error: null };
  /** The last scan could not list the archive folder: the index does not show the archive. */
  #failed = false;
  /** What the scan under way could not read (channels, files), for `status.error`. */
  #unreadable: string[] = [];
  #scan: Promise<void> | null = null;

  constructor(segments: string, opts: ArchiveIndexOptions) {
    this.#segments = segments;
    this.#opts = opts;
  }

  get status(): IndexStatus {
    return { ...this.#progress };
  }

  /** The last scan failed as a whole: an empty index then says nothing about the archive. */
  get failed(): boolean {
    return this.#failed;
  }

  channelNames(): string[] {
    return [...this.#channels.keys()].sort();
  }

  channel(name: string): ChannelIndex | undefined {
    return this.#channels.get(name);
  }

  /** Lists every folder and summarizes new files; concurrent callers share one scan. */
  scan(): Promise<void> {
    if (!this.#scan) this.#scan = this.#scanAll().finally(() => (this.#scan = null));
    return this.#scan;
  }

  /** Re-lists some hours of one channel (after a write, import or merge touched them). */
  async refresh(channel: string, hours: number[]): Promise<void> {
    await this.#load();
    const work = await Promise.all(
      hours.map(async (h) => ({
        h,
        files: (await listBatchFiles(path.join(chatDir(this.#segments, channel), hourName(h)), h)).files,
      })),
    );
    await this.#index(channel, work);
    await this.#save();
  }

  /** The channels and hours (sorted) that batch files under the archive belong to; other paths are left out. */
  hoursOf(paths: string[]): Array<{ channel: string; hours: number[] }> {
    const hours = new Map<string, Set<number>>();
    for (const p of paths) {
      const [channel, chat, hour] = path.relative(this.#segments, p).split(path.sep);
      const h = hour === undefined ? null : parseHourName(hour);
      if (!channel || chat !== 'chat' || h === null) continue;
      let set = hours.get(channel);
      if (!set) hours.set(channel, (set = new Set()));
      set.add(h);
    }
    return [...hours].map(([channel, set]) => ({ channel, hours: [...set].sort((a, b) => a - b) }));
  }

  async #scanAll(): Promise<void> {
    await this.#load();
    this.#progress = { scanning: true, filesTotal: 0, filesScanned: 0, error: null };
    this.#unreadable = [];
    this.#emit();
    try {
      const { channels } = await listChannels(this.#segments);
      const listed: Array<{
        channel: string;
        hours: Array<{ h: number; files: Awaited<ReturnType<typeof listBatchFiles>>['files'] }>;
      }> = [];
      for (const channel of channels) {
        const dir = chatDir(this.#segments, channel);
        let entries;
        try {
          const { hours } = await listHours(this.#segments, channel);
          entries = await mapLimit(hours, 16, async (h) => ({
            h,
            files: (await listBatchFiles(path.join(dir, hourName(h)), h)).files,
          }));
        } catch (e) {
          // One channel that cannot be listed keeps what the index knew of it; the others are scanned.
          this.#unreadable.push(`${dir}: ${(e as Error).message}`);
          continue;
        }
        listed.push({ channel, hours: entries });
        this.#progress.filesTotal += entries.reduce((n, e) => n + e.files.length, 0);
        this.#emit();
      }
      for (const name of [...this.#channels.keys()]) if (!channels.includes(name)) this.#channels.delete(name);
      for (const { channel, hours } of listed) {
        // Filled first, installed after: queries during a rescan see the old index, never an empty one.
        const ci = new ChannelIndex();
        await this.#index(channel, hours, ci);
        this.#channels.set(channel, ci);
        this.#prune(channel, ci);
      }
      await this.#save();
      this.#failed = false;
      this.#progress.error = unreadableText(this.#unreadable);
    } catch (e) {
      this.#failed = true;
      this.#progress.error = `cannot read the archive folder ${this.#segments}: ${(e as Error).message}`;
      throw e;
    } finally {
      this.#progress.scanning = false;
      this.#emit();
    }
  }

  async #index(
    channel: string,
    hours: Array<{ h: number; files: Array<{ name: string; path: string; time: number }> }>,
    target?: ChannelIndex,
  ): Promise<void> {
    let ci = target ?? this.#channels.get(channel);
    if (!ci) this.#channels.set(channel, (ci = new ChannelIndex()));
    let known = this.#known.get(channel);
    if (!known) this.#known.set(channel, (known = new Map()));
    const missing = hours.flatMap(({ files }) => files.filter((f) => !known.has(f.name)));
    let lastEmit = Date.now();
    await mapLimit(missing, this.#opts.concurrency ?? 8, async (f) => {
      let summary: FileSummary;
      try {
        summary = summarizeBatch(await loadBatchBytes(f.path));
      } catch (e) {
        // Vanished (a merge removed it): the next listing decides. Unreadable: said in the status.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.#unreadable.push(`${f.path}: ${(e as Error).message}`);
        return;
      }
      known.set(f.name, summary);
      this.#dirty.add(channel);
      if (this.#progress.scanning) {
        this.#progress.filesScanned++;
        if (Date.now() - lastEmit > 100) {
          lastEmit = Date.now();
          this.#emit();
        }
      }
    });
    if (this.#progress.scanning)
      this.#progress.filesScanned += hours.reduce((n, e) => n + e.files.length, 0) - missing.length;
    for (const { h, files } of hours) {
      const hn = hourName(h);
      const entries: IndexedFile[] = [];
      for (const f of files) {
        const summary = known.get(f.name);
        if (summary) entries.push({ rel: `${hn}/${f.name}`, name: f.name, minute: minuteStart(f.time), summary });
      }
      ci.setHour(h, entries);
    }
    this.#emit();
  }

  /** Drops cached summaries of files no longer in the channel (merged away). */
  #prune(channel: string, ci: ChannelIndex): void {
    const known = this.#known.get(channel);
    if (!known) return;
    const present = new Set<string>();
    for (const files of ci.byMinute.values()) for (const f of files) present.add(f.name);
    for (const name of known.keys())
      if (!present.has(name)) {
        known.delete(name);
        this.#dirty.add(channel);
      }
  }

  #emit(): void {
    this.#opts.onProgress?.(this.status);
  }

  async #load(): Promise<void> {
    if (this.#loaded) return;
    this.#loaded = true;
    const dir = this.#opts.cacheDir;
    if (!dir) return;
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      return;
    }
    for (const file of names) {
      const m = CACHE_FILE.exec(file);
      if (!m) continue;
      try {
        const data = JSON.parse(await fs.readFile(path.join(dir, file), 'utf8')) as {
          version: number;
          files: Record<string, PersistedSummary>;
        };
        if (data.version !== CACHE_VERSION) continue;
        const map = new Map<string, FileSummary>();
        for (const [name, [records, byCommand, receivers, problems]] of Object.entries(data.files))
          map.set(name, { records, byCommand, receivers, problems });
        this.#known.set(m[1]!, map);
      } catch {
        // a damaged cache is rebuilt by the scan
      }
    }
  }

  async #save(): Promise<void> {
    const dir = this.#opts.cacheDir;
    if (!dir) return this.#dirty.clear();
    for (const channel of [...this.#dirty]) {
      this.#dirty.delete(channel);
      const files: Record<string, PersistedSummary> = {};
      for (const [name, s] of this.#known.get(channel) ?? [])
        files[name] = [s.records, s.byCommand, s.receivers, s.problems];
      try {
        await fs.mkdir(dir, { recursive: true });
        await writeFileAtomic(
          path.join(dir, `${channel}.json`),
          Buffer.from(JSON.stringify({ version: CACHE_VERSION, files })),
          true,
        );
      } catch {
        // the cache is an optimisation: a read-only archive still works, it just rescans
      }
    }
  }
}

/** What a scan could not read, in one line: how many, and the first. */
function unreadableText(list: string[]): string | null {
  if (list.length === 0) return null;
  return `${list.length === 1 ? 'one folder or file' : `${list.length} folders or files`} could not be read, the index leaves them out: ${list[0]}${list.length > 1 ? ' (and others)' : ''}`;
}

/** Runs `fn` over `items` with at most `limit` at once, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
