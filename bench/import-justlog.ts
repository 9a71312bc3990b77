/**
 * `npm run bench:import-justlog`: a justlog logs folder of a busy channel over BENCH_DAYS days
 * (default 30) at BENCH_RATE lines/s (default 4, around the clock): fixture lines with fresh ids
 * and times, day files gzipped as justlog's archiver leaves them (the last day plain), per-user
 * files beside them. Imported by `chat-archiver import --from justlog` in its own process into
 * an empty archive, then again (a no-op); against the floor (read, gunzip and split every line of
 * the day files). Prints time, lines/s, MB/s and the importer's peak RSS.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import { once } from 'node:events';
import { freshLineTemplates } from '../test/support/fake-twitch.js';
import { readLines } from '../app/foreign/lines.js';

const DAYS = Number(process.env.BENCH_DAYS ?? 30);
const RATE = Number(process.env.BENCH_RATE ?? 4);
/** 2024-01-01T00:00Z */
const START = 1704067200;
const ROOM = '62300805';
const MAIN = path.resolve(import.meta.dirname, '../app/cli/main.ts');

async function writeLines(file: string, lines: string[], gzip: boolean): Promise<number> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const out = createWriteStream(file);
  const sink = gzip ? createGzip({ level: 6 }) : null;
  if (sink) sink.pipe(out);
  const w = sink ?? out;
  for (let i = 0; i < lines.length; i += 1000) {
    if (!w.write(lines.slice(i, i + 1000).join('\n') + '\n')) await once(w, 'drain');
  }
  w.end();
  await once(out, 'close');
  return (await fs.stat(file)).size;
}

/** The folder, day by day; per-user lines gathered by month and written at the month's end. */
async function generate(dir: string) {
  const make = freshLineTemplates('bench');
  const userOf = make.map((_, i) => String(1000 + (i % 500)));
  let n = 0;
  let bytes = 0;
  let rawBytes = 0;
  let users = new Map<string, string[]>();
  let month = '';
  const flushUsers = async () => {
    for (const [id, ls] of users) bytes += await writeLines(path.join(dir, ROOM, month, `${id}.txt`), ls, false);
    users = new Map();
  };
  for (let d = 0; d < DAYS; d++) {
    const day = new Date((START + d * 86400) * 1000);
    const m = `${day.getUTCFullYear()}/${day.getUTCMonth() + 1}`;
    if (m !== month) {
      if (month) await flushUsers();
      month = m;
    }
    const lines: string[] = [];
    const per = 86400 * RATE;
    for (let k = 0; k < per; k++) {
      const t = Math.floor((START + d * 86400 + (k + 0.5) / RATE) * 1000);
      const which = n % make.length;
      const line = make[which]!(n++, t);
      lines.push(line);
      rawBytes += Buffer.byteLength(line) + 1;
      const u = users.get(userOf[which]!);
      if (u) u.push(line);
      else users.set(userOf[which]!, [line]);
    }
    const last = d === DAYS - 1;
    bytes += await writeLines(
      path.join(dir, ROOM, m, String(day.getUTCDate()), last ? 'channel.txt' : 'channel.txt.gz'),
      lines,
      !last,
    );
    process.stderr.write(`\rgenerating: day ${d + 1}/${DAYS}`);
  }
  await flushUsers();
  process.stderr.write('\n');
  return { lines: n, bytes, rawBytes };
}

/** Runs the import in its own process; its peak RSS from /proc (VmHWM), read until it exits. */
async function runImport(src: string, dest: string) {
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, 'import', '--segments', dest, '--from', 'justlog', '--json', src],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  let hwm = 0;
  let cpu = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) hwm = Math.max(hwm, Number(m[1]) / 1024);
      // utime + stime, in clock ticks (100/s): CPU time, which other processes' load does not stretch
      const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      cpu = (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      // exited
    }
  }, 100);
  const [code] = (await once(child, 'exit')) as [number];
  clearInterval(poll);
  const s = JSON.parse(out) as { linesImported: number; newObservations: number; problems: unknown[]; written: number };
  return { ms: performance.now() - t0, cpuS: cpu, code, peakRssMb: hwm, ...s };
}

async function floor(src: string) {
  const t0 = performance.now();
  let lines = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.startsWith('channel.txt')) for await (const _ of readLines(p)) lines++;
    }
  };
  await walk(src);
  return { ms: performance.now() - t0, lines };
}

async function main() {
  console.log(
    `load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} on ${os.cpus().length} cores`,
  );
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'ca-bench-justlog-'));
  try {
    const src = path.join(root, 'justlog');
    const g0 = performance.now();
    const gen = await generate(src);
    console.log(
      `justlog folder: ${DAYS} days at ${RATE} lines/s: ${gen.lines.toLocaleString()} lines, ` +
        `${(gen.rawBytes / 1e9).toFixed(2)} GB of text, ${(gen.bytes / 1e9).toFixed(2)} GB on disk (day files gzipped, per-user files plain); generated in ${((performance.now() - g0) / 1000).toFixed(0)} s`,
    );
    const f = await floor(src);
    const dest = path.join(root, 'archive');
    await fs.mkdir(dest);
    const a = await runImport(src, dest);
    const b = await runImport(src, dest);
    const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(
      `floor (read + gunzip + split the day files): ${sec(f.ms)}, ${Math.round(f.lines / (f.ms / 1000)).toLocaleString()} lines/s`,
    );
    console.log(
      `import:    ${sec(a.ms)}, ${Math.round(a.linesImported / (a.ms / 1000)).toLocaleString()} lines/s, ` +
        `${(gen.rawBytes / 1e6 / (a.ms / 1000)).toFixed(1)} MB/s of text, ${(a.ms / f.ms).toFixed(1)}× the floor, peak RSS ${a.peakRssMb.toFixed(0)} MB; ` +
        `CPU ${a.cpuS.toFixed(0)} s (${Math.round(a.linesImported / a.cpuS).toLocaleString()} lines per CPU second); ` +
        `${a.linesImported.toLocaleString()} lines imported, ${a.written.toLocaleString()} files written, exit ${a.code}`,
    );
    console.log(
      `re-import: ${sec(b.ms)}, CPU ${b.cpuS.toFixed(0)} s, new observations ${b.newObservations}, files written ${b.written}, peak RSS ${b.peakRssMb.toFixed(0)} MB, exit ${b.code}`,
    );
    if (a.linesImported !== gen.lines || b.newObservations !== 0 || a.problems.length) {
      console.log('MISMATCH: not every line was imported once');
      process.exitCode = 1;
    }
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

await main();
