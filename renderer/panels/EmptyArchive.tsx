/** First run: nothing archived yet, two ways to start. */
import { useState } from 'react';
import type { ApiError } from '../../app/service/contract.js';
import { api } from '../api.js';
import { ErrorBox } from '../ui/states.js';

export function EmptyArchive({ onCreated, onRecord }: { onCreated: (channel: string) => void; onRecord: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const openSample = async () => {
    setBusy(true);
    setError(null);
    const res = await api.createSampleArchive({});
    setBusy(false);
    if (res.ok) onCreated(res.value.channel);
    else setError(res.error);
  };
  return (
    <section className="empty-archive" aria-label="Empty archive">
      <h2>The archive is empty</h2>
      <p>
        Record a channel's chat to start an archive, or open the sample archive to look around: 800 real chat lines of
        #nymn from January 2024, timeouts included.
      </p>
      <div className="empty-actions">
        <button type="button" className="primary" onClick={onRecord}>
          Record a channel
        </button>
        <button type="button" onClick={openSample} disabled={busy}>
          {busy ? 'Creating the sample…' : 'Open the sample archive'}
        </button>
      </div>
      {error && <ErrorBox error={error} what="The sample archive could not be created." />}
    </section>
  );
}
