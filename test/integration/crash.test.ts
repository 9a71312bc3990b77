/**
 * Crash safety (SPEC §6 "Files"): a merge in a child process is killed with SIGKILL at 50
 * random moments; after each kill nothing is lost, and a rerun ends with a clean archive
 * byte-identical to an uninterrupted merge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { mergeAll } from '../../app/archive/merge.js';
import { readArchiveFiles } from '../support/archive-records.js';
import { verifyArchive } from '../../app/archive/verify.js';
import { isOwnTemporary, parseBatchFileName } from '../../app/archive/layout.js';
import {
  HOUR,
  generateWorld,
  observationKey,
  readObservationKey,
  rng,
  snapshotTree,
  treeDigest,
  type World,
} from '../support/generate.js';

const ROUNDS = 50;
let root: string;
let child: string;
let template: string;
let world: World;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ca-crash-'));
  // One bundled file: a child that starts in milliseconds, so 50 rounds stay quick.
  child = path.join(root, 'merge-child.mjs');
  await build({
    entryPoints: [path.resolve(import.meta.dirname, '../support/merge-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: child,
    logLevel: 'warning',
  });
  // Several nodes' folders synced into one archive, not merged yet: many files per minute, MM:SS names.
  world = generateWorld({ seed: 77, nodes: 3, start: HOUR + 58 * 60, minutes: 4, rate: 2.5 });
  template = path.join(root, 'template');
  for (const n of world.nodes) {
    for (const f of n.files) {
      await fs.mkdir(path.dirname(path.join(template, f.rel)), { recursive: true });
      await fs.writeFile(path.join(template, f.rel), f.bytes);
    }
  }
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** Runs the child merge; kills it `killAfter` ms after it is ready (never, if undefined). */
function runChild(segments: string, killAfter?: number): Promise<{ ms: number; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, segments], { stdio: ['ignore', 'pipe', 'pipe'] });
    let readyAt = 0;
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!readyAt && out.includes('ready\n')) {
        readyAt = performance.now();
        if (killAfter !== undefined) setTimeout(() => p.kill('SIGKILL'), killAfter);
      }
    });
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ ms: performance.now() - readyAt, killed: true });
      else if (code === 0) resolve({ ms: performance.now() - readyAt, killed: false });
      else reject(new Error(`merge child exited ${code}: ${err}`));
    });
  });
}

/** The archive's files; a kill may leave our dot-named temporaries, which are not part of it. */
const contentOf = async (dir: string) =>
  (await snapshotTree(dir)).filter(([rel]) => !isOwnTemporary(path.basename(rel)));

async function observationsIn(dir: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (const p of await readArchiveFiles(dir)) {
    expect(parseBatchFileName(path.basename(p.rel)), p.rel).not.toBeNull();
    // A batch file is whole or absent: nothing half-written under a batch name.
    expect(p.problems, p.rel).toEqual([]);
    for (const o of p.observations) out.add(readObservationKey(o));
  }
  return out;
}

describe('merge killed with SIGKILL', () => {
  it(`${ROUNDS} random kills, each followed by a rerun: nothing lost, verify clean, same bytes as an uninterrupted merge`, async () => {
    const expected = new Set(world.nodes.flatMap((n) => n.observations.map(observationKey)));
    const reference = path.join(root, 'reference');
    await fs.cp(template, reference, { recursive: true });
    const full = await runChild(reference);
    expect(full.killed).toBe(false);
    const referenceDigest = treeDigest(await contentOf(reference));
    console.log(`crash test: an uninterrupted merge takes ${full.ms.toFixed(0)} ms`);
    expect(await observationsIn(reference)).toEqual(expected);

    const r = rng(4242);
    const work = path.join(root, 'work');
    let killedMidway = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await fs.rm(work, { recursive: true, force: true });
      await fs.cp(template, work, { recursive: true });
      // Random moments over the whole merge, a little past its usual end too.
      const kills = r() < 0.3 ? 2 : 1;
      for (let k = 0; k < kills; k++) {
        const res = await runChild(work, r() * full.ms * 1.1);
        if (res.killed) killedMidway++;
        expect(await observationsIn(work), `round ${round}, kill ${k}`).toEqual(expected);
      }
      await mergeAll(work);
      const report = await verifyArchive(work);
      expect(
        report.problems.filter((p) => p.severity === 'error'),
        `round ${round}`,
      ).toEqual([]);
      expect(treeDigest(await contentOf(work)), `round ${round}`).toBe(referenceDigest);
    }
    // The kills really landed inside merges, not only after them. (Kill times are drawn over
    // the reference run's length; on a loaded machine that reference can be slow, so not all
    // of them land inside the faster later runs: a quarter is the guard.)
    expect(killedMidway).toBeGreaterThan(ROUNDS / 4);
  }, 120_000);

  it('temporaries a killed write left behind are removed by the next merge of their hour once stale, and verify only warns about them', async () => {
    const dir = path.join(root, 'temps');
    await fs.cp(template, dir, { recursive: true });
    const hour = path.join(dir, world.channel, 'chat', '2024-01-06T17');
    const stale = path.join(hour, '.chat-archiver-0123456789ab.tmp');
    const fresh = path.join(hour, '.chat-archiver-ba9876543210.tmp');
    await fs.writeFile(stale, '{"half":');
    await fs.writeFile(fresh, '{"half":');
    const old = new Date(Date.now() - 3600_000);
    await fs.utimes(stale, old, old);
    const before = await verifyArchive(dir);
    expect(before.problems.filter((p) => p.path === fresh).map((p) => p.severity)).toEqual(['warning']);
    await mergeAll(dir);
    await expect(fs.stat(stale)).rejects.toThrow();
    await fs.stat(fresh); // may still be in use by a writer
    const after = await verifyArchive(dir);
    expect(after.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });
});
