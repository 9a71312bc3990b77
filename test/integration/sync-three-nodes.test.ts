/**
 * Issue 9's "done when": three nodes, each a real Syncthing (own home, own ports on
 * 127.0.0.1, discovery, relays and NAT off) with our merge loop (`chat-archiver sync run`),
 * different data per node, more data written while they already sync (and a conflict copy),
 * all merging at once. They must end byte-identical, with every observation of every node,
 * verify clean, no conflict copy left, and no Syncthing of theirs running afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeBatch } from '../../app/archive/encode.js';
import { readBatchFile } from '../../app/archive/read.js';
import { hasErrors, verifyArchive } from '../../app/archive/verify.js';
import { hourName } from '../../app/archive/layout.js';
import {
  HOUR,
  generateWorld,
  observationKey,
  readObservationKey,
  snapshotTree,
  type World,
} from '../support/generate.js';
import { isRunning, processesMentioning } from '../support/processes.js';
import { chatRecord } from '../support/service-archive.js';
import {
  chatTree,
  commonTree,
  killNodes,
  startNodes,
  writeFiles,
  type SyncNodeProcess,
} from '../support/sync-nodes.js';

const N = 3;
let root: string;
const nodes: SyncNodeProcess[] = [];

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ca-sync3-'));
});
afterAll(async () => {
  // Safety net only: the test itself asserts that nothing was left running.
  await killNodes(nodes);
  await fs.rm(root, { recursive: true, force: true });
});

async function observationsOf(seg: string): Promise<string[]> {
  const out: string[] = [];
  for (const [rel] of await chatTree(seg)) {
    const p = await readBatchFile(path.join(seg, rel));
    for (const o of p.observations) out.push(readObservationKey(o));
  }
  return out.sort();
}

const expected = (worlds: World[]) => worlds.flatMap((w) => w.nodes.flatMap((n) => n.observations.map(observationKey)));

/** Every minute of the tree holds one batch file: the nodes' merges have settled what arrived. */
const settled = (tree: Array<[string, Buffer]>) => {
  const minutes = tree.map(([rel]) => /^(.*\/chat\/[^/]+\/\d\d[.:]\d\d)-/.exec(rel)?.[1]).filter(Boolean);
  return new Set(minutes).size === minutes.length;
};

async function converged(want: string[]): Promise<boolean> {
  // Byte-identical is not enough: three nodes can hold the same unmerged files for a moment.
  if (!(await commonTree(nodes)) || !settled(await chatTree(nodes[0]!.seg))) return false;
  try {
    const got = await observationsOf(nodes[0]!.seg);
    return got.length === want.length && got.every((k, i) => k === want[i]);
  } catch (e) {
    // A file merged away between listing and reading it: the nodes are still moving.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

describe('three Syncthing nodes with the merge loop', () => {
  it('converge to byte-identical trees holding every observation, then stop every process', async () => {
    // Different data per node over the same hours (so merges overlap), one node in the original format.
    const first = generateWorld({ seed: 91, nodes: N, start: HOUR + 45 * 60, minutes: 25, rate: 1.5 });
    const later = generateWorld({
      seed: 92,
      nodes: N,
      start: HOUR + 50 * 60,
      minutes: 15,
      rate: 1.5,
      originalNodes: 0,
    });
    const dirs = Array.from({ length: N }, (_, i) => path.join(root, `node${i}`));
    for (let i = 0; i < N; i++) await writeFiles(path.join(dirs[i]!, 'segments'), first.nodes[i]!.files);
    await startNodes(dirs, nodes);
    for (const n of nodes) expect(isRunning(n.syncthingPid!)).toBe(true);

    // Recorded while they already sync: new files on every node, and a conflict copy on one.
    const hour = HOUR + 3600;
    const conflict = encodeBatch([
      chatRecord(hour + 120, 'conflict.cccc1.0', 'from a conflict copy'),
      chatRecord(hour + 121, 'conflict.cccc1.0', 'also from it'),
    ]);
    for (let i = 0; i < N; i++) await writeFiles(nodes[i]!.seg, later.nodes[i]!.files);
    await writeFiles(nodes[1]!.seg, [
      {
        rel: path.join('testchan', 'chat', hourName(hour), '02.00-x.sync-conflict-20240106-170200-AAAAAAA.json'),
        bytes: conflict,
      },
    ]);
    const lastWrite = Date.now();
    const conflictKeys = (
      await readBatchFile(
        path.join(
          nodes[1]!.seg,
          'testchan',
          'chat',
          hourName(hour),
          '02.00-x.sync-conflict-20240106-170200-AAAAAAA.json',
        ),
      )
    ).observations.map(readObservationKey);
    const want = [...expected([first, later]), ...conflictKeys].sort();

    let took = -1;
    while (Date.now() - lastWrite < 120_000) {
      if (await converged(want)) {
        took = (Date.now() - lastWrite) / 1000;
        break;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    console.log(`three nodes converged ${took.toFixed(1)} s after the last write`);
    expect(took, 'nodes did not converge within 120 s').toBeGreaterThanOrEqual(0);

    for (const n of nodes) {
      const v = await verifyArchive(n.seg);
      expect(v.problems.filter((p) => p.severity === 'error')).toEqual([]);
      expect(hasErrors(v)).toBe(false);
      expect(v.observations).toBe(want.length);
      const conflicts = (await snapshotTree(n.seg)).filter(([rel]) => rel.includes('.sync-conflict-'));
      expect(conflicts).toEqual([]);
    }

    for (const n of nodes) expect(await n.proc!.stop('SIGTERM')).toBe(0);
    for (const n of nodes) expect(isRunning(n.syncthingPid!)).toBe(false);
    expect(processesMentioning(nodes.map((n) => `--home=${n.home}`))).toEqual([]);
  }, 240_000);
});
