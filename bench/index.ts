/**
 * `npm run bench:index`: the archive index over 30 days of a busy channel (43,200 minute
 * files). Prints the first scan's time, a rescan from the persisted cache, warm overview
 * query times and RSS. Targets: first scan < 30 s, overview queries <= 300 ms.
 *
 * Env: BENCH_DAYS (30), BENCH_RECORDS_PER_FILE (20), BENCH_DIR (a reusable generated archive).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { contentHash, encodeBatch } from '../app/archive/encode.js';
import { batchFileName, hourDir, hourName } from '../app/archive/layout.js';
import type { ChatRecord } from '../app/archive/record.js';
import { ArchiveService } from '../app/service/service.js';
import type { Coverage } from '../app/service/contract.js';

const DAYS = Number(process.env.BENCH_DAYS ?? 30);
const PER_FILE = Number(process.env.BENCH_RECORDS_PER_FILE ?? 20);
const START = Date.UTC(2024, 0, 1) / 1000;
const CHANNEL = 'busychannel';
const dir = process.env.BENCH_DIR ?? path.join(os.tmpdir(), `chat-archiver-bench-index-${DAYS}d-${PER_FILE}r-v2`);
const segments = path.join(dir, 'segments');
const COMMANDS = ['PRIVMSG', 'PRIVMSG', 'PRIVMSG', 'PRIVMSG', 'JOIN', 'PART', 'USERNOTICE', 'CLEARCHAT'];

function minuteRecords(minute: number): ChatRecord[] {
  const out: ChatRecord[] = [];
  for (let i = 0; i < PER_FILE; i++) {
    const time = minute + (i * 60) / PER_FILE;
    const command = COMMANDS[(minute / 60 + i) % COMMANDS.length]!;
    // Two nodes most of the time; one of them is off for a few hours a day. Each day is a new connection.
    const day = Math.floor((minute - START) / 86400);
    const receivers: Record<string, number> = { [`alice.AAAAA.${day}`]: time + 0.2 };
    if ((minute / 3600) % 24 < 20) receivers[`bob.BBBBB.${day}`] = time + 0.3;
    const ranges = Object.fromEntries(Object.keys(receivers).map((id) => [id, [time, 0] as [number, number]]));
    out.push({
      command,
      params: ['#busychannel', `message ${minute}-${i} with some text to give the line a realistic length`],
      sender: `user${i}`,
      user: `user${i}`,
      host: `user${i}.tmi.twitch.tv`,
      tags: {
        id: `${minute}-${i}`,
        'display-name': `User${i}`,
        'tmi-sent-ts': String(Math.round(time * 1000)),
        badges: 'subscriber/12',
        color: '#FF0000',
      },
      time,
      time_range: 0,
      receivers,
      receiver_ranges: ranges,
    });
  }
  return out;
}

function generate(): void {
  if (existsSync(path.join(dir, 'complete'))) return;
  rmSync(dir, { recursive: true, force: true });
  const t = performance.now();
  for (let h = 0; h < DAYS * 24; h++) {
    const hour = START + h * 3600;
    const hd = hourDir(segments, CHANNEL, hour);
    mkdirSync(hd, { recursive: true });
    for (let m = 0; m < 60; m++) {
      const minute = hour + m * 60;
      const bytes = encodeBatch(minuteRecords(minute));
      writeFileSync(path.join(hd, batchFileName(minute, contentHash(bytes))), bytes);
    }
    if (h % 24 === 23) process.stdout.write(`\rgenerating: day ${(h + 1) / 24}/${DAYS} (${hourName(hour)})`);
  }
  writeFileSync(path.join(dir, 'complete'), '');
  process.stdout.write(`\rgenerated ${DAYS * 1440} minute files in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
}

const ms = (t: number) => `${(performance.now() - t).toFixed(0)} ms`;
const mb = () => `${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`;

async function timeQuery(
  service: ArchiveService,
  label: string,
  args: Record<string, unknown>,
  method = 'summary',
): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const r = await service.call(method, args);
    times.push(performance.now() - t);
    if (!r.ok) throw new Error(`${label}: ${r.error.message}`);
  }
  times.sort((a, b) => a - b);
  console.log(`  ${label.padEnd(42)} median ${times[2]!.toFixed(1)} ms, max ${times[4]!.toFixed(1)} ms`);
  return times[4]!;
}

generate();
const indexDir = path.join(dir, 'index-cache');
rmSync(indexDir, { recursive: true, force: true });

let t = performance.now();
let lastLine = 0;
const first = await ArchiveService.create({ segmentsDir: segments, settingsFile: null, indexDir, mergeIntervalMs: 0 });
first.onEvent((e) => {
  if (e.type === 'index' && Date.now() - lastLine > 500) {
    lastLine = Date.now();
    process.stdout.write(`\rfirst scan: ${e.status.filesScanned}/${e.status.filesTotal} files`);
  }
});
await first.scanned();
const firstScan = performance.now() - t;
console.log(`\rfirst scan (no cache): ${DAYS * 1440} files in ${(firstScan / 1000).toFixed(2)} s, RSS ${mb()}`);
await first.close();

t = performance.now();
const service = await ArchiveService.create({
  segmentsDir: segments,
  settingsFile: null,
  indexDir,
  mergeIntervalMs: 0,
});
await service.scanned();
console.log(`rescan from the persisted cache: ${ms(t)}, RSS ${mb()}`);

const end = START + DAYS * 86400;
console.log('warm overview queries (5 runs each):');
const worst = Math.max(
  await timeQuery(service, 'listChannels', {}, 'listChannels'),
  await timeQuery(service, `summary ${DAYS} days by day`, {
    channel: CHANNEL,
    from: START,
    to: end,
    resolution: 'day',
  }),
  await timeQuery(service, `summary ${DAYS} days by hour`, {
    channel: CHANNEL,
    from: START,
    to: end,
    resolution: 'hour',
  }),
  await timeQuery(service, 'summary 1 day by minute', {
    channel: CHANNEL,
    from: START + 86400 * 10,
    to: START + 86400 * 11,
    resolution: 'minute',
  }),
  await timeQuery(service, `summary ${DAYS} days by minute`, {
    channel: CHANNEL,
    from: START,
    to: end,
    resolution: 'minute',
  }),
);
// Coverage (issue 13): every receiver's span, each node's gaps and the holes, 30 days at once.
const coverage = await service.call('coverage', { channel: CHANNEL, from: START, to: end });
const gapCount = coverage.ok ? Object.values((coverage.value as Coverage).nodes).flat().length : -1;
const coverageMs = await timeQuery(
  service,
  `coverage ${DAYS} days (${gapCount} gaps)`,
  { channel: CHANNEL, from: START, to: end },
  'coverage',
);
await timeQuery(
  service,
  'records of one hour (first page)',
  { channel: CHANNEL, from: START + 3600 * 100, to: START + 3600 * 101, offset: 0, limit: 200 },
  'records',
);
console.log(`RSS ${mb()}`);
console.log(
  `targets: first scan < 30 s: ${firstScan < 30_000 ? 'met' : 'MISSED'}; overview queries <= 300 ms: ${worst <= 300 ? 'met' : 'MISSED'} (worst ${worst.toFixed(0)} ms); coverage of ${DAYS} days <= 300 ms: ${coverageMs <= 300 ? 'met' : 'MISSED'} (${coverageMs.toFixed(0)} ms)`,
);
await service.close();
