/**
 * One receiver's line pipeline (no sockets): parse, apply the keep rules, time, and hand
 * to the batcher. Used for live connections and for history fetches alike.
 */
import { parseIrcLine, type IrcLine } from '../archive/irc-parse.js';
import { classifyLine, stripHistoryTags } from '../archive/line-rules.js';
import { timeOf, type Interval, type ServerClock } from './timing.js';
import type { ReceiverBatcher } from './batcher.js';

export interface ReceiverCounters {
  lines: number;
  stored: number;
  unparsable: number;
  /** Commands outside the whitelist (PING, numerics, ...). */
  droppedCommand: number;
  /** Other channels, or no params. */
  droppedChannel: number;
  /** The connection's own JOIN, USERSTATE and ROOMSTATE. */
  preamble: number;
}

export const emptyCounters = (): ReceiverCounters => ({
  lines: 0,
  stored: 0,
  unparsable: 0,
  droppedCommand: 0,
  droppedChannel: 0,
  preamble: 0,
});

/** Adds `from` into `into` and returns `into`. */
export function addCounters(into: ReceiverCounters, from: ReceiverCounters): ReceiverCounters {
  for (const k of Object.keys(into) as (keyof ReceiverCounters)[]) into[k] += from[k];
  return into;
}

export class Receiver {
  private clock: ServerClock | null = null;
  private readonly roomstateSeen: Set<string> | null;
  readonly counters: ReceiverCounters = emptyCounters();

  constructor(
    readonly id: string,
    private readonly channels: ReadonlySet<string>,
    private readonly batcher: ReceiverBatcher,
    private readonly opts: {
      history?: boolean;
      onUnparsable?: (line: string) => void;
      /** Each line kept, after it is in the journal. */
      onStored?: (line: IrcLine, received: number, iv: Interval) => void;
    } = {},
  ) {
    this.roomstateSeen = opts.history ? null : new Set();
  }

  /** True once every channel's first ROOMSTATE arrived: the connection records them all. */
  get ready(): boolean {
    return this.roomstateSeen !== null && this.roomstateSeen.size === this.channels.size;
  }

  /**
   * Processes one raw line received at local time `now` (Unix seconds); returns the
   * parsed line so the connection can react to control commands, or null if unparsable.
   */
  handleLine(raw: string, now: number): IrcLine | null {
    this.counters.lines++;
    const parsed = parseIrcLine(raw);
    if (!parsed) {
      this.counters.unparsable++;
      this.opts.onUnparsable?.(raw);
      return null;
    }
    const line = this.opts.history ? stripHistoryTags(parsed) : parsed;
    const verdict = classifyLine(line, this.channels, this.roomstateSeen);
    if (verdict !== 'keep') {
      if (verdict === 'command') this.counters.droppedCommand++;
      else if (verdict === 'channel') this.counters.droppedChannel++;
      else this.counters.preamble++;
      return parsed;
    }
    const t = timeOf(line.command, line.tags, now, this.clock);
    this.clock = t.clock;
    if (t.exact !== null) this.batcher.narrow(t.exact);
    this.batcher.add(raw, this.opts.history === true, now, t);
    this.counters.stored++;
    this.opts.onStored?.(line, now, t);
    return parsed;
  }
}
