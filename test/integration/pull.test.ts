/**
 * `pull` from a peer's `serve`: fetches what this archive lacks (by name and hash),
 * verifies bytes against their names before keeping them, resumes where an interrupted run
 * stopped, skips what did not change, and lets everything in only through the import's
 * validation. The peer is untrusted: bad names and lying bytes are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { importSegments } from '../../app/archive/import.js';
import { readBatchFile } from '../../app/archive/read.js';
import { hasErrors, verifyArchive } from '../../app/archive/verify.js';
import { pull, type PullSource } from '../../app/sync/pull.js';
import { HttpArchiveClient } from '../../app/service/http-client.js';
import {
  HOUR,
  generateWorld,
  observationKey,
  readObservationKey,
  snapshotTree,
  writeWorld,
} from '../support/generate.js';
import { serveTemp, type Served } from '../support/http-serve.js';
import { spawnCli } from '../support/record-process.js';
import { tempDir } from '../support/service-archive.js';

const TOKEN = 'pull-test-token-0123456789';
let peer: Served;
let tmp: { dir: string; cleanup: () => Promise<void> };
let nodes: string[];
const world = generateWorld({ seed: 5, nodes: 3, start: HOUR + 40 * 60, minutes: 40, rate: 1 });
const everything = world.nodes.flatMap((n) => n.observations.map(observationKey)).sort();

async function observations(seg: string): Promise<string[]> {
  const out: string[] = [];
  for (const [rel] of await snapshotTree(seg)) {
    for (const o of (await readBatchFile(path.join(seg, rel))).observations) out.push(readObservationKey(o));
  }
  return out.sort();
}

/** The peer through the real HTTP client, counting fetches; `failAfter` interrupts like a dropped link. */
function source(opts: { failAfter?: number; corrupt?: string } = {}): PullSource & { fetched: string[] } {
  const api = new HttpArchiveClient({ baseUrl: peer.server.url, token: TOKEN, EventSource: null });
  const fetched: string[] = [];
  const val = async <T>(r: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>) => {
    const x = await r;
    if (!x.ok) throw new Error(x.error.message);
    return x.value;
  };
  return {
    fetched,
    channels: () => val(api.listChannels({})),
    hours: (channel) => val(api.archiveHours({ channel })),
    files: (channel, hours) => val(api.archiveFiles({ channel, hours })),
    file: async (channel, hour, name) => {
      if (opts.failAfter !== undefined && fetched.length >= opts.failAfter) throw new Error('connection reset');
      fetched.push(name);
      const r = await api.archiveFile({ channel, hour, name });
      if (!r.ok) return null;
      const bytes = Buffer.from(r.value.bytes, 'base64');
      if (name === opts.corrupt) bytes[10] = bytes[10]! ^ 1;
      return bytes;
    },
  };
}

beforeAll(async () => {
  tmp = await tempDir('ca-pull-');
  nodes = await writeWorld(path.join(tmp.dir, 'nodes'), world);
  peer = await serveTemp({ token: TOKEN, renderer: false });
  // The peer holds nodes 0 and 1, merged; we hold node 2.
  await importSegments(peer.segments, [nodes[0]!, nodes[1]!]);
  await peer.service.scanned();
});
afterAll(async () => {
  await peer.stop();
  await tmp.cleanup();
});

describe('pull', () => {
  it('over the command line: brings in what the peer has, merged, verify clean; a second run fetches nothing', async () => {
    const seg = path.join(tmp.dir, 'cli');
    await importSegments(seg, [nodes[2]!]);
    const tokenFile = path.join(tmp.dir, 'token');
    await fs.writeFile(tokenFile, TOKEN + '\n');
    const run = async () => {
      const p = spawnCli(['pull', '--segments', seg, peer.server.url, '--token-file', tokenFile, '--json']);
      const summary = await p.waitForEvent((e) => 'filesFetched' in e, 60_000);
      expect(await p.exited, p.stderr()).toBe(0);
      return summary;
    };
    const first = await run();
    expect(first.ok).toBe(true);
    expect(first.filesFetched).toBeGreaterThan(10);
    expect(await observations(seg)).toEqual(everything);
    expect(hasErrors(await verifyArchive(seg))).toBe(false);
    // Nothing staged is left, and a re-run skips every hour unread.
    expect(existsSync(path.join(seg, '.chat-archiver', 'pull'))).toBe(true);
    const second = await run();
    expect([second.filesFetched, second.hoursUnchanged]).toEqual([0, second.hoursChecked]);
  }, 120_000);

  it('without the token the peer refuses, and pull says so with exit 1', async () => {
    const seg = path.join(tmp.dir, 'no-token');
    const p = spawnCli(['pull', '--segments', seg, peer.server.url]);
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toMatch(/pull failed: .*token/);
  }, 60_000);

  it('resumes: an interrupted pull keeps what it fetched, the next run fetches only the rest', async () => {
    const seg = path.join(tmp.dir, 'resume');
    const cut = source({ failAfter: 5 });
    await expect(pull(seg, cut, { peer: 'p' })).rejects.toThrow(/connection reset/);
    expect(cut.fetched).toHaveLength(5);
    const rest = source();
    const s = await pull(seg, rest, { peer: 'p' });
    expect(rest.fetched.filter((n) => cut.fetched.includes(n))).toEqual([]);
    expect(s.filesFetched + 5).toBe(s.filesListed);
    const peerOnly = world.nodes
      .slice(0, 2)
      .flatMap((n) => n.observations.map(observationKey))
      .sort();
    expect(await observations(seg)).toEqual(peerOnly);
  }, 60_000);

  it('refuses bytes that do not match the hash in their name, and keeps pulling the rest', async () => {
    const seg = path.join(tmp.dir, 'corrupt');
    const names = (await snapshotTree(peer.segments)).map(([rel]) => path.basename(rel));
    const s = await pull(seg, source({ corrupt: names[3] }), { peer: 'p' });
    expect(s.rejected).toEqual([
      { path: expect.stringContaining(names[3]!), reason: expect.stringMatching(/do not match the hash/) },
    ]);
    expect(s.filesFetched).toBe(names.length - 1);
    const kept = (await snapshotTree(seg)).map(([rel]) => path.basename(rel));
    expect(kept).not.toContain(names[3]);
  });

  it('refuses names that are not batch files, writes nothing outside the archive', async () => {
    const seg = path.join(tmp.dir, 'hostile');
    const hostile: PullSource = {
      channels: async () => [{ channel: '../etc' }, { channel: 'testchan' }],
      hours: async () => [{ hour: HOUR, digest: 'x' }],
      files: async () => [{ hour: HOUR, files: ['../../../escape.json', '00.00-short.json'] }],
      file: async () => Buffer.from('never asked'),
    };
    const s = await pull(seg, hostile, { peer: 'h' });
    expect(s.rejected.map((r) => r.reason)).toEqual([
      'not a channel name',
      'not a batch file name',
      'not a batch file name',
    ]);
    expect(s.filesFetched).toBe(0);
    expect(existsSync(path.join(tmp.dir, 'escape.json'))).toBe(false);
    await expect(pull(seg, { ...hostile, hours: async () => ({ not: 'a list' }) }, { peer: 'h' })).rejects.toThrow(
      /not in the expected form/,
    );
  });
});
