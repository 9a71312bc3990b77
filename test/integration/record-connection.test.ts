/** The recorder on real sockets against the fake chat server, in this process. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeTwitch, fixtureLines, liveLine } from '../support/fake-twitch.js';
import { readArchiveRecords } from '../support/archive-records.js';
import { Recorder } from '../../app/record/recorder.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let srv: FakeTwitch;
let segments: string;
let rec: Recorder | undefined;

beforeEach(async () => {
  srv = await FakeTwitch.start({ rejectLogin: (pass) => pass === 'oauth:bad' });
  segments = fs.mkdtempSync(path.join(os.tmpdir(), 'ca-rec-'));
});
afterEach(async () => {
  await rec?.stop();
  rec = undefined;
  await srv.close();
  fs.rmSync(segments, { recursive: true, force: true });
});

function recorder(extra: Partial<ConstructorParameters<typeof Recorder>[0]> = {}) {
  rec = new Recorder({
    segments,
    nodeName: 'test',
    server: srv.url,
    backoff: { initialMs: 200, maxMs: 1000 },
    ...extra,
  });
  return rec;
}

describe('recorder on the fake server', () => {
  it('stores channel lines verbatim, drops its own preamble, survives odd lines', async () => {
    const r = recorder();
    const unparsable: string[] = [];
    r.on('unparsable', (u: { line: string }) => unparsable.push(u.line));
    expect(await r.start(['nymn'])).toEqual({ ok: true });
    await srv.waitForJoined('nymn', 1);
    const c = srv.joinedClients('nymn')[0]!;
    srv.sendFrame(c, FakeTwitch.awkwardFrame('nymn').frame);
    srv.pingAll();
    await srv.waitFor(() => c.received.some((l) => l.startsWith('PONG')), 5000, 'PONG to the server PING');
    await sleep(300);
    expect(r.status()[0]!.connections[0]!.state).toBe('connected');
    await r.stop();
    const recs = await readArchiveRecords(segments);
    expect(recs.map((x) => x.command).sort()).toEqual(['NOTICE', 'PRIVMSG', 'PRIVMSG']);
    const a1 = recs.find((x) => x.tags?.id === 'aw1')!;
    expect(a1.params).toEqual(['#nymn', 'trailing spaces   ']);
    expect(a1.tags).toMatchObject({ flag: true, empty: '' });
    expect(recs.find((x) => x.command === 'NOTICE')).toMatchObject({
      params: ['#nymn'],
      sender: 'tmi.twitch.tv',
      tags: null,
    });
    expect(a1).toMatchObject({ time: 1704557984.095, time_range: 0, sender: 'u', user: 'u', host: 'u.tmi.twitch.tv' });
    expect(Object.keys(a1.receivers)).toEqual([expect.stringMatching(/^test\.[A-Za-z0-9]{5}\.0$/)]);
    expect(recs.find((x) => x.tags?.id === 'aw2')).toMatchObject({
      params: ['#nymn', '👋🏽 \u{E0000}'],
      tags: { msg: 'a b\nc' },
    });
    expect(unparsable).toEqual([': ']);
    expect(r.counters().nymn).toMatchObject({ stored: 3, unparsable: 1, preamble: 3, droppedChannel: 2 });
  });

  it('writes a minute batch once the injected clock passes 120 s after the minute, not before', async () => {
    const M = 1_704_557_940; // the minute of the line below
    const clock = { t: M + 115 };
    const r = recorder({ clock: { now: () => clock.t } });
    const written: string[] = [];
    r.on('filesWritten', (p: string[]) => written.push(...p));
    await r.start(['nymn']);
    await srv.waitForJoined('nymn', 1);
    srv.broadcast('nymn', `@id=x1;tmi-sent-ts=${(M + 30) * 1000} :u!u@u PRIVMSG #nymn :hello`);
    clock.t = M + 119;
    await sleep(1600);
    expect(written).toEqual([]);
    expect(await readArchiveRecords(segments)).toEqual([]);
    clock.t = M + 120;
    await srv.waitFor(() => written.length === 1, 5000, 'the batch file');
    expect(written[0]).toMatch(/nymn\/chat\/2024-01-06T16\/19\.00-[A-Za-z0-9_-]{43}\.json$/);
    expect(await readArchiveRecords(segments)).toMatchObject([
      { tags: { id: 'x1' }, time: M + 30, receivers: { [r.status()[0]!.connections[0]!.receiverId]: M + 119 } },
    ]);
    expect(r.status()[0]!.filesWritten).toBe(1);
  });

  it('hands over on RECONNECT with overlap and reconnects after an abrupt close', async () => {
    const r = recorder();
    await r.start(['nymn']);
    await srv.waitForJoined('nymn', 1);
    const lines = fixtureLines().slice(0, 300);
    const receiversOf = new Map<number, number>();
    await srv.replay('nymn', lines, {
      intervalMs: 2,
      before: async (i) => {
        if (i === 100) srv.reconnect(srv.joinedClients('nymn')[0]!, 1500);
        if (i === 150) await srv.waitFor(() => srv.joinedClients('nymn').length === 1, 5000, 'old link closed');
        if (i === 200) {
          await sleep(200);
          srv.abruptClose(srv.joinedClients('nymn')[0]!);
          await srv.waitForJoined('nymn', 1, 5000);
        }
      },
      onSent: (i, to) => receiversOf.set(i, to.length),
    });
    await sleep(200);
    await r.stop();
    const recs = await readArchiveRecords(segments);
    const byId = new Map<string, Set<string>>();
    for (const x of recs) {
      const id = x.tags?.id as string | undefined;
      if (!id) continue;
      const s = byId.get(id) ?? new Set<string>();
      for (const k of Object.keys(x.receivers)) s.add(k);
      byId.set(id, s);
    }
    for (const [i, line] of lines.entries()) {
      const id = /(?:^@|;)id=([^; ]+)/.exec(liveLine(line))?.[1];
      if (!id) continue;
      expect(byId.get(id)?.size ?? 0, `line ${i}`).toBe(receiversOf.get(i));
      expect(receiversOf.get(i), `line ${i} reached a connection`).toBeGreaterThanOrEqual(1); // no gap at the handover
    }
    const receivers = new Set(recs.flatMap((x) => Object.keys(x.receivers)));
    expect([...receivers].map((x) => x.split('.')[2]).sort()).toEqual(['0', '1', '2']);
  });

  it('drops a half-open link within 15 s and replaces it', async () => {
    const r = recorder();
    await r.start(['nymn']);
    await srv.waitForJoined('nymn', 1);
    const t0 = Date.now();
    srv.halfOpen(srv.joinedClients('nymn')[0]!);
    await srv.waitForJoined('nymn', 1, 15_000);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.status()[0]!.connections.map((c) => c.state)).toEqual(['connected']);
  }, 30_000);

  it('gives up at once on a rejected login', async () => {
    const r = recorder({ username: 'someone', token: 'bad' });
    await r.start(['nymn']);
    await srv.waitFor(() => r.status()[0]!.lastError !== null, 5000);
    await sleep(1500);
    expect(srv.clients).toHaveLength(1);
    const s = r.status()[0]!;
    expect(s.recording).toBe(false);
    expect(s.lastError).toMatch(/login rejected.*Login authentication failed/);
  });

  it('reports an unreachable server and retries with backoff', async () => {
    const r = recorder({ server: 'ws://127.0.0.1:1' });
    await r.start(['nymn']);
    await sleep(1000);
    const s = r.status()[0]!;
    expect(s.lastError).toMatch(/cannot connect to ws:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
    expect(s.connections[0]!.state).toBe('reconnecting');
  });

  it('rejects invalid channel names', async () => {
    const r = recorder();
    expect(await r.start(['ok', 'Bad-Name'])).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', message: expect.stringContaining('"Bad-Name"') },
    });
  });

  it('fills the gap from history: a recorder started late ends with all 800 messages', async () => {
    const lines = fixtureLines();
    await srv.replay('nymn', lines.slice(0, 500)); // nobody listening yet
    const r = recorder({ historyUrl: srv.historyUrl });
    await r.start(['nymn']);
    await srv.waitForJoined('nymn', 1);
    await srv.replay('nymn', lines.slice(500));
    await sleep(300);
    await r.stop();
    const recs = await readArchiveRecords(segments);
    const hist = recs.filter((x) => Object.keys(x.receivers).some((k) => /\.h\d+$/.test(k)));
    expect(hist.length).toBeGreaterThanOrEqual(500);
    expect(hist.every((x) => x.tags && !('historical' in x.tags) && !('rm-received-ts' in x.tags))).toBe(true);
    const h0 = hist.find((x) => x.tags?.id === '33445373-4dcf-46a5-b2a9-2eb9db2386a5')!;
    expect(Object.values(h0.receivers)).toEqual([1704557984.273]);
    const ids = new Set(recs.map((x) => x.tags?.id).filter(Boolean));
    expect(ids.size).toBe(798);
    expect(recs.filter((x) => x.command === 'CLEARCHAT').length).toBeGreaterThanOrEqual(2);
  });
});
