/**
 * Recording: the sidebar's live summary, and the panel to add, start, stop and remove
 * channels. The state is honest: red with the reason in plain words as soon as a connection
 * fails, and a countdown to the next try.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { ChannelRecording, ConnectionState } from '../../app/service/contract.js';
import { breaks, CHANNEL, normalizeChannel } from '../../app/rules.js';
import { api, errorText } from '../api.js';
import { clock, count, receiverLabel, secondsLabel } from '../format.js';
import { useApiAction, useLoad } from '../hooks.js';
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
/** Recording, but no connection in the channel: what the user must see at once. */
const failing = (c: ChannelRecording) => c.recording && live(c) === 0 && c.lastError !== null;

/** The clock, ticking every second while something counts down. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now() / 1000);
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now() / 1000), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

/** `retrying in 12 s`, or `retrying now` once the time has come. */
function Retry({ at }: { at: number | null }) {
  const now = useNow(at !== null);
  if (at === null) return null;
  const left = Math.ceil(at - now);
  return <span className="retry">{left > 0 ? `retrying in ${left} s` : 'retrying now'}</span>;
}

function stateWord(c: ChannelRecording): string {
  if (!c.recording) return c.lastError ? 'stopped after an error' : 'stopped';
  if (live(c)) return 'live';
  return c.lastError ? 'not recording' : 'connecting';
}

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
            <li
              key={c.channel}
              className={failing(c) ? 'rec rec-error' : 'rec'}
              data-state={failing(c) ? 'error' : stateWord(c)}
            >
              <span
                className={`dot ${c.recording && live(c) ? 'dot-live' : c.lastError ? 'dot-error' : 'dot-idle'}`}
                aria-hidden="true"
              />
              <strong>{c.channel}</strong> <span className={failing(c) ? 'error-text' : 'muted'}>{stateWord(c)}</span>
              {live(c) > 0 && (
                <div className="small muted">
                  {count(Math.round(linesPerMinute(c)))} lines/min · {live(c)} connection{live(c) === 1 ? '' : 's'}
                </div>
              )}
              {c.lastError && (live(c) === 0 || !c.recording) && (
                <div className="small error-text" role="alert">
                  {c.lastError}
                </div>
              )}
              {c.recording && c.retryAt !== null && (
                <div className="small">
                  <Retry at={c.retryAt} />
                </div>
              )}
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

/** "Start recording on launch", saved in the settings. */
function LaunchOption() {
  const settings = useLoad('settings', () => api.getSettings({}));
  const [on, setOn] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  const value = on ?? settings.value?.recordOnLaunch ?? false;
  return (
    <label className="check">
      <input
        type="checkbox"
        checked={value}
        disabled={!settings.value}
        onChange={async (e) => {
          const next = e.target.checked;
          setOn(next);
          const res = await api.setSettings({ recordOnLaunch: next });
          if (!res.ok) {
            setOn(!next);
            setError(errorText(res.error));
          } else setError(null);
        }}
      />
      Start recording these channels when the app starts
      {error && <span className="error-text"> {error}</span>}
    </label>
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

  const remove = async (channel: string) => {
    const settings = await api.getSettings({});
    if (!settings.ok) return setError(errorText(settings.error));
    const res = await api.setSettings({ channels: settings.value.channels.filter((c) => c !== channel) });
    if (!res.ok) return setError(errorText(res.error));
    const now = await api.recordingStatus({});
    if (now.ok) onStatus(now.value);
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
      {status.length === 0 ? (
        <p className="muted">No channels yet. Type a channel's name above to start recording its chat.</p>
      ) : (
        <LaunchOption />
      )}
      <ul className="recording-list">
        {status.map((c) => (
          <li key={c.channel} className="recording-item" aria-label={`Channel ${c.channel}`}>
            <div className="recording-head">
              <strong>#{c.channel}</strong>
              <span className={failing(c) ? 'pill pill-error' : c.recording ? 'pill pill-live' : 'pill'}>
                {c.recording ? (failing(c) ? 'not recording' : 'recording') : 'stopped'}
              </span>
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
                <>
                  <button
                    type="button"
                    disabled={busy}
                    aria-label={`Start recording ${c.channel}`}
                    onClick={() => void run(() => api.recordingStart({ channels: [c.channel] }))}
                  >
                    Start
                  </button>
                  <button
                    type="button"
                    disabled={busy}
                    aria-label={`Remove ${c.channel} from the list`}
                    onClick={() => void remove(c.channel)}
                  >
                    Remove
                  </button>
                </>
              )}
            </div>
            {c.lastError && (live(c) === 0 || !c.recording) && (
              <p className="error-text" role="alert">
                {c.lastError} {c.recording && <Retry at={c.retryAt} />}
              </p>
            )}
            {c.lastFill && (
              <p className="small muted">
                Filled {count(c.lastFill.lines)} line{c.lastFill.lines === 1 ? '' : 's'} from the history service (
                {receiverLabel(c.lastFill.receiverId)}){' '}
                {c.lastFill.from === null
                  ? `from before ${clock(c.lastFill.to)} UTC`
                  : `for the gap ${secondsLabel(c.lastFill.from, c.lastFill.to)}`}
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
                      <td>
                        {receiverLabel(x.receiverId)} <span className="mono muted">{x.receiverId}</span>
                      </td>
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
