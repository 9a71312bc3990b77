/**
 * Raw IRC lines from other loggers (justlog, rustlog, any raw dump, the recent-messages
 * service): parsed with the recorder's own parser and kept by its own rules (SPEC §5), timed by
 * what the line says.
 *
 * Time: a line with `tmi-sent-ts` is exact, and a logger without its own clock received it then
 * (receive time = server time). A line without one (JOIN, PART, some NOTICEs) was sent between the
 * exact lines around it in the file (lines are logged in arrival order): its interval runs from
 * the previous exact time to the next one (10 s past the only one there is), JOIN/PART 45 s
 * earlier still (SPEC §5 rule 4). Its receive time is the interval's end less a microsecond
 * per line still to come, so that two identical lines in one gap stay two events.
 */
import { parseIrcLine } from '../archive/irc-parse.js';
import { isKeptCommand, serverTimestamp, stripHistoryTags } from '../archive/line-rules.js';
import type { IrcFields } from '../archive/record.js';
import { CHANNEL } from '../rules.js';
import type { Item } from './source.js';

const LOOKBACK = 10;
const JOIN_PART_DELAY = 45;

export type RawVerdict =
  { fields: IrcFields; channel: string; received: number | null } | { skip: string } | { problem: string };

/**
 * One raw line: parsed, kept or skipped by the recorder's rules. `history` lines (the
 * recent-messages service's) lose the service's tags and are received at `rm-received-ts`.
 */
export function rawLine(text: string, history = false): RawVerdict {
  if (text.trim() === '') return { skip: 'blank lines' };
  const parsed = parseIrcLine(text);
  if (!parsed) return { problem: 'not an IRC line' };
  const rm = history ? parsed.tags?.['rm-received-ts'] : undefined;
  const received = typeof rm === 'string' && /^\d+$/.test(rm) ? Number(rm) / 1000 : null;
  const fields = history ? stripHistoryTags(parsed) : parsed;
  if (!isKeptCommand(fields.command)) return { skip: `${fields.command} lines (not stored, as when recording)` };
  const target = fields.params[0];
  if (target === undefined || !target.startsWith('#') || !CHANNEL.pattern.test(target.slice(1)))
    return { problem: `${fields.command} without a channel` };
  return { fields, channel: target.slice(1), received };
}

export interface Waiting {
  file: number;
  at: number;
  channel: string;
  fields: IrcFields;
  /** The source's own receive time for the line (recent-messages' `rm-received-ts`). */
  received: number | null;
}

/** Times a stream of kept lines in file order; feed it with `line`, finish with `end`. */
export class RawTimer {
  private prev: number | null = null;
  private waiting: Waiting[] = [];

  /** The items this line makes ready (it, and the untimed lines before it once it is exact). */
  line(w: Waiting): Item[] {
    const ts = serverTimestamp(w.fields.tags);
    if (ts === null) {
      this.waiting.push(w);
      return [];
    }
    const out = this.release(ts);
    out.push({ kind: 'record', ...w, time: ts, range: 0, received: w.received ?? ts });
    this.prev = ts;
    return out;
  }

  end(): Item[] {
    return this.release(null);
  }

  private release(next: number | null): Item[] {
    const out: Item[] = [];
    const n = this.waiting.length;
    for (let i = 0; i < n; i++) {
      const w = this.waiting[i]!;
      let lo = this.prev ?? (next !== null ? next - LOOKBACK : null);
      let hi = next ?? (this.prev !== null ? this.prev + LOOKBACK : null);
      if (lo === null || hi === null) {
        if (w.received === null) {
          out.push({
            kind: 'problem',
            file: w.file,
            at: w.at,
            reason: 'no time: no line of this file carries a server time (tmi-sent-ts)',
          });
          continue;
        }
        // SPEC §5 rule 3: only the receive time is known.
        lo = w.received - LOOKBACK;
        hi = w.received + 5;
      }
      // Out-of-order exact times (a logger's clock is the server's, but lines can arrive reordered).
      [lo, hi] = [Math.min(lo, hi), Math.max(lo, hi)];
      if (w.fields.command === 'JOIN' || w.fields.command === 'PART') lo -= JOIN_PART_DELAY;
      out.push({
        kind: 'record',
        ...w,
        time: lo,
        range: hi - lo,
        received: w.received ?? hi - (n - i) * 1e-6,
      });
    }
    this.waiting = [];
    return out;
  }
}
