/** Recording: the sidebar's live summary, and the panel to add, start and stop channels. */
import { useState, type FormEvent } from 'react';
import type { ChannelRecording, ConnectionState } from '../../app/service/contract.js';
import { breaks, CHANNEL, normalizeChannel } from '../../app/rules.js';
import { api } from '../api.js';
import { useApiAction } from '../hooks.js';
import { clock, count } from '../format.js';
import { Dialog } from '../ui/Dialog.js';
import { LiveLines } from './LiveLines.js';

const STATE_WORDS: Record<ConnectionState, string> = {
  connecting: 'connecting…',
  connected: 'connected',
  reconnecting: 'reconnecting…',
  stopped: 'stopped',
  error: 'failed',
};

const linesPerMinute = (c: ChannelRecording) => c.connections.reduce((s, x) => s + x.linesPerMinute, 0);
const live = (c: ChannelRecording) => c.connections.filter((x) => x.state === 'connected').length;

export function RecordingSidebar({ status, onOpen }: { status: ChannelRecording[]; onOpen: () => void }) {
  const active = status.filter((c) => c.recording || c.lastError);
  return (
    <section className="recording-sidebar" aria-label="Recording status">
      <h2 className="sidebar-title">Recording</h2>
      {active.length === 0 ? (
        <p className="muted small">Not recording.</p>
      ) : (
        <ul>
          {active.map((c) => (
            <li key={c.channel} className={c.lastError ? 'rec rec-error' : 'rec'}>
              <span
                className={`dot ${c.recording && live(c) ? 'dot-live' : c.lastError ? 'dot-error' : 'dot-idle'}`}
                aria-hidden="true"
              />
              <strong>{c.channel}</strong>{' '}
              <span className="muted">{c.recording ? (live(c) ? 'live' : 'connecting') : 'stopped'}</span>
              <div className="small muted">
                {count(Math.round(linesPerMinute(c)))} lines/min · {c.connections.length} receiver
                {c.connections.length === 1 ? '' : 's'}
              </div>
              {c.lastError && <div className="small error-text">{c.lastError}</div>}
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="link-button" onClick={onOpen}>
        Manage recording…
      </button>
    </section>
  );
}

export function RecordingDialog({
  status,
  onStatus,
  onClose,
}: {
  status: ChannelRecording[];
  onStatus: (s: ChannelRecording[]) => void;
  onClose: () => void;
}) {
  const [name, setName] = useState('');
  const { busy, error, setError, run } = useApiAction(onStatus);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    const channel = normalizeChannel(name);
    const wrong = breaks(CHANNEL, channel);
    if (wrong) {
      setError(wrong);
      return;
    }
    if (await run(() => api.recordingStart({ channels: [channel] }))) setName('');
  };

  const recording = status.filter((c) => c.recording);
  return (
    <Dialog title="Recording" onClose={onClose} wide>
      <form className="add-channel" onSubmit={add}>
        <label>
          Channel
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="channel name"
            aria-label="Channel to record"
            maxLength={26}
          />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          Start recording
        </button>
        {recording.length > 0 && (
          <button type="button" disabled={busy} onClick={() => void run(() => api.recordingStop({}))}>
            Stop all
          </button>
        )}
      </form>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {status.length === 0 && (
        <p className="muted">Not recording any channel. Type a channel's name above to start recording its chat.</p>
      )}
      <ul className="recording-list">
        {status.map((c) => (
          <li key={c.channel} className="recording-item" aria-label={`Channel ${c.channel}`}>
            <div className="recording-head">
              <strong>#{c.channel}</strong>
              <span className={c.recording ? 'pill pill-live' : 'pill'}>{c.recording ? 'recording' : 'stopped'}</span>
              <span
                className="muted small"
                title="Each minute of chat is written to the archive two minutes after it starts, once late lines from the server can no longer arrive; lines are safe in the journal before that."
              >
                {count(c.filesWritten)} files written
              </span>
              {c.recording ? (
                <button
                  type="button"
                  disabled={busy}
                  aria-label={`Stop recording ${c.channel}`}
                  onClick={() => void run(() => api.recordingStop({ channels: [c.channel] }))}
                >
                  Stop
                </button>
              ) : (
                <button
                  type="button"
                  disabled={busy}
                  aria-label={`Start recording ${c.channel}`}
                  onClick={() => void run(() => api.recordingStart({ channels: [c.channel] }))}
                >
                  Start
                </button>
              )}
            </div>
            {c.lastError && (
              <p className="error-text" role="alert">
                {c.lastError}
              </p>
            )}
            {c.connections.length > 0 && (
              <table className="connections">
                <caption className="visually-hidden">Connections of {c.channel}</caption>
                <thead>
                  <tr>
                    <th scope="col">Receiver</th>
                    <th scope="col">State</th>
                    <th scope="col">Lines/min</th>
                    <th scope="col">Last line</th>
                  </tr>
                </thead>
                <tbody>
                  {c.connections.map((x) => (
                    <tr key={x.receiverId} data-state={x.state}>
                      <td className="mono">{x.receiverId}</td>
                      <td>
                        <span className={`dot dot-${x.state}`} aria-hidden="true" /> {STATE_WORDS[x.state]}
                      </td>
                      <td>{count(Math.round(x.linesPerMinute))}</td>
                      <td className="mono">{x.lastLineAt === null ? 'none yet' : `${clock(x.lastLineAt)} UTC`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {c.recording && <LiveLines channel={c.channel} version={c.tailVersion} />}
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
