/**
 * Importing other tools' chat (issue 16): each source unit (a justlog room, a Chatterino
 * channel, a TwitchDownloader file, ...) becomes one receiver, its lines observations that enter
 * the archive through the archive's own hour merge (validated, merged per hour, written
 * atomically), exactly as another node's batch files do. Sources are only ever read.
 *
 * Files are streamed: an hour's observations are held until the stream is two hours past it,
 * then merged into the archive, so memory stays flat however large the source (a late line for
 * an hour already merged opens it once more). Lines that cannot be read are reported by file and
 * line, listed in the quarantine (`<rel>.not-imported.txt`: the source is never changed, so
 * line numbers find them), and the rest is imported.
 *
 * Receiver ids are `<node or format>.<slug>.<counter>`: the slug is a hash of the format, the
 * first file's name and its first line (line formats) or first 64 KiB (JSON), so re-importing the
 * same source, moved or grown since (logs only ever get appended to), gives the same receiver
 * and changes nothing; the counter's form says how faithful the source is (README "Merge laws for
 * reconstructions").
 */
import path from 'node:path';
import { createHash } from 'node:crypto';
import { hourDir, type Stray } from '../archive/layout.js';
import {
  HourMerge,
  MergeState,
  addHour,
  emptyMergeSummary,
  mergeAll,
  withChannelLock,
  type FileProblem,
  type MergeSummary,
} from '../archive/merge.js';
import { observationHour, type Observation } from '../archive/observation.js';
import { canonicalJson, toByteString } from '../archive/encode.js';
import { newBatchId, quarantine, type Quarantined } from '../archive/quarantine.js';
import { MAX_TIME, messageId } from '../archive/record.js';
import { chatterino } from './chatterino.js';
import { ircLog } from './irc-log.js';
import { justlog } from './justlog.js';
import { headOf, readLines } from './lines.js';
import { recentMessages } from './recent-messages.js';
import type { Format, Item, ReadContext, Reader, Unit } from './source.js';
import { twitchDownloader } from './twitchdownloader.js';

export const READERS: Record<Format, Reader> = {
  justlog,
  irc: ircLog,
  twitchdownloader: twitchDownloader,
  chatterino,
  'recent-messages': recentMessages,
};

export interface ForeignCounts {
  filesTotal: number;
  filesChecked: number;
  /** Files that brought at least one observation the archive did not hold. */
  copied: number;
  /** Files whose every line the archive already held. */
  alreadyPresent: number;
  quarantined: Quarantined[];
  recordsMerged: number;
  newObservations: number;
  bytesTotal: number;
  bytesRead: number;
  linesImported: number;
}

export interface ForeignProgress extends ForeignCounts {
  phase: 'scanning' | 'importing' | 'merging' | 'done';
}

export interface ForeignSummary extends ForeignCounts {
  importId: string;
  format: Format;
  sources: string[];
  /** The receivers the sources became, with what each stands for. */
  receivers: Array<{ id: string; source: string }>;
  /** Lines read but not imported, by why (PING, Chatterino system lines, per-user copies, ...). */
  skipped: Record<string, number>;
  strays: Stray[];
  problems: FileProblem[];
  merge: MergeSummary;
}

export interface ForeignOptions {
  /** Only this channel; and the channel of sources that do not say theirs. */
  channel?: string;
  /** The first part of the receiver ids (default: the format's name). */
  node?: string;
  /** For Chatterino logs whose header does not place their time zone. */
  timezone?: string;
  signal?: AbortSignal;
  onProgress?: (p: ForeignProgress) => void;
  importId?: string;
}

/** Problems listed per file in a report; the rest are counted. */
const LISTED_PROBLEMS = 20;
/** Observations held before the oldest hours are merged even if the stream may still reach them. */
const MAX_PENDING = 2_000_000;

/** What a record's position counts in each format. */
const POSITION: Record<Format, string> = {
  justlog: 'line',
  irc: 'line',
  chatterino: 'line',
  twitchdownloader: 'comment',
  'recent-messages': 'message',
};

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The receiver id of a unit: a function of the format, its first file's name and its first content. */
export async function receiverIdOf(reader: Reader, unit: Unit, node: string | undefined): Promise<string> {
  const first = unit.files[0]!;
  const h = createHash('sha256').update(`${reader.format}\n${path.basename(first.path).replace(/\.gz$/i, '')}\n`);
  if (reader.fingerprint === 'head') h.update(await headOf(first.path, 64 * 1024));
  else
    for await (const l of readLines(first.path))
      if (l.text !== null && l.text.trim() !== '') {
        h.update(l.text);
        break;
      }
  const d = h.digest();
  const slug = Array.from(d.subarray(0, 5), (b) => ALNUM[b % ALNUM.length]).join('');
  return `${node ?? reader.format}.${slug}.${reader.counter}`;
}

/**
 * A line's observation, built straight from its fields (the one observation of a one-receiver
 * record; SPEC §3's checks on what a reader cannot guarantee), or why it cannot be one.
 */
function observation(item: Extract<Item, { kind: 'record' }>, receiver: string): Observation | string {
  const { time, range, received } = item;
  if (!Number.isFinite(time) || time < 0 || time >= MAX_TIME) return 'its time is not between 1970 and 9999';
  if (!Number.isFinite(range) || range < 0 || !Number.isFinite(received)) return 'its time range is not valid';
  return {
    key: toByteString(canonicalJson(item.fields)),
    standard: true,
    id: messageId(item.fields),
    receiver,
    received,
    start: time,
    length: range,
  };
}

interface FileState {
  path: string;
  rel: string;
  source: number;
  records: number;
  fresh: number;
  problems: string[];
  problemCount: number;
  otherChannels: Map<string, number>;
  firstOther: number | null;
}

interface PendingHour {
  channel: string;
  hour: number;
  byFile: Map<FileState, Observation[]>;
  size: number;
}

export async function importForeign(
  dest: string,
  format: Format,
  sources: string[],
  opts: ForeignOptions = {},
): Promise<ForeignSummary> {
  const reader = READERS[format];
  const importId = opts.importId ?? newBatchId('import');
  const sum: ForeignSummary = {
    importId,
    format,
    sources,
    filesTotal: 0,
    filesChecked: 0,
    copied: 0,
    alreadyPresent: 0,
    quarantined: [],
    recordsMerged: 0,
    newObservations: 0,
    bytesTotal: 0,
    bytesRead: 0,
    linesImported: 0,
    receivers: [],
    skipped: {},
    strays: [],
    problems: [],
    merge: emptyMergeSummary(),
  };
  let lastProgress = 0;
  const progress = (phase: ForeignProgress['phase'], force = true) => {
    if (!opts.onProgress) return;
    if (!force && Date.now() - lastProgress < 200) return;
    lastProgress = Date.now();
    const {
      importId: _i,
      format: _f,
      sources: _s,
      receivers: _r,
      skipped: _k,
      strays: _t,
      problems: _p,
      merge: _m,
      ...counts
    } = sum;
    opts.onProgress({ ...counts, phase });
  };
  const ctx: ReadContext = {
    channel: opts.channel,
    timezone: opts.timezone,
    signal: opts.signal,
    onBytes: (n) => {
      sum.bytesRead += n;
      progress('importing', false);
    },
  };
  progress('scanning');
  const units: Array<{ unit: Unit; source: number }> = [];
  for (let i = 0; i < sources.length; i++) {
    const e = await reader.enumerate(sources[i]!, ctx);
    sum.strays.push(...e.strays);
    sum.problems.push(...e.problems);
    for (const unit of e.units) {
      units.push({ unit, source: i });
      sum.filesTotal += unit.files.length;
      for (const f of unit.files) sum.bytesTotal += f.size;
    }
  }
  progress('importing');

  const state = await MergeState.load(dest);
  const channels = new Set<string>();
  const pending = new Map<string, PendingHour>();
  let pendingSize = 0;
  const files: FileState[] = [];

  const flush = async (p: PendingHour) => {
    pending.delete(`${p.channel}\0${p.hour}`);
    pendingSize -= p.size;
    channels.add(p.channel);
    await withChannelLock(dest, p.channel, async () => {
      const work = await HourMerge.open(dest, p.channel, p.hour, { state, signal: opts.signal, expectExtra: true });
      if (work.state === 'blocked') {
        // The archive's own hour cannot be read completely; merging into it now could not be trusted.
        sum.problems.push(
          ...work.result.problems.map((x) => ({
            ...x,
            reason: `${x.reason}; this hour was not imported (the sources still hold it)`,
          })),
        );
        return;
      }
      for (const [file, obs] of p.byFile) {
        const sink = work.fileSink();
        for (const o of obs) sink.add(o);
        const fresh = sink.done();
        file.fresh += fresh;
        sum.newObservations += fresh;
      }
      try {
        await work.commit();
        addHour(sum.merge, work.result);
        sum.recordsMerged += work.result.records;
        sum.quarantined.push(...work.result.quarantined);
        sum.problems.push(...work.result.problems);
      } catch (e) {
        if (opts.signal?.aborted) throw e;
        sum.problems.push({
          path: hourDir(dest, p.channel, p.hour),
          reason: `merge failed, nothing of this hour was changed or lost: ${(e as Error).message}`,
        });
      }
    });
  };
  /** Hours the stream has left behind (and the oldest, when too much is held). */
  const settle = async (reached: number) => {
    const done = [...pending.values()].filter((p) => p.hour < reached - 3600).sort((a, b) => a.hour - b.hour);
    for (const p of done) await flush(p);
    if (pendingSize > MAX_PENDING)
      for (const p of [...pending.values()].sort((a, b) => a.hour - b.hour)) {
        if (pendingSize <= MAX_PENDING / 2) break;
        await flush(p);
      }
  };

  try {
    for (const { unit, source } of units) {
      opts.signal?.throwIfAborted();
      const receiver = await receiverIdOf(reader, unit, opts.node).catch((e: Error) => e);
      if (receiver instanceof Error) {
        sum.problems.push({ path: unit.files[0]!.path, reason: `cannot read: ${receiver.message}` });
        continue;
      }
      sum.receivers.push({ id: receiver, source: unit.label });
      const states = unit.files.map((f): FileState => ({
        path: f.path,
        rel: f.rel,
        source,
        records: 0,
        fresh: 0,
        problems: [],
        problemCount: 0,
        otherChannels: new Map(),
        firstOther: null,
      }));
      files.push(...states);
      let reached = -Infinity;
      let sinceSettle = 0;
      const problem = (s: FileState, where: string | null, reason: string) => {
        s.problemCount++;
        if (s.problems.length < LISTED_PROBLEMS) s.problems.push(where === null ? reason : `${where}: ${reason}`);
      };
      try {
        for await (const item of reader.read(unit, ctx)) {
          const s = states[item.file]!;
          if (item.kind === 'skip') {
            sum.skipped[item.what] = (sum.skipped[item.what] ?? 0) + 1;
            continue;
          }
          if (item.kind === 'problem') {
            problem(s, item.where ?? (item.at === null ? null : `line ${item.at}`), item.reason);
            continue;
          }
          if (opts.channel && item.channel !== opts.channel) {
            s.otherChannels.set(item.channel, (s.otherChannels.get(item.channel) ?? 0) + 1);
            s.firstOther ??= item.at;
            continue;
          }
          const o = observation(item, receiver);
          if (typeof o === 'string') {
            problem(s, `${POSITION[format]} ${item.at}`, o);
            continue;
          }
          s.records++;
          sum.linesImported++;
          const hour = observationHour(o);
          const key = `${item.channel}\0${hour}`;
          let p = pending.get(key);
          if (!p) pending.set(key, (p = { channel: item.channel, hour, byFile: new Map(), size: 0 }));
          const list = p.byFile.get(s);
          if (list) list.push(o);
          else p.byFile.set(s, [o]);
          p.size++;
          pendingSize++;
          if (hour > reached) reached = hour;
          if (++sinceSettle >= 20_000) {
            sinceSettle = 0;
            await settle(reached);
          }
        }
      } catch (e) {
        if (opts.signal?.aborted) throw e;
        // An unreadable file (I/O error, damaged gzip): what was read of it is imported, the rest reported.
        problem(states[0]!, null, (e as Error).message);
        sum.problems.push({ path: unit.label, reason: `stopped reading: ${(e as Error).message}` });
      }
      for (const p of [...pending.values()].sort((a, b) => a.hour - b.hour)) await flush(p);
      for (const s of states) {
        sum.filesChecked++;
        if (s.records > 0) {
          if (s.fresh > 0) sum.copied++;
          else sum.alreadyPresent++;
        }
        await report(s);
      }
      progress('importing');
    }
    progress('merging');
    for (const channel of [...channels].sort()) {
      const m = await mergeAll(dest, { channel, state, signal: opts.signal });
      for (const k of ['filesRead', 'filesWritten', 'filesRemoved', 'hoursMerged', 'hoursSkipped'] as const)
        sum.merge[k] += m[k];
      sum.merge.problems.push(...m.problems);
      sum.merge.warnings.push(...m.warnings);
    }
  } finally {
    await state.save();
  }
  if (opts.channel && sum.linesImported === 0 && files.some((f) => f.otherChannels.size > 0))
    sum.problems.push({ path: sources.join(', '), reason: `holds nothing of #${opts.channel}` });
  progress('done');
  return sum;

  async function report(s: FileState): Promise<void> {
    if (s.otherChannels.size) {
      const n = [...s.otherChannels.values()].reduce((a, b) => a + b, 0);
      const names = [...s.otherChannels.keys()]
        .sort()
        .slice(0, 5)
        .map((c) => `#${c}`)
        .join(', ');
      sum.strays.push({
        path: s.path,
        reason: `${n} line${n === 1 ? '' : 's'} of another channel (${names}; first at line ${s.firstOther}), not #${opts.channel}: not imported`,
      });
    }
    if (!s.problemCount) return;
    const more = s.problemCount > s.problems.length ? `\n... and ${s.problemCount - s.problems.length} more` : '';
    const reason = `${s.records ? 'the other lines were imported; these were not' : 'nothing of it could be imported'}:\n${s.problems.join('\n')}${more}`;
    const rel = path.join(`source-${s.source + 1}`, `${s.rel}.not-imported.txt`);
    sum.quarantined.push(
      await quarantine(dest, importId, rel, s.path, reason, Buffer.from(`${s.problems.join('\n')}${more}\n`)),
    );
  }
}
