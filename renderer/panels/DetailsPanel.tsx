/** Every field of the selected record, who received it when, and its IRC line. */
import { useState } from 'react';
import type { RecordDetail, RecordRow } from '../../app/service/contract.js';
import { api } from '../api.js';
import { clock, clockMs, delay, duration, fidelityWords, fullTime, nodeOf, timeLabel } from '../format.js';
import { useLoad } from '../hooks.js';
import type { Moderation } from '../messages/use-moderation.js';
import { removedBy } from '../messages/moderation.js';
import { ErrorBox, Loading } from '../ui/states.js';

interface Props {
  channel: string;
  recordKey: string;
  moderation: Moderation;
  onClose: () => void;
  onJump: (key: string, time: number) => void;
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState<'copied' | 'failed' | null>(null);
  return (
    <button
      type="button"
      aria-label={label}
      onClick={() =>
        navigator.clipboard.writeText(text).then(
          () => setDone('copied'),
          () => setDone('failed'),
        )
      }
    >
      {done === 'copied' ? 'Copied' : done === 'failed' ? 'Copy failed: select the text' : 'Copy'}
    </button>
  );
}

const show = (v: unknown) => (v === null ? 'null' : typeof v === 'string' ? v : JSON.stringify(v));

function Fields({ d }: { d: RecordDetail }) {
  const r = d.record;
  const known = new Set([
    'command',
    'params',
    'sender',
    'user',
    'host',
    'tags',
    'time',
    'time_range',
    'receivers',
    'receiver_ranges',
  ]);
  const extras = Object.keys(r).filter((k) => !known.has(k));
  const rows: Array<[string, string]> = [
    ['command', r.command],
    ...r.params.map((p, i): [string, string] => [`params[${i}]`, p]),
    ['sender', show(r.sender)],
    ['user', show(r.user)],
    ['host', show(r.host)],
    ['time', `${r.time} (${fullTime(r.time)})`],
    ['time_range', `${r.time_range}${r.time_range === 0 ? ' (exact)' : ` s: until ${clock(r.time + r.time_range)}`}`],
    ...extras.map((k): [string, string] => [k, show(r[k])]),
    ['file', d.file],
  ];
  const tags = Object.entries(r.tags ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return (
    <>
      <table className="fields">
        <caption>Fields</caption>
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="fields">
        <caption>Tags {r.tags === null ? '(none: the line had no tags)' : `(${tags.length})`}</caption>
        <tbody>
          {tags.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{v === true ? '(no value)' : v === '' ? '""' : v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Receivers({ d }: { d: RecordDetail }) {
  const list = [...d.receivers].sort((a, b) => a.receivedAt - b.receivedAt);
  return (
    <table className="receivers">
      <caption>Receivers ({list.length})</caption>
      <thead>
        <tr>
          <th scope="col">Receiver</th>
          <th scope="col">Received</th>
          <th scope="col">Own range</th>
        </tr>
      </thead>
      <tbody>
        {list.map((x) => (
          <tr key={x.id}>
            <td>
              <strong>{nodeOf(x.id)}</strong>
              <br />
              <span className="muted mono">{x.id}</span>
              {fidelityWords(x.id) && (
                <>
                  <br />
                  <span className="muted">{fidelityWords(x.id)}</span>
                </>
              )}
            </td>
            <td className="mono">
              {clockMs(x.receivedAt)}
              <br />
              <span className="muted">{delay(x.receivedAt - d.record.time)}</span>
            </td>
            <td className="mono">
              {timeLabel(x.range[0], x.range[1])}
              <br />
              <span className="muted">{x.range[1] === 0 ? 'exact' : `${x.range[1]} s`}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ModerationLinks({
  row,
  moderation,
  onJump,
}: {
  row: RecordRow;
  moderation: Moderation;
  onJump: Props['onJump'];
}) {
  const by = removedBy(moderation.index, row.record);
  const targets = moderation.targets.get(row.key);
  return (
    <>
      {by && (
        <p className="mod-note">
          Removed by{' '}
          <button type="button" className="link-button" onClick={() => onJump(by.key, by.time)}>
            {by.command} at {clock(by.time)}
            {by.seconds ? ` (timeout ${duration(by.seconds)})` : by.command === 'CLEARCHAT' ? ' (ban)' : ''}
          </button>
        </p>
      )}
      {targets && (
        <div className="mod-note">
          {targets.length === 0 ? (
            <p>No earlier message of this user in the selected span.</p>
          ) : (
            <>
              <p>
                Struck through {targets.length} message{targets.length === 1 ? '' : 's'}:
              </p>
              <ul>
                {targets.map((t) => (
                  <li key={t.key}>
                    <button type="button" className="link-button" onClick={() => onJump(t.key, t.record.time)}>
                      {clockMs(t.record.time)} {t.record.params[1]?.slice(0, 60)}
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </>
  );
}

export function DetailsPanel({ channel, recordKey, moderation, onClose, onJump }: Props) {
  const detail = useLoad(`${channel}\n${recordKey}`, () => api.recordDetail({ channel, key: recordKey }));
  const d = detail.value?.key === recordKey ? detail.value : null;
  return (
    <aside className="details" aria-label="Record details">
      <header className="details-head">
        <h2>{d ? d.record.command : 'Details'}</h2>
        <button type="button" className="icon-button" aria-label="Close details" onClick={onClose}>
          ×
        </button>
      </header>
      {detail.state === 'error' && (
        <ErrorBox error={detail.error} what="The record could not be loaded." onRetry={detail.reload} />
      )}
      {!d && detail.state === 'loading' && <Loading label="Loading the record…" />}
      {d && (
        <div className="details-body">
          <p className="details-time">
            <span className="mono">{fullTime(d.record.time)}</span>
            <br />
            {d.record.time_range === 0
              ? 'exact: the server stamped it (tmi-sent-ts)'
              : `sent some time in ${timeLabel(d.record.time, d.record.time_range)} (${d.record.time_range} s): no server timestamp, so this is the intersection of every receiver's estimate`}
          </p>
          <ModerationLinks row={{ key: d.key, record: d.record }} moderation={moderation} onJump={onJump} />
          <Receivers d={d} />
          <section className="irc-line" aria-label="IRC line">
            <div className="irc-head">
              <h3>IRC line (reconstructed)</h3>
              <CopyButton text={d.ircLine} label="Copy the IRC line" />
            </div>
            <pre className="mono">{d.ircLine}</pre>
          </section>
          <Fields d={d} />
        </div>
      )}
    </aside>
  );
}
