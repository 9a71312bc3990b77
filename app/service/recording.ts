/**
 * The service's recording: the recorder is made from the settings on the first start (with
 * the token, when logging in), kept while they hold, and remade after they change. Index
 * refreshes for the files it writes are tracked so that closing waits for them.
 *
 * The real recorder stores the images of what it records (settings `fetchImages`,
 * `fetchMedia`) and, given a metrics registry (`serve`, `record --metrics`), is watched by it.
 */
import { Recorder, type RecorderOptions } from '../record/recorder.js';
import { observeAll } from '../record/observer.js';
import { LiveImages, type LiveImagesOptions } from '../images/live.js';
import type { ChannelRecording, RecordRow, Result, Settings } from './contract.js';
import type { ArchiveMetrics } from './metrics.js';
import type { SecretStore } from './secrets.js';
import { fail, ok } from './validate.js';

/** What the service needs from the recorder (a test may hand it another one of this shape). */
export type RecordingControl = Pick<Recorder, 'start' | 'stop' | 'status' | 'tail' | 'on'>;
export type RecordingFactory = (settings: Settings, token: string | null) => RecordingControl;

/** The recorder's options from the settings: the one mapping, for the service and `chat-archiver record`. */
export function recorderOptions(settings: Readonly<Settings>, token: string | null): RecorderOptions {
  return {
    segments: settings.segmentsDir,
    nodeName: settings.nodeName,
    server: settings.server,
    ...(settings.login.mode === 'token' && token ? { username: settings.login.username, token } : {}),
    ...(settings.historyGapFilling ? { historyUrl: settings.historyUrl } : {}),
  };
}

export interface RecordingExtras {
  metrics?: ArchiveMetrics;
  /**
   * How images are fetched (the command line's flags; tests point the sources at fake
   * servers). Whether they are, media too, and the badges' token come from the settings.
   */
  images?: Omit<LiveImagesOptions, 'segments' | 'media' | 'badgeToken' | 'onOutcome'> & { clientId?: string };
}

/**
 * A Recorder plus the live image fetcher of its recording. Images start with the first
 * channel and stop (their queue dropped, `chat-archiver emotes` catches up) when the last
 * channel stops, so an idle app makes no requests.
 */
export class RecorderWithImages extends Recorder {
  readonly #settings: Readonly<Settings>;
  readonly #token: string | null;
  readonly #extras: RecordingExtras;
  /** Shared with the observer, which the recorder is made with before `this` exists. */
  readonly #live: { images: LiveImages | null };

  constructor(settings: Readonly<Settings>, token: string | null, extras: RecordingExtras = {}) {
    const live: { images: LiveImages | null } = { images: null };
    super({
      ...recorderOptions(settings, token),
      observer: observeAll(extras.metrics?.observer, {
        lineStored: (channel, _receiver, line) => live.images?.noteLine(channel, line),
      }),
    });
    this.#settings = settings;
    this.#token = token;
    this.#extras = extras;
    this.#live = live;
    extras.metrics?.watchRecorder(this);
    extras.metrics?.watchImages(() => live.images?.stats() ?? { queued: 0, running: 0, dropped: 0 });
  }

  override async start(channels: string[]) {
    const s = this.#settings;
    if (s.fetchImages && !this.#live.images) {
      const { clientId, ...images } = this.#extras.images ?? {};
      const token = s.login.mode === 'token' ? this.#token : null;
      this.#live.images = new LiveImages({
        segments: s.segmentsDir,
        thirdParty: true,
        ...images,
        badgeToken: token ? { token, clientId } : null,
        media: s.fetchMedia,
        onOutcome: this.#extras.metrics?.imageOutcome,
      });
    }
    const started = await super.start(channels);
    if (!started.ok) await this.#idleImages();
    return started;
  }

  override async stop(channels?: string[]) {
    await super.stop(channels);
    await this.#idleImages();
  }

  /** Nothing is recorded: no more image requests. */
  async #idleImages(): Promise<void> {
    const images = this.#live.images;
    if (!images || this.status().length > 0) return;
    this.#live.images = null;
    await images.close();
  }
}

/** Recorders that store images, watched by `metrics` when given. */
export const recordingFactory =
  (extras: RecordingExtras = {}): RecordingFactory =>
  (settings, token) =>
    new RecorderWithImages(settings, token, extras);

/** The real recorder, configured from the settings. */
export const recordWithRecorder: RecordingFactory = recordingFactory();

export interface RecordingSessionOptions {
  /** None: recording is not available in this process. */
  factory?: RecordingFactory;
  settings(): Readonly<Settings>;
  secrets: SecretStore;
  onStatus(status: ChannelRecording[]): void;
  /** Channels started: the merge loop settles them from now on. */
  started(channels: string[]): void;
  /** Channels started that the saved list lacks: the service adds them to the settings. */
  remember(channels: string[]): Promise<void>;
  /** New batch files: the index re-lists their hours. */
  filesWritten(paths: string[]): Promise<void>;
}

export class RecordingSession {
  readonly #opts: RecordingSessionOptions;
  #recorder: RecordingControl | null = null;
  /** Index refreshes for files the recorder wrote, still running: close waits for them. */
  readonly #refreshes = new Set<Promise<void>>();

  constructor(opts: RecordingSessionOptions) {
    this.#opts = opts;
  }

  /**
   * The recording panel's list: every saved channel, stopped ones included (Stop does not
   * forget a channel; removing it from the list does), in the saved order, then any channel
   * the recorder runs that is not saved.
   */
  status(): ChannelRecording[] {
    return withSavedChannels(this.#recorder?.status() ?? [], this.#opts.settings().channels);
  }

  isRecording(): boolean {
    return this.status().some((r) => r.recording);
  }

  /** The latest lines of a channel being recorded, keyed `live:<n>` (they have no file yet). */
  tail(channel: string, limit: number): RecordRow[] {
    return (this.#recorder?.tail(channel, limit) ?? []).map((t) => ({ key: `live:${t.seq}`, record: t.record }));
  }

  async start(channels: string[]): Promise<Result<ChannelRecording[]>> {
    const rec = await this.#ensureRecorder();
    if (!rec) return fail('unavailable', 'recording is not available in this process');
    const started = await rec.start(channels);
    if (!started.ok) return fail(started.error.code, started.error.message);
    this.#opts.started(channels);
    const saved = this.#opts.settings().channels;
    const fresh = channels.filter((c) => !saved.includes(c));
    if (fresh.length) await this.#opts.remember(fresh);
    return ok(this.status());
  }

  async stop(channels?: string[]): Promise<Result<ChannelRecording[]>> {
    await this.#recorder?.stop(channels);
    return ok(this.status());
  }

  /** The settings the recorder was made with changed: it stops, and the next start makes a new one. */
  async reset(): Promise<void> {
    await this.#recorder?.stop();
    this.#recorder = null;
  }

  /** The recorder took the token when it was made; an idle one is remade on the next start. */
  tokenChanged(): void {
    if (this.#recorder && !this.isRecording()) this.#recorder = null;
  }

  /** Stops recording (writing every open batch) and waits for the index to take the last files. */
  async close(): Promise<void> {
    await this.#recorder?.stop();
    await Promise.allSettled([...this.#refreshes]);
  }

  async #ensureRecorder(): Promise<RecordingControl | null> {
    if (this.#recorder) return this.#recorder;
    if (!this.#opts.factory) return null;
    const settings = this.#opts.settings();
    const token = settings.login.mode === 'token' ? await this.#opts.secrets.get() : null;
    const rec = this.#opts.factory(settings, token);
    rec.on('status', () => this.#opts.onStatus(this.status()));
    rec.on('filesWritten', (paths) => {
      const p = this.#opts.filesWritten(paths).catch(() => undefined);
      this.#refreshes.add(p);
      void p.finally(() => this.#refreshes.delete(p));
    });
    this.#recorder = rec;
    return rec;
  }
}

/** Saved channels that are not recording, as idle entries, in the saved order; then the rest. */
export function withSavedChannels(status: ChannelRecording[], saved: readonly string[]): ChannelRecording[] {
  const by = new Map(status.map((s) => [s.channel, s]));
  const idle = (channel: string): ChannelRecording => ({
    channel,
    recording: false,
    connections: [],
    filesWritten: 0,
    lastError: null,
    tailVersion: 0,
    retryAt: null,
    lastFill: null,
  });
  return [...saved.map((c) => by.get(c) ?? idle(c)), ...status.filter((s) => !saved.includes(s.channel))];
}
