/**
 * Which received lines are stored (SPEC §5): command whitelist, channel check, connection
 * preamble; and the server time a line carries. Shared by the recorder and the importers of
 * other tools' raw logs, so both keep and time the same lines.
 */
import type { IrcLine } from './irc-parse.js';
import type { Tags } from './record.js';

const KEPT_COMMANDS: ReadonlySet<string> = new Set([
  'JOIN',
  'PART',
  'PRIVMSG',
  'CLEARCHAT',
  'CLEARMSG',
  'HOSTTARGET',
  'NOTICE',
  'ROOMSTATE',
  'USERNOTICE',
  'USERSTATE',
]);

/**
 * Tags the recent-messages service adds; removed so its lines merge with live copies (SPEC §8).
 * `rm-deleted` is not in SPEC §8's list, but the service adds it too (to messages deleted since;
 * 4 lines of the real fixture): kept, such a line would be a second record of its message id.
 * The deletion itself is the CLEARMSG or CLEARCHAT record of whoever recorded it.
 */
const HISTORY_TAGS = ['historical', 'rm-received-ts', 'rm-deleted'] as const;

export const isKeptCommand = (command: string) => KEPT_COMMANDS.has(command);

/** The server's send time from `tmi-sent-ts` (milliseconds), Unix seconds; null without one. */
export function serverTimestamp(tags: Tags | null): number | null {
  const v = tags?.['tmi-sent-ts'];
  if (typeof v !== 'string' || !/^\d+(?:\.\d+)?$/.test(v)) return null;
  return Number(v) / 1000;
}

export type Verdict = 'keep' | 'command' | 'channel' | 'preamble';

/**
 * `roomstateSeen` is the connection's state: channels whose first ROOMSTATE has arrived.
 * Everything of a channel up to and including that ROOMSTATE is about the connection
 * itself (its JOIN echo, USERSTATE, ROOMSTATE) and is dropped. Pass null for sources
 * without a join (history).
 */
export function classifyLine(line: IrcLine, channels: ReadonlySet<string>, roomstateSeen: Set<string> | null): Verdict {
  if (!isKeptCommand(line.command)) return 'command';
  const target = line.params[0];
  if (target === undefined || !channels.has(target)) return 'channel';
  if (roomstateSeen && !roomstateSeen.has(target)) {
    if (line.command === 'ROOMSTATE') roomstateSeen.add(target);
    return 'preamble';
  }
  return 'keep';
}

export function stripHistoryTags(line: IrcLine): IrcLine {
  if (!line.tags) return line;
  const tags = { ...line.tags };
  for (const t of HISTORY_TAGS) delete tags[t];
  return { ...line, tags };
}
