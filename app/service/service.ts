/**
 * ArchiveService: the one implementation of the contract, used by every transport
 * (Electron IPC, HTTP, the in-process facade). `call` is the boundary: method name and
 * `unknown` arguments in, a `Result` out; it validates once, never throws, and turns every
 * failure into an error the UI can show. The methods below only wire the service's rooms:
 * settings-store, recording, import-jobs, merge-loop, index-cache, record-query, overview.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type {
  ApiError,
  ApiEvent,
  ApiMethods,
  ArchiveApi,
  MethodName,
  Result,
  Settings,
  SettingsView,
  SyncStatus,
} from './contract.js';
import { methods } from './contract.js';
import { apiMethods } from './api-proxy.js';
import { ArchiveIndex } from './index-cache.js';
import { ImportJobs, type ImportFn } from './import-jobs.js';
import { detectSource } from './foreign-import.js';
import { MergeLoop } from './merge-loop.js';
import { channelCoverage, CoverageRecords } from './coverage-query.js';
import { channelInfo, summarize } from './overview.js';
import { RecordsQuery, recordDetail } from './record-query.js';
import { RecordingSession, type RecordingFactory } from './recording.js';
import { writeSampleArchive } from './sample.js';
import { memorySecrets, type SecretStore } from './secrets.js';
import { SettingsStore, changeSettings, type SettingsPatch } from './settings-store.js';
import { errorMessage, fail, invalid, isMethodName, ok, parseArgs, thrownError } from './validate.js';
import { archiveFile, archiveFiles, archiveHours } from './archive-files.js';
import { SyncControl } from './sync-control.js';
import { SyncthingError } from '../sync/rest.js';
import { imageSetsAt } from '../images/viewer-sets.js';

export type { ImportFn } from './import-jobs.js';
export type { RecordingControl, RecordingFactory } from './recording.js';

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
  /** Replication through Syncthing (the Sync panel); absent, its methods answer `unavailable`. */
  sync?: { home: string; settingsFile: string | null; apiKey?: SecretStore };
}

export class ArchiveService {
  /**
   * The API in this process, typed (the desktop's menu, tests): every call goes through
   * `call`, so it is validated and answered like one from a window or over HTTP.
   */
  readonly api: ArchiveApi = {
    ...apiMethods((method, args) => this.call(method, args)),
    onEvent: (listener) => this.onEvent(listener),
  };
  readonly #opts: ServiceOptions;
  readonly #secrets: SecretStore;
  readonly #settings: SettingsStore;
  readonly #listeners = new Set<(e: ApiEvent) => void>();
  readonly #recording: RecordingSession;
  readonly #imports: ImportJobs;
  readonly #merge: MergeLoop;
  readonly #rows = new RecordsQuery();
  readonly #coverage = new CoverageRecords();
  #index!: ArchiveIndex;
  /** The first scan; queries wait for it, later changes arrive incrementally. */
  #ready: Promise<void> = Promise.resolve();
  #closed = false;
  #sync: SyncControl | null = null;

  private constructor(opts: ServiceOptions, settings: SettingsStore) {
    this.#opts = opts;
    this.#secrets = opts.secrets ?? memorySecrets();
    this.#settings = settings;
    this.#openIndex();
    const segments = () => this.segmentsDir;
    this.#recording = new RecordingSession({
      factory: opts.recording,
      settings: () => this.#settings.current,
      secrets: this.#secrets,
      onStatus: (status) => this.#emit({ type: 'recording', status }),
      started: (channels) => this.#merge.add(channels),
      remember: async (channels) => {
        const current = this.#settings.current;
        await this.#settings.save({ ...current, channels: [...current.channels, ...channels].slice(0, 100) });
      },
      filesWritten: (paths) => this.#filesWritten(paths),
    });
    this.#imports = new ImportJobs({
      segments,
      run: opts.importSegments,
      onProgress: (progress) => this.#emit({ type: 'import', progress }),
      finished: async () => {
        await this.#changed(null);
        this.#merge.add(this.#index.channelNames());
      },
    });
    this.#merge = new MergeLoop({
      segments,
      intervalMs: opts.mergeIntervalMs ?? 60_000,
      changed: (channel) => this.#changed(channel),
      rescan: () => this.#index.scan(),
      onStatus: (status) => this.#emit({ type: 'merge', status }),
    });
  }

  /** Loads settings, starts the first index scan (in the background) and the merge loop. */
  static async create(opts: ServiceOptions): Promise<ArchiveService> {
    const segmentsDir = path.resolve(opts.segmentsDir);
    const settings = await SettingsStore.load(opts.settingsFile, segmentsDir, !!opts.allowSegmentsChange);
    await fs.mkdir(settings.current.segmentsDir, { recursive: true });
    const service = new ArchiveService(opts, settings);
    service.#ready = service.#index.scan().catch(() => undefined);
    if (opts.sync)
      service.#sync = await SyncControl.create({
        ...opts.sync,
        apiKey: opts.sync.apiKey ?? memorySecrets(),
        segments: () => service.segmentsDir,
        merge: (channels) => service.#mergeArrivals(channels),
        onStatus: (status) => service.#emit({ type: 'sync', status }),
      });
    const { recordOnLaunch, channels } = settings.current;
    if (recordOnLaunch && channels.length && opts.recording) void service.#recording.start(channels);
    return service;
  }

  get segmentsDir(): string {
    return this.#settings.current.segmentsDir;
  }

  get settings(): Readonly<Settings> {
    return this.#settings.current;
  }

  /** Why the settings file could not be used at start (see SettingsStore.load); null when it could. */
  get settingsProblem(): string | null {
    return this.#settings.problem;
  }

  isRecording(): boolean {
    return this.#recording.isRecording();
  }

  /** The boundary: validates, dispatches, and never throws. */
  async call(method: string, rawArgs: unknown, opts: { readOnly?: boolean } = {}): Promise<Result<unknown>> {
    if (typeof method !== 'string' || !isMethodName(method))
      return fail('not_found', `no such method: ${String(method).slice(0, 64)}`);
    if (opts.readOnly && methods[method].writes)
      return fail('forbidden', `${method} changes the archive; this server is read-only`);
    if (this.#closed) return fail('unavailable', 'the archive service is shutting down');
    try {
      return await this.#dispatch(method, rawArgs);
    } catch (e) {
      return thrownError(e);
    }
  }

  #dispatch<M extends MethodName>(method: M, rawArgs: unknown): Promise<Result<unknown>> {
    const args = parseArgs(method, rawArgs);
    return args.ok ? this.#impl[method](args.value) : Promise.resolve(args);
  }

  onEvent(listener: (e: ApiEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Rescans the archive folder now (tests, benchmarks): the index then holds every file on disk. */
  scanned(): Promise<void> {
    return this.#index.scan();
  }

  /** Cancels imports, stops recording (writing every open batch), lets a running merge finish. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const merged = this.#merge.close();
    await this.#imports.close();
    await this.#recording.close();
    await this.#sync?.close();
    await merged;
  }

  readonly #impl: ApiMethods = {
    listChannels: async () => {
      const unreadable = await this.#scannedOrWhy();
      if (unreadable) return unreadable;
      const names = new Set([...this.#index.channelNames(), ...this.#recording.status().map((r) => r.channel)]);
      return ok([...names].sort().map((c) => channelInfo(c, this.#index.channel(c))));
    },
    summary: async ({ channel, from, to, resolution }) => {
      await this.#ready;
      const s = summarize(channel, this.#index.channel(channel), from, to, resolution);
      return s.ok ? ok(s.summary) : invalid(s.message);
    },
    coverage: async ({ channel, from, to }) => {
      await this.#ready;
      return ok(
        await channelCoverage(this.segmentsDir, channel, this.#index.channel(channel), this.#coverage, from, to),
      );
    },
    records: async (args) => {
      await this.#ready;
      return this.#rows.page(this.segmentsDir, this.#index.channel(args.channel), args);
    },
    recordDetail: async ({ channel, key }) => {
      const d = await recordDetail(this.segmentsDir, channel, key);
      return d ? ok(d) : fail('not_found', 'no such record (the key is malformed or its file was merged away)');
    },
    recordingStatus: async () => ok(this.#recording.status()),
    recordingTail: async ({ channel, limit }) => ok(this.#recording.tail(channel, limit)),
    recordingStart: ({ channels }) => this.#recording.start(channels),
    recordingStop: ({ channels }) => this.#recording.stop(channels),
    importStart: (args) => this.#imports.start(args),
    detectFormat: ({ path: p }) => detectSource(p),
    importCancel: ({ importId }) => this.#imports.cancel(importId),
    importStatus: async () => ok(this.#imports.status()),
    mergeStatus: async () => ok(this.#merge.status),
    indexStatus: async () => ok(this.#index.status),
    getSettings: async () => ok(this.#publicSettings()),
    setSettings: (patch) => this.#setSettings(patch),
    setToken: async ({ token }) => {
      await this.#secrets.set(token);
      this.#recording.tokenChanged();
      return ok({ hasToken: this.#secrets.has() });
    },
    imageSets: async ({ channel, at }) => ok(await imageSetsAt(this.segmentsDir, channel, at)),
    createSampleArchive: async () => {
      const r = await writeSampleArchive(this.segmentsDir);
      await this.#changed(r.channel);
      return ok(r);
    },
    archiveHours: async ({ channel }) => ok(await archiveHours(this.segmentsDir, channel)),
    archiveFiles: async ({ channel, hours }) => ok(await archiveFiles(this.segmentsDir, channel, hours)),
    archiveFile: async ({ channel, hour, name }) => {
      const f = await archiveFile(this.segmentsDir, channel, hour, name);
      return f ? ok(f) : fail('not_found', 'no such batch file (merged away since it was listed?)');
    },
    syncStatus: () => this.#syncCall((s) => s.refresh()),
    syncStart: () => this.#syncCall((s) => s.start()),
    syncStop: () => this.#syncCall((s) => s.stop()),
    syncConfigure: (patch) => this.#syncCall((s) => s.configure(patch)),
    syncSetApiKey: ({ apiKey }) => this.#syncCall((s) => s.setApiKey(apiKey)),
    syncAddPeer: (peer) => this.#syncCall((s) => s.addPeer(peer)),
    syncRemovePeer: ({ deviceId }) => this.#syncCall((s) => s.removePeer(deviceId)),
    pickFolder: async () => {
      if (!this.#opts.pickFolder)
        return fail('unavailable', 'there is no folder picker here: type a path on the server instead');
      return ok({ path: await this.#opts.pickFolder() });
    },
  };

  /**
   * Waits for the first scan. When the last scan could not read the archive folder, an
   * empty index is no answer: one more scan (a retry from the UI) or the error.
   */
  async #scannedOrWhy(): Promise<{ ok: false; error: ApiError } | null> {
    await this.#ready;
    if (!this.#index.failed) return null;
    await (this.#ready = this.#index.scan().catch(() => undefined));
    return this.#index.failed
      ? fail('io', this.#index.status.error ?? 'the archive folder cannot be read', this.segmentsDir)
      : null;
  }

  /** Files of these channels arrived through sync: merged by a run that starts after they arrived, then shown. */
  async #mergeArrivals(channels: string[]): Promise<void> {
    this.#merge.add(channels);
    await this.#merge.runFresh();
    for (const c of channels) await this.#changed(c);
  }

  /** A sync method: `unavailable` where this process has no sync, Syncthing's failures in plain words. */
  async #syncCall(fn: (sync: SyncControl) => Promise<SyncStatus>): Promise<Result<SyncStatus>> {
    if (!this.#sync) return fail('unavailable', 'replication through Syncthing is not available here');
    try {
      return ok(await fn(this.#sync));
    } catch (e) {
      return e instanceof SyncthingError ? fail('unavailable', errorMessage(e)) : thrownError(e);
    }
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

  #openIndex(): void {
    const indexDir =
      this.#opts.indexDir === undefined ? path.join(this.segmentsDir, '.chat-archiver', 'index') : this.#opts.indexDir;
    this.#index = new ArchiveIndex(this.segmentsDir, {
      cacheDir: indexDir,
      onProgress: (status) => this.#emit({ type: 'index', status }),
    });
    this.#rows.clear();
  }

  /** Files changed (of one channel, or anywhere): rescan and tell the clients. */
  async #changed(channel: string | null): Promise<void> {
    await this.#index.scan();
    this.#rows.clear();
    const channels = channel ? [channel] : this.#index.channelNames();
    for (const c of channels) this.#emit({ type: 'archiveChanged', channel: c, hours: [] });
  }

  /** New batch files from the recorder: re-list just their hours. */
  async #filesWritten(paths: string[]): Promise<void> {
    for (const { channel, hours } of this.#index.hoursOf(paths)) {
      await this.#index.refresh(channel, hours);
      this.#rows.clear();
      this.#emit({ type: 'archiveChanged', channel, hours });
    }
  }

  #publicSettings(): SettingsView {
    return { ...this.#settings.current, hasToken: this.#secrets.has(), problem: this.#settings.problem };
  }

  async #setSettings(patch: SettingsPatch): Promise<Result<SettingsView>> {
    const change = changeSettings(this.#settings.current, patch, !!this.#opts.allowSegmentsChange);
    if (!change.ok) return change;
    const { next, moved, recorderChanged } = change.value;
    if (recorderChanged && this.#recording.isRecording())
      return fail('busy', 'stop recording before changing the archive folder, node name, server, login or images');
    await this.#settings.save(next);
    if (recorderChanged) await this.#recording.reset();
    if (moved) {
      await fs.mkdir(next.segmentsDir, { recursive: true });
      this.#openIndex();
      this.#ready = this.#changed(null).catch(() => undefined);
    }
    return ok(this.#publicSettings());
  }
}
