/** The real recorder behind the service's recording methods, configured from the settings. */
import { Recorder } from '../record/recorder.js';
import type { RecordingFactory } from './service.js';
import type { ChannelRecording } from './contract.js';

export const recordWithRecorder: RecordingFactory = (settings, token) =>
  new Recorder({
    segments: settings.segmentsDir,
    nodeName: settings.nodeName,
    server: settings.server,
    ...(settings.login.mode === 'token' && token ? { username: settings.login.username, token } : {}),
    ...(settings.historyGapFilling ? { historyUrl: settings.historyUrl } : {}),
  });

/**
 * The recording panel's list: every saved channel, stopped ones included (Stop does not
 * forget a channel; removing it from the list does), in the saved order, then any channel
 * the recorder runs that is not saved.
 */
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
