/**
 * Import another node's folder, or chat another tool recorded: pick it, see the format told
 * from it (or choose one), watch the progress, read the summary. The service does the work;
 * this follows its events (and polls as a fallback, so a missed event cannot leave the bar stuck).
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { FormatDetection, ImportFormat, ImportProgress } from '../../app/service/contract.js';
import { api, errorText, isDesktop } from '../api.js';
import { count } from '../format.js';
import { useApiEvent } from '../hooks.js';
import { Dialog } from '../ui/Dialog.js';

const PHASE_WORDS: Record<ImportProgress['phase'], string> = {
  scanning: 'Looking through the source…',
  copying: 'Reading and copying…',
  merging: 'Merging into the archive…',
  done: 'Import finished',
  cancelled: 'Import cancelled',
  failed: 'Import failed',
};

export const FORMAT_WORDS: Record<ImportFormat, string> = {
  segments: "Another node's segments folder",
  justlog: 'justlog logs folder',
  irc: 'Raw IRC log (rustlog, justlog ?raw, other loggers)',
  twitchdownloader: 'TwitchDownloader chat JSON',
  chatterino: 'Chatterino logs',
  'recent-messages': 'recent-messages answer (JSON)',
};

const finished = (p: ImportProgress) => p.phase === 'done' || p.phase === 'cancelled' || p.phase === 'failed';

function Counts({ p }: { p: ImportProgress }) {
  const items: Array<[string, number]> = [
    ['Files checked', p.filesChecked],
    [p.linesImported === undefined ? 'Copied' : 'With new lines', p.copied],
    ['Already present', p.alreadyPresent],
    [p.linesImported === undefined ? 'Quarantined' : 'With lines not imported', p.quarantined.length],
    ...(p.linesImported === undefined ? [] : [['Lines imported', p.linesImported] as [string, number]]),
    ['Records merged', p.recordsMerged],
    ['New observations', p.newObservations],
  ];
  return (
    <dl className="import-counts">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{count(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

export function ImportDialog({ onClose, onFinished }: { onClose: () => void; onFinished: () => void }) {
  const [path, setPath] = useState('');
  const [format, setFormat] = useState<ImportFormat | 'auto'>('auto');
  const [channel, setChannel] = useState('');
  const [node, setNode] = useState('');
  const [timezone, setTimezone] = useState('');
  const [detected, setDetected] = useState<FormatDetection | null>(null);
  const [importId, setImportId] = useState<string | null>(null);
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // A quick import can report before importStart has answered with its id.
  const seen = useRef(new Map<string, ImportProgress>());
  useApiEvent((e) => {
    if (e.type !== 'import') return;
    seen.current.set(e.progress.importId, e.progress);
    if (e.progress.importId === importId) setProgress(e.progress);
  });
  useEffect(() => {
    if (!importId || (progress && finished(progress))) return;
    const t = setInterval(() => {
      void api.importStatus({}).then((res) => {
        const p = res.ok ? res.value.find((x) => x.importId === importId) : undefined;
        if (p) setProgress((old) => (old && finished(old) ? old : p));
      });
    }, 1000);
    return () => clearInterval(t);
  }, [importId, progress]);
  const done = progress !== null && finished(progress);
  useEffect(() => {
    if (done) onFinished();
    // Once per finished import, whatever the parent passes.
  }, [done]);

  // What the source is, told by the service as soon as the path stops changing.
  useEffect(() => {
    setDetected(null);
    const p = path.trim();
    if (!p) return;
    let live = true;
    const t = setTimeout(() => {
      void api.detectFormat({ path: p }).then((res) => {
        if (live) setDetected(res.ok ? res.value : { format: null, reason: errorText(res.error) });
      });
    }, 300);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [path]);
  const effective = format === 'auto' ? detected?.format : format;
  const foreign = effective !== undefined && effective !== null && effective !== 'segments';

  const pick = async () => {
    const res = await api.pickFolder({});
    if (res.ok && res.value.path) setPath(res.value.path);
    else if (!res.ok) setError(errorText(res.error));
  };

  const start = async (e: FormEvent) => {
    e.preventDefault();
    if (!path.trim()) return setError('Choose the folder to import first.');
    setBusy(true);
    setError(null);
    setProgress(null);
    const opt = (v: string) => (foreign && v.trim() ? v.trim() : undefined);
    const res = await api.importStart({
      sources: [path.trim()],
      ...(format === 'auto' ? {} : { format }),
      channel: opt(channel.replace(/^#/, '').toLowerCase()),
      node: opt(node),
      timezone: effective === 'chatterino' ? opt(timezone) : undefined,
    });
    setBusy(false);
    if (res.ok) {
      setImportId(res.value.importId);
      setProgress(seen.current.get(res.value.importId) ?? null);
    } else setError(errorText(res.error));
  };

  const cancel = async () => {
    if (!importId) return;
    const res = await api.importCancel({ importId });
    if (!res.ok) setError(errorText(res.error));
  };

  const running = importId !== null && !done;
  return (
    <Dialog title="Import" onClose={onClose} wide>
      {!importId && (
        <form className="import-form" onSubmit={start}>
          <p>
            Import another node's segments folder, or chat another tool recorded (justlog, Chatterino, TwitchDownloader,
            raw IRC logs, a recent-messages answer): each source becomes its own receiver. Everything is checked and
            merged; nothing in this archive is lost, and lines that cannot be read are listed.
          </p>
          <div className="path-row">
            <label className="grow">
              File or folder {isDesktop ? '' : 'on the machine running the service'}
              <input
                value={path}
                onChange={(e) => setPath(e.target.value)}
                placeholder="/path/to/segments or /path/to/logs"
                aria-label="File or folder to import"
                spellCheck={false}
              />
            </label>
            {isDesktop && (
              <button type="button" onClick={pick}>
                Choose folder…
              </button>
            )}
          </div>
          <p className="detected" role="status" aria-label="Detected format">
            {!path.trim()
              ? ''
              : detected === null
                ? 'Looking at it…'
                : detected.format
                  ? `Detected: ${FORMAT_WORDS[detected.format]} — ${detected.reason}`
                  : `Not recognised: ${detected.reason}`}
          </p>
          <label>
            Format
            <select value={format} onChange={(e) => setFormat(e.target.value as ImportFormat | 'auto')}>
              <option value="auto">
                Detect{detected?.format ? ` (${FORMAT_WORDS[detected.format]})` : ' automatically'}
              </option>
              {(Object.keys(FORMAT_WORDS) as ImportFormat[]).map((f) => (
                <option key={f} value={f}>
                  {FORMAT_WORDS[f]}
                </option>
              ))}
            </select>
          </label>
          {foreign && (
            <fieldset>
              <legend>Other tool's chat</legend>
              <label>
                Channel (only this one; and the channel of files that do not name theirs)
                <input
                  value={channel}
                  onChange={(e) => setChannel(e.target.value)}
                  placeholder="optional"
                  spellCheck={false}
                />
              </label>
              <label>
                Receiver name (first part of the new receiver id; default: the format)
                <input
                  value={node}
                  onChange={(e) => setNode(e.target.value)}
                  placeholder="optional"
                  spellCheck={false}
                />
              </label>
              {effective === 'chatterino' && (
                <label>
                  Time zone for logs whose header does not give one (Europe/Berlin, +01:00)
                  <input
                    value={timezone}
                    onChange={(e) => setTimezone(e.target.value)}
                    placeholder="optional"
                    spellCheck={false}
                  />
                </label>
              )}
            </fieldset>
          )}
          <button type="submit" className="primary" disabled={busy || !path.trim()}>
            Start import
          </button>
        </form>
      )}
      {importId && (
        <div className="import-progress">
          <p role="status" aria-live="polite">
            <strong>{progress ? PHASE_WORDS[progress.phase] : 'Starting…'}</strong>
          </p>
          {progress?.bytesTotal !== undefined ? (
            <progress
              aria-label="Import progress"
              max={Math.max(1, progress.bytesTotal)}
              value={done ? Math.max(1, progress.bytesTotal) : (progress.bytesRead ?? 0)}
            />
          ) : (
            <progress
              aria-label="Import progress"
              max={Math.max(1, progress?.filesTotal ?? 1)}
              value={done ? Math.max(1, progress.filesTotal) : (progress?.filesChecked ?? 0)}
            />
          )}
          {progress && (
            <p className="muted small">
              {count(progress.filesChecked)} of {count(progress.filesTotal)} files checked
              {progress.bytesTotal !== undefined &&
                ` (${(Math.min(progress.bytesRead ?? 0, progress.bytesTotal) / 1e6).toFixed(1)} of ${(progress.bytesTotal / 1e6).toFixed(1)} MB)`}
            </p>
          )}
          {progress && <Counts p={progress} />}
          {progress?.error && (
            <p className="error-text" role="alert">
              {progress.error}
            </p>
          )}
          {progress && progress.quarantined.length > 0 && (
            <details open={done}>
              <summary>
                {progress.quarantined.length} file{progress.quarantined.length === 1 ? '' : 's'} quarantined
              </summary>
              <ul className="quarantine">
                {progress.quarantined.map((q) => (
                  <li key={q.path}>
                    <span className="mono">{q.path}</span>: {q.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
          <div className="dialog-actions">
            {running && (
              <button type="button" onClick={cancel}>
                Cancel import
              </button>
            )}
            {done && (
              <button type="button" className="primary" onClick={onClose}>
                Done
              </button>
            )}
          </div>
        </div>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}
