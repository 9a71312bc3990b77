/**
 * Sync: this node's device ID to give to peers, the peers with their state, adding and
 * removing them, how far the archive has arrived, and how this node syncs (its own
 * Syncthing, or one the user runs). Everything comes from `SyncStatus`; errors in plain words.
 */
import { useState, type FormEvent } from 'react';
import type { Result, SyncSettings, SyncStatus } from '../../app/service/contract.js';
import { api } from '../api.js';
import { useApiAction } from '../hooks.js';
import { count } from '../format.js';
import { Dialog } from '../ui/Dialog.js';
import { STATE_WORDS, bytes, normalizeDeviceId, peerState } from './words.js';

export function SyncSidebar({ status, onOpen }: { status: SyncStatus | null; onOpen: () => void }) {
  if (!status) return null;
  const connected = status.peers.filter((p) => p.connected).length;
  return (
    <section className="sync-sidebar" aria-label="Sync status">
      <h2 className="sidebar-title">Sync</h2>
      <p className="small">
        <span
          className={`dot ${status.state === 'running' ? (connected ? 'dot-live' : 'dot-connecting') : status.state === 'error' ? 'dot-error' : 'dot-idle'}`}
          aria-hidden="true"
        />{' '}
        {STATE_WORDS[status.state]}
        {status.state === 'running' && (
          <span className="muted">
            {' '}
            · {connected}/{status.peers.length} peer{status.peers.length === 1 ? '' : 's'}
            {status.folder && status.folder.needFiles > 0 ? ` · ${count(status.folder.needFiles)} files to come` : ''}
          </span>
        )}
      </p>
      {status.error && <p className="small error-text">{status.error}</p>}
      <button type="button" className="link-button" onClick={onOpen}>
        Manage sync…
      </button>
    </section>
  );
}

export function SyncDialog({
  status,
  onStatus,
  onClose,
}: {
  status: SyncStatus | null;
  onStatus: (s: SyncStatus) => void;
  onClose: () => void;
}) {
  const { busy, error, setError, run } = useApiAction(onStatus);
  const [copied, setCopied] = useState(false);
  const [peer, setPeer] = useState({ deviceId: '', address: '', name: '' });
  const now = Date.now() / 1000;

  if (!status) return null;
  const running = status.state === 'running';

  const addPeer = async (e: FormEvent) => {
    e.preventDefault();
    const args = {
      deviceId: normalizeDeviceId(peer.deviceId),
      ...(peer.address.trim() ? { address: peer.address.trim() } : {}),
      ...(peer.name.trim() ? { name: peer.name.trim() } : {}),
    };
    if (await run(() => api.syncAddPeer(args))) setPeer({ deviceId: '', address: '', name: '' });
  };

  const copyId = async () => {
    if (!status.deviceId) return;
    try {
      await navigator.clipboard.writeText(status.deviceId);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      setError('Copying was refused here: select the ID and copy it by hand.');
    }
  };

  return (
    <Dialog title="Sync" onClose={onClose} wide>
      <div className="sync-head">
        <span className={`pill ${running ? 'pill-live' : ''}`} role="status">
          {STATE_WORDS[status.state]}
        </span>
        <span className="muted small">
          {status.settings.mode === 'managed'
            ? 'This app runs its own Syncthing.'
            : `Using your Syncthing at ${status.settings.attachUrl}.`}
        </span>
        {running || status.state === 'starting' ? (
          <button type="button" disabled={busy} onClick={() => void run(() => api.syncStop({}))}>
            Stop syncing
          </button>
        ) : (
          <button type="button" className="primary" disabled={busy} onClick={() => void run(() => api.syncStart({}))}>
            Start syncing
          </button>
        )}
      </div>
      {(error ?? status.error) && (
        <p className="error-text" role="alert">
          {error ?? status.error}
        </p>
      )}

      {status.deviceId && (
        <section aria-label="This node">
          <h3>This node</h3>
          <p className="small muted">Give this device ID to the people you sync with; they add it as a peer.</p>
          <div className="device-id">
            <code className="mono" aria-label="This node's device ID">
              {status.deviceId}
            </code>
            <button type="button" onClick={() => void copyId()}>
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
          {status.listening.length > 0 && (
            <p className="small muted">Peers reach it at {status.listening.join(', ')}.</p>
          )}
          {status.listenErrors.map((e) => (
            <p key={e} className="small error-text">
              {e} (change the listen address below)
            </p>
          ))}
        </section>
      )}

      {status.folder && (
        <section aria-label="Archive">
          <h3>Archive</h3>
          <p className="small">
            {status.folder.completion.toFixed(status.folder.completion === 100 ? 0 : 1)} % here
            {status.folder.needFiles > 0
              ? `, ${count(status.folder.needFiles)} file${status.folder.needFiles === 1 ? '' : 's'} (${bytes(status.folder.needBytes)}) still arriving`
              : ', nothing waiting'}{' '}
            <span className="muted">(Syncthing: {status.folder.state})</span>
          </p>
          {status.folder.errors.map((e) => (
            <p key={e.path} className="small error-text">
              {e.path}: {e.error}
            </p>
          ))}
        </section>
      )}

      {running && (
        <section aria-label="Peers">
          <h3>Peers</h3>
          {status.peers.length === 0 && <p className="muted small">No peers yet: add one below.</p>}
          <ul className="peer-list">
            {status.peers.map((p) => (
              <li key={p.deviceId} className="peer" aria-label={`Peer ${p.name || p.deviceId}`}>
                <div className="peer-head">
                  <span
                    className={`dot ${p.connected ? 'dot-live' : p.error ? 'dot-error' : 'dot-idle'}`}
                    aria-hidden="true"
                  />
                  <strong>{p.name || p.deviceId.slice(0, 7)}</strong>
                  <span className="small">{peerState(p, now)}</span>
                  <button
                    type="button"
                    disabled={busy}
                    aria-label={`Remove peer ${p.name || p.deviceId}`}
                    onClick={() => void run(() => api.syncRemovePeer({ deviceId: p.deviceId }))}
                  >
                    Remove
                  </button>
                </div>
                <div className="small muted mono">
                  {p.deviceId} · {p.addresses.join(', ')}
                </div>
                {p.error && <div className="small error-text">Cannot connect: {p.error}</div>}
              </li>
            ))}
          </ul>
          {status.pending.map((d) => (
            <p key={d.deviceId} className="small pending-device">
              <strong>{d.name || d.deviceId.slice(0, 7)}</strong> ({d.address}) wants to connect.{' '}
              <button
                type="button"
                className="link-button"
                onClick={() => setPeer({ deviceId: d.deviceId, address: '', name: d.name })}
              >
                Add it as a peer…
              </button>
            </p>
          ))}
          <form className="add-peer" onSubmit={addPeer}>
            <label>
              Device ID
              <input
                value={peer.deviceId}
                onChange={(e) => setPeer({ ...peer, deviceId: e.target.value })}
                placeholder="XXXXXXX-XXXXXXX-…"
                aria-label="Peer device ID"
                className="mono"
                required
              />
            </label>
            <label>
              Address <span className="muted">(optional)</span>
              <input
                value={peer.address}
                onChange={(e) => setPeer({ ...peer, address: e.target.value })}
                placeholder="tcp://192.0.2.7:22000"
                title="Where the peer listens; leave empty to find it by discovery"
                aria-label="Peer address"
              />
            </label>
            <label>
              Name <span className="muted">(optional)</span>
              <input
                value={peer.name}
                onChange={(e) => setPeer({ ...peer, name: e.target.value })}
                aria-label="Peer name"
                maxLength={64}
              />
            </label>
            <button type="submit" className="primary" disabled={busy}>
              Add peer
            </button>
          </form>
        </section>
      )}

      <SyncSettingsForm status={status} busy={busy} run={run} />
    </Dialog>
  );
}

function SyncSettingsForm({
  status,
  busy,
  run,
}: {
  status: SyncStatus;
  busy: boolean;
  run: (call: () => Promise<Result<SyncStatus>>) => Promise<boolean>;
}) {
  const [s, setS] = useState<SyncSettings>(status.settings);
  const [apiKey, setApiKey] = useState('');
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (apiKey && !(await run(() => api.syncSetApiKey({ apiKey })))) return;
    setApiKey('');
    await run(() => api.syncConfigure(s));
  };
  return (
    <details className="sync-settings">
      <summary>How this node syncs</summary>
      <form onSubmit={save}>
        <fieldset>
          <legend>Syncthing</legend>
          <label className="check">
            <input
              type="radio"
              name="sync-mode"
              checked={s.mode === 'managed'}
              onChange={() => setS({ ...s, mode: 'managed' })}
            />
            This app runs its own (installed Syncthing needed)
          </label>
          <label className="check">
            <input
              type="radio"
              name="sync-mode"
              checked={s.mode === 'attached'}
              onChange={() => setS({ ...s, mode: 'attached' })}
            />
            Use the Syncthing I already run
          </label>
        </fieldset>
        {s.mode === 'managed' ? (
          <>
            <label>
              Listen address (where peers reach this node)
              <input value={s.listen} onChange={(e) => setS({ ...s, listen: e.target.value })} />
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={s.discovery}
                onChange={(e) => setS({ ...s, discovery: e.target.checked })}
              />
              Find peers by discovery (LAN and internet), relays and NAT traversal
            </label>
          </>
        ) : (
          <>
            <label>
              Syncthing address
              <input value={s.attachUrl} onChange={(e) => setS({ ...s, attachUrl: e.target.value })} />
            </label>
            <label>
              API key {status.hasApiKey && <span className="muted">(saved; type a new one to replace it)</span>}
              <input type="password" value={apiKey} autoComplete="off" onChange={(e) => setApiKey(e.target.value)} />
            </label>
          </>
        )}
        <div className="dialog-actions">
          <button type="submit" disabled={busy}>
            Save
          </button>
        </div>
      </form>
    </details>
  );
}
