/**
 * Convergence (SPEC §6, "Required property"): generated folders of several nodes imported
 * into fresh archives in every order and in chained groupings give byte-identical trees,
 * and every observation of every node is still there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importSegments } from '../../app/archive/import.js';
import { mergeAll } from '../../app/archive/merge.js';
import { readArchiveFiles } from '../support/archive-records.js';
import { verifyArchive } from '../../app/archive/verify.js';
import {
  HOUR,
  generateWorld,
  observationKey,
  readObservationKey,
  rng,
  snapshotTree,
  treeDigest,
  writeWorld,
  type World,
} from '../support/generate.js';

/** A source of an import: a node's own folder, or an archive built by a plan of its own. */
type Source = number | Plan;
/** Import calls in sequence into one fresh archive; each call takes one or more sources. */
type Plan = Source[][];

let root: string;
let counter = 0;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ca-converge-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function build(plan: Plan, nodes: string[]): Promise<string> {
  const dest = path.join(root, `archive-${counter++}`);
  await fs.mkdir(dest);
  for (const call of plan) {
    const sources: string[] = [];
    for (const s of call) sources.push(typeof s === 'number' ? nodes[s]! : await build(s, nodes));
    const sum = await importSegments(dest, sources);
    expect(sum.problems).toEqual([]);
    expect(sum.quarantined).toEqual([]);
  }
  // Merge until stable: a second round has nothing left to do.
  await mergeAll(dest);
  const again = await mergeAll(dest);
  expect([again.filesWritten, again.filesRemoved, again.hoursMerged]).toEqual([0, 0, 0]);
  return dest;
}

async function archiveObservations(dest: string): Promise<string[]> {
  const out: string[] = [];
  for (const p of await readArchiveFiles(dest)) {
    expect(p.problems).toEqual([]);
    for (const o of p.observations) out.push(readObservationKey(o));
  }
  return out.sort();
}

function expectedObservations(world: World): string[] {
  return world.nodes.flatMap((n) => n.observations.map(observationKey)).sort();
}

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

async function checkConverges(world: World, plans: Plan[]) {
  const nodes = await writeWorld(path.join(root, `nodes-${counter++}`), world);
  const sourceBefore = await Promise.all(
    nodes.map(async (n) => treeDigest(await snapshotTree(n, { includeHidden: true }))),
  );
  const digests = new Map<string, string>();
  let first: string | undefined;
  for (const plan of plans) {
    const dest = await build(plan, nodes);
    const d = treeDigest(await snapshotTree(dest));
    digests.set(JSON.stringify(plan), d);
    if (!first) {
      first = dest;
      const report = await verifyArchive(dest);
      expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
      const got = await archiveObservations(dest);
      const want = expectedObservations(world);
      expect(got.length).toBe(want.length);
      expect(got).toEqual(want);
    }
  }
  expect(new Set(digests.values()).size, JSON.stringify([...digests], null, 1)).toBe(1);
  // The sources were only read.
  const sourceAfter = await Promise.all(
    nodes.map(async (n) => treeDigest(await snapshotTree(n, { includeHidden: true }))),
  );
  expect(sourceAfter).toEqual(sourceBefore);
}

describe('merge convergence on generated multi-node folders', () => {
  it('3 nodes (one in the original format) crossing an hour: every order, every chained grouping', async () => {
    const world = generateWorld({ seed: 11, nodes: 3, start: HOUR + 55 * 60, minutes: 10, rate: 3 });
    expect(world.nodes.some((n) => n.original)).toBe(true);
    expect(world.nodes.some((n) => n.receivers.length > 1)).toBe(true);
    const plans: Plan[] = [
      [[0, 1, 2]],
      ...permutations([0, 1, 2]).map((p) => p.map((n) => [n])),
      [[0, 1], [2]],
      [[2, 0], [1]],
      [[1, 2], [0]],
      [[0], [[[1], [2]]]], // A, then an archive that merged B and C
      [[[[2, 0]]], [1]],
      [[[[0]], [[1]], [[2]]]], // three single-node archives imported together
    ];
    await checkConverges(world, plans);
  });

  it('5 nodes with outages, reconnects and skewed clocks: random orders and groupings', async () => {
    const world = generateWorld({ seed: 2024, nodes: 5, start: HOUR + 57 * 60, minutes: 6, rate: 4, originalNodes: 2 });
    const r = rng(99);
    const plans: Plan[] = [[[0, 1, 2, 3, 4]]];
    for (let i = 0; i < 5; i++) {
      const order = [0, 1, 2, 3, 4].sort(() => r() - 0.5);
      // cut the order into consecutive import calls at random places
      const calls: number[][] = [[]];
      for (const n of order) {
        if (calls[calls.length - 1]!.length && r() < 0.5) calls.push([]);
        calls[calls.length - 1]!.push(n);
      }
      plans.push(calls);
    }
    plans.push([[[[3, 4]], 0], [[[1], [2]]]]);
    await checkConverges(world, plans);
  });

  it('a node importing into its own recorded folder ends where a fresh archive ends', async () => {
    const world = generateWorld({ seed: 5, nodes: 3, start: HOUR + 30 * 60, minutes: 5, rate: 3 });
    const nodes = await writeWorld(path.join(root, `nodes-${counter++}`), world);
    const fresh = await build([[0, 1, 2]], nodes);
    const own = path.join(root, `own-${counter++}`);
    await fs.cp(nodes[1]!, own, { recursive: true });
    await mergeAll(own);
    await importSegments(own, [nodes[2]!, nodes[0]!]);
    await importSegments(own, [nodes[0]!]); // again: changes nothing
    expect(treeDigest(await snapshotTree(own))).toBe(treeDigest(await snapshotTree(fresh)));
  });
});
