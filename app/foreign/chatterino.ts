/**
 * `chatterino`: Chatterino's chat logs (Chatterino2 LoggingChannel): `<channel>-YYYY-MM-DD.log`
 * in `Logs/Twitch/Channels/<channel>/`, a `# Start logging at yyyy-MM-dd HH:mm:ss <zone>` header
 * each time logging starts, then one line per message, `[hh:mm:ss] login: text` (or
 * `[hh:mm:ss] <localized name> login: text`), in the computer's local time. The date is the
 * file's, the zone the header's (`--timezone` where a header is missing or its zone ambiguous),
 * the channel the file name's (`--channel` for files whose name has none).
 *
 * No ids and a time to the second (or minute, or millisecond, as the log's timestamp format
 * has it), from the computer's clock unless "use Twitch timestamps" was on: each line is an
 * *estimate* (`.e0` receiver) over [time − 5 s, time + resolution + 5 s], and the merge folds it
 * into the message of the same user and text whose time falls in that range. Lines that are no
 * user's message (subs, timeouts, Chatterino's own notes) are counted and skipped. Stream logs
 * (`<channel>-<stream id>.log`) repeat the daily logs' lines and are skipped too.
 */
import path from 'node:path';
import { estimateIdentity } from '../archive/reconstruction.js';
import { CHANNEL } from '../rules.js';
import { findFiles } from './files.js';
import { readLines } from './lines.js';
import type { Enumerated, Item, ReadContext, Reader, Unit, UnitFile } from './source.js';
import { fixedZone, toUtc, userZone, type Zone } from './zone.js';

/** Allowance for the computer's clock and the network around a logged time, seconds. */
const CLOCK_PADDING = 5;
const DAILY = /^(.+)-(\d{4})-(\d{2})-(\d{2})\.log$/;
const STREAM = /^.+-\d+\.log$/;
const SPECIAL = /(?:^|[\\/])(Whispers|Mentions|Live|AutoMod)(?:[\\/]|$)/;
const HEADER = /^# (Start|Stop) logging at (\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?: (.*))?$/;
const STAMP = /^\[(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(?:\s?([AaPp][Mm]))?\] (.*)$/;
const PLAIN = /^([a-z0-9_]{1,25}): (.*)$/s;
const LOCALIZED = /^(\S+) ([a-z0-9_]{1,25}): (.*)$/s;

interface Parsed {
  file: UnitFile;
  channel: string | null;
  date: [number, number, number] | null;
}

function parseName(f: UnitFile): Parsed {
  const m = DAILY.exec(path.basename(f.path));
  if (!m) return { file: f, channel: null, date: null };
  const date = [Number(m[2]), Number(m[3]), Number(m[4])] as [number, number, number];
  return { file: f, channel: CHANNEL.pattern.test(m[1]!) ? m[1]! : null, date };
}

export const chatterino: Reader = {
  format: 'chatterino',
  counter: 'e0',
  fingerprint: 'first-line',
  async enumerate(src, ctx) {
    const found = await findFiles(src);
    const out: Enumerated = { units: [], strays: found.strays, problems: found.problems };
    const byChannel = new Map<string, UnitFile[]>();
    for (const f of found.files) {
      const special = SPECIAL.exec(f.rel);
      if (special && !found.single) {
        out.strays.push({ path: f.path, reason: `Chatterino's ${special[1]} log, not a channel's chat` });
        continue;
      }
      const p = parseName(f);
      if (!p.date) {
        if (STREAM.test(path.basename(f.path)) && !found.single)
          out.strays.push({ path: f.path, reason: 'a Chatterino stream log: its lines are in the daily logs too' });
        else if (found.single)
          out.problems.push({
            path: f.path,
            reason: 'not named <channel>-YYYY-MM-DD.log: the date of its lines is unknown',
          });
        else out.strays.push({ path: f.path, reason: 'not a Chatterino log (<channel>-YYYY-MM-DD.log)' });
        continue;
      }
      if (p.channel && ctx.channel && p.channel !== ctx.channel) {
        out.strays.push({
          path: f.path,
          reason: `of another channel (#${p.channel}, not #${ctx.channel}): not imported`,
        });
        continue;
      }
      const channel = p.channel ?? ctx.channel ?? null;
      if (!channel) {
        out.problems.push({ path: f.path, reason: 'no channel in the file name: give it with --channel' });
        continue;
      }
      const list = byChannel.get(channel) ?? [];
      list.push(f);
      byChannel.set(channel, list);
    }
    for (const [channel, files] of [...byChannel].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      files.sort((a, b) => {
        const [x, y] = [parseName(a).date!.join('-'), parseName(b).date!.join('-')];
        return x < y ? -1 : x > y ? 1 : a.rel < b.rel ? -1 : 1;
      });
      out.units.push({ label: `${src} (#${channel})`, files, channel });
    }
    if (!out.units.length && !out.problems.length && !out.strays.length)
      out.problems.push({ path: src, reason: 'holds no Chatterino logs (<channel>-YYYY-MM-DD.log)' });
    return out;
  },
  async *read(unit: Unit, ctx: ReadContext) {
    const fallback = ctx.timezone ? userZone(ctx.timezone) : null;
    for (let i = 0; i < unit.files.length; i++) {
      ctx.signal?.throwIfAborted();
      yield* readFile(unit.files[i]!, i, unit.channel!, fallback, ctx);
    }
  },
};

async function* readFile(
  f: UnitFile,
  file: number,
  channel: string,
  fallback: Zone | null,
  ctx: ReadContext,
): AsyncGenerator<Item> {
  const [y, mo, d] = parseName(f).date!;
  let zone: Zone | null = fallback;
  let zoneProblem = 'no "# Start logging at" header before it: its time zone is unknown (give --timezone)';
  /** Lines of the current stamp: the same user saying the same thing twice in it are two events. */
  const seen = new Map<string, number>();
  let stamp = NaN;
  for await (const l of readLines(f.path, ctx.onBytes, ctx.signal)) {
    const problem = (reason: string): Item => ({ kind: 'problem', file, at: l.no, reason });
    if (l.text === null) {
      yield problem(l.tooLong ? 'line longer than 1 MiB' : 'not valid UTF-8 text');
      continue;
    }
    const text = l.text;
    if (text.trim() === '') continue;
    if (text.startsWith('#')) {
      const h = HEADER.exec(text);
      if (!h) {
        yield { kind: 'skip', file, what: 'comment lines' };
        continue;
      }
      if (h[1] === 'Start') {
        const named = h[8] ? fixedZone(h[8]) : null;
        zone = named ?? fallback;
        zoneProblem = `the header's time zone ${JSON.stringify(h[8] ?? '')} names no single offset (give --timezone)`;
        if (!zone) yield problem(zoneProblem);
      }
      continue;
    }
    const s = STAMP.exec(text);
    if (!s) {
      yield PLAIN.test(text) || LOCALIZED.test(text)
        ? problem('no time stamp (logged with timestamps disabled)')
        : problem('not a Chatterino log line ([hh:mm:ss] login: text)');
      continue;
    }
    let hour = Number(s[1]);
    const ampm = s[5]?.toUpperCase();
    if (ampm) hour = (hour % 12) + (ampm === 'PM' ? 12 : 0);
    const minute = Number(s[2]);
    const second = s[3] === undefined ? 0 : Number(s[3]);
    const millis = s[4] === undefined ? 0 : Number(s[4].padEnd(3, '0'));
    if (hour > 23 || minute > 59 || second > 60) {
      yield problem(`time ${JSON.stringify(text.slice(0, s[0].length - s[6]!.length - 1))} is not a time of day`);
      continue;
    }
    const rest = s[6]!;
    const m = PLAIN.exec(rest) ?? LOCALIZED.exec(rest);
    if (!m) {
      yield { kind: 'skip', file, what: 'lines that are no user message (subs, timeouts, notices)' };
      continue;
    }
    if (!zone) {
      yield problem(zoneProblem);
      continue;
    }
    const [localized, login, body] = m.length === 4 ? [m[1]!, m[2]!, m[3]!] : [null, m[1]!, m[2]!];
    const resolution = s[4] !== undefined ? 0.001 : s[3] !== undefined ? 1 : 60;
    const at = toUtc(Date.UTC(y, mo - 1, d, hour, minute, second, millis), zone) / 1000;
    if (at !== stamp) {
      seen.clear();
      stamp = at;
    }
    const key = `${login}\u0000${body}`;
    const nth = seen.get(key) ?? 0;
    seen.set(key, nth + 1);
    yield {
      kind: 'record',
      file,
      at: l.no,
      channel,
      fields: estimateIdentity({ channel: `#${channel}`, login, text: body, localized }),
      time: at - CLOCK_PADDING,
      range: resolution + 2 * CLOCK_PADDING,
      received: at + nth * 1e-6,
    };
  }
}
