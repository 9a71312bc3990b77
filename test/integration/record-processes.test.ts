/** Two recorder processes, faults midway, then import + merge: nothing lost, nothing doubled. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeTwitch, fixtureLines, liveLine, type FakeClient } from '../support/fake-twitch.js';
import { readArchiveRecords } from '../support/archive-records.js';
import { spawnRecorder, type RecordProcess } from '../support/record-process.js';
import { importSegments } from '../../app/archive/import.js';
import { mergeAll } from '../../app/archive/merge.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const idOf = (line: string) => /(?:^@|;)id=([^; ]+)/.exec(line)?.[1] ?? null;

let srv: FakeTwitch;
let tmp: string;
const procs: RecordProcess[] = [];

beforeEach(async () => {
  srv = await FakeTwitch.start();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ca-recproc-'));
});
afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.stop('SIGKILL')));
  await srv.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function start(name: string, extra: string[] = []): RecordProcess {
  const p = spawnRecorder([
    '--segments',
    path.join(tmp, name),
    '--channel',
    'nymn',
    '--name',
    name,
    '--server',
    srv.url,
    ...extra,
  ]);
  procs.push(p);
  return p;
}

describe('record processes', () => {
  it('two recorders with a RECONNECT and an abrupt close: after import + merge every message exactly once', async () => {
    fs.writeFileSync(path.join(tmp, 'token'), 'oauth:secret\n');
    const a = start('nodeA', ['--username', 'reca', '--token-file', path.join(tmp, 'token')]);
    const b = start('nodeB');
    await srv.waitForJoined('nymn', 2, 30_000);
    const owner = (c: FakeClient) => (c.nick === 'reca' ? 'A' : 'B');
    const lines = fixtureLines();
    const sentTo: string[][] = [];
    await srv.replay('nymn', lines, {
      intervalMs: 4,
      before: async (i) => {
        if (i === 250) for (const c of srv.joinedClients('nymn')) srv.reconnect(c, 1000);
        if (i === 500) {
          await sleep(200);
          srv.abruptClose(srv.joinedClients('nymn').find((c) => c.nick === 'reca')!);
          await srv.waitFor(() => srv.joinedClients('nymn').some((c) => c.nick === 'reca'), 10_000, 'A back');
        }
      },
      onSent: (i, to) => (sentTo[i] = [...new Set(to.map(owner))].sort()),
    });
    await sleep(300);
    expect(await a.stop()).toBe(0);
    expect(await b.stop()).toBe(0);
    expect(srv.clients.filter((c) => c.nick === 'reca').every((c) => c.pass === 'oauth:secret')).toBe(true);

    const dest = path.join(tmp, 'merged');
    const imp = await importSegments(dest, [path.join(tmp, 'nodeA'), path.join(tmp, 'nodeB')]);
    expect(imp.quarantined).toEqual([]);
    await mergeAll(dest);
    const recs = await readArchiveRecords(dest);

    const byId = new Map<string, typeof recs>();
    for (const r of recs) {
      const id = r.tags?.id;
      if (typeof id === 'string') byId.set(id, [...(byId.get(id) ?? []), r]);
    }
    let both = 0;
    for (const [i, line] of lines.entries()) {
      expect(sentTo[i]!.length, `line ${i} reached a recorder`).toBeGreaterThan(0);
      const id = idOf(line);
      if (!id) continue;
      const found = byId.get(id) ?? [];
      expect(found, `message ${i} (${id})`).toHaveLength(1);
      const nodes = [...new Set(Object.keys(found[0]!.receivers).map((k) => k.split('.')[0]))].sort();
      if (sentTo[i]!.length === 2) {
        both++;
        expect(nodes, `message ${i}`).toEqual(['nodeA', 'nodeB']);
      }
    }
    expect(both).toBeGreaterThan(700);
    expect(byId.size).toBe(798);
    const clearchats = recs.filter((r) => r.command === 'CLEARCHAT');
    expect(clearchats.map((r) => r.params[1]).sort()).toEqual(['abitbol', 'e7om']);
    const live = lines.map(liveLine);
    expect(recs.length).toBe(live.length);
  }, 120_000);

  it('kill -9 mid-stream, restart: every line received more than a second before the kill is in batch files', async () => {
    const c = start('nodeC');
    await srv.waitForJoined('nymn', 1, 30_000);
    const lines = fixtureLines();
    const sentAt: number[] = [];
    let killedAt = 0;
    await srv.replay('nymn', lines, {
      intervalMs: 3,
      before: async (i) => {
        if (i === 600) {
          killedAt = Date.now();
          await c.stop('SIGKILL');
        }
      },
      onSent: (i) => (sentAt[i] = Date.now()),
    });
    const segments = path.join(tmp, 'nodeC');
    expect(fs.readdirSync(path.join(segments, '.chat-archiver', 'journal')).length).toBe(1);
    const again = start('nodeC');
    await again.waitForEvent((e) => e.type === 'started');
    expect(await again.stop()).toBe(0);
    const ids = new Set((await readArchiveRecords(segments)).map((r) => r.tags?.id));
    const due = lines.filter((_, i) => sentAt[i]! < killedAt - 1000);
    expect(due.length).toBeGreaterThan(200);
    for (const l of due) {
      const id = idOf(l);
      if (id) expect(ids.has(id), id).toBe(true);
    }
    expect(fs.readdirSync(path.join(segments, '.chat-archiver', 'journal'))).toEqual([]);
  }, 120_000);
});

describe('record command', () => {
  it('refuses invalid channel names with a clear message', async () => {
    const p = spawnRecorder(['--segments', path.join(tmp, 'x'), '--channel', 'ok', '--channel', 'not a channel']);
    procs.push(p);
    expect(await p.stop('SIGCONT')).toBe(2);
    expect(p.stderr()).toMatch(/invalid --channel "not a channel": Twitch channel names are 1–25 characters/);
  });

  it('ends on a rejected login after one attempt, with the reason', async () => {
    const bad = await FakeTwitch.start({ rejectLogin: () => true });
    try {
      fs.writeFileSync(path.join(tmp, 'token'), 'oauth:wrong');
      const p = spawnRecorder([
        '--segments',
        path.join(tmp, 'x'),
        '--channel',
        'nymn',
        '--server',
        bad.url,
        '--username',
        'someone',
        '--token-file',
        path.join(tmp, 'token'),
      ]);
      procs.push(p);
      await p.waitForEvent((e) => e.type === 'stopped');
      expect(await p.stop('SIGCONT')).toBe(1);
      expect(p.stderr()).toMatch(/login rejected by the chat server: Login authentication failed/);
      expect(bad.clients).toHaveLength(1);
    } finally {
      await bad.close();
    }
  });

  it('says so when the server is unreachable, keeps retrying, and exits 0 on SIGINT', async () => {
    const p = spawnRecorder(['--segments', path.join(tmp, 'x'), '--channel', 'nymn', '--server', 'ws://127.0.0.1:1']);
    procs.push(p);
    await p.waitForEvent((e) => e.type === 'status' && JSON.stringify(e).includes('ECONNREFUSED'));
    await srv.waitFor(() => p.stderr().includes('ECONNREFUSED'), 5000, 'the message on stderr');
    expect(p.stderr()).toMatch(/nymn: cannot connect to ws:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
    expect(await p.stop('SIGINT')).toBe(0);
  });
});
