/** Settings: where the archive lives, who this node is, how it logs in, gap filling. */
import { useEffect, useState, type FormEvent } from 'react';
import { settingsSchema, type Settings, type SettingsView } from '../../app/service/contract.js';
import { api, errorText, isDesktop } from '../api.js';
import { useLoad } from '../hooks.js';
import { Dialog } from '../ui/Dialog.js';
import { ErrorBox, Loading } from '../ui/states.js';

type Form = SettingsView;

/** The settings' fields, from the contract's schema: a new setting is sent without a change here. */
const FIELDS = settingsSchema.keyof().options;

function changed(before: Form, after: Form): Partial<Settings> {
  const out: Record<string, unknown> = {};
  for (const k of FIELDS) if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) out[k] = after[k];
  return out as Partial<Settings>;
}

export function SettingsDialog({ onClose, onSaved }: { onClose: () => void; onSaved: () => void }) {
  const loaded = useLoad('settings', () => api.getSettings({}));
  /** What the service holds: the baseline a save sends the changes from. */
  const [saved, setSaved] = useState<Form | null>(null);
  const [form, setForm] = useState<Form | null>(null);
  const [token, setToken] = useState('');
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (loaded.state !== 'ok') return;
    setSaved(loaded.value);
    setForm(loaded.value);
  }, [loaded.state, loaded.value]);

  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => (f ? { ...f, [k]: v } : f));

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!form || !saved) return;
    setBusy(true);
    setMessage(null);
    const patch = changed(saved, form);
    let ok = true;
    if (Object.keys(patch).length > 0) {
      const res = await api.setSettings(patch);
      if (!res.ok) {
        ok = false;
        setMessage({ kind: 'error', text: errorText(res.error) });
      } else {
        setSaved(res.value);
        setForm(res.value);
      }
    }
    if (ok && form.login.mode === 'token' && token) {
      const res = await api.setToken({ token });
      if (!res.ok) {
        ok = false;
        setMessage({ kind: 'error', text: errorText(res.error) });
      } else {
        setToken('');
        setForm((f) => (f ? { ...f, hasToken: res.value.hasToken } : f));
      }
    }
    setBusy(false);
    if (ok) {
      setMessage({ kind: 'ok', text: 'Saved.' });
      onSaved();
    }
  };

  const forgetToken = async () => {
    const res = await api.setToken({ token: null });
    if (res.ok) setForm((f) => (f ? { ...f, hasToken: false } : f));
    else setMessage({ kind: 'error', text: errorText(res.error) });
  };

  const pick = async () => {
    const res = await api.pickFolder({});
    if (res.ok && res.value.path) set('segmentsDir', res.value.path);
  };

  return (
    <Dialog title="Settings" onClose={onClose} wide>
      {loaded.state === 'error' && !form && (
        <ErrorBox error={loaded.error} what="The settings could not be loaded." onRetry={loaded.reload} />
      )}
      {!form && loaded.state === 'loading' && <Loading label="Loading settings…" />}
      {form && (
        <form className="settings" onSubmit={save}>
          {saved?.problem && (
            <p className="error-text" role="alert">
              {saved.problem}
            </p>
          )}
          <fieldset>
            <legend>Archive</legend>
            <div className="path-row">
              <label className="grow">
                Segments folder
                <input
                  value={form.segmentsDir}
                  onChange={(e) => set('segmentsDir', e.target.value)}
                  spellCheck={false}
                />
              </label>
              {isDesktop && (
                <button type="button" onClick={pick}>
                  Choose…
                </button>
              )}
            </div>
            <label>
              Node name{' '}
              <span className="muted small">(names this machine's receivers in every archive it reaches)</span>
              <input value={form.nodeName} onChange={(e) => set('nodeName', e.target.value)} spellCheck={false} />
            </label>
          </fieldset>
          <fieldset>
            <legend>Chat login</legend>
            <label className="check">
              <input
                type="radio"
                name="login"
                checked={form.login.mode === 'anonymous'}
                onChange={() => set('login', { mode: 'anonymous' })}
              />
              Anonymous (read-only, no account needed)
            </label>
            <label className="check">
              <input
                type="radio"
                name="login"
                checked={form.login.mode === 'token'}
                onChange={() =>
                  set('login', { mode: 'token', username: form.login.mode === 'token' ? form.login.username : '' })
                }
              />
              With an account
            </label>
            {form.login.mode === 'token' && (
              <div className="indent">
                <label>
                  Username
                  <input
                    value={form.login.username}
                    onChange={(e) => set('login', { mode: 'token', username: e.target.value.toLowerCase() })}
                    autoComplete="username"
                  />
                </label>
                <label>
                  OAuth token{' '}
                  {form.hasToken && <span className="muted small">(one is stored; type a new one to replace it)</span>}
                  <input
                    type="password"
                    value={token}
                    onChange={(e) => setToken(e.target.value)}
                    autoComplete="current-password"
                  />
                </label>
                {form.hasToken && (
                  <button type="button" className="link-button" onClick={forgetToken}>
                    Forget the stored token
                  </button>
                )}
              </div>
            )}
            <label>
              Chat server
              <input value={form.server} onChange={(e) => set('server', e.target.value)} spellCheck={false} />
            </label>
          </fieldset>
          <fieldset>
            <legend>Gaps</legend>
            <label className="check">
              <input
                type="checkbox"
                checked={form.historyGapFilling}
                onChange={(e) => set('historyGapFilling', e.target.checked)}
              />
              Fill gaps from the recent-messages history service after a reconnect
            </label>
            <label>
              History service
              <input
                value={form.historyUrl}
                onChange={(e) => set('historyUrl', e.target.value)}
                spellCheck={false}
                disabled={!form.historyGapFilling}
              />
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={form.fetchImages}
                onChange={(e) => set('fetchImages', e.target.checked)}
              />
              Store emote and badge images while recording (Twitch, 7TV, BetterTTV, FrankerFaceZ)
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={form.fetchMedia}
                onChange={(e) => set('fetchMedia', e.target.checked)}
                disabled={!form.fetchImages}
              />
              Also store images and videos linked in messages
            </label>
            {isDesktop && (
              <label className="check">
                <input
                  type="checkbox"
                  checked={form.keepRecordingInTray}
                  onChange={(e) => set('keepRecordingInTray', e.target.checked)}
                />
                Keep recording in the tray when the window closes
              </label>
            )}
          </fieldset>
          {message && (
            <p
              className={message.kind === 'error' ? 'error-text' : 'ok-text'}
              role={message.kind === 'error' ? 'alert' : 'status'}
            >
              {message.text}
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" onClick={onClose}>
              Close
            </button>
            <button type="submit" className="primary" disabled={busy}>
              Save
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
