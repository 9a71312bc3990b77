/**
 * The time rules of SPEC §5, as pure functions of the line, the local receive time and
 * the connection's last known server time. Times are Unix seconds.
 */
import type { Tags } from '../archive/record.js';
import { minuteStart } from '../archive/layout.js';
import { serverTimestamp } from '../archive/line-rules.js';

const BATCH_INTERVAL = 60;
const LAG_ALLOWANCE = 60;
const ESTIMATE_PADDING = 5;
const JOIN_PART_DELAY = 45;
/** Without any server time: the line was sent at most this long before it arrived... */
const UNKNOWN_LOOKBACK = 10;
/** ...and the interval reaches this far (SPEC §5 rule 3). */
const UNKNOWN_RANGE = 15;

/** The last exact server time a connection saw, and when it arrived locally. */
export interface ServerClock {
  serverTime: number;
  receivedAt: number;
}

export interface Interval {
  time: number;
  range: number;
}

export interface Timed extends Interval {
  /** The server clock after this line (changed only by a line with `tmi-sent-ts`). */
  clock: ServerClock | null;
  /** Set when the line carried an exact server time: earlier estimates may narrow to it. */
  exact: number | null;
}

export function timeOf(command: string, tags: Tags | null, now: number, clock: ServerClock | null): Timed {
  const ts = serverTimestamp(tags);
  let t: Timed;
  if (ts !== null) t = { time: ts, range: 0, clock: { serverTime: ts, receivedAt: now }, exact: ts };
  else if (clock) {
    const estimate = clock.serverTime + (now - clock.receivedAt);
    t = {
      time: Math.max(estimate - ESTIMATE_PADDING, clock.serverTime),
      range: 2 * ESTIMATE_PADDING,
      clock,
      exact: null,
    };
  } else t = { time: now - UNKNOWN_LOOKBACK, range: UNKNOWN_RANGE, clock, exact: null };
  if (command === 'JOIN' || command === 'PART') {
    t.time -= JOIN_PART_DELAY;
    t.range += JOIN_PART_DELAY;
  }
  return t;
}

export const batchTimeOf = (time: number) => minuteStart(time);
/** Local time at which a batch is written: one interval plus the server lag allowance. */
export const batchDueAt = (batchTime: number) => batchTime + BATCH_INTERVAL + LAG_ALLOWANCE;

/**
 * Back-narrowing (SPEC §5 rule 1): a line with exact server time `exact` was sent after
 * every earlier line of the connection, so an unwritten estimate in the same or the
 * previous batch whose interval contains `exact` ends there. Returns the new range, or
 * null when the interval is not affected.
 */
export function narrowedRange(iv: Interval, exact: number): number | null {
  const b = batchTimeOf(exact);
  const own = batchTimeOf(iv.time);
  if (own !== b && own !== b - BATCH_INTERVAL) return null;
  if (exact < iv.time || exact >= iv.time + iv.range) return null;
  return exact - iv.time;
}
