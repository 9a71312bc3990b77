/**
 * Several `chat-archiver sync run` nodes on 127.0.0.1 that know each other (their own
 * Syncthing homes and ports, discovery off), for the convergence test and the benchmark;
 * and the chat tree as every node must end up holding it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { snapshotTree, treeDigest } from './generate.js';
import { spawnCli, type RecordProcess } from './record-process.js';
import { freePort } from './free-port.js';
import { processesMentioning } from './processes.js';

export interface SyncNodeProcess {
  seg: string;
  home: string;
  port: number;
  id: string;
  proc?: RecordProcess;
  syncthingPid?: number;
}

/** Device IDs made (`sync id`), then every node started with every other as a peer; resolves once all run. */
export async function startNodes(dirs: string[], nodes: SyncNodeProcess[]): Promise<SyncNodeProcess[]> {
  for (const dir of dirs) {
    const n: SyncNodeProcess = {
      seg: path.join(dir, 'segments'),
      home: path.join(dir, 'syncthing'),
      port: await freePort(),
      id: '',
    };
    await fs.mkdir(n.seg, { recursive: true });
    const p = spawnCli(['sync', 'id', '--home', n.home, '--json']);
    n.id = (await p.waitForEvent((x) => typeof x.deviceId === 'string')).deviceId as string;
    if ((await p.exited) !== 0) throw new Error(`sync id failed: ${p.stderr()}`);
    nodes.push(n);
  }
  for (const n of nodes) {
    const peers = nodes.filter((m) => m !== n).flatMap((m) => ['--peer', `${m.id}@tcp://127.0.0.1:${m.port}`]);
    const listen = `tcp://127.0.0.1:${n.port}`;
    n.proc = spawnCli([
      'sync',
      'run',
      '--json',
      '--segments',
      n.seg,
      '--home',
      n.home,
      '--listen',
      listen,
      '--gui',
      '127.0.0.1:0',
      '--no-discovery',
      '--scan-delay',
      '1',
      '--rescan',
      '10',
      ...peers,
    ]);
  }
  for (const n of nodes) {
    const started = await n.proc!.waitForEvent((e) => e.type === 'started', 60_000);
    if (started.deviceId !== n.id) throw new Error(`node ${n.seg} runs as ${String(started.deviceId)}, not ${n.id}`);
    n.syncthingPid = started.syncthingPid as number;
  }
  return nodes;
}

/** Stops every node (SIGKILL only as a last resort) and any Syncthing of theirs still running. */
export async function killNodes(nodes: SyncNodeProcess[]): Promise<void> {
  for (const n of nodes) await n.proc?.stop('SIGKILL');
  for (const p of processesMentioning(nodes.map((n) => `--home=${n.home}`))) process.kill(p.pid, 'SIGKILL');
}

/** Batch files written as the recorder writes them: a temporary name of ours, then renamed into place. */
export async function writeFiles(seg: string, files: Array<{ rel: string; bytes: Buffer }>): Promise<void> {
  for (const f of files) {
    const p = path.join(seg, f.rel);
    await fs.mkdir(path.dirname(p), { recursive: true });
    const tmp = path.join(path.dirname(p), `.chat-archiver-test${Math.random().toString(36).slice(2)}.tmp`);
    await fs.writeFile(tmp, f.bytes);
    await fs.rename(tmp, p);
  }
}

/** The chat tree as every node must hold it: batch files only (Syncthing's own temporaries and folders aside). */
export async function chatTree(seg: string) {
  return (await snapshotTree(seg)).filter(([rel]) => !/(^|\/)(\.syncthing\.|~syncthing~)[^/]*\.tmp$/.test(rel));
}

/** One digest per node when all are the same, else null; a file merged away while reading means "not yet". */
export async function commonTree(nodes: SyncNodeProcess[]): Promise<string | null> {
  try {
    const digests = await Promise.all(nodes.map(async (n) => treeDigest(await chatTree(n.seg))));
    return new Set(digests).size === 1 ? digests[0]! : null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
