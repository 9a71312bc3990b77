/**
 * `npm run bench:sync`: three `chat-archiver sync run` nodes on 127.0.0.1, each holding
 * its own recording of one busy channel (30 messages/s, MINUTES minutes, as bench:merge),
 * started together: how long until all three hold byte-identical, verify-clean trees with
 * every observation, against the floor of the same work in one process (importing the three
 * folders into one archive and merging). The difference is what replication costs: transfer,
 * scanning, and each node merging what arrives (three merges, concurrently, on 2 cores).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importSegments } from '../app/archive/import.js';
import { mergeAll } from '../app/archive/merge.js';
import { hasErrors, verifyArchive } from '../app/archive/verify.js';
import { generateWorld, writeNode } from '../test/support/generate.js';
import { commonTree, killNodes, startNodes, writeFiles, type SyncNodeProcess } from '../test/support/sync-nodes.js';

const MINUTES = Number(process.env.BENCH_MINUTES ?? 20);
const RATE = 30;
const START = 1704556800;

const root = await fs.mkdtemp(path.join(os.tmpdir(), 'ca-bench-sync-'));
const nodes: SyncNodeProcess[] = [];
try {
  const world = generateWorld({
    seed: 7,
    nodes: 3,
    start: START,
    minutes: MINUTES,
    rate: RATE,
    originalNodes: 0,
    observations: false,
  });
  const observations = world.nodes.reduce((n, x) => n + x.records, 0);
  const bytes = world.nodes.reduce((n, x) => n + x.files.reduce((m, f) => m + f.bytes.length, 0), 0);
  console.log(
    `${MINUTES} minutes at ${RATE} messages/s, 3 nodes: ${(bytes / 1e6).toFixed(0)} MB, ${observations} observations`,
  );

  // Floor: the same folders imported into one archive and merged, in this process.
  const sources = await Promise.all(world.nodes.map((n) => writeNode(path.join(root, 'sources'), n)));
  const t0 = performance.now();
  await importSegments(path.join(root, 'one'), sources);
  await mergeAll(path.join(root, 'one'));
  const floorS = (performance.now() - t0) / 1000;

  const dirs = world.nodes.map((_, i) => path.join(root, `node${i}`));
  for (let i = 0; i < 3; i++) await writeFiles(path.join(dirs[i]!, 'segments'), world.nodes[i]!.files);
  const t1 = performance.now();
  await startNodes(dirs, nodes);
  const startedS = (performance.now() - t1) / 1000;
  let convergedS = -1;
  while (performance.now() - t1 < 600_000) {
    if (await commonTree(nodes)) {
      const v = await verifyArchive(nodes[0]!.seg);
      if (!hasErrors(v) && v.observations === observations) {
        convergedS = (performance.now() - t1) / 1000;
        break;
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  if (convergedS < 0) throw new Error('the nodes did not converge within 10 minutes');
  console.log('');
  console.log('| what | seconds | ratio to the floor |');
  console.log('|---|---|---|');
  console.log(`| floor: import the 3 folders into one archive and merge (one process) | ${floorS.toFixed(1)} | 1.00 |`);
  console.log(`| 3 sync nodes started (keys, Syncthing, folder, peers) | ${startedS.toFixed(1)} | |`);
  console.log(
    `| 3 sync nodes byte-identical, verify clean, every observation (from start) | ${convergedS.toFixed(1)} | ${(convergedS / floorS).toFixed(2)} |`,
  );
} finally {
  for (const n of nodes) await n.proc?.stop('SIGTERM');
  await killNodes(nodes);
  await fs.rm(root, { recursive: true, force: true });
}
