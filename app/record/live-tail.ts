/**
 * The latest lines of a channel as they arrive, for watching a recording live: a minute
 * reaches the archive only two minutes after it starts (SPEC §5), which is too late for
 * someone checking that their recorder works. A preview, not the archive: times are the
 * receiving connection's first estimate (back-narrowing may shorten a range later), and
 * the copies two overlapping connections got of one event are folded here the way the
 * merge folds them (same message id; or same line with overlapping time intervals).
 *
 * The receive path only stores references into a ring (the bench:record rate is kept);
 * records are built when someone asks.
 */
import type { ChatRecord } from '../archive/record.js';
import { recordOfLine } from './journal.js';
import type { IrcLine } from './irc-parse.js';
import type { Interval } from './timing.js';

interface Entry {
  receiver: string;
  received: number;
  line: IrcLine;
  time: number;
  range: number;
}

export interface TailRecord {
  /** Position of the line in the channel's stream (counts every line, from 0). */
  seq: number;
  record: ChatRecord;
}

export const TAIL_CAPACITY = 500;

export class LiveTail {
  private readonly ring: Array<Entry | undefined> = new Array(TAIL_CAPACITY);
  private count = 0;

  /** Lines added so far: changes whenever there is something new to show. */
  get version(): number {
    return this.count;
  }

  add(receiver: string, received: number, line: IrcLine, iv: Interval): void {
    this.ring[this.count % TAIL_CAPACITY] = { receiver, received, line, time: iv.time, range: iv.range };
    this.count++;
  }

  /** The latest `limit` records in arrival order, copies from other connections folded in. */
  records(limit: number): TailRecord[] {
    const out: TailRecord[] = [];
    const byKey = new Map<string, ChatRecord[]>();
    for (let seq = Math.max(0, this.count - TAIL_CAPACITY); seq < this.count; seq++) {
      const e = this.ring[seq % TAIL_CAPACITY]!;
      const key = foldKey(e.line);
      const candidates = byKey.get(key);
      const home = candidates?.find((r) => !(e.receiver in r.receivers) && (e.line.tags?.id !== undefined || overlaps(r, e)));
      if (home) {
        home.receivers[e.receiver] = e.received;
        home.receiver_ranges[e.receiver] = [e.time, e.range];
        narrowTo(home, e);
        continue;
      }
      const record = recordOfLine(e.line, e.receiver, e.received, e.time, e.range);
      if (candidates) candidates.push(record);
      else byKey.set(key, [record]);
      out.push({ seq, record });
    }
    return out.slice(-limit);
  }
}

/** Lines that may be copies of one event: the same message id, or else the same fields. */
function foldKey(l: IrcLine): string {
  const id = l.tags?.id;
  if (typeof id === 'string') return `id\0${l.command}\0${id}`;
  return JSON.stringify([l.command, l.sender, l.user, l.host, l.params, l.tags]);
}

const overlaps = (r: ChatRecord, e: Entry) => e.time <= r.time + r.time_range && r.time <= e.time + e.range;

/** The record's interval becomes the common part of its members' (as the merge does). */
function narrowTo(r: ChatRecord, e: Entry): void {
  const lo = Math.max(r.time, e.time);
  const hi = Math.min(r.time + r.time_range, e.time + e.range);
  if (lo > hi) return;
  r.time = lo;
  r.time_range = hi - lo;
}
