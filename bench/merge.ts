/**
 * `npm run bench:merge`: 3 nodes recording one busy channel (30 messages/s) for 60 and for
 * 30 minutes; import all three into an empty archive and merge until stable, against the
 * floor (read all input, JSON.parse every line, canonical-encode every output record,
 * SHA-256 and write the output once). Targets for 60 minutes: ≤ 2× the floor, < 2 s, peak
 * RSS ≤ 400 MB; 30 minutes shows that time and memory grow linearly. Times are the best
 * of RUNS runs, peak RSS the worst (when the collector runs varies), each run in a fresh
 * process (see merge-run.ts).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateWorld, writeWorld } from '../test/support/generate.js';

const exec = promisify(execFile);
const RATE = 30;
const NODES = 3;
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
/** 2024-01-06T16:00Z */
const START = 1704556800;
const script = path.join(import.meta.dirname, 'merge-run.ts');

interface ImportRun {
  ms: number;
  rounds: number;
  peakRssMb: number;
  newObservations: number;
  quarantined: number;
  problems: number;
}
interface FloorRun {
  ms: number;
  readParseMs: number;
  encodeWriteMs: number;
  inputFiles: number;
  inputBytes: number;
  inputLines: number;
  outputRecords: number;
  outputBytes: number;
}

async function child<T>(...args: string[]): Promise<T> {
  const { stdout } = await exec(process.execPath, ['--import', 'tsx', script, ...args], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as T;
}
const best = <T extends { ms: number }>(runs: T[]) => runs.reduce((a, b) => (b.ms < a.ms ? b : a));

async function measure(minutes: number, root: string) {
  const g0 = performance.now();
  const world = generateWorld({
    seed: 1,
    nodes: NODES,
    start: START,
    minutes,
    rate: RATE,
    originalNodes: 0,
    observations: false,
  });
  const nodes = await writeWorld(path.join(root, `nodes-${minutes}`), world);
  const records = world.nodes.reduce((a, n) => a + n.records, 0);
  const bytes = world.nodes.flatMap((n) => n.files.map((f) => f.bytes.length)).reduce((a, b) => a + b, 0);
  console.error(
    `${minutes} min: ${world.events.length} events, ${world.nodes.map((n) => n.records).join(' + ')} records, average line ${(bytes / records).toFixed(0)} bytes (generated in ${((performance.now() - g0) / 1000).toFixed(1)} s)`,
  );
  const imports: ImportRun[] = [];
  const floors: FloorRun[] = [];
  let dest = '';
  for (let i = 0; i < RUNS; i++) {
    dest = path.join(root, `archive-${minutes}-${i}`);
    await fs.mkdir(dest);
    imports.push(await child<ImportRun>('import', dest, ...nodes));
    floors.push(await child<FloorRun>('floor', dest, path.join(root, `floor-${minutes}-${i}`), ...nodes));
  }
  return { import: best(imports), floor: best(floors), peakRssMb: Math.max(...imports.map((r) => r.peakRssMb)) };
}

const root = await fs.mkdtemp(path.join(os.tmpdir(), 'ca-bench-merge-'));
try {
  const results = new Map<number, Awaited<ReturnType<typeof measure>>>();
  for (const minutes of [30, 60]) results.set(minutes, await measure(minutes, root));
  console.table(
    [...results].map(([minutes, m]) => ({
      minutes,
      'input MB': +(m.floor.inputBytes / 1e6).toFixed(1),
      'input records': m.floor.inputLines,
      'output records': m.floor.outputRecords,
      'import+merge ms': Math.round(m.import.ms),
      'floor ms': Math.round(m.floor.ms),
      ratio: +(m.import.ms / m.floor.ms).toFixed(2),
      'peak RSS MB': Math.round(m.peakRssMb),
    })),
  );
  const [a, b] = [results.get(30)!, results.get(60)!];
  console.log(
    `growth 30 → 60 min: input ×${(b.floor.inputBytes / a.floor.inputBytes).toFixed(2)}, import+merge ×${(b.import.ms / a.import.ms).toFixed(2)}, floor ×${(b.floor.ms / a.floor.ms).toFixed(2)}, peak RSS ×${(b.peakRssMb / a.peakRssMb).toFixed(2)}`,
  );
  console.log(
    `floor (60 min): read+parse ${Math.round(b.floor.readParseMs)} ms, encode+hash+write ${Math.round(b.floor.encodeWriteMs)} ms; merge rounds until stable: ${b.import.rounds}`,
  );
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(
    `targets (60 min): ≤ 2× floor ${verdict(b.import.ms <= 2 * b.floor.ms)}, < 2000 ms ${verdict(b.import.ms < 2000)}, ≤ 400 MB peak RSS ${verdict(b.peakRssMb <= 400)}`,
  );
  for (const m of results.values())
    if (m.import.quarantined || m.import.problems)
      console.log(`warning: ${m.import.quarantined} quarantined, ${m.import.problems} problems`);
} finally {
  await fs.rm(root, { recursive: true, force: true });
}
