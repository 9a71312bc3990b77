/**
 * `irc`: files of raw IRC lines, one per line, as rustlog's or justlog's `?raw` output and other
 * raw loggers write them. A source (a file, or a folder of them read in name order) is one
 * receiver; each line names its channel.
 */
import { findFiles } from './files.js';
import { readLines } from './lines.js';
import { RawTimer, rawLine } from './raw-lines.js';
import { eachFile, type Item, type ReadContext, type Reader, type Unit } from './source.js';

/**
 * The items of raw IRC lines of one file, timed with `timer` (shared by a unit's files in order);
 * `skip` names lines to pass over before parsing them (justlog's per-user copies).
 */
export async function* rawFileItems(
  path: string,
  file: number,
  timer: RawTimer,
  ctx: ReadContext,
  skip?: (text: string) => string | null,
): AsyncGenerator<Item> {
  for await (const l of readLines(path, ctx.onBytes, ctx.signal)) {
    if (l.text === null) {
      yield { kind: 'problem', file, at: l.no, reason: l.tooLong ? 'line longer than 1 MiB' : 'not valid UTF-8 text' };
      continue;
    }
    const skipped = skip?.(l.text);
    if (skipped) {
      yield { kind: 'skip', file, what: skipped };
      continue;
    }
    const v = rawLine(l.text);
    if ('skip' in v) yield { kind: 'skip', file, what: v.skip };
    else if ('problem' in v) yield { kind: 'problem', file, at: l.no, reason: v.problem };
    else yield* timer.line({ file, at: l.no, channel: v.channel, fields: v.fields, received: v.received });
  }
}

export const ircLog: Reader = {
  format: 'irc',
  counter: '0',
  fingerprint: 'first-line',
  async enumerate(src) {
    const found = await findFiles(src);
    const units: Unit[] = found.files.length ? [{ label: src, files: found.files, channel: null }] : [];
    if (!found.files.length && !found.problems.length) found.problems.push({ path: src, reason: 'holds no files' });
    return { units, strays: found.strays, problems: found.problems };
  },
  async *read(unit, ctx) {
    const timer = new RawTimer();
    yield* eachFile(unit, (f, i) => rawFileItems(f.path, i, timer, ctx), ctx.signal);
    yield* timer.end();
  },
};
