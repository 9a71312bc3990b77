/**
 * `record` with images (on by default) and `--metrics`: against the fake chat server
 * replaying the real fixture and the fake image servers. Metrics are scraped while lines
 * arrive and must move with them; emotes appear while recording; `--no-images` fetches
 * nothing; a stalled image server never holds up a line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeTwitch, fixtureLines, liveLine } from '../support/fake-twitch.js';
import { FakeImageServer } from '../support/fake-images.js';
import { spawnRecorder, type RecordProcess } from '../support/record-process.js';
import { waitForLiveImages } from '../support/live-images.js';
import { LiveImages } from '../../app/images/live.js';
import { parseIrcLine } from '../../app/archive/irc-parse.js';

let chat: FakeTwitch;
let images: FakeImageServer;
let tmp: string;
const procs: RecordProcess[] = [];

beforeEach(async () => {
  chat = await FakeTwitch.start();
  images = await FakeImageServer.start();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-images-'));
});
afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.stop('SIGKILL')));
  await chat.close();
  await images.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const sourceArgs = () => images.cliArgs();

function record(segments: string, extra: string[], withImages: boolean): RecordProcess {
  const p = spawnRecorder(
    ['--segments', segments, '--channel', 'nymn', '--name', 'imgnode', '--server', chat.url, ...extra],
    { images: withImages },
  );
  procs.push(p);
  return p;
}

/** One scrape, as `metric{labels} value` lines keyed by everything before the value. */
async function scrape(url: string): Promise<Map<string, number>> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const out = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    out.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return out;
}

/** The sum of a metric's series whose labels contain all of `labels`. */
function sum(m: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const [k, v] of m) {
    if (k !== name && !k.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([l, val]) => k.includes(`${l}="${val}"`))) total += v;
  }
  return total;
}

describe('record: images and metrics', () => {
  it('metrics move as lines arrive; emotes and sets are stored while recording', async () => {
    const segments = path.join(tmp, 'a');
    const p = record(segments, ['--metrics', '127.0.0.1:0', ...sourceArgs()], true);
    const url = String((await p.waitForEvent((e) => e.type === 'metrics')).url);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    await chat.waitForJoined('nymn', 1, 30_000);
    await expect
      .poll(async () => sum(await scrape(url), 'chat_archiver_connection_state', { state: 'connected' }))
      .toBe(1);
    const before = await scrape(url);
    expect(sum(before, 'chat_archiver_lines_stored_total')).toBe(0);
    expect(sum(before, 'chat_archiver_recording', { channel: 'nymn' })).toBe(1);
    // The connection's preamble (its own JOIN, names, USERSTATE, ROOMSTATE) was received and ignored.
    expect(sum(before, 'chat_archiver_lines_ignored_total', { reason: 'preamble' })).toBeGreaterThan(0);

    const lines = fixtureLines().map(liveLine);
    chat.broadcast('nymn', lines.slice(0, 100));
    await expect
      .poll(async () => sum(await scrape(url), 'chat_archiver_lines_stored_total'), { timeout: 20_000 })
      .toBe(100);
    const mid = await scrape(url);
    chat.broadcast('nymn', lines.slice(100, 300));
    await expect
      .poll(async () => sum(await scrape(url), 'chat_archiver_lines_stored_total'), { timeout: 20_000 })
      .toBe(300);
    const after = await scrape(url);
    expect(sum(after, 'chat_archiver_lines_received_total')).toBe(sum(mid, 'chat_archiver_lines_received_total') + 200);
    // The fixture is from January 2024: its lag is the age of its lines.
    const lag = sum(after, 'chat_archiver_server_lag_seconds', { channel: 'nymn' });
    const lastSent = Number(/tmi-sent-ts=(\d+)/.exec(lines[299]!)![1]) / 1000;
    expect(lag).toBeGreaterThan(Date.now() / 1000 - lastSent - 60);
    expect(lag).toBeLessThan(Date.now() / 1000 - lastSent + 60);
    // Their minutes are long due, so batches are written on the next tick.
    await expect
      .poll(async () => sum(await scrape(url), 'chat_archiver_lines_written_total'), { timeout: 20_000 })
      .toBe(300);
    const written = await scrape(url);
    expect(sum(written, 'chat_archiver_batch_lines_count', { channel: 'nymn' })).toBeGreaterThan(0);
    expect(sum(written, 'chat_archiver_batch_lines_sum', { channel: 'nymn' })).toBe(300);
    expect(sum(written, 'chat_archiver_batch_bytes_sum', { channel: 'nymn' })).toBeGreaterThan(300 * 200);
    expect(sum(written, 'chat_archiver_open_batches')).toBe(0);

    // Emotes of those lines, and the channel's sets, arrive while it records.
    const ids = await waitForLiveImages(segments, lines.slice(0, 300), 'nymn');
    expect(ids.size).toBeGreaterThan(5);
    await expect
      .poll(async () => sum(await scrape(url), 'chat_archiver_images_fetched_total', { source: 'twitch' }), {
        timeout: 30_000,
      })
      .toBeGreaterThanOrEqual(ids.size * 6);

    // A loopback metrics server answers only requests addressed to a loopback name.
    const status = await new Promise<number>((resolve) =>
      http.get(url, { headers: { host: 'attacker.example' } }, (res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(403);

    expect(await p.stop('SIGTERM')).toBe(0);
  });

  it('--no-images fetches nothing; a stalled image server never holds up a line', async () => {
    const off = record(path.join(tmp, 'off'), [...sourceArgs()], false);
    // The second recorder fetches from a CDN that never answers.
    const stalled = http.createServer(() => {});
    await new Promise<void>((r) => stalled.listen(0, '127.0.0.1', () => r()));
    const stalledUrl = `http://127.0.0.1:${(stalled.address() as { port: number }).port}`;
    const on = record(path.join(tmp, 'stalled'), ['--cdn', stalledUrl, '--no-third-party'], true);
    try {
      await chat.waitForJoined('nymn', 2, 30_000);
      const lines = fixtureLines().map(liveLine);
      chat.broadcast('nymn', lines);
      for (const p of [off, on])
        await p.waitForEvent(
          (e) => e.type === 'status' && (e.counters as { nymn?: { stored: number } })?.nymn?.stored === lines.length,
          30_000,
        );
      expect(await off.stop('SIGTERM')).toBe(0);
      expect(await on.stop('SIGTERM')).toBe(0);
      expect(fs.existsSync(path.join(tmp, 'off', 'emotes'))).toBe(false);
      expect(images.totalRequests).toBe(0);
    } finally {
      stalled.closeAllConnections();
      await new Promise<void>((r) => stalled.close(() => r()));
    }
  });
});

describe('live images: the observer side', () => {
  it('never blocks or throws on the receive path: a bounded queue, dropped work counted', async () => {
    const stalled = http.createServer(() => {});
    await new Promise<void>((r) => stalled.listen(0, '127.0.0.1', () => r()));
    const seg = path.join(tmp, 'live');
    const live = new LiveImages({
      segments: seg,
      sources: { cdn: `http://127.0.0.1:${(stalled.address() as { port: number }).port}` },
      memoryFile: null,
      queueLimit: 10,
      workers: 2,
    });
    try {
      const line = (i: number) => parseIrcLine(`@emotes=${1000 + i}:0-3;room-id=1 :u!u@u PRIVMSG #c :Kappa`)!;
      for (let i = 0; i < 1000; i++) live.noteLine('c', line(i));
      const s = live.stats();
      expect(s.queued).toBeLessThanOrEqual(10);
      expect(s.running).toBe(2);
      expect(s.queued + s.running + s.dropped).toBe(1000);
      // Lines it cannot read pass by without a sound.
      expect(() =>
        live.noteLine('c', {
          command: 'PRIVMSG',
          params: [],
          sender: null,
          user: null,
          host: null,
          tags: { emotes: true },
        }),
      ).not.toThrow();
    } finally {
      await live.close();
      stalled.closeAllConnections();
      await new Promise<void>((r) => stalled.close(() => r()));
    }
    expect(live.stats()).toMatchObject({ queued: 0, running: 0 });
  });
});
