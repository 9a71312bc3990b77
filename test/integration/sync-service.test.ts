/**
 * The Sync panel's API on real services and real Syncthing: two desktop-like services sync
 * an archive and show it (peers connected, completion, the other node's records in the
 * index, sync events); attaching to a Syncthing someone else runs; errors in plain words;
 * and closing the service leaves no Syncthing running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ArchiveService } from '../../app/service/service.js';
import type { ApiEvent, SyncStatus } from '../../app/service/contract.js';
import { ManagedSyncthing, RUN_FILE, type RunInfo } from '../../app/sync/managed.js';
import { writeRecords } from '../../app/archive/store.js';
import { T0, chatRecord, tempDir } from '../support/service-archive.js';
import { freePort } from '../support/free-port.js';
import { processesMentioning } from '../support/processes.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
const services: ArchiveService[] = [];
const homes: string[] = [];

async function node(name: string): Promise<{ service: ArchiveService; events: ApiEvent[]; seg: string }> {
  const base = path.join(tmp.dir, name);
  const home = path.join(base, 'syncthing');
  homes.push(home);
  const service = await ArchiveService.create({
    segmentsDir: path.join(base, 'segments'),
    settingsFile: path.join(base, 'settings.json'),
    mergeIntervalMs: 0,
    sync: { home, settingsFile: path.join(base, 'sync.json') },
  });
  services.push(service);
  const events: ApiEvent[] = [];
  service.onEvent((e) => events.push(e));
  return { service, events, seg: path.join(base, 'segments') };
}

async function call<T>(service: ArchiveService, method: string, args: unknown = {}): Promise<T> {
  const r = await service.call(method, args);
  if (!r.ok) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

async function until<T>(what: string, fn: () => Promise<T | null | false | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

beforeAll(async () => {
  tmp = await tempDir('ca-sync-service-');
});
afterAll(async () => {
  for (const s of services) await s.close();
  for (const p of processesMentioning(homes.map((h) => `--home=${h}`))) process.kill(p.pid, 'SIGKILL');
  await tmp.cleanup();
});

describe('sync through the service', () => {
  it('two nodes share the archive: peers, completion, the other node’s records, events; close stops Syncthing', async () => {
    const a = await node('a');
    const b = await node('b');
    const [pa, pb] = [await freePort(), await freePort()];
    for (const [n, port] of [
      [a, pa],
      [b, pb],
    ] as const) {
      const s = await call<SyncStatus>(n.service, 'syncConfigure', {
        listen: `tcp://127.0.0.1:${port}`,
        discovery: false,
      });
      expect(s.state).toBe('off');
      const started = await call<SyncStatus>(n.service, 'syncStart');
      expect(started.state, started.error ?? '').toBe('running');
      expect(started.deviceId).toMatch(/^[A-Z2-7]{7}(-[A-Z2-7]{7}){7}$/);
      expect(started.listening).toEqual([`tcp://127.0.0.1:${port}`]);
      expect(started.enabled).toBe(true);
    }
    const idA = (await call<SyncStatus>(a.service, 'syncStatus')).deviceId!;
    const idB = (await call<SyncStatus>(b.service, 'syncStatus')).deviceId!;
    // Not a peer of itself, and a mistyped ID never reaches Syncthing.
    expect(await a.service.call('syncAddPeer', { deviceId: idA })).toMatchObject({
      ok: false,
      error: { message: /own device ID/ },
    });
    expect(await a.service.call('syncAddPeer', { deviceId: idB.slice(0, -1) + 'X' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument' },
    });
    await call(a.service, 'syncAddPeer', { deviceId: idB, address: `tcp://127.0.0.1:${pb}`, name: 'bob' });
    await call(b.service, 'syncAddPeer', { deviceId: idA, address: `tcp://127.0.0.1:${pa}` });

    await writeRecords(a.seg, 'testchan', [chatRecord(T0 + 5, 'alice.aaaaa.0', 'hello from a')]);
    await writeRecords(b.seg, 'otherchan', [chatRecord(T0 + 7, 'bob.bbbbb.0', 'hello from b', 'PRIVMSG', 'otherchan')]);
    // Each node's viewer shows the other node's channel once it arrived (and was merged and indexed).
    await until('b to list testchan', async () =>
      (await call<Array<{ channel: string; records: number }>>(b.service, 'listChannels')).find(
        (c) => c.channel === 'testchan' && c.records === 1,
      ),
    );
    await until('a to list otherchan', async () =>
      (await call<Array<{ channel: string }>>(a.service, 'listChannels')).find((c) => c.channel === 'otherchan'),
    );
    const st = await until('a to see b connected and in sync', async () => {
      const s = await call<SyncStatus>(a.service, 'syncStatus');
      return s.peers[0]?.connected && s.peers[0].completion === 100 && s.folder?.completion === 100 ? s : null;
    });
    expect(st.peers).toMatchObject([{ deviceId: idB, name: 'bob', addresses: [`tcp://127.0.0.1:${pb}`], error: null }]);
    expect(a.events.some((e) => e.type === 'sync' && e.status.peers.some((p) => p.connected))).toBe(true);
    // The viewer is told (the listing above may have come from a scan for another arrival).
    await until('b to announce testchan changed', async () =>
      b.events.some((e) => e.type === 'archiveChanged' && e.channel === 'testchan'),
    );

    // Removing the peer stops sharing with it.
    const removed = await call<SyncStatus>(a.service, 'syncRemovePeer', { deviceId: idB });
    expect(removed.peers).toEqual([]);

    const pids = processesMentioning([`--home=${homes[0]}`, `--home=${homes[1]}`]);
    expect(pids.length, JSON.stringify(pids)).toBe(2);
    await a.service.close();
    await b.service.close();
    expect(processesMentioning([`--home=${homes[0]}`, `--home=${homes[1]}`])).toEqual([]);
    // It was on: the next start of the app starts it again.
    expect(JSON.parse(await fs.readFile(path.join(tmp.dir, 'a', 'sync.json'), 'utf8')).enabled).toBe(true);
  }, 120_000);

  it('attaches to a Syncthing someone else runs, by address and API key; says plainly what is wrong', async () => {
    const own = path.join(tmp.dir, 'users-syncthing');
    homes.push(own);
    const theirs = await ManagedSyncthing.start({
      home: own,
      segments: path.join(tmp.dir, 'unused'),
      gui: '127.0.0.1:0',
      listen: [`tcp://127.0.0.1:${await freePort()}`],
      discovery: false,
    });
    try {
      const info = JSON.parse(await fs.readFile(path.join(own, RUN_FILE), 'utf8')) as RunInfo;
      const c = await node('c');
      await call(c.service, 'syncConfigure', { mode: 'attached', attachUrl: theirs.rest.base });
      let s = await call<SyncStatus>(c.service, 'syncStart');
      expect([s.state, s.error]).toEqual(['error', expect.stringMatching(/API key/)]);
      s = await call<SyncStatus>(c.service, 'syncSetApiKey', { apiKey: 'wrong-key' });
      s = await call<SyncStatus>(c.service, 'syncStart');
      expect([s.state, s.error]).toEqual(['error', expect.stringMatching(/refused the API key/)]);
      s = await call<SyncStatus>(c.service, 'syncSetApiKey', { apiKey: info.apiKey });
      expect(s.hasApiKey).toBe(true);
      expect(JSON.stringify(s)).not.toContain(info.apiKey);
      s = await call<SyncStatus>(c.service, 'syncStart');
      expect(s.state, s.error ?? '').toBe('running');
      expect(s.deviceId).toBe((await theirs.rest.systemStatus()).myID);
      const folders = await theirs.rest.folders();
      expect(folders.map((f) => [f.id, f.path])).toEqual([['chat-archiver-segments', c.seg]]);
      expect((await theirs.rest.ignores('chat-archiver-segments')).ignore).toContain('/.chat-archiver');
      // Stopping an attached sync leaves the user's Syncthing running.
      expect((await call<SyncStatus>(c.service, 'syncStop')).state).toBe('off');
      expect((await theirs.rest.systemStatus()).myID).toBe(s.deviceId);
    } finally {
      await theirs.stop();
    }
    expect(processesMentioning([`--home=${own}`])).toEqual([]);
  }, 120_000);

  it('without sync in the process, and before starting, the methods answer plainly', async () => {
    const plain = await ArchiveService.create({
      segmentsDir: path.join(tmp.dir, 'plain'),
      settingsFile: null,
      mergeIntervalMs: 0,
    });
    services.push(plain);
    expect(await plain.call('syncStatus', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    const d = await node('d');
    expect(
      await d.service.call('syncRemovePeer', {
        deviceId: 'CBGI22O-NRA555J-F7T2BH3-4QV3SX7-XSDKCE5-5T6OE4J-BUSL3ZD-WVIAKAX',
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'unavailable', message: /start it first/ },
    });
    expect(await d.service.call('syncConfigure', { listen: 'http://x' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument' },
    });
  });
});
