/**
 * The real recorder behind the service's recording methods, configured from the settings:
 * with images fetched while recording (settings `fetchImages`, `fetchMedia`) and, when a
 * metrics registry is given (`serve`), watched by it.
 */
import { Recorder } from '../record/recorder.js';
import { observeAll } from '../record/observer.js';
import { LiveImages, type LiveImagesOptions } from '../images/live.js';
import type { ChannelRecording, Settings } from './contract.js';
import type { RecordingControl, RecordingFactory } from './service.js';
import type { ArchiveMetrics } from './metrics.js';

export interface RecordingExtras {
  metrics?: ArchiveMetrics;
  /** Where images come from and how they are fetched (tests point these at fake servers). */
  images?: Pick<LiveImagesOptions, 'sources' | 'allowLoopback' | 'retry' | 'memoryFile'>;
}

/**
 * A Recorder plus the live image fetcher of its recording. Images start with the first
 * channel and stop (their queue dropped, `chat-archiver emotes` catches up) when the last
 * channel stops, so an idle app makes no requests.
 */
class RecordingWithImages implements RecordingControl {
  readonly recorder: Recorder;
  private images: LiveImages | null = null;

  constructor(
    private readonly settings: Settings,
    private readonly token: string | null,
    private readonly extras: RecordingExtras,
  ) {
    this.recorder = new Recorder({
      segments: settings.segmentsDir,
      nodeName: settings.nodeName,
      server: settings.server,
      ...(settings.login.mode === 'token' && token ? { username: settings.login.username, token } : {}),
      ...(settings.historyGapFilling ? { historyUrl: settings.historyUrl } : {}),
      observer: observeAll(extras.metrics?.observer, {
        lineStored: (channel, _receiver, line) => this.images?.noteLine(channel, line),
      }),
    });
    extras.metrics?.watchRecorder(this.recorder);
    extras.metrics?.watchImages(() => this.images?.stats() ?? { queued: 0, running: 0, dropped: 0 });
  }

  async start(channels: string[]) {
    if (this.settings.fetchImages && !this.images)
      this.images = new LiveImages({
        segments: this.settings.segmentsDir,
        ...this.extras.images,
        thirdParty: true,
        badgeToken: this.settings.login.mode === 'token' && this.token ? { token: this.token } : null,
        media: this.settings.fetchMedia,
        onOutcome: this.extras.metrics?.imageOutcome,
      });
    return this.recorder.start(channels);
  }

  async stop(channels?: string[]) {
    await this.recorder.stop(channels);
    if (this.recorder.status().length === 0 && this.images) {
      const images = this.images;
      this.images = null;
      await images.close();
    }
  }

  status(): ChannelRecording[] {
    return this.recorder.status();
  }

  tail(channel: string, limit: number) {
    return this.recorder.tail(channel, limit);
  }

  on(event: 'status', listener: (status: ChannelRecording[]) => void): this;
  on(event: 'filesWritten', listener: (paths: string[]) => void): this;
  on(event: string, listener: (arg: never) => void): this {
    this.recorder.on(event, listener as (...args: unknown[]) => void);
    return this;
  }
}

export const recordingFactory =
  (extras: RecordingExtras = {}): RecordingFactory =>
  (settings, token) =>
    new RecordingWithImages(settings, token, extras);

export const recordWithRecorder: RecordingFactory = recordingFactory();
