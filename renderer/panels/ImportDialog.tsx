/**
 * Import another node's folder: pick it, watch the copy and merge progress, read the
 * summary. The service does the work; this follows its events (and polls as a fallback,
 * so a missed event cannot leave the bar stuck).
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ImportProgress } from '../../app/service/contract.js';
import { api, errorText, isDesktop } from '../api.js';
import { count } from '../format.js';
import { useApiEvent } from '../hooks.js';
import { Dialog } from '../ui/Dialog.js';

const PHASE_WORDS: Record<ImportProgress['phase'], string> = {
  scanning: 'Looking through the folder…',
  copying: 'Copying batch files…',
  merging: 'Merging into the archive…',
  done: 'Import finished',
  cancelled: 'Import cancelled',
  failed: 'Import failed',
};

const finished = (p: ImportProgress) => p.phase === 'done' || p.phase === 'cancelled' || p.phase === 'failed';

function Counts({ p }: { p: ImportProgress }) {
  const items: Array<[string, number]> = [
    ['Files checked', p.filesChecked],
    ['Copied', p.copied],
    ['Already present', p.alreadyPresent],
    ['Quarantined', p.quarantined.length],
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
    const res = await api.importStart({ sources: [path.trim()] });
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
    <Dialog title="Import a folder" onClose={onClose} wide>
      {!importId && (
        <form className="import-form" onSubmit={start}>
          <p>
            Import another node's segments folder (or a copy of it). Its batch files are checked, copied and merged:
            nothing in this archive is lost, files that are not valid batches are quarantined and listed.
          </p>
          <div className="path-row">
            <label className="grow">
              Folder {isDesktop ? '' : 'on the machine running the service'}
              <input
                value={path}
                onChange={(e) => setPath(e.target.value)}
                placeholder="/path/to/segments"
                aria-label="Folder to import"
                spellCheck={false}
              />
            </label>
            {isDesktop && (
              <button type="button" onClick={pick}>
                Choose folder…
              </button>
            )}
          </div>
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
          <progress
            aria-label="Import progress"
            max={Math.max(1, progress?.filesTotal ?? 1)}
            value={done ? Math.max(1, progress.filesTotal) : (progress?.filesChecked ?? 0)}
          />
          {progress && (
            <p className="muted small">
              {count(progress.filesChecked)} of {count(progress.filesTotal)} files checked
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
