/** The real recorder behind the service's recording methods, configured from the settings. */
import { Recorder } from '../record/recorder.js';
import type { RecordingFactory } from './service.js';

export const recordWithRecorder: RecordingFactory = (settings, token) =>
  new Recorder({
    segments: settings.segmentsDir,
    nodeName: settings.nodeName,
    server: settings.server,
    ...(settings.login.mode === 'token' && token ? { username: settings.login.username, token } : {}),
    ...(settings.historyGapFilling ? { historyUrl: settings.historyUrl } : {}),
  });
