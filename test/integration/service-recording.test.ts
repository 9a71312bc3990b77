import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { ArchiveService } from '../../app/service/service.js';
import { recordingFactory, recordWithRecorder } from '../../app/service/recording.js';
import type { ApiEvent, RecordRow } from '../../app/service/contract.js';
import { FakeTwitch, fixtureLines, liveLine } from '../support/fake-twitch.js';
import { FakeImageServer } from '../support/fake-images.js';
import { guardLoopbackOnly } from '../support/loopback-guard.js';
import { waitForLiveImages } from '../support/live-images.js';
import { tempDir } from '../support/service-archive.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('recording through the service', () => {
  it('the channel list and "start recording on launch" are saved: a new service starts recording them', async () => {
    const fake = await FakeTwitch.start();
    const t = await tempDir();
    const opts = {
      segmentsDir: path.join(t.dir, 'segments'),
      settingsFile: path.join(t.dir, 'settings.json'),
      recording: recordWithRecorder,
      mergeIntervalMs: 0,
    };
    const first = await ArchiveService.create(opts);
    cleanups.push(() => fake.close(), t.cleanup);
    await first.call('setSettings', { server: fake.url, historyGapFilling: false, recordOnLaunch: true });
    expect(await first.call('recordingStart', { channels: ['forsen', 'nymn'] })).toMatchObject({ ok: true });
    await fake.waitForJoined('nymn', 1);
    await first.call('recordingStop', { channels: ['forsen'] });
    await first.close();
    expect(fake.joinedClients('nymn')).toHaveLength(0);

    const second = await ArchiveService.create(opts);
    cleanups.push(() => second.close());
    await fake.waitForJoined('nymn', 1, 15_000);
    await fake.waitForJoined('forsen', 1, 15_000);
    const status = await second.api.recordingStatus({});
    expect(status.ok && status.value.map((c) => c.channel)).toEqual(['forsen', 'nymn']);
  });

  it('records a channel from the fake chat server, with live status and archive-changed events', async () => {
    const fake = await FakeTwitch.start();
    const t = await tempDir();
    const service = await ArchiveService.create({
      segmentsDir: path.join(t.dir, 'segments'),
      settingsFile: path.join(t.dir, 'settings.json'),
      recording: recordWithRecorder,
      mergeIntervalMs: 0,
    });
    cleanups.push(
      () => fake.close(),
      t.cleanup,
      () => service.close(),
    );
    const events: ApiEvent[] = [];
    service.onEvent((e) => events.push(e));
    expect(
      await service.api.setSettings({
        server: fake.url,
        historyGapFilling: false,
        nodeName: 'test-node',
        fetchImages: false,
      }),
    ).toMatchObject({ ok: true });

    const started = await service.api.recordingStart({ channels: ['nymn'] });
    expect(started).toMatchObject({ ok: true, value: [{ channel: 'nymn', recording: true }] });
    await fake.waitForJoined('nymn', 1);
    const lines = fixtureLines().slice(0, 50).map(liveLine);
    fake.broadcast('nymn', lines);
    // The fixture is from 2024, so its batches are long due: they are written on the next tick.
    await fake.waitFor(
      () => events.some((e) => e.type === 'archiveChanged' && e.channel === 'nymn'),
      15_000,
      'archiveChanged',
    );
    expect(service.isRecording()).toBe(true);
    const status = events
      .filter((e): e is Extract<ApiEvent, { type: 'recording' }> => e.type === 'recording')
      .at(-1)!.status;
    expect(status[0]!.connections.some((c) => c.state === 'connected')).toBe(true);

    // Stop does not forget the channel: it stays listed, and saved, ready to start again.
    const stopped = await service.api.recordingStop({ channels: ['nymn'] });
    expect(stopped).toMatchObject({ ok: true, value: [{ channel: 'nymn', recording: false, connections: [] }] });
    expect(stopped.ok && stopped.value).toHaveLength(1);
    expect(service.settings.channels).toEqual(['nymn']);
    const channels = await service.api.listChannels({});
    expect(channels.ok && channels.value[0]).toMatchObject({ channel: 'nymn', records: 50 });
  });

  it('shows the latest lines live, before their minute reaches the archive', async () => {
    const fake = await FakeTwitch.start();
    const t = await tempDir();
    const service = await ArchiveService.create({
      segmentsDir: path.join(t.dir, 'segments'),
      settingsFile: null,
      recording: recordWithRecorder,
      mergeIntervalMs: 0,
    });
    cleanups.push(
      () => fake.close(),
      t.cleanup,
      () => service.close(),
    );
    await service.api.setSettings({
      server: fake.url,
      historyGapFilling: false,
      nodeName: 'live-node',
      fetchImages: false,
    });
    expect(await service.api.recordingTail({ channel: 'nymn', limit: 10 })).toEqual({ ok: true, value: [] });
    await service.api.recordingStart({ channels: ['nymn'] });
    await fake.waitForJoined('nymn', 1);
    // Sent now: their minute is written two minutes from now, long after this test looks.
    const now = Date.now();
    const privmsgs = fixtureLines()
      .map(liveLine)
      .filter((l) => / PRIVMSG #nymn :/.test(l))
      .slice(0, 40);
    fake.broadcast(
      'nymn',
      privmsgs.map((l) => l.replace(/tmi-sent-ts=\d+/, `tmi-sent-ts=${now}`)),
    );
    let rows: RecordRow[] = [];
    await expect
      .poll(
        async () => {
          const res = await service.api.recordingTail({ channel: 'nymn', limit: 25 });
          rows = res.ok ? res.value : [];
          return rows.length;
        },
        { timeout: 15_000 },
      )
      .toBe(25);
    const texts = privmsgs.map((l) => l.slice(l.indexOf(' PRIVMSG #nymn :') + ' PRIVMSG #nymn :'.length));
    expect(rows.map((r) => r.record.params[1])).toEqual(texts.slice(-25));
    expect(new Set(rows.map((r) => r.key)).size).toBe(25);
    for (const r of rows) {
      expect(r.key).toMatch(/^live:\d+$/);
      expect(Object.keys(r.record.receivers)).toEqual([expect.stringMatching(/^live-node\.[A-Za-z0-9]{5}\.0$/)]);
      expect(r.record.time).toBe(now / 1000);
    }
    const status = await service.api.recordingStatus({});
    expect(status.ok && status.value[0]!.tailVersion).toBe(40);
    // Nothing of it is in the archive yet.
    expect(await service.api.listChannels({})).toMatchObject({
      ok: true,
      value: [{ channel: 'nymn', records: 0 }],
    });
    // A bad argument is a typed error, as for every method.
    expect(await service.api.recordingTail({ channel: '../x', limit: 10 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument' },
    });
  });

  it('stores the emotes of what it records (settings fetchImages), and stops asking once nothing is recorded', async () => {
    const unguard = guardLoopbackOnly();
    const chat = await FakeTwitch.start();
    const images = await FakeImageServer.start();
    const t = await tempDir();
    const segments = path.join(t.dir, 'segments');
    const service = await ArchiveService.create({
      segmentsDir: segments,
      settingsFile: null,
      recording: recordingFactory({ images: { sources: images.sources, memoryFile: null } }),
      mergeIntervalMs: 0,
    });
    cleanups.push(
      async () => unguard(),
      () => chat.close(),
      () => images.close(),
      t.cleanup,
      () => service.close(),
    );
    const settings = await service.api.setSettings({
      server: chat.url,
      historyGapFilling: false,
      nodeName: 'img-node',
    });
    expect(settings).toMatchObject({ ok: true, value: { fetchImages: true, fetchMedia: false } });
    await service.api.recordingStart({ channels: ['nymn'] });
    await chat.waitForJoined('nymn', 1);
    const lines = fixtureLines().slice(0, 300).map(liveLine);
    chat.broadcast('nymn', lines);
    expect((await waitForLiveImages(segments, lines, 'nymn')).size).toBeGreaterThan(2);
    // The recorder was made with these settings: they change only when it is idle.
    expect(await service.api.setSettings({ fetchImages: false })).toMatchObject({ ok: false, error: { code: 'busy' } });

    // Stopped, not forgotten: the channel stays in the list.
    expect(await service.api.recordingStop({})).toMatchObject({
      ok: true,
      value: [{ channel: 'nymn', recording: false, connections: [] }],
    });
    await chat.waitFor(() => chat.joinedClients('nymn').length === 0, 15_000, 'the connection gone');
    const asked = images.totalRequests;
    // Only an idle recorder can be reconfigured; without images the next recording asks for none.
    expect(await service.api.setSettings({ fetchImages: false })).toMatchObject({ ok: true });
    await service.api.recordingStart({ channels: ['nymn'] });
    await chat.waitFor(() => chat.joinedClients('nymn').length === 1, 15_000, 'only the new connection joined');
    chat.broadcast('nymn', fixtureLines().slice(300, 500).map(liveLine));
    await expect
      .poll(async () => {
        const s = await service.api.recordingStatus({});
        return s.ok ? s.value[0]?.tailVersion : 0;
      })
      .toBe(200);
    expect(images.totalRequests).toBe(asked);
  });
});
