/**
 * The measured parts of `npm run bench:merge`, each in a fresh process so that neither the
 * generator's memory nor the other part's garbage counts:
 *   tsx bench/merge-run.ts import DEST SRC...   import into DEST, merge until stable
 *   tsx bench/merge-run.ts floor DEST OUT SRC... the floor: read and JSON.parse every input
 *     line, canonical-encode every record of DEST's result, SHA-256 and write it to OUT once
 * Prints one JSON line.
 */
import { promises as fs } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { importSegments } from '../app/archive/import.js';
import { mergeAll } from '../app/archive/merge.js';
import { canonicalJson } from '../app/archive/encode.js';
import type { ChatRecord } from '../app/archive/record.js';

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

async function importAndMerge(dest: string, sources: string[]) {
  const t0 = performance.now();
  const imported = await importSegments(dest, sources);
  let rounds = 1;
  while ((await mergeAll(dest)).hoursMerged > 0) rounds++;
  const ms = performance.now() - t0;
  return {
    ms,
    rounds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    newObservations: imported.newObservations,
    quarantined: imported.quarantined.length,
    problems: imported.problems.length,
  };
}

async function floor(dest: string, out: string, sources: string[]) {
  const inputFiles = (await Promise.all(sources.map(files))).flat();
  const t0 = performance.now();
  let inputBytes = 0;
  let inputLines = 0;
  for (const f of inputFiles) {
    const bytes = await fs.readFile(f);
    inputBytes += bytes.length;
    for (const line of bytes.toString('utf8').split('\n')) {
      if (line === '') continue;
      JSON.parse(line);
      inputLines++;
    }
  }
  const readParseMs = performance.now() - t0;
  // The output's records are loaded one file at a time, untimed.
  let encodeWriteMs = 0;
  let outputRecords = 0;
  let outputBytes = 0;
  for (const f of await files(dest)) {
    const records = (await fs.readFile(f, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as ChatRecord);
    const t1 = performance.now();
    const bytes = Buffer.from(records.map((r) => canonicalJson(r)).join('\n') + '\n', 'utf8');
    createHash('sha256').update(bytes).digest('base64url');
    const p = path.join(out, path.relative(dest, f));
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, bytes);
    encodeWriteMs += performance.now() - t1;
    outputRecords += records.length;
    outputBytes += bytes.length;
  }
  return {
    ms: readParseMs + encodeWriteMs,
    readParseMs,
    encodeWriteMs,
    inputFiles: inputFiles.length,
    inputBytes,
    inputLines,
    outputRecords,
    outputBytes,
  };
}

const [mode, dest, ...rest] = process.argv.slice(2);
if (mode === 'import' && dest && rest.length)
  process.stdout.write(JSON.stringify(await importAndMerge(dest, rest)) + '\n');
else if (mode === 'floor' && dest && rest.length > 1)
  process.stdout.write(JSON.stringify(await floor(dest, rest[0]!, rest.slice(1))) + '\n');
else throw new Error('usage: merge-run.ts import DEST SRC... | floor DEST OUT SRC...');
