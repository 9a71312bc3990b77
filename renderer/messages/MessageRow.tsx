/** One record in the list: time (or range with its bar), command, sender, text, provenance. */
import { memo, type CSSProperties, type ReactNode } from 'react';
import type { RecordRow } from '../../app/service/contract.js';
import { isReconstructed } from '../../app/rules.js';
import {
  clock,
  clockIn,
  clockMs,
  delay,
  duration,
  fidelityWords,
  nodeOf,
  receiverLabel,
  timeLabel,
  timeLabelIn,
  zoneWord,
  type TimeFormat,
} from '../format.js';
import { actionText, badgeList, commandWord, isModeration, login, recordText, senderName } from './describe.js';
import { Badge, EmoteText, type EmoteView } from './EmoteText.js';
import type { Moderation } from './use-moderation.js';
import { removedBy } from './moderation.js';
import { userColor, type Scheme } from './user-color.js';

/** A range bar is full at one minute (a batch); JOIN/PART ranges are close to that. */
const FULL_BAR_SECONDS = 60;

export interface RowActions {
  onSelect: (row: RecordRow, index: number) => void;
  onJump: (key: string, time: number) => void;
}

/** One chip per receiver, always in the same order (by receiver id), named by node and connection number. */
function Provenance({ row }: { row: RecordRow }) {
  const r = row.record;
  const ids = Object.keys(r.receivers).sort();
  const nodes = ids.map(nodeOf);
  return (
    <span className="chips" aria-label={`Received by ${ids.length} receiver${ids.length === 1 ? '' : 's'}`}>
      {ids.map((id, i) => {
        const own = r.receiver_ranges[id] ?? [r.time, r.time_range];
        const node = nodes[i]!;
        // Two connections of one node (a reconnect overlap) need their connection number to tell apart.
        const label = nodes.indexOf(node) !== nodes.lastIndexOf(node) ? receiverLabel(id) : node;
        const d = delay(r.receivers[id]! - r.time);
        const ownRange = `own range ${timeLabel(own[0], own[1])}${own[1] ? ` (${own[1]} s)` : ' (exact)'}`;
        const fidelity = fidelityWords(id);
        return (
          <span
            key={id}
            className={fidelity ? 'chip chip-reconstruction' : 'chip'}
            data-receiver={id}
            title={`${receiverLabel(id)} (${id})\nreceived ${clockMs(r.receivers[id]!)} UTC (${d})\n${ownRange}${fidelity ? `\n${fidelity}` : ''}`}
          >
            {label} <span className="chip-delay">{d}</span>
          </span>
        );
      })}
    </span>
  );
}

function TimeCell({ time, range, format }: { time: number; range: number; format: TimeFormat }) {
  if (range === 0)
    return (
      <span className="time" title={`${clockMs(time)} UTC`}>
        {clockIn(time, format)}
      </span>
    );
  const fraction = Math.min(range, FULL_BAR_SECONDS) / FULL_BAR_SECONDS;
  return (
    <span
      className="time time-range"
      title={`sent between ${clock(time)} and ${clock(time + range)} UTC (${range} s); ${zoneWord(format)}`}
    >
      {timeLabelIn(time, range, format)}
      <span className="range-bar" aria-hidden="true">
        <span className="range-fill" style={{ '--fraction': fraction } as CSSProperties} />
      </span>
    </span>
  );
}

export const MessageRow = memo(function MessageRow({
  row,
  index,
  selected,
  moderation,
  scheme,
  actions,
  timeFormat,
  emotes = null,
}: {
  row: RecordRow;
  index: number;
  selected: boolean;
  moderation: Moderation;
  scheme: Scheme;
  actions: RowActions;
  timeFormat: TimeFormat;
  /** Emotes and badges as images from the archive; null (the default) shows their text codes. */
  emotes?: EmoteView | null;
}) {
  const r = row.record;
  const who = login(r);
  const removed = removedBy(moderation.index, r);
  const targets = isModeration(r.command) ? moderation.targets.get(row.key) : undefined;
  const lastTarget = targets?.[targets.length - 1];
  const text = recordText(r);
  const isAction = r.command === 'PRIVMSG' && actionText(r.params[1] ?? '') !== null;
  const color = who ? userColor(typeof r.tags?.color === 'string' ? r.tags.color : null, who, scheme) : undefined;
  const classes = [
    'msg',
    `cmd-${r.command.toLowerCase()}`,
    removed ? 'removed' : '',
    isModeration(r.command) ? 'moderation' : '',
  ];
  return (
    <div
      className={classes.filter(Boolean).join(' ')}
      data-selected={selected || undefined}
      data-key={row.key}
      onClick={() => actions.onSelect(row, index)}
    >
      <div className="msg-line">
        <TimeCell time={r.time} range={r.time_range} format={timeFormat} />
        <span className="command" title={r.command}>
          {commandWord(r)}
        </span>
        <span className="content">
          {badgeList(r).map((b) => (
            <Badge key={b.key} label={b.label} image={emotes?.sets?.badges[b.key]} />
          ))}
          <span
            className={who ? 'name' : 'name name-server'}
            style={color ? ({ '--user-color': color } as CSSProperties) : undefined}
          >
            {senderName(r)}
          </span>
          <span className={isAction ? 'text text-action' : 'text'}>
            {emotes && r.command === 'PRIVMSG' ? <EmoteText text={text} tag={r.tags?.emotes} view={emotes} /> : text}
          </span>
        </span>
      </div>
      <div className="msg-meta">
        {isReconstructed(r.receivers) && (
          <span
            className="reconstructed"
            title="No receiver captured this line raw: it was rebuilt or estimated from another tool's log"
          >
            reconstructed
          </span>
        )}
        <Provenance row={row} />
        {removed && (
          <JumpLink onJump={() => actions.onJump(removed.key, removed.time)}>
            {removed.command === 'CLEARMSG'
              ? 'deleted'
              : removed.seconds
                ? `timed out ${duration(removed.seconds)}`
                : 'banned'}{' '}
            at {clock(removed.time)} ↗
          </JumpLink>
        )}
        {targets && targets.length > 0 && lastTarget && (
          <JumpLink onJump={() => actions.onJump(lastTarget.key, lastTarget.record.time)}>
            {targets.length} struck ↑
          </JumpLink>
        )}
      </div>
    </div>
  );
});

/**
 * A link between a moderation event and its targets; the row's own click does not fire.
 * Not a button: a list option may not hold controls (its children are presentational), and
 * the keyboard way is the same link in the details panel (Enter on the row).
 */
function JumpLink({ onJump, children }: { onJump: () => void; children: ReactNode }) {
  return (
    <span
      className="link-button mod-link"
      onClick={(e) => {
        e.stopPropagation();
        onJump();
      }}
    >
      {children}
    </span>
  );
}
