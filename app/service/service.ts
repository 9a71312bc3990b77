/**
 * ArchiveService: the one implementation of the contract, used by both transports
 * (Electron IPC and HTTP). `call` is the boundary: method name and `unknown` arguments
 * in, a `Result` out; it validates once, never throws, and turns every failure into an
 * error the UI can show.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { mergeAll, pendingHours } from '../archive/merge.js';
import { importSegments, type ImportCounts } from '../archive/import.js';
import type {
  ApiError,
  ApiEvent,
  ArgsOf,
  ChannelRecording,
  ImportProgress,
  MergeStatus,
  MethodName,
  RecordRow,
  Result,
  ResultOf,
  Settings,
} from './contract.js';
import { methods, settingsSchema } from './contract.js';
import { ArchiveIndex } from './index-cache.js';
import { channelInfo, summarize } from './overview.js';
import { matches, pageRows, rangeRows, recordDetail } from './record-query.js';
import { writeSampleArchive } from './sample.js';
import { invalid, isInside, isMethodName, parseArgs } from './validate.js';
import { writeFileAtomic } from '../archive/atomic.js';
import { parseHourName } from '../archive/layout.js';
import { DEFAULT_HISTORY_URL, DEFAULT_SERVER } from '../record/defaults.js';
import type { TailRecord } from '../record/live-tail.js';
import { memorySecrets, type SecretStore } from './secrets.js';
import { imageSetsAt } from '../images/viewer-sets.js';

export type ImportFn = typeof importSegments;

/** What the service needs from the recorder; app/record/recorder.ts's Recorder has this shape. */
export interface RecordingControl {
  start(
    channels: string[],
  ): Promise<{ ok: true } | { ok: false; error: { code: 'invalid_argument' | 'io'; message: string } }>;
  /** Stops those channels (all without an argument), writing their open batches. */
  stop(channels?: string[]): Promise<void>;
  status(): ChannelRecording[];
  tail(channel: string, limit: number): TailRecord[];
  on(event: 'status', listener: (status: ChannelRecording[]) => void): unknown;
  on(event: 'filesWritten', listener: (paths: string[]) => void): unknown;
}
export type RecordingFactory = (settings: Settings, token: string | null) => RecordingControl;

export interface ServiceOptions {
  segmentsDir: string;
  /** settings.json goes here; null keeps settings in memory. */
  settingsFile: string | null;
  /** Index cache folder; default `<segments>/.chat-archiver/index`. */
  indexDir?: string | null;
  secrets?: SecretStore;
  recording?: RecordingFactory;
  /** The archive core's import; replaceable so tests can slow it down. */
  importSegments?: ImportFn;
  /** Desktop only: the native folder picker. */
  pickFolder?: () => Promise<string | null>;
  /** The desktop may move the archive; a served archive may not. */
  allowSegmentsChange?: boolean;
  /** Background merge period for recorded and imported channels; 0 turns it off. */
  mergeIntervalMs?: number;
}

type Impl = { [M in MethodName]: (args: ArgsOf<M>) => Promise<Result<ResultOf<M>>> };

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = (code: ApiError['code'], message: string, p?: string): { ok: false; error: ApiError } => ({
  ok: false,
  error: { code, message, ...(p !== undefined ? { path: p } : {}) },
});

export function defaultSettings(segmentsDir: string): Settings {
  const host =
    os
      .hostname()
      .replace(/[^A-Za-z0-9_-]/g, '-')
      .slice(0, 64) || 'node';
  return {
    segmentsDir,
    nodeName: host,
    server: DEFAULT_SERVER,
    login: { mode: 'anonymous' },
    historyGapFilling: true,
    historyUrl: DEFAULT_HISTORY_URL,
    keepRecordingInTray: false,
    fetchImages: true,
    fetchMedia: false,
  };
}

/** Results of `records` kept for paging through one range without re-reading it. */
const ROW_CACHE = 4;
/** Records one `records` query may sort; beyond that the UI must narrow the range. */
export const MAX_RANGE_RECORDS = 500_000;

export class ArchiveService {
  readonly #opts: ServiceOptions;
  readonly #secrets: SecretStore;
  readonly #listeners = new Set<(e: ApiEvent) => void>();
  #settings: Settings;
  #index!: ArchiveIndex;
  #recording: RecordingControl | null = null;
  readonly #imports = new Map<string, { progress: ImportProgress; abort: AbortController; done: Promise<void> }>();
  readonly #rowCache: Array<{ key: string; rows: RecordRow[] }> = [];

  #cacheRows(entry: { key: string; rows: RecordRow[] }): void {
    this.#rowCache.unshift(entry);
    this.#rowCache.length = Math.min(this.#rowCache.length, ROW_CACHE);
  }
  #merge: MergeStatus = { running: false, pendingHours: 0, lastRun: null, lastError: null };
  /** Channels the merge loop settles: recorded ones and import targets. */
  readonly #mergeChannels = new Set<string>();
  #mergeTimer: NodeJS.Timeout | null = null;
  #mergeRun: Promise<void> | null = null;
  /** Index refreshes for files the recorder wrote, still running: close waits for them. */
  readonly #refreshes = new Set<Promise<void>>();
  #closed = false;
  /** The first scan; queries wait for it, later changes arrive incrementally. */
  #ready: Promise<void> = Promise.resolve();

  private constructor(opts: ServiceOptions, settings: Settings) {
    this.#opts = opts;
    this.#secrets = opts.secrets ?? memorySecrets();
    this.#settings = settings;
    this.#openIndex();
  }

  /** Loads settings, starts the first index scan (in the background) and the merge loop. */
  static async create(opts: ServiceOptions): Promise<ArchiveService> {
    const segmentsDir = path.resolve(opts.segmentsDir);
    let settings = defaultSettings(segmentsDir);
    if (opts.settingsFile) {
      try {
        const saved = settingsSchema.partial().safeParse(JSON.parse(await fs.readFile(opts.settingsFile, 'utf8')));
        if (saved.success) settings = { ...settings, ...saved.data };
      } catch {
        // first run or unreadable: defaults
      }
    }
    // The folder given by the caller (CLI flag, desktop default) wins unless the desktop may move it.
    if (!opts.allowSegmentsChange) settings.segmentsDir = segmentsDir;
    const service = new ArchiveService({ ...opts, segmentsDir: settings.segmentsDir }, settings);
    await fs.mkdir(settings.segmentsDir, { recursive: true });
    service.#ready = service.#index.scan().catch(() => undefined);
    if ((opts.mergeIntervalMs ?? 60_000) > 0)
      service.#mergeTimer = setInterval(() => void service.mergeNow(), opts.mergeIntervalMs ?? 60_000);
    service.#mergeTimer?.unref();
    return service;
  }

  get segmentsDir(): string {
    return this.#settings.segmentsDir;
  }

  get settings(): Readonly<Settings> {
    return this.#settings;
  }

  isRecording(): boolean {
    return this.#recordingStatus().some((r) => r.recording);
  }

  /** The boundary: validates, dispatches, and never throws. */
  async call(method: string, rawArgs: unknown, opts: { readOnly?: boolean } = {}): Promise<Result<unknown>> {
    if (typeof method !== 'string' || !isMethodName(method))
      return fail('not_found', `no such method: ${String(method).slice(0, 64)}`);
    if (opts.readOnly && methods[method].writes)
      return fail('forbidden', `${method} changes the archive; this server is read-only`);
    if (this.#closed) return fail('unavailable', 'the archive service is shutting down');
    const args = parseArgs(method, rawArgs);
    if (!args.ok) return args;
    try {
      const impl = this.#impl[method] as (a: unknown) => Promise<Result<unknown>>;
      return await impl(args.value);
    } catch (e) {
      return fail(ioCode(e), errorMessage(e), (e as NodeJS.ErrnoException).path);
    }
  }

  onEvent(listener: (e: ApiEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  #emit(e: ApiEvent): void {
    for (const l of [...this.#listeners]) {
      try {
        l(e);
      } catch {
        // one broken listener (a closed window) must not stop the others
      }
    }
  }

  /** Rescans the archive folder now (tests, benchmarks): the index then holds every file on disk. */
  scanned(): Promise<void> {
    return this.#index.scan();
  }

  /** Stops recording (writing every open batch), cancels imports, stops the merge loop. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#mergeTimer) clearInterval(this.#mergeTimer);
    for (const job of this.#imports.values()) job.abort.abort();
    await Promise.allSettled([...this.#imports.values()].map((j) => j.done));
    await this.#recording?.stop();
    await this.#mergeRun;
    // Stopping wrote the last batches; their index updates must not outlive the service.
    await Promise.allSettled([...this.#refreshes]);
  }

  #openIndex(): void {
    const indexDir =
      this.#opts.indexDir === undefined
        ? path.join(this.#settings.segmentsDir, '.chat-archiver', 'index')
        : this.#opts.indexDir;
    this.#index = new ArchiveIndex(this.#settings.segmentsDir, {
      cacheDir: indexDir,
      onProgress: (status) => this.#emit({ type: 'index', status }),
    });
    this.#rowCache.length = 0;
  }

  async #changed(channel: string | null): Promise<void> {
    await this.#index.scan();
    this.#rowCache.length = 0;
    const channels = channel ? [channel] : this.#index.channelNames();
    for (const c of channels) this.#emit({ type: 'archiveChanged', channel: c, hours: [] });
  }

  /** Settles pending hours of recorded and imported channels, then refreshes the index. */
  mergeNow(): Promise<void> {
    if (this.#mergeRun || this.#closed) return this.#mergeRun ?? Promise.resolve();
    const channels = [...this.#mergeChannels];
    this.#mergeRun = (async () => {
      this.#merge = { ...this.#merge, running: true };
      this.#emit({ type: 'merge', status: this.#merge });
      let lastError: string | null = null;
      for (const channel of channels) {
        try {
          const sum = await mergeAll(this.segmentsDir, { channel });
          if (sum.filesWritten + sum.filesRemoved > 0) await this.#changed(channel);
        } catch (e) {
          lastError = `merging #${channel}: ${errorMessage(e)}`;
        }
      }
      try {
        // Files other processes wrote (a sync tool, the CLI) show up here; the cache makes it a listing.
        await this.#index.scan();
      } catch (e) {
        lastError ??= errorMessage(e);
      }
      let pending = this.#merge.pendingHours;
      try {
        pending = (await pendingHours(this.segmentsDir)).length;
      } catch (e) {
        lastError ??= errorMessage(e);
      }
      this.#merge = { running: false, pendingHours: pending, lastRun: Date.now() / 1000, lastError };
      this.#emit({ type: 'merge', status: this.#merge });
    })().finally(() => (this.#mergeRun = null));
    return this.#mergeRun;
  }

  #recordingStatus(): ChannelRecording[] {
    return this.#recording?.status() ?? [];
  }

  async #ensureRecording(): Promise<RecordingControl | null> {
    if (this.#recording) return this.#recording;
    if (!this.#opts.recording) return null;
    const token = this.#settings.login.mode === 'token' ? await this.#secrets.get() : null;
    const rec = this.#opts.recording(this.#settings, token);
    rec.on('status', (status) => this.#emit({ type: 'recording', status }));
    rec.on('filesWritten', (paths) => {
      const p = this.#filesWritten(paths).catch(() => undefined);
      this.#refreshes.add(p);
      void p.finally(() => this.#refreshes.delete(p));
    });
    this.#recording = rec;
    return rec;
  }

  /** New batch files from the recorder: re-list just their hours. */
  async #filesWritten(paths: string[]): Promise<void> {
    const hours = new Map<string, Set<number>>();
    for (const p of paths) {
      const [channel, chat, hour] = path.relative(this.segmentsDir, p).split(path.sep);
      const h = hour === undefined ? null : parseHourName(hour);
      if (!channel || chat !== 'chat' || h === null) continue;
      let set = hours.get(channel);
      if (!set) hours.set(channel, (set = new Set()));
      set.add(h);
    }
    for (const [channel, set] of hours) {
      const list = [...set].sort((a, b) => a - b);
      await this.#index.refresh(channel, list);
      this.#rowCache.length = 0;
      this.#emit({ type: 'archiveChanged', channel, hours: list });
    }
  }

  #publicSettings(): Settings & { hasToken: boolean } {
    return { ...this.#settings, hasToken: this.#secrets.has() };
  }

  async #saveSettings(): Promise<void> {
    const file = this.#opts.settingsFile;
    if (!file) return;
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, Buffer.from(JSON.stringify(this.#settings, null, 2) + '\n'), true);
  }

  /** Paths from a client: absolute, existing folders, and never the archive itself or around it. */
  async #checkImportSources(sources: string[]): Promise<Result<string[]>> {
    const out: string[] = [];
    for (const s of sources) {
      if (!path.isAbsolute(s))
        return invalid('import sources must be absolute paths on the machine running the archive', s);
      const p = path.resolve(s);
      if (isInside(this.segmentsDir, p) || isInside(p, this.segmentsDir))
        return invalid('an import source must not contain or be inside the archive itself', p);
      let st;
      try {
        st = await fs.stat(p);
      } catch {
        return fail('not_found', 'import source does not exist', p);
      }
      if (!st.isDirectory()) return invalid('an import source must be a folder', p);
      out.push(p);
    }
    return ok(out);
  }

  #runImport(importId: string, sources: string[], run: ImportFn): void {
    const abort = new AbortController();
    const progress: ImportProgress = {
      importId,
      phase: 'scanning',
      filesTotal: 0,
      filesChecked: 0,
      copied: 0,
      alreadyPresent: 0,
      quarantined: [],
      recordsMerged: 0,
      newObservations: 0,
      error: null,
    };
    const update = (c: ImportCounts, phase: ImportProgress['phase']) => {
      progress.filesTotal = c.filesTotal;
      progress.filesChecked = c.filesChecked;
      progress.copied = c.copied;
      progress.alreadyPresent = c.alreadyPresent;
      progress.quarantined = c.quarantined.map(({ path: p, reason }) => ({ path: p, reason }));
      progress.recordsMerged = c.recordsMerged;
      progress.newObservations = c.newObservations;
      progress.phase = phase;
    };
    let lastEmit = 0;
    const emit = (force = false) => {
      if (!force && Date.now() - lastEmit < 100) return;
      lastEmit = Date.now();
      this.#emit({ type: 'import', progress: structuredClone(progress) });
    };
    const done = (async () => {
      let final: ImportProgress['phase'];
      emit(true);
      try {
        const sum = await run(this.segmentsDir, sources, {
          signal: abort.signal,
          importId,
          onProgress: (c) => {
            // 'done' of the core still has the index refresh ahead; it is reported below.
            update(c, c.phase === 'importing' ? 'copying' : c.phase === 'done' ? 'merging' : c.phase);
            emit();
          },
        });
        update(sum, 'merging');
        final = abort.signal.aborted ? 'cancelled' : 'done';
      } catch (e) {
        final = abort.signal.aborted ? 'cancelled' : 'failed';
        if (!abort.signal.aborted) progress.error = errorMessage(e);
      }
      try {
        await this.#changed(null);
        for (const c of this.#index.channelNames()) this.#mergeChannels.add(c);
      } catch {
        // the index catches up on the next scan
      }
      // Only now is the import finished for the UI: the index shows what it brought.
      progress.phase = final;
      emit(true);
    })();
    this.#imports.set(importId, { progress, abort, done });
  }

  readonly #impl: Impl = {
    listChannels: async () => {
      await this.#ready;
      const names = new Set([...this.#index.channelNames(), ...this.#recordingStatus().map((r) => r.channel)]);
      return ok([...names].sort().map((c) => channelInfo(c, this.#index.channel(c))));
    },

    summary: async ({ channel, from, to, resolution }) => {
      if (to < from) return invalid('"to" must not be before "from"');
      await this.#ready;
      const s = summarize(channel, this.#index.channel(channel), from, to, resolution);
      return s.ok ? ok(s.summary) : invalid(s.message);
    },

    records: async ({ channel, from, to, offset, limit, filter }) => {
      if (to < from) return invalid('"to" must not be before "from"');
      await this.#ready;
      const ci = this.#index.channel(channel);
      const filtered = !!filter && (!!filter.user || !!filter.text || (filter.commands?.length ?? 0) > 0);
      if (!filtered) {
        const page = await pageRows(this.segmentsDir, channel, ci, from, to, offset, limit);
        if (page) return ok({ total: page.total, offset, rows: page.rows });
      }
      // Filters apply to the range's rows, read once and kept for paging and for other filters.
      const rangeKey = JSON.stringify([channel, from, to]);
      let all = this.#rowCache.find((c) => c.key === rangeKey);
      if (!all) {
        const s = summarize(channel, ci, from, to, 'day');
        const count = s.ok ? s.summary.buckets.reduce((n, b) => n + b.records, 0) : Infinity;
        if (count > MAX_RANGE_RECORDS)
          return invalid(
            `the range holds ${count} records; at most ${MAX_RANGE_RECORDS} can be listed at once: narrow it`,
          );
        all = { key: rangeKey, rows: await rangeRows(this.segmentsDir, channel, ci, from, to, undefined) };
        this.#cacheRows(all);
      }
      let hit = all;
      if (filtered) {
        const key = JSON.stringify([channel, from, to, filter]);
        const cached = this.#rowCache.find((c) => c.key === key);
        hit = cached ?? { key, rows: all.rows.filter((r) => matches(r.record, filter)) };
        if (!cached) this.#cacheRows(hit);
      }
      return ok({ total: hit.rows.length, offset, rows: hit.rows.slice(offset, offset + limit) });
    },

    recordDetail: async ({ channel, key }) => {
      const d = await recordDetail(this.segmentsDir, channel, key);
      return d ? ok(d) : fail('not_found', 'no such record (the key is malformed or its file was merged away)');
    },

    recordingStatus: async () => ok(this.#recordingStatus()),
    recordingTail: async ({ channel, limit }) =>
      ok((this.#recording?.tail(channel, limit) ?? []).map((t) => ({ key: `live:${t.seq}`, record: t.record }))),

    recordingStart: async ({ channels }) => {
      const rec = await this.#ensureRecording();
      if (!rec) return fail('unavailable', 'recording is not available in this process');
      const started = await rec.start(channels);
      if (!started.ok) return fail(started.error.code, started.error.message);
      for (const c of channels) this.#mergeChannels.add(c);
      return ok(rec.status());
    },

    recordingStop: async ({ channels }) => {
      if (!this.#recording) return ok([]);
      await this.#recording.stop(channels);
      return ok(this.#recording.status());
    },

    importStart: async ({ sources }) => {
      const run = this.#opts.importSegments ?? importSegments;
      if (
        [...this.#imports.values()].some(
          (j) => j.progress.phase === 'scanning' || j.progress.phase === 'copying' || j.progress.phase === 'merging',
        )
      )
        return fail('busy', 'an import is already running; wait for it or cancel it');
      const checked = await this.#checkImportSources(sources);
      if (!checked.ok) return checked;
      const importId = `import-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
      this.#runImport(importId, checked.value, run);
      return ok({ importId });
    },

    importCancel: async ({ importId }) => {
      const job = this.#imports.get(importId);
      if (!job) return fail('not_found', 'no such import');
      const running = !['done', 'cancelled', 'failed'].includes(job.progress.phase);
      job.abort.abort();
      await job.done;
      return ok({ cancelled: running && job.progress.phase === 'cancelled' });
    },

    importStatus: async () => ok([...this.#imports.values()].map((j) => structuredClone(j.progress))),

    mergeStatus: async () => ok({ ...this.#merge }),

    indexStatus: async () => ok(this.#index.status),

    getSettings: async () => ok(this.#publicSettings()),

    setSettings: async (patch) => {
      if (patch.segmentsDir !== undefined) {
        if (!this.#opts.allowSegmentsChange)
          return fail('forbidden', 'the archive folder of this server is fixed by its command line');
        if (!path.isAbsolute(patch.segmentsDir))
          return invalid('the archive folder must be an absolute path', patch.segmentsDir);
      }
      const next = { ...this.#settings, ...patch } as Settings;
      const moved = patch.segmentsDir !== undefined && path.resolve(patch.segmentsDir) !== this.#settings.segmentsDir;
      const loginChanged =
        JSON.stringify(next.login) !== JSON.stringify(this.#settings.login) ||
        next.server !== this.#settings.server ||
        next.nodeName !== this.#settings.nodeName ||
        next.fetchImages !== this.#settings.fetchImages ||
        next.fetchMedia !== this.#settings.fetchMedia;
      if ((moved || loginChanged) && this.#recordingStatus().some((r) => r.recording))
        return fail('busy', 'stop recording before changing the archive folder, node name, server, login or images');
      if (moved) next.segmentsDir = path.resolve(next.segmentsDir);
      this.#settings = next;
      await this.#saveSettings();
      if (moved || loginChanged) {
        await this.#recording?.stop();
        this.#recording = null;
      }
      if (moved) {
        await fs.mkdir(next.segmentsDir, { recursive: true });
        this.#openIndex();
        this.#ready = this.#changed(null).catch(() => undefined);
      }
      return ok(this.#publicSettings());
    },

    setToken: async ({ token }) => {
      await this.#secrets.set(token);
      // The recorder took the token when it was made; an idle one is remade on the next start.
      if (this.#recording && !this.isRecording()) this.#recording = null;
      return ok({ hasToken: this.#secrets.has() });
    },

    imageSets: async ({ channel, at }) => ok(await imageSetsAt(this.segmentsDir, channel, at)),

    createSampleArchive: async () => {
      const r = await writeSampleArchive(this.segmentsDir);
      await this.#changed(r.channel);
      return ok(r);
    },

    pickFolder: async () => {
      if (!this.#opts.pickFolder)
        return fail('unavailable', 'there is no folder picker here: type a path on the server instead');
      return ok({ path: await this.#opts.pickFolder() });
    },
  };
}

function errorMessage(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).slice(0, 500);
}

function ioCode(e: unknown): ApiError['code'] {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? 'io' : 'internal';
}
