/**
 * Pull: fetch what a peer's `serve` has and this archive lacks, without Syncthing (the
 * original's backfiller, done safely). Hours whose name digest is the one pulled last time
 * are skipped unread; of the others, files whose name (hence content) the archive holds are
 * skipped; the rest are fetched, their bytes checked against the hash in their name before
 * they are kept, and staged under `.chat-archiver/pull/<peer>/` (never synced, survives an
 * interruption: a re-run continues where this one stopped). Staged files then enter through
 * the ordinary import, which validates every line and merges: a pulled file is input, never
 * trusted.
 */
import { promises as fs } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../archive/atomic.js';
import { contentHash } from '../archive/encode.js';
import { hourDir, hourName, listBatchFiles, parseBatchFileName } from '../archive/layout.js';
import { importSegments, type ImportSummary } from '../archive/import.js';
import { MAX_BATCH_BYTES } from '../archive/read.js';
import { CHANNEL } from '../rules.js';

/** What pull needs from a peer; every answer is checked here, whatever the transport. */
export interface PullSource {
  channels(): Promise<unknown>;
  hours(channel: string): Promise<unknown>;
  files(channel: string, hours: number[]): Promise<unknown>;
  /** The file's bytes; null when the peer no longer has it (merged away since it was listed). */
  file(channel: string, hour: number, name: string): Promise<Uint8Array | null>;
}

const hourSchema = z
  .number()
  .int()
  .min(0)
  .max(253402300800)
  .refine((h) => h % 3600 === 0);
const channelsSchema = z.array(z.object({ channel: z.string() }).loose());
const hoursSchema = z.array(z.object({ hour: hourSchema, digest: z.string().max(200) }).loose()).max(10_000_000);
const filesSchema = z.array(z.object({ hour: hourSchema, files: z.array(z.string().max(200)).max(100_000) }).loose());

export interface PullProgress {
  channel: string;
  hoursDone: number;
  hoursTotal: number;
  filesFetched: number;
}

export interface PullSummary {
  channels: number;
  hoursChecked: number;
  /** Hours unchanged at the peer since the last pull: not even listed. */
  hoursUnchanged: number;
  filesListed: number;
  /** Files this archive already holds (same name, same bytes). */
  filesPresent: number;
  filesFetched: number;
  bytesFetched: number;
  /** Gone at the peer between listing and fetching (merged there): the next pull gets their successor. */
  filesGone: number;
  /** Peer answers refused: bad names, bytes that do not match their hash, files too large. */
  rejected: Array<{ path: string; reason: string }>;
  imports: ImportSummary[];
}

export interface PullOptions {
  /** Names this peer's state and staging folder (one per peer address). */
  peer: string;
  channel?: string;
  signal?: AbortSignal;
  onProgress?: (p: PullProgress) => void;
}

/** Hours listed per request, and imported per round (a round's work is durable once imported). */
const HOURS_PER_ROUND = 48;

export const peerKey = (address: string) => createHash('sha256').update(address).digest('base64url').slice(0, 16);

function checked<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new Error(`the peer's ${what} is not in the expected form`);
  return r.data;
}

export async function pull(dest: string, source: PullSource, opts: PullOptions): Promise<PullSummary> {
  const base = path.join(dest, '.chat-archiver', 'pull', peerKey(opts.peer));
  const staging = path.join(base, 'incoming');
  const stateFile = path.join(base, 'state.json');
  const state = await loadState(stateFile);
  const sum: PullSummary = {
    channels: 0,
    hoursChecked: 0,
    hoursUnchanged: 0,
    filesListed: 0,
    filesPresent: 0,
    filesFetched: 0,
    bytesFetched: 0,
    filesGone: 0,
    rejected: [],
    imports: [],
  };
  let channels: string[];
  if (opts.channel) channels = [opts.channel];
  else {
    channels = [];
    for (const c of checked(channelsSchema, await source.channels(), 'channel list')) {
      if (CHANNEL.pattern.test(c.channel)) channels.push(c.channel);
      else sum.rejected.push({ path: c.channel.slice(0, 100), reason: 'not a channel name' });
    }
  }
  // Staged by an interrupted run: imported before anything new is fetched.
  await importStaged(dest, staging, sum, opts.signal);
  for (const channel of channels.sort()) {
    opts.signal?.throwIfAborted();
    sum.channels++;
    const hours = checked(hoursSchema, await source.hours(channel), `hour list of #${channel}`);
    const todo = hours.filter((h) => state.hours[`${channel}/${hourName(h.hour)}`]?.digest !== h.digest);
    sum.hoursChecked += hours.length;
    sum.hoursUnchanged += hours.length - todo.length;
    let done = 0;
    for (let i = 0; i < todo.length; i += HOURS_PER_ROUND) {
      const round = todo.slice(i, i + HOURS_PER_ROUND);
      const lists = checked(
        filesSchema,
        await source.files(
          channel,
          round.map((h) => h.hour),
        ),
        `file list of #${channel}`,
      );
      const complete = new Map<string, PulledHour>();
      for (const list of lists) {
        opts.signal?.throwIfAborted();
        const want = round.find((h) => h.hour === list.hour);
        if (!want) continue;
        const key = `${channel}/${hourName(list.hour)}`;
        const before = new Set(state.hours[key]?.names ?? []);
        const fresh = list.files.filter((n) => !before.has(n));
        sum.filesPresent += list.files.length - fresh.length;
        if (await fetchHour(dest, staging, source, channel, list.hour, fresh, sum, opts.signal))
          complete.set(key, { digest: want.digest, names: list.files.filter((n) => parseBatchFileName(n)) });
        opts.onProgress?.({ channel, hoursDone: ++done, hoursTotal: todo.length, filesFetched: sum.filesFetched });
      }
      if (await importStaged(dest, staging, sum, opts.signal)) {
        for (const [key, h] of complete) state.hours[key] = h;
        await writeFileAtomic(stateFile, Buffer.from(JSON.stringify(state)), true);
      }
    }
  }
  return sum;
}

/** Fetches one hour's missing files into staging; true when every file is here or staged. */
async function fetchHour(
  dest: string,
  staging: string,
  source: PullSource,
  channel: string,
  hour: number,
  names: string[],
  sum: PullSummary,
  signal?: AbortSignal,
): Promise<boolean> {
  const local = new Set((await listBatchFiles(hourDir(dest, channel, hour), hour)).files.map((f) => f.name));
  const stagedDir = hourDir(staging, channel, hour);
  const staged = new Set((await listBatchFiles(stagedDir, hour)).files.map((f) => f.name));
  let complete = true;
  for (const name of names) {
    signal?.throwIfAborted();
    sum.filesListed++;
    const rel = path.join(channel, 'chat', hourName(hour), name.slice(0, 100));
    const parsed = parseBatchFileName(name);
    if (!parsed) {
      sum.rejected.push({ path: rel, reason: 'not a batch file name' });
      continue;
    }
    if (local.has(name)) {
      sum.filesPresent++;
      continue;
    }
    if (staged.has(name)) continue;
    const bytes = await source.file(channel, hour, name);
    if (!bytes) {
      sum.filesGone++;
      complete = false;
      continue;
    }
    if (bytes.length > MAX_BATCH_BYTES) {
      sum.rejected.push({ path: rel, reason: `${bytes.length} bytes, larger than any batch file can be` });
      continue;
    }
    if (contentHash(bytes) !== parsed.hash) {
      sum.rejected.push({ path: rel, reason: 'its bytes do not match the hash in its name: not kept' });
      complete = false;
      continue;
    }
    await writeFileAtomic(path.join(stagedDir, name), bytes);
    sum.filesFetched++;
    sum.bytesFetched += bytes.length;
  }
  return complete;
}

/** Imports whatever is staged; true when it went in without problems (then the staged files go). */
async function importStaged(dest: string, staging: string, sum: PullSummary, signal?: AbortSignal): Promise<boolean> {
  const present = await fs.readdir(staging).catch(() => [] as string[]);
  if (present.length === 0) return true;
  const r = await importSegments(dest, [staging], { signal });
  sum.imports.push(r);
  if (r.problems.length) return false;
  await fs.rm(staging, { recursive: true, force: true });
  return true;
}

/** An hour as last pulled: the peer's digest of it, and the names whose content is in this archive since. */
interface PulledHour {
  digest: string;
  names: string[];
}

async function loadState(file: string): Promise<{ version: 1; hours: Record<string, PulledHour> }> {
  try {
    const j = JSON.parse(await fs.readFile(file, 'utf8')) as { version?: number; hours?: Record<string, PulledHour> };
    if (j.version === 1 && j.hours && typeof j.hours === 'object') return { version: 1, hours: j.hours };
  } catch {
    // first pull from this peer, or an unreadable state: every hour is compared again
  }
  return { version: 1, hours: {} };
}
