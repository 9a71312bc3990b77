/**
 * The latest lines of a channel being recorded, as they arrive: a minute reaches the
 * archive (and the timeline) two minutes after it starts, which is too late to see that a
 * recording works. Refetched whenever the recording status says there is something new.
 */
import { useEffect, useState } from 'react';
import type { ApiError, RecordRow } from '../../app/service/contract.js';
import { api, errorText } from '../api.js';
import { UTC_TIME } from '../format.js';
import { useColorScheme } from '../hooks.js';
import { MessageRow, type RowActions } from '../messages/MessageRow.js';
import { NO_MODERATION } from '../messages/use-moderation.js';

const SHOWN = 30;
const NO_ACTIONS: RowActions = { onSelect: () => {}, onJump: () => {} };

export function LiveLines({ channel, version }: { channel: string; version: number }) {
  const [rows, setRows] = useState<RecordRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const scheme = useColorScheme();

  useEffect(() => {
    let stale = false;
    void api.recordingTail({ channel, limit: SHOWN }).then((res) => {
      if (stale) return;
      if (res.ok) {
        setRows(res.value);
        setError(null);
      } else setError(errorText(res.error as ApiError));
    });
    return () => {
      stale = true;
    };
  }, [channel, version]);

  return (
    <section className="live-lines" aria-label={`Latest lines of ${channel}`}>
      <h3 className="small muted">Latest lines (live preview; the timeline shows each minute once it is written)</h3>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {rows && rows.length === 0 && <p className="muted small">No chat lines yet.</p>}
      {rows && rows.length > 0 && (
        <ol className="live-list">
          {[...rows].reverse().map((row, i) => (
            <li key={row.key} data-key={row.key}>
              <MessageRow
                row={row}
                index={i}
                selected={false}
                moderation={NO_MODERATION}
                scheme={scheme}
                actions={NO_ACTIONS}
                timeFormat={UTC_TIME}
              />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
