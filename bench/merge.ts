/**
 * `npm run bench:merge`: 3 nodes recording one busy channel (30 messages/s) for 60 and for
 * 30 minutes; import all three into an empty archive and merge until stable, against the
 * floor (read all input, JSON.parse every line, canonical-encode every output record,
 * SHA-256 and write the output once). Targets for 60 minutes: ≤ 2× the floor, < 2 s, peak
 * RSS ≤ 400 MB; 30 minutes shows that time and memory grow linearly.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateWorld, writeWorld } from '../test/support/generate.js';

const run = promisify(execFile);
const RATE = 30;
const NODES = 3;
/** 2024-01-06T16:00Z */
const START = 1704556800;

interface Measured {
  importMs: number; rounds: number; peakRssMb: number; floorMs: number; floorReadParseMs: number; floorEncodeWriteMs: number;
  inputFiles: number; inputBytes: number; inputLines: number; outputFiles: number; outputBytes: number; outputRecords: number;
  newObservations: number; quarantined: number; problems: number;
}

async function measure(minutes: number, root: string): Promise<Measured> {
  const g0 = performance.now();
  const world = generateWorld({ seed: 1, nodes: NODES, start: START, minutes, rate: RATE, originalNodes: 0, observations: false });
  const nodes = await writeWorld(path.join(root, `nodes-${minutes}`), world);
  const genMs = performance.now() - g0;
  const lineBytes = world.nodes.flatMap((n) => n.files.map((f) => f.bytes.length)).reduce((a, b) => a + b, 0) / world.nodes.reduce((a, n) => a + n.records, 0);
  console.error(`${minutes} min: generated ${world.events.length} events, ${world.nodes.map((n) => n.records).join(' + ')} records (avg line ${lineBytes.toFixed(0)} bytes) in ${(genMs / 1000).toFixed(1)} s`);
  const dest = path.join(root, `archive-${minutes}`);
  const out = path.join(root, `floor-${minutes}`);
  await fs.mkdir(dest);
  const script = path.join(import.meta.dirname, 'merge-run.ts');
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, dest, out, ...nodes], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as Measured;
}

const root = await fs.mkdtemp(path.join(os.tmpdir(), 'ca-bench-merge-'));
try {
  const results = new Map<number, Measured>();
  for (const minutes of [30, 60]) results.set(minutes, await measure(minutes, root));
  const rows = [...results].map(([minutes, m]) => ({
    minutes,
    'input MB': +(m.inputBytes / 1e6).toFixed(1),
    'input records': m.inputLines,
    'output records': m.outputRecords,
    'import+merge ms': Math.round(m.importMs),
    'floor ms': Math.round(m.floorMs),
    ratio: +(m.importMs / m.floorMs).toFixed(2),
    'peak RSS MB': Math.round(m.peakRssMb),
  }));
  console.table(rows);
  const [a, b] = [results.get(30)!, results.get(60)!];
  console.log(`growth 30 → 60 min: input ×${(b.inputBytes / a.inputBytes).toFixed(2)}, time ×${(b.importMs / a.importMs).toFixed(2)}, floor ×${(b.floorMs / a.floorMs).toFixed(2)}, peak RSS ×${(b.peakRssMb / a.peakRssMb).toFixed(2)}`);
  console.log(`floor (60 min): read+parse ${Math.round(b.floorReadParseMs)} ms, encode+hash+write ${Math.round(b.floorEncodeWriteMs)} ms; merge rounds until stable: ${b.rounds}`);
  const ok = b.importMs <= 2 * b.floorMs && b.importMs < 2000 && b.peakRssMb <= 400;
  console.log(`targets (60 min: ≤ 2× floor, < 2000 ms, ≤ 400 MB): ${ok ? 'met' : 'NOT met'}`);
  for (const m of results.values()) if (m.quarantined || m.problems) console.log(`warning: ${m.quarantined} quarantined, ${m.problems} problems`);
} finally {
  await fs.rm(root, { recursive: true, force: true });
}
