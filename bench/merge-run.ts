/**
 * The measured part of `npm run bench:merge`, in its own process so that the generator's
 * memory does not count: import the node folders into an empty archive and merge until
 * stable, then (same process, after the peak RSS is taken) the floor.
 * Usage: tsx bench/merge-run.ts DEST OUT SRC...   Prints one JSON line.
 */
import { promises as fs } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { importSegments } from '../app/archive/import.js';
import { mergeAll } from '../app/archive/merge.js';
import { canonicalJson } from '../app/archive/encode.js';
import type { ChatRecord } from '../app/archive/record.js';

const [dest, out, ...sources] = process.argv.slice(2);
if (!dest || !out || sources.length === 0) throw new Error('usage: merge-run.ts DEST OUT SRC...');

async function files(root: string): Promise<string[]> {
  const list: string[] = [];
  const walk = async (dir: string) => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else list.push(p);
    }
  };
  await walk(root);
  return list.sort();
}

const t0 = performance.now();
const imported = await importSegments(dest, sources);
let rounds = 1;
for (;;) {
  const m = await mergeAll(dest);
  if (m.hoursMerged === 0) break;
  rounds++;
}
const importMs = performance.now() - t0;
const peakRssMb = process.resourceUsage().maxRSS / 1024;

// The floor: the least any import+merge must do. Output records are loaded untimed.
const outputFiles = await files(dest);
const output: Array<{ rel: string; records: ChatRecord[] }> = [];
for (const f of outputFiles) {
  const text = await fs.readFile(f, 'utf8');
  output.push({ rel: path.relative(dest, f), records: text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as ChatRecord) });
}
const inputFiles = (await Promise.all(sources.map(files))).flat();
const f0 = performance.now();
let inputBytes = 0;
let inputLines = 0;
for (const f of inputFiles) {
  const text = await fs.readFile(f, 'utf8');
  inputBytes += Buffer.byteLength(text);
  for (const line of text.split('\n')) {
    if (line === '') continue;
    JSON.parse(line);
    inputLines++;
  }
}
const f1 = performance.now();
let outputBytes = 0;
let outputRecords = 0;
const made = new Set<string>();
for (const { rel, records } of output) {
  const bytes = Buffer.from(records.map((r) => canonicalJson(r)).join('\n') + '\n', 'utf8');
  createHash('sha256').update(bytes).digest('base64url');
  const p = path.join(out, rel);
  const dir = path.dirname(p);
  if (!made.has(dir)) {
    await fs.mkdir(dir, { recursive: true });
    made.add(dir);
  }
  await fs.writeFile(p, bytes);
  outputBytes += bytes.length;
  outputRecords += records.length;
}
const floorMs = performance.now() - f0;

process.stdout.write(
  JSON.stringify({
    importMs, rounds, peakRssMb, floorMs, floorReadParseMs: f1 - f0, floorEncodeWriteMs: performance.now() - f1,
    inputFiles: inputFiles.length, inputBytes, inputLines, outputFiles: outputFiles.length, outputBytes, outputRecords,
    newObservations: imported.newObservations, quarantined: imported.quarantined.length, problems: imported.problems.length,
  }) + '\n',
);
