/**
 * The latest lines of a channel as they arrive, for watching a recording live: a minute
 * reaches the archive only two minutes after it starts (SPEC §5), which is too late for
 * someone checking that their recorder works. A preview, not the archive: times are the
 * receiving connection's first estimate (back-narrowing may shorten a range later), and
 * the copies two overlapping connections got of one event are folded by the merge's own
 * clustering (same message id; or same fields with overlapping time intervals).
 *
 * The receive path only stores references into a ring (the bench:record rate is kept);
 * records are built when someone asks.
 */
import type { ChatRecord, Range } from '../archive/record.js';
import { observe, type Observation } from '../archive/observation.js';
import { cluster } from '../archive/normalize.js';
import { recordOfLine } from './journal.js';
import type { IrcLine } from '../archive/irc-parse.js';
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

  /** The latest `limit` records in arrival order (of their first copy), copies folded. */
  records(limit: number): TailRecord[] {
    const own = new Map<Observation, TailRecord>();
    const observations: Observation[] = [];
    for (let seq = Math.max(0, this.count - TAIL_CAPACITY); seq < this.count; seq++) {
      const e = this.ring[seq % TAIL_CAPACITY]!;
      const record = recordOfLine(e.line, e.receiver, e.received, e.time, e.range);
      for (const o of observe(record).observations) {
        own.set(o, { seq, record });
        observations.push(o);
      }
    }
    const out = cluster(observations).records.map(({ time, timeRange, members }): TailRecord => {
      const first = members.map((o) => own.get(o)!).reduce((a, b) => (b.seq < a.seq ? b : a));
      const receivers: Record<string, number> = {};
      const ranges: Record<string, Range> = {};
      for (const o of [...members].sort((a, b) => (a.receiver < b.receiver ? -1 : 1))) {
        receivers[o.receiver] = o.received;
        ranges[o.receiver] = [o.start, o.length];
      }
      return {
        seq: first.seq,
        record: { ...first.record, receiver_ranges: ranges, receivers, time, time_range: timeRange },
      };
    });
    return out.sort((a, b) => a.seq - b.seq).slice(-limit);
  }
}
