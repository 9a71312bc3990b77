/**
 * Images benchmark (`npm run bench:images`; BENCH_SECONDS per recording run, default 15;
 * BENCH_RECORDS for the archive run, default 300,000):
 * 1. the recorder flooded as in bench:record, without and with images fetched live and
 *    metrics on, side by side: what watching a recording costs it;
 * 2. `chat-archiver emotes` work on an archive of the fixture's records repeated with fresh
 *    ids: scanning (records/s, MB/s), a cold fetch from a fake CDN on 127.0.0.1 (images/s:
 *    our side's cost, not a real CDN's), and a warm run (everything present).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixtureLines } from '../test/support/fake-twitch.js';
import { FakeImageServer } from '../test/support/fake-images.js';
import { sampleRecords } from '../app/service/sample.js';
import { writeRecords } from '../app/archive/store.js';
import type { ChatRecord } from '../app/archive/record.js';
import { openImageContext } from '../app/images/download.js';
import { archiveImages } from '../app/images/archive-images.js';

const SECONDS = process.env.BENCH_SECONDS ?? '15';
const RECORDS = Number(process.env.BENCH_RECORDS ?? 300_000);

function runRecordBench(images: boolean): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'record.ts')], {
      env: { ...process.env, BENCH_SECONDS: SECONDS, ...(images ? { RECORD_IMAGES: '1' } : {}) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('exit', () => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as Record<string, number>);
      else reject(new Error(`bench:record printed no report:\n${out}`));
    });
  });
}

function archiveOf(n: number): ChatRecord[] {
  const base = sampleRecords(fixtureLines());
  const out: ChatRecord[] = [];
  for (let i = 0; i < n; i++) {
    const r = base[i % base.length]!;
    const round = Math.floor(i / base.length);
    // A fresh id and a later time per round: one more hour of the same chat.
    out.push({
      ...r,
      tags: r.tags?.id ? { ...r.tags, id: `${r.tags.id}-${round}` } : r.tags,
      time: r.time + round * 3600,
      receiver_ranges: Object.fromEntries(
        Object.entries(r.receiver_ranges).map(([k, [t, l]]) => [k, [t + round * 3600, l]]),
      ),
      receivers: Object.fromEntries(Object.entries(r.receivers).map(([k, t]) => [k, t + round * 3600])),
    });
  }
  return out;
}

function duSync(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) n += fs.statSync(path.join(e.parentPath, e.name)).size;
  return n;
}

async function main() {
  const plain = await runRecordBench(false);
  const watched = await runRecordBench(true);
  const ratio = (k: string) => (watched[k]! / plain[k]!).toFixed(2);
  console.log(
    [
      `recording, ${SECONDS} s of flood each        without images   with images + metrics   ratio`,
      `  received lines/s                   ${String(plain.receivedPerSecond).padStart(14)}   ${String(watched.receivedPerSecond).padStart(21)}   ${ratio('receivedPerSecond')}`,
      `  stored lines/s (incl. stop)        ${String(plain.storedPerSecond).padStart(14)}   ${String(watched.storedPerSecond).padStart(21)}   ${ratio('storedPerSecond')}`,
      `  recorder CPU, % of one core        ${String(plain.recorderCpuPercentOfOneCore).padStart(14)}   ${String(watched.recorderCpuPercentOfOneCore).padStart(21)}   ${ratio('recorderCpuPercentOfOneCore')}`,
      `  peak RSS, MB                       ${String(Math.round(plain.peakRss! / 2 ** 20)).padStart(14)}   ${String(Math.round(watched.peakRss! / 2 ** 20)).padStart(21)}   ${ratio('peakRss')}`,
      `  lines lost                         ${String(plain.linesLost).padStart(14)}   ${String(watched.linesLost).padStart(21)}`,
      `  image requests                     ${String(0).padStart(14)}   ${String(watched.imageRequests).padStart(21)}`,
    ].join('\n'),
  );

  const segments = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-images-'));
  const fake = await FakeImageServer.start();
  try {
    await writeRecords(segments, 'nymn', archiveOf(RECORDS));
    const bytes = duSync(segments);
    const run = async () => {
      const ctx = await openImageContext({ segments, sources: fake.sources, memoryFile: null });
      const t0 = performance.now();
      let scanned = 0;
      const s = await archiveImages(ctx, {
        thirdParty: true,
        badges: null,
        media: false,
        onProgress: (phase) => {
          if (phase !== 'scanning' && !scanned) scanned = performance.now();
        },
      });
      return { s, scan: (scanned - t0) / 1000, total: (performance.now() - t0) / 1000 };
    };
    const cold = await run();
    const warm = await run();
    const images = cold.s.tally.stored;
    console.log(
      [
        `emotes command on ${cold.s.records.toLocaleString('en')} records (${(bytes / 2 ** 20).toFixed(0)} MB, ${cold.s.files} files), fake CDN on 127.0.0.1`,
        `  scan: ${cold.scan.toFixed(2)} s = ${Math.round(cold.s.records / cold.scan).toLocaleString('en')} records/s, ${(bytes / 2 ** 20 / cold.scan).toFixed(0)} MB/s`,
        `  cold: ${images} images stored in ${(cold.total - cold.scan).toFixed(2)} s after the scan (${Math.round(images / (cold.total - cold.scan))} images/s at concurrency 6)`,
        `  warm: ${warm.total.toFixed(2)} s, ${warm.s.tally.present} present, ${warm.s.tally.stored} fetched, ${fake.totalRequests} requests in both runs`,
      ].join('\n'),
    );
  } finally {
    await fake.close();
    fs.rmSync(segments, { recursive: true, force: true });
  }
}

await main();
