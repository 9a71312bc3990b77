/**
 * Coverage end to end, on real sockets and files: the recorder writes each connection's
 * span (plain reasons, retry time), history fills ask for exactly the missed window, a
 * server-asked handover asks for nothing; `chat-archiver gaps --json` and the service's
 * `coverage` give the same answer; import carries the records and verify checks them.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Recorder } from '../../app/record/recorder.js';
import { readChannelSpans, mergeCoverage } from '../../app/archive/coverage-files.js';
import { importSegments } from '../../app/archive/import.js';
import { verifyArchive } from '../../app/archive/verify.js';
import { writeRecords } from '../../app/archive/store.js';
import { ArchiveService } from '../../app/service/service.js';
import type { ChannelRecording, Coverage } from '../../app/service/contract.js';
import { FakeTwitch, fixtureLines } from '../support/fake-twitch.js';
import { gapScenario, scenarioSpans } from '../support/gap-scenario.js';
import { writeSpans } from '../../app/archive/coverage-files.js';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const cli = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', path.join(repo, 'app/cli/main.ts'), ...args], {
    cwd: repo,
    maxBuffer: 1 << 26,
  }).catch((e: { code: number; stdout: string; stderr: string }) => e);

let srv: FakeTwitch;
let dir: string;
let rec: Recorder | undefined;
beforeEach(async () => {
  srv = await FakeTwitch.start();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ca-cov-'));
});
afterEach(async () => {
  await rec?.stop();
  rec = undefined;
  await srv.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('coverage records from the recorder', () => {
  it('a dropped connection: plain reason, retry time, its span ends at its last sign of life, history asks for the gap', async () => {
    const segments = path.join(dir, 'segments');
    srv.history.set('nymn', fixtureLines());
    rec = new Recorder({
      segments,
      nodeName: 'cov',
      server: srv.url,
      historyUrl: srv.historyUrl,
      backoff: { initialMs: 1500, maxMs: 3000 },
    });
    const statuses: ChannelRecording[][] = [];
    rec.on('status', (s: ChannelRecording[]) => statuses.push(s));
    await rec.start(['nymn']);
    await srv.waitForJoined('nymn', 1);
    await srv.waitFor(() => srv.historyRequests.length === 1, 10_000, 'the first history fill');
    // First connection: the service's whole backlog up to now.
    const first = new URL(srv.historyRequests[0]!, 'http://x').searchParams;
    expect(first.has('after')).toBe(false);
    expect(Number(first.get('before'))).toBeGreaterThan(Date.now() - 60_000);
    srv.broadcast('nymn', `@id=a1;tmi-sent-ts=${Date.now()} :u!u@u PRIVMSG #nymn :hi`);
    await new Promise((r) => setTimeout(r, 300));
    const droppedAt = Date.now() / 1000;
    srv.abruptClose(srv.joinedClients('nymn')[0]!);
    // Within seconds: a plain reason (no ECONNREFUSED-style code) and when the next try comes.
    await srv.waitFor(() => statuses.some((s) => s[0]?.retryAt != null), 5000, 'a retry time');
    const failing = statuses.find((s) => s[0]?.retryAt != null)![0]!;
    expect(failing.lastError).toMatch(/^connection lost: the connection (was cut|closed without a goodbye)$/);
    expect(failing.retryAt! - droppedAt).toBeGreaterThan(1);
    await srv.waitForJoined('nymn', 1, 15_000);
    await srv.waitFor(() => srv.historyRequests.length === 2, 10_000, 'the fill after the reconnect');
    const second = new URL(srv.historyRequests[1]!, 'http://x').searchParams;
    await rec.stop();
    rec = undefined;

    const spans = (await readChannelSpans(segments, 'nymn')).sort((a, b) => a.connected - b.connected);
    expect(spans.map((s) => s.receiver)).toEqual([
      expect.stringMatching(/^cov\.[A-Za-z0-9]{5}\.0$/),
      expect.stringMatching(/^cov\.[A-Za-z0-9]{5}\.1$/),
    ]);
    const [a, b] = spans as [(typeof spans)[0], (typeof spans)[0]];
    expect(a.reason).toMatch(/^connection lost: /);
    expect(a.last).toBeLessThanOrEqual(droppedAt + 0.5);
    expect(a.last).toBeGreaterThan(droppedAt - 1);
    expect(a.disconnected).toBeGreaterThanOrEqual(a.last);
    expect(b.connected).toBeGreaterThan(a.last + 1);
    expect(b.reason).toBe('recording stopped');
    // Exactly the missed window, in milliseconds.
    expect(Number(second.get('after'))).toBe(Math.floor(a.last * 1000));
    expect(Math.abs(Number(second.get('before')) - b.connected * 1000)).toBeLessThan(2);
    const last = statuses.at(-1)!;
    expect(last.length === 0 || last[0]!.lastFill?.from === a.last).toBe(true);
    // The merge settles the recorder's files into one per day, which verify accepts.
    await mergeCoverage(segments, 'nymn');
    expect(fs.readdirSync(path.join(segments, 'nymn', 'coverage'))).toHaveLength(1);
    const report = await verifyArchive(segments, { channel: 'nymn' });
    expect(report.problems.filter((p) => p.path.includes('coverage'))).toEqual([]);
  });

  it('a silent link dropped by our keepalive: its span ends at its last sign of life, not at the drop', async () => {
    const segments = path.join(dir, 'segments');
    rec = new Recorder({
      segments,
      nodeName: 'quiet',
      server: srv.url,
      keepalive: { idleSeconds: 1, deadSeconds: 2 },
      backoff: { initialMs: 200, maxMs: 400 },
    });
    await rec.start(['nymn']);
    await srv.waitForJoined('nymn', 1);
    const silentFrom = Date.now() / 1000;
    srv.halfOpen(srv.joinedClients('nymn')[0]!);
    await srv.waitFor(
      () => srv.clients.length === 2 && srv.joinedClients('nymn').length === 1,
      15_000,
      'the replacement',
    );
    await rec.stop();
    rec = undefined;
    const [a] = (await readChannelSpans(segments, 'nymn')).sort((x, y) => x.connected - y.connected);
    expect(a!.reason).toMatch(/^no data from the chat server for [23] s; connection dropped$/);
    expect(a!.last).toBeLessThan(silentFrom + 0.5);
    expect(a!.disconnected! - a!.last).toBeGreaterThanOrEqual(1.5);
  });

  it('a server-asked handover overlaps: no gap and no history request for the successor', async () => {
    const segments = path.join(dir, 'segments');
    rec = new Recorder({ segments, nodeName: 'hand', server: srv.url, historyUrl: srv.historyUrl });
    await rec.start(['nymn']);
    await srv.waitForJoined('nymn', 1);
    await srv.waitFor(() => srv.historyRequests.length === 1, 10_000, 'the first fill');
    srv.reconnect(srv.joinedClients('nymn')[0]!, 1500);
    await srv.waitFor(
      () => srv.clients.length === 2 && srv.clients[0]!.closed && srv.joinedClients('nymn')[0] === srv.clients[1],
      10_000,
      'the successor joined and the old one closed',
    );
    await new Promise((r) => setTimeout(r, 500));
    await rec.stop();
    rec = undefined;
    expect(srv.historyRequests).toHaveLength(1);
    const spans = (await readChannelSpans(segments, 'nymn')).sort((a, b) => a.connected - b.connected);
    expect(spans).toHaveLength(2);
    expect(spans[0]!.reason).toBe('handed over to a new connection');
    expect(spans[0]!.last).toBeGreaterThanOrEqual(spans[1]!.connected);
  });
});

describe('gaps: command line and service agree; import carries the records', () => {
  it('on a generated three-node archive with outages', async () => {
    const s = gapScenario({ seed: 4242, nodes: 3, minutes: 30, rate: 2 });
    const a = path.join(dir, 'a');
    await writeRecords(a, s.channel, s.records);
    await writeSpans(a, s.channel, scenarioSpans(s));
    const res = await cli('gaps', '--segments', a, '--channel', s.channel, '--json');
    expect((res as { code?: number }).code ?? 0).toBe(0);
    const json = JSON.parse(res.stdout) as Pick<Coverage, 'channel' | 'nodes' | 'holes'>;
    expect(Object.keys(json).sort()).toEqual(['channel', 'holes', 'nodes']);
    expect(Object.keys(json.nodes)).toEqual(s.nodes.map((n) => n.name));
    expect(json.holes.length).toBeGreaterThanOrEqual(1);
    for (const g of Object.values(json.nodes).flat())
      expect(Object.keys(g).sort()).toEqual(['from', 'receivers', 'to']);

    const service = await ArchiveService.create({ segmentsDir: a, settingsFile: null, mergeIntervalMs: 0 });
    try {
      const c = (await service.call('coverage', { channel: s.channel, from: 0, to: 253402300799 })) as {
        ok: true;
        value: Coverage;
      };
      expect(c.ok).toBe(true);
      expect(c.value.nodes).toEqual(json.nodes);
      expect(c.value.holes).toEqual(json.holes);
      // A range: clipped, the same rule.
      const mid = s.start + 600;
      const part = await cli(
        'gaps',
        '--segments',
        a,
        '--channel',
        s.channel,
        '--from',
        new Date(mid * 1000).toISOString(),
        '--to',
        String(mid + 600),
        '--json',
      );
      const pj = JSON.parse(part.stdout) as Coverage;
      const pc = (await service.call('coverage', { channel: s.channel, from: mid, to: mid + 600 })) as {
        value: Coverage;
      };
      expect(pc.value.holes).toEqual(pj.holes);
      for (const h of pj.holes) expect(h.from >= mid && h.to <= mid + 600).toBe(true);
    } finally {
      await service.close();
    }

    // Import: the coverage records come along; the same answer in the new archive.
    const b = path.join(dir, 'b');
    fs.mkdirSync(b);
    const sum = await importSegments(b, [a]);
    expect(sum.quarantined).toEqual([]);
    expect(fs.readdirSync(path.join(b, s.channel, 'coverage'))).toEqual(
      fs.readdirSync(path.join(a, s.channel, 'coverage')),
    );
    const again = await cli('gaps', '--segments', b, '--channel', s.channel, '--json');
    expect(JSON.parse(again.stdout)).toEqual(json);
    expect((await verifyArchive(b)).problems.filter((p) => p.severity === 'error')).toEqual([]);
    // Re-importing changes nothing.
    const twice = await importSegments(b, [a]);
    expect(twice.copied).toBe(0);

    // Bad input: one line, exit 2.
    const bad = await cli('gaps', '--segments', a, '--channel', s.channel, '--from', 'yesterday');
    expect((bad as { code?: number }).code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'chat-archiver: invalid --from "yesterday": give Unix seconds or an ISO 8601 time (UTC)',
    );
    const none = await cli('gaps', '--segments', a, '--channel', 'nosuch');
    expect((none as { code?: number }).code).toBe(2);
  });
});
