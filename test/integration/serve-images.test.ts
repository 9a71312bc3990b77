/**
 * The viewer's side of images over `serve`: the `/images/` route (same access rules as the
 * rest, only real raster images from inside `emotes/`), the `imageSets` API (the snapshot
 * in effect at a time, channel sets over global ones), and `/metrics` with merge runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveService } from '../../app/service/service.js';
import { startHttpServer, type RunningServer } from '../../app/service/http-server.js';
import { ArchiveMetrics } from '../../app/service/metrics.js';
import { writeSampleArchive } from '../../app/service/sample.js';
import { openImageContext } from '../../app/images/download.js';
import { archiveImages } from '../../app/images/archive-images.js';
import { writeSnapshot } from '../../app/images/snapshots.js';
import { imageSetsAt, type ViewerImageSets } from '../../app/images/viewer-sets.js';
import {
  FakeImageServer,
  FIXTURE_CLIENT_ID,
  FIXTURE_TOKEN,
  fixtureEmoteIds,
  imageBytes,
  THIRD_PARTY,
} from '../support/fake-images.js';
import { rawRequest } from '../support/http-serve.js';
import { tempDir } from '../support/service-archive.js';

const TOKEN = 'a-long-enough-token-for-serve';
let t: { dir: string; cleanup: () => Promise<void> };
let segments: string;
let service: ArchiveService;
let server: RunningServer;
let fake: FakeImageServer;
const metrics = new ArchiveMetrics();
/** 2024-01-06T16:20Z: the fixture's time. */
const AT = 1704558000;

beforeAll(async () => {
  t = await tempDir('ca-serve-images-');
  segments = path.join(t.dir, 'segments');
  await writeSampleArchive(segments);
  fake = await FakeImageServer.start();
  const ctx = await openImageContext({ segments, sources: fake.sources, memoryFile: null });
  const run = await archiveImages(ctx, {
    thirdParty: true,
    badges: { token: FIXTURE_TOKEN, clientId: FIXTURE_CLIENT_ID },
    media: false,
  });
  expect(run.tally.failed).toEqual([]);
  service = await ArchiveService.create({ segmentsDir: segments, settingsFile: null, mergeIntervalMs: 0 });
  service.onEvent(metrics.serviceEvent);
  server = await startHttpServer({ service, host: '127.0.0.1', port: 0, token: TOKEN, rendererDir: null, metrics });
});
afterAll(async () => {
  await server.close();
  await service.close();
  await fake.close();
  await t.cleanup();
});

const auth = { authorization: `Bearer ${TOKEN}` };
const get = (p: string, headers: Record<string, string> = auth) => rawRequest(server.url, { path: p, headers });

async function imageSets(channel: string, at: number): Promise<ViewerImageSets> {
  const res = await fetch(new URL('api/imageSets', server.url), {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ channel, at }),
  });
  const body = (await res.json()) as { ok: boolean; value: ViewerImageSets };
  expect(body.ok).toBe(true);
  return body.value;
}

describe('serve: images', () => {
  it('serves stored emotes as images, to authorized clients only', async () => {
    const id = fixtureEmoteIds()[0]!;
    expect((await get(`/images/emotes/${id}/dark-1.0`, {})).status).toBe(403);
    const res = await fetch(new URL(`images/emotes/${id}/dark-1.0`, server.url), { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect(Buffer.from(await res.arrayBuffer()).equals(imageBytes(`twitch:${id}:dark`, '1.0'))).toBe(true);
    expect((await get(`/images/emotes/${id}/dark-9.0`)).status).toBe(404);
  });

  it('never serves what is not an image of the archive', async () => {
    fs.mkdirSync(path.join(segments, 'emotes', 'planted'), { recursive: true });
    fs.writeFileSync(path.join(segments, 'emotes', 'planted', 'page'), '<html><script>alert(1)</script>');
    fs.symlinkSync('/etc', path.join(segments, 'emotes', 'evil'));
    fs.symlinkSync(path.join(segments, 'nymn'), path.join(segments, 'emotes', 'chatlink'));
    // A real image outside the archive's emotes, reached through a planted folder link and a file link.
    fs.mkdirSync(path.join(t.dir, 'outside'));
    fs.writeFileSync(path.join(t.dir, 'outside', 'secret.png'), imageBytes('secret', '1x'));
    fs.symlinkSync(path.join(t.dir, 'outside'), path.join(segments, 'emotes', 'leak'));
    fs.symlinkSync(path.join(t.dir, 'outside', 'secret.png'), path.join(segments, 'emotes', 'planted', 'secret.png'));
    for (const p of [
      '/images/emotes/planted/page',
      '/images/emotes/leak/secret.png',
      '/images/emotes/planted/secret.png',
      '/images/emotes/evil/passwd',
      '/images/emotes/chatlink/chat',
      '/images/emotes/../nymn/chat',
      '/images/emotes/..%2f..%2fnymn/chat/x',
      '/images/emotes/%2e%2e/nymn/x',
      '/images/media/x/y',
      '/images/emotes/a%00/b',
      '/images/emotes/%E0%A4%A/x',
    ]) {
      const r = await get(p);
      expect(r.status, p).not.toBe(200);
      expect(r.headers['content-type'], p).toMatch(/^application\/json/);
    }
  });

  it('imageSets: the sets in effect, with images the viewer can load', async () => {
    const sets = await imageSets('nymn', AT);
    expect(sets.twitch).toBe(true);
    for (const e of THIRD_PARTY) expect(sets.emotes[e.code], e.code).toMatchObject({ provider: e.provider, id: e.id });
    const edm = sets.emotes.EDM!;
    expect(edm.src).toBe(`/images/emotes/7tv/${edm.id}/1x.webp`);
    expect(edm.src2x).toBe(`/images/emotes/7tv/${edm.id}/2x.webp`);
    expect(sets.emotes.nimeDance!.zeroWidth).toBe(true);
    // The channel's subscriber badges over the global ones.
    expect(sets.badges['subscriber/0']!.src).toBe('/images/emotes/badges/c0f1e4d2-0000-4000-8000-000000000000/1x');
    expect(sets.badges['moderator/1']).toBeDefined();
    for (const src of [
      edm.src,
      sets.emotes.forsenParty!.src,
      sets.emotes.FeelsDankMan!.src,
      sets.badges['vip/1']!.src,
    ]) {
      const r = await fetch(new URL(src, server.url), { headers: auth });
      expect(r.status, src).toBe(200);
      expect(r.headers.get('content-type'), src).toMatch(/^image\//);
    }
    expect(await imageSets('someoneelse', AT)).toMatchObject({ badges: { 'vip/1': expect.anything() } });
    expect(Object.keys((await imageSets('someoneelse', AT)).emotes).sort()).toEqual(['LULE', 'RAVE', 'haHAA']);
  });

  it('/metrics: same access rules, merge runs counted', async () => {
    expect((await get('/metrics', {})).status).toBe(403);
    const before = await get('/metrics');
    expect(before.status).toBe(200);
    expect(before.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(before.body).toMatch(/^chat_archiver_merge_runs_total 0$/m);
    expect(before.body).toMatch(/^chat_archiver_process_resident_memory_bytes \d+/m);
    // A service whose background merge runs soon (the served one merges only on demand),
    // closed after its first run: its runs are what the metrics count.
    const merging = await ArchiveService.create({
      segmentsDir: segments,
      settingsFile: null,
      indexDir: null,
      mergeIntervalMs: 50,
    });
    let runs = 0;
    const firstRun = new Promise<void>((resolve) =>
      merging.onEvent((e) => {
        metrics.serviceEvent(e);
        if (e.type !== 'merge' || e.status.running) return;
        runs++;
        resolve();
      }),
    );
    await firstRun;
    await merging.close();
    const after = await get('/metrics');
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(after.body).toMatch(new RegExp(`^chat_archiver_merge_runs_total ${runs}$`, 'm'));
    expect(after.body).toMatch(new RegExp(`^chat_archiver_merge_duration_seconds_count ${runs}$`, 'm'));
    expect(after.body).toMatch(/^chat_archiver_merge_pending_hours \d+$/m);
  });
});

describe('image sets over time', () => {
  it('the snapshot in effect at a time; channel over global; 7TV over BetterTTV over FrankerFaceZ', async () => {
    const d = await tempDir('ca-sets-');
    try {
      const set = (provider: string, scope: string, codes: Array<[string, string]>) => ({
        provider,
        scope,
        twitch_id: scope === 'channel' ? '1' : null,
        emotes: codes.map(([name, id]) => ({
          id,
          name,
          animated: false,
          zero_width: false,
          files: provider === '7tv' ? ['1x.webp'] : provider === 'bttv' ? ['1x'] : ['1'],
        })),
      });
      await writeSnapshot(
        d.dir,
        'ffz',
        'c',
        set('ffz', 'channel', [
          ['Same', '1'],
          ['OnlyFfz', '2'],
        ]),
        1000,
      );
      await writeSnapshot(d.dir, 'bttv', 'c', set('bttv', 'channel', [['Same', 'b1']]), 1000);
      await writeSnapshot(
        d.dir,
        '7tv',
        null,
        set('7tv', 'global', [
          ['Same', 'g1'],
          ['Glob', 'g2'],
        ]),
        1000,
      );
      await writeSnapshot(d.dir, '7tv', 'c', set('7tv', 'channel', [['Later', 's1']]), 2000);
      const early = await imageSetsAt(d.dir, 'c', 1500);
      expect(early.twitch).toBe(false);
      expect(early.emotes.Same).toMatchObject({ provider: 'bttv', id: 'b1' });
      expect(early.emotes.OnlyFfz).toMatchObject({ provider: 'ffz' });
      expect(early.emotes.Glob).toMatchObject({ provider: '7tv', id: 'g2' });
      // Before the first 7TV channel snapshot, the oldest one stands in.
      expect(early.emotes.Later).toMatchObject({ provider: '7tv' });
      await writeSnapshot(d.dir, '7tv', 'c', set('7tv', 'channel', [['Same', 's2']]), 3000);
      expect((await imageSetsAt(d.dir, 'c', 2500)).emotes.Later).toBeDefined();
      const late = await imageSetsAt(d.dir, 'c', 3500);
      expect(late.emotes.Same).toMatchObject({ provider: '7tv', id: 's2' });
      expect(late.emotes.Later).toBeUndefined();
      // Another node's broken snapshot is passed over, entry by entry.
      fs.writeFileSync(
        path.join(d.dir, 'emotes/sets/ffz/channels/c', '2000-01-01T00.00.00-' + 'x'.repeat(43) + '.json'),
        '{nope',
      );
      await writeSnapshot(
        d.dir,
        'bttv',
        null,
        {
          emotes: [
            { id: '../x', name: 'Bad', files: ['1x'] },
            { id: 'ok', name: '__proto__', files: ['1x'] },
          ],
        },
        1000,
      );
      const odd = await imageSetsAt(d.dir, 'c', 3500);
      expect(odd.emotes.Bad).toBeUndefined();
      expect(Object.hasOwn(odd.emotes, '__proto__')).toBe(true);
      expect(odd.emotes.OnlyFfz).toMatchObject({ provider: 'ffz' });
    } finally {
      await d.cleanup();
    }
  });
});
