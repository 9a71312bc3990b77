/**
 * CLEARCHAT and CLEARMSG against the messages they remove. A CLEARCHAT naming a user
 * removes that user's messages sent before it; a CLEARMSG removes the message whose id
 * it names. Pure: built from the moderation records of a span, asked per row.
 */
import type { ChatRecord } from '../../app/service/contract.js';
import type { RecordRow } from '../../app/service/contract.js';
import { login } from './describe.js';

export interface ModerationEvent {
  key: string;
  time: number;
  command: 'CLEARCHAT' | 'CLEARMSG';
  /** The user whose messages it removes (CLEARCHAT), or the removed message's author (CLEARMSG). */
  target: string | null;
  targetMsgId: string | null;
  /** Timeout length in seconds; null for a ban or a deletion. */
  seconds: number | null;
}

export interface ModerationIndex {
  /** Per target user, that user's CLEARCHATs in time order. */
  byUser: Map<string, ModerationEvent[]>;
  byMsgId: Map<string, ModerationEvent>;
  byKey: Map<string, ModerationEvent>;
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);

function moderationEvent(row: RecordRow): ModerationEvent | null {
  const r = row.record;
  if (r.command === 'CLEARCHAT') {
    const secs = str(r.tags?.['ban-duration']);
    return {
      key: row.key,
      time: r.time,
      command: 'CLEARCHAT',
      target: r.params[1]?.toLowerCase() ?? null,
      targetMsgId: null,
      seconds: secs ? Number(secs) : null,
    };
  }
  if (r.command === 'CLEARMSG') {
    return {
      key: row.key,
      time: r.time,
      command: 'CLEARMSG',
      target: str(r.tags?.login)?.toLowerCase() ?? null,
      targetMsgId: str(r.tags?.['target-msg-id']),
      seconds: null,
    };
  }
  return null;
}

export function indexModeration(rows: Iterable<RecordRow>): ModerationIndex {
  const index: ModerationIndex = { byUser: new Map(), byMsgId: new Map(), byKey: new Map() };
  for (const row of rows) {
    const e = moderationEvent(row);
    if (!e) continue;
    index.byKey.set(e.key, e);
    if (e.command === 'CLEARMSG' && e.targetMsgId) index.byMsgId.set(e.targetMsgId, e);
    if (e.command === 'CLEARCHAT' && e.target) {
      const list = index.byUser.get(e.target) ?? [];
      list.push(e);
      index.byUser.set(e.target, list);
    }
  }
  for (const list of index.byUser.values()) list.sort((a, b) => a.time - b.time);
  return index;
}

/** Commands a moderator can remove: what chat shows as a user's message. */
const REMOVABLE = new Set(['PRIVMSG', 'USERNOTICE']);

/** The moderation event that removed this record, if any. */
export function removedBy(index: ModerationIndex, r: ChatRecord): ModerationEvent | null {
  if (!REMOVABLE.has(r.command)) return null;
  const id = str(r.tags?.id);
  const deleted = id ? index.byMsgId.get(id) : undefined;
  if (deleted) return deleted;
  const who = login(r)?.toLowerCase();
  const clears = who ? index.byUser.get(who) : undefined;
  // The first CLEARCHAT at or after the message: it is the one that removed it.
  return clears?.find((e) => e.time >= r.time) ?? null;
}

/** Whether `e` removes `r` — for listing a moderation event's targets. */
export const removes = (index: ModerationIndex, e: ModerationEvent, r: ChatRecord) =>
  removedBy(index, r)?.key === e.key;
