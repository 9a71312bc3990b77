/**
 * Filters: command kind, user, text (applied by the service), over the selected span or,
 * with "whole channel", over all of it (choosing a hit then jumps to its minute).
 */
import type { ArgsOf } from '../../app/service/contract.js';

export interface FilterState {
  kind: string;
  user: string;
  text: string;
}

export const NO_FILTER: FilterState = { kind: '', user: '', text: '' };

const KINDS: Array<{ value: string; label: string; commands: string[] }> = [
  { value: 'messages', label: 'Messages', commands: ['PRIVMSG'] },
  { value: 'joins', label: 'Joins and parts', commands: ['JOIN', 'PART'] },
  { value: 'moderation', label: 'Moderation', commands: ['CLEARCHAT', 'CLEARMSG'] },
  { value: 'events', label: 'Subs and announcements', commands: ['USERNOTICE'] },
  { value: 'notices', label: 'Notices and room state', commands: ['NOTICE', 'ROOMSTATE', 'USERSTATE', 'HOSTTARGET'] },
];

export function toQueryFilter(f: FilterState): ArgsOf<'records'>['filter'] {
  const commands = KINDS.find((k) => k.value === f.kind)?.commands;
  const user = f.user.trim().toLowerCase();
  const text = f.text.trim();
  if (!commands && !user && !text) return undefined;
  return { ...(commands && { commands }), ...(user && { user }), ...(text && { text }) };
}

export const isFiltered = (f: FilterState) => toQueryFilter(f) !== undefined;

export const TEXT_FILTER_ID = 'text-filter';

export function Filters({
  value,
  onChange,
  all,
  onAll,
}: {
  value: FilterState;
  onChange: (f: FilterState) => void;
  all: boolean;
  onAll: (all: boolean) => void;
}) {
  return (
    <div className="filters" role="search" aria-label="Filter messages">
      <select
        aria-label="Command kind"
        value={value.kind}
        onChange={(e) => onChange({ ...value, kind: e.target.value })}
      >
        <option value="">All kinds</option>
        {KINDS.map((k) => (
          <option key={k.value} value={k.value}>
            {k.label}
          </option>
        ))}
      </select>
      <input
        type="search"
        aria-label="Filter by user"
        placeholder="user"
        maxLength={64}
        value={value.user}
        onChange={(e) => onChange({ ...value, user: e.target.value })}
      />
      <input
        id={TEXT_FILTER_ID}
        type="search"
        aria-label="Filter by text"
        placeholder="text  ( / )"
        maxLength={500}
        value={value.text}
        onChange={(e) => onChange({ ...value, text: e.target.value })}
      />
      {isFiltered(value) && (
        <>
          <label className="check">
            <input type="checkbox" checked={all} onChange={(e) => onAll(e.target.checked)} />
            Whole channel
          </label>
          <button type="button" className="link-button" onClick={() => onChange(NO_FILTER)}>
            Clear filters
          </button>
        </>
      )}
    </div>
  );
}
