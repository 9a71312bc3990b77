/**
 * Watching a recording from outside it (images, metrics): the recorder tells an observer
 * of every line it kept and every batch file it wrote, and nothing else. Calls happen on
 * the receive path, so an observer must only note things and do its work elsewhere
 * (a bounded queue, a counter); whatever it throws is swallowed: watching never fails
 * or stops a recording.
 */
import type { IrcLine } from '../archive/irc-parse.js';

export interface RecordingObserver {
  /** A line kept by `receiver` (live or history), after it is in the journal; `received` is local Unix seconds. */
  lineStored?(channel: string, receiver: string, line: IrcLine, received: number): void;
  /** A batch file written from `receiver`'s lines (or found already there: same name, same bytes). */
  batchWritten?(channel: string, receiver: string, records: number, bytes: number): void;
}

/** Several observers as one; each call to each is guarded on its own. */
export function observeAll(...list: Array<RecordingObserver | null | undefined>): RecordingObserver {
  const present = list.filter((o): o is RecordingObserver => !!o);
  return {
    lineStored(channel, receiver, line, received) {
      for (const o of present)
        try {
          o.lineStored?.(channel, receiver, line, received);
        } catch {
          // an observer's failure is its own
        }
    },
    batchWritten(channel, receiver, records, bytes) {
      for (const o of present)
        try {
          o.batchWritten?.(channel, receiver, records, bytes);
        } catch {
          // an observer's failure is its own
        }
    },
  };
}
