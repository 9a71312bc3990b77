/**
 * `chat-archiver emotes` on the real fixture's archive against fake CDN, 7TV, BetterTTV,
 * FrankerFaceZ and Helix servers on 127.0.0.1: the original's layout, idempotence, 404s
 * reported by emote id and remembered, retries, bounded concurrency, snapshots that keep
 * every distinct set, badges only with a token, refused data URLs, usage errors.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeSampleArchive } from '../../app/service/sample.js';
import { TWITCH_SCALES, TWITCH_THEMES } from '../../app/images/layout.js';
import {
  BADGES,
  FakeImageServer,
  FIXTURE_TOKEN,
  fixtureEmoteIds,
  imageBytes,
  THIRD_PARTY,
} from '../support/fake-images.js';
import { runCli } from '../support/cli-in-process.js';
import { guardLoopbackOnly } from '../support/loopback-guard.js';

let fake: FakeImageServer;
let dir: string;
let seg: string;
let unguard: () => void;

beforeEach(async () => {
  unguard = guardLoopbackOnly();
  fake = await FakeImageServer.start();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emotes-cmd-'));
  seg = path.join(dir, 'segments');
  await writeSampleArchive(seg);
  fs.writeFileSync(path.join(dir, 'token'), `oauth:${FIXTURE_TOKEN}\n`);
});
afterEach(async () => {
  unguard();
  await fake.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const sourceArgs = () => fake.cliArgs();

async function emotes(...extra: string[]) {
  const r = await runCli('emotes', '--segments', seg, '--json', ...sourceArgs(), ...extra);
  let summary: Record<string, unknown> = {};
  try {
    summary = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    // a usage error prints no summary
  }
  return { ...r, summary };
}

const imageRequests = () =>
  [...fake.requests].filter(([p]) => !/^\/(v3|3|v1|helix|oauth2)\//.test(p)).reduce((n, [, c]) => n + c, 0);
const files = (sub: string) =>
  fs.existsSync(path.join(seg, sub)) ? fs.readdirSync(path.join(seg, sub), { recursive: true, encoding: 'utf8' }) : [];
const snapshots = (source: string, scope: string) =>
  files(`emotes/sets/${source}/${scope}`).filter((f) => f.endsWith('.json'));
const readSnapshot = (source: string, scope: string, name: string) =>
  JSON.parse(fs.readFileSync(path.join(seg, 'emotes/sets', source, scope, name), 'utf8'));

describe('chat-archiver emotes', () => {
  it("stores every fixture emote in the original's layout, third-party sets and badges; a second run fetches nothing", async () => {
    const first = await emotes('--token-file', path.join(dir, 'token'));
    expect(first.stderr).not.toMatch(/Error|at .*\.ts/);
    expect(first.code).toBe(0);
    const ids = fixtureEmoteIds();
    expect(first.summary).toMatchObject({ ok: true, emoteIds: ids.length, missing: [], failed: [] });
    for (const id of ids)
      for (const theme of TWITCH_THEMES)
        for (const scale of TWITCH_SCALES) {
          const bytes = fs.readFileSync(path.join(seg, 'emotes', id, `${theme}-${scale}`));
          expect(bytes.equals(imageBytes(`twitch:${id}:${theme}`, scale)), `${id} ${theme}-${scale}`).toBe(true);
        }
    for (const e of THIRD_PARTY) {
      const stored = files(`emotes/${e.provider}/${e.id}`).sort();
      const expected = {
        '7tv': ['1x.webp', '2x.webp', '3x.webp', '4x.webp'],
        bttv: ['1x', '2x', '3x'],
        ffz: ['1', '2', '4'],
      };
      expect(stored, e.code).toEqual(expected[e.provider]);
    }
    // FrankerFaceZ's global answer also lists a supporter's set; only the default sets are everyone's.
    expect(files('emotes/ffz/1')).toEqual([]);
    for (const b of [...BADGES.global, ...BADGES.channel])
      expect(files(`emotes/badges/${b.image}`).sort()).toEqual(['1x', '2x', '4x']);

    for (const source of ['7tv', 'bttv', 'ffz']) {
      for (const scope of ['global', 'channels/nymn']) {
        const [name, ...more] = snapshots(source, scope);
        expect(more).toEqual([]);
        const snap = readSnapshot(source, scope, name!);
        const want = THIRD_PARTY.filter(
          (e) => e.provider === source && (scope === 'global') === (e.scope === 'global'),
        );
        expect(snap.emotes.map((e: { name: string }) => e.name).sort()).toEqual(want.map((e) => e.code).sort());
        expect(snap).toMatchObject({ provider: source, scope: scope === 'global' ? 'global' : 'channel' });
        // Content-addressed: the name carries the hash of the bytes.
        const bytes = fs.readFileSync(path.join(seg, 'emotes/sets', source, scope, name!));
        const { createHash } = await import('node:crypto');
        expect(name!.slice(-48, -5)).toBe(createHash('sha256').update(bytes).digest('base64url'));
      }
    }
    const zeroWidth = readSnapshot('7tv', 'channels/nymn', snapshots('7tv', 'channels/nymn')[0]!).emotes.filter(
      (e: { zero_width: boolean }) => e.zero_width,
    );
    expect(zeroWidth.map((e: { name: string }) => e.name)).toEqual(['nimeDance']);
    const badgeSnap = readSnapshot('badges', 'channels/nymn', snapshots('badges', 'channels/nymn')[0]!);
    expect(badgeSnap.sets[0].versions.map((v: { id: string; image: string }) => [v.id, v.image])).toEqual(
      BADGES.channel.map((b) => [b.version, b.image]),
    );

    const before = imageRequests();
    const second = await emotes('--token-file', path.join(dir, 'token'));
    expect(second.code).toBe(0);
    expect(second.summary).toMatchObject({ ok: true, stored: 0 });
    expect(second.summary.present).toBe(first.summary.stored);
    expect(imageRequests()).toBe(before);
    expect(snapshots('7tv', 'channels/nymn')).toHaveLength(1);
    // The archive core does not take the image folders for channels.
    const verify = await runCli('verify', '--segments', seg, '--json');
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });
  });

  it('reports a 404 by emote id without asking for its other files and remembers it; retries 503 and 429; bounded concurrency', async () => {
    const [gone, flaky, limited] = fixtureEmoteIds();
    fake.missing.add(`/emoticons/v2/${gone}/default/dark/1.0`);
    fake.failures.set(`/emoticons/v2/${flaky}/default/light/2.0`, { left: 2, status: 503 });
    fake.failures.set(`/emoticons/v2/${limited}/default/dark/3.0`, { left: 1, status: 429 });
    fake.imageDelayMs = 20;
    const first = await emotes('--no-third-party', '--concurrency', '3');
    expect(first.code).toBe(1);
    expect(first.summary.missing).toEqual([
      expect.objectContaining({ source: 'twitch', id: gone, file: 'dark-1.0', reason: expect.stringMatching(/404/) }),
    ]);
    expect(first.summary.failed).toEqual([]);
    expect(fs.existsSync(path.join(seg, 'emotes', gone!))).toBe(false);
    expect(fake.count(`/emoticons/v2/${gone}/default/light/1.0`)).toBe(0);
    expect(fake.count(`/emoticons/v2/${flaky}/default/light/2.0`)).toBe(3);
    expect(fake.count(`/emoticons/v2/${limited}/default/dark/3.0`)).toBe(2);
    expect(fs.existsSync(path.join(seg, 'emotes', flaky!, 'light-2.0'))).toBe(true);
    expect(fs.existsSync(path.join(seg, 'emotes', limited!, 'dark-3.0'))).toBe(true);
    expect(fake.maxInFlight).toBeGreaterThan(1);
    expect(fake.maxInFlight).toBeLessThanOrEqual(3);
    expect(first.summary.badges).toMatch(/no --token-file/);
    expect(fake.count('/helix/chat/badges/global') + fake.count('/v3/emote-sets/global')).toBe(0);

    const text = await runCli('emotes', '--segments', seg, ...sourceArgs(), '--no-third-party');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`known missing: ${gone} dark-1.0`);
    expect(fake.count(`/emoticons/v2/${gone}/default/dark/1.0`)).toBe(1);

    fake.missing.clear();
    const retry = await emotes('--no-third-party', '--retry-missing');
    expect(retry.code).toBe(0);
    expect(fs.readdirSync(path.join(seg, 'emotes', gone!))).toHaveLength(6);
  });

  it('keeps every distinct set; no account is an empty set; a refused token and image URLs pointing elsewhere are reported, the rest stored', async () => {
    fake.noAccount.add('ffz');
    fs.writeFileSync(path.join(dir, 'bad-token'), 'not-the-token\n');
    const first = await emotes('--token-file', path.join(dir, 'bad-token'));
    expect(first.code).toBe(1);
    expect(first.summary.badges).toMatch(/did not accept the token/);
    expect(fake.count('/helix/chat/badges/global')).toBe(0);
    expect(readSnapshot('ffz', 'channels/nymn', snapshots('ffz', 'channels/nymn')[0]!).emotes).toEqual([]);
    expect(files('emotes/bttv').length).toBeGreaterThan(0);

    // The set changes, and the 7TV answer now names another host for its files (localhost: loopback).
    fake.extraSevenTv.push({ code: 'NEWEMOTE', id: '0000000000000000000fffff' });
    fake.sevenTvHost = `//localhost:${new URL(fake.origin).port}`;
    const second = await emotes();
    expect(second.code).toBe(1);
    const names = snapshots('7tv', 'channels/nymn').sort();
    expect(names).toHaveLength(2);
    const codes = names.map((n) => readSnapshot('7tv', 'channels/nymn', n).emotes.map((e: { name: string }) => e.name));
    expect(codes.filter((c: string[]) => c.includes('NEWEMOTE'))).toHaveLength(1);
    expect(snapshots('bttv', 'channels/nymn')).toHaveLength(1);
    const missing = second.summary.missing as Array<{ source: string; id: string; reason: string }>;
    expect(missing).toHaveLength(4);
    expect(missing.every((m) => m.id === '0000000000000000000fffff' && /loopback/.test(m.reason))).toBe(true);
    expect(files('emotes/7tv/0000000000000000000fffff')).toEqual([]);
  });

  it('usage errors are one line and exit 2', async () => {
    for (const args of [
      ['--cdn', 'ftp://mirror'],
      ['--channel', '../x'],
      ['--channel', 'nosuchchannel'],
    ]) {
      const r = await runCli('emotes', '--segments', seg, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect((await runCli('emotes', '--segments', path.join(dir, 'missing'))).code).toBe(2);
  });
});
