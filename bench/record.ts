/**
 * Recorder throughput (`npm run bench:record`; BENCH_SECONDS sets the duration, default 30;
 * RECORD_PROF=DIR writes a CPU profile of the recorder process there; RECORD_IMAGES=1 records
 * with images fetched live from a fake CDN and `--metrics` on, as `bench:images` compares).
 * The fake server floods one channel with fixture lines carrying fresh ids and timestamps,
 * as fast as the recorder process (a separate `chat-archiver record`) takes them: TCP flow
 * control is the only brake. Prints lines/s received and stored, lines lost, the recorder's
 * peak RSS and CPU, and its RSS at 10 s vs at the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeTwitch, freshLineTemplates } from '../test/support/fake-twitch.js';
import { spawnRecorder } from '../test/support/record-process.js';
import { FakeImageServer } from '../test/support/fake-images.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const FRAME_LINES = 50;
const IN_FLIGHT = 16;
const CLK_TCK = 100;

function procStats(pid: number): { rss: number; hwm: number; cpu: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { rss: kb('VmRSS'), hwm: kb('VmHWM'), cpu: (Number(f[11]) + Number(f[12])) / CLK_TCK };
  } catch {
    return null;
  }
}

function countStored(segments: string): number {
  let n = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      // Our own state, and the image folders beside the channels (their set snapshots are .json too).
      if (e.name.startsWith('.') || (d === segments && (e.name === 'emotes' || e.name === 'media'))) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.json')) {
        const buf = fs.readFileSync(p);
        for (let i = 0; i < buf.length; i++) if (buf[i] === 10) n++;
      }
    }
  };
  walk(segments);
  return n;
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;

async function main() {
  const segments = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-record-'));
  const srv = await FakeTwitch.start();
  const images = process.env.RECORD_IMAGES ? await FakeImageServer.start() : null;
  const imageArgs = images ? [...images.cliArgs(), '--metrics', '127.0.0.1:0'] : [];
  const rec = spawnRecorder(
    ['--segments', segments, '--channel', 'bench', '--name', 'bench', '--server', srv.url, ...imageArgs],
    { images: !!images },
  );
  const pid = rec.child.pid!;
  let received = 0;
  let stored = 0;
  rec.child.stdout!.on('data', () => {
    for (let i = rec.events.length - 1; i >= 0; i--) {
      const e = rec.events[i]!;
      const c = (e.counters as Record<string, { lines: number; stored: number }> | undefined)?.bench;
      if (c) {
        received = c.lines;
        stored = c.stored;
        break;
      }
    }
    rec.events.length = 0;
  });
  await srv.waitForJoined('bench', 1, 30_000);
  // The handshake lines count as received too; wait for a status event that includes them.
  await new Promise((r) => setTimeout(r, 2000));
  const client = srv.joinedClients('bench')[0]!;
  const make = freshLineTemplates('bench');
  const preamble = received;

  let sent = 0;
  let inFlight = 0;
  let running = true;
  const startCpu = procStats(pid)!.cpu;
  const t0 = Date.now();
  let rss10 = 0;
  let peakRss = 0;
  const sampler = setInterval(() => {
    const s = procStats(pid);
    if (!s) return;
    peakRss = Math.max(peakRss, s.hwm);
    if (!rss10 && Date.now() - t0 >= 10_000) rss10 = s.rss;
  }, 200);

  await new Promise<void>((resolve) => {
    const pump = () => {
      while (running && inFlight < IN_FLIGHT) {
        const now = Date.now();
        let frame = '';
        for (let i = 0; i < FRAME_LINES; i++, sent++) frame += make[sent % make.length]!(sent, now) + '\r\n';
        inFlight++;
        client.ws.send(frame, () => {
          inFlight--;
          if (running) setImmediate(pump);
          else if (inFlight === 0) resolve();
        });
      }
    };
    setTimeout(() => (running = false), SECONDS * 1000);
    pump();
  });
  const sendSeconds = (Date.now() - t0) / 1000;
  // Let the recorder take the lines still in the socket buffers.
  while (received - preamble < sent) await new Promise((r) => setTimeout(r, 100));
  const receiveSeconds = (Date.now() - t0) / 1000;
  const atEnd = procStats(pid)!;
  const cpuReceive = atEnd.cpu - startCpu;

  const tStop = Date.now();
  const code = await rec.stop('SIGINT');
  clearInterval(sampler);
  const flushSeconds = (Date.now() - tStop) / 1000;
  const files = countStored(segments);
  await srv.close();
  const imageRequests = images?.totalRequests ?? 0;
  await images?.close();

  const report = {
    seconds: SECONDS,
    linesSent: sent,
    linesReceived: received - preamble,
    linesStoredByRecorder: stored,
    linesInBatchFiles: files,
    linesLost: sent - files,
    receivedPerSecond: Math.round((received - preamble) / receiveSeconds),
    storedPerSecond: Math.round(files / (receiveSeconds + flushSeconds)),
    sendSeconds,
    receiveSeconds,
    flushSecondsAtStop: flushSeconds,
    recorderCpuSeconds: cpuReceive,
    recorderCpuPercentOfOneCore: Math.round((cpuReceive / receiveSeconds) * 100),
    rssAt10s: rss10,
    rssAtEnd: atEnd.rss,
    peakRss: Math.max(peakRss, atEnd.hwm),
    exitCode: code,
    images: !!images,
    imageRequests,
  };
  console.log(JSON.stringify(report));
  console.log(
    [
      `recorder benchmark, ${SECONDS} s of flood${images ? `, images and metrics on (${imageRequests} image requests)` : ''}`,
      `  received ${report.linesReceived} lines: ${report.receivedPerSecond} lines/s (CPU ${report.recorderCpuPercentOfOneCore} % of one core)`,
      `  stored   ${report.linesInBatchFiles} lines in batch files: ${report.storedPerSecond} lines/s including ${flushSeconds.toFixed(1)} s of writing at stop`,
      `  lost     ${report.linesLost}`,
      `  RSS at 10 s ${mb(report.rssAt10s)}, at end ${mb(report.rssAtEnd)}, peak ${mb(report.peakRss)}`,
    ].join('\n'),
  );
  fs.rmSync(segments, { recursive: true, force: true });
  if (report.linesLost !== 0 || code !== 0) process.exitCode = 1;
}

await main();
