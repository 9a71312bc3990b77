import { afterEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ArchiveService, type ImportFn } from '../../app/service/service.js';
import type { ApiEvent, ImportProgress, RecordPage, Result } from '../../app/service/contract.js';
import { importSegments } from '../../app/archive/import.js';
import { compareCodePoints, encodeRecord } from '../../app/archive/encode.js';
import { T0, tempDir, writeShapedChannel } from '../support/service-archive.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: { importSegments?: ImportFn } = {}) {
  const t = await tempDir();
  const segments = path.join(t.dir, 'segments');
  const service = await ArchiveService.create({
    segmentsDir: segments,
    settingsFile: path.join(t.dir, 'settings.json'),
    mergeIntervalMs: 0,
    ...opts,
  });
  const events: ApiEvent[] = [];
  service.onEvent((e) => events.push(e));
  cleanups.push(t.cleanup, () => service.close());
  return { dir: t.dir, segments, service, events };
}

/** The value of a call that must succeed (its type comes from the contract). */
async function value<T>(p: Promise<Result<T>>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`expected ok, got ${r.error.message}`);
  return r.value;
}

describe('ArchiveService on a real archive', () => {
  it('builds the sample archive from the real fixture and summarizes it', async () => {
    const { service } = await setup();
    expect(await value(service.api.createSampleArchive({}))).toEqual({ channel: 'nymn', records: 800 });
    const channels = await value(service.api.listChannels({}));
    expect(channels).toMatchObject([{ channel: 'nymn', records: 800 }]);
    const s = await value(service.api.summary({ channel: 'nymn', from: T0, to: T0 + 3600, resolution: 'hour' }));
    expect(s.buckets).toHaveLength(1);
    expect(s.buckets[0]).toMatchObject({
      records: 800,
      byCommand: { PRIVMSG: 798, CLEARCHAT: 2 },
      recorded: true,
      pendingMerge: 0,
    });
    expect(s.receivers).toEqual({ 'sample.nymn0.0': 800 });
  });

  it('answers minute summaries with pending merges and unrecorded minutes', async () => {
    const { segments, service } = await setup();
    await writeShapedChannel(segments);
    await service.scanned();
    const s = await value(
      service.api.summary({ channel: 'testchan', from: T0, to: T0 + 15 * 60, resolution: 'minute' }),
    );
    expect(s.buckets).toHaveLength(15);
    expect(s.buckets.map((b) => b.records)).toEqual([3, 3, 4, 3, 3, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect(s.buckets[2]).toMatchObject({ pendingMerge: 1, receivers: { 'a.aaaaa.0': 3, 'b.bbbbb.0': 1 } });
    expect(s.buckets[10]!.byCommand).toEqual({ JOIN: 1 });
    expect(s.buckets.map((b) => b.recorded)).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
      false,
      false,
      true,
      false,
      false,
      false,
      false,
    ]);
    // After the last recorded minute nothing is "missing": only the gap between recordings.
    expect(s.unrecorded).toEqual([[T0 + 300, T0 + 600]]);
    expect(s.receivers).toEqual({ 'a.aaaaa.0': 15, 'b.bbbbb.0': 2 });
    const clipped = await value(
      service.api.summary({ channel: 'testchan', from: T0 + 420, to: T0 + 480, resolution: 'minute' }),
    );
    expect(clipped.unrecorded).toEqual([[T0 + 420, T0 + 480]]);
  });

  it('lists the records of a range in SPEC §4 order, paged, and gives each one in detail', async () => {
    const { service } = await setup();
    await value(service.api.createSampleArchive({}));
    const all: RecordPage['rows'] = [];
    for (let offset = 0; ; offset += 300) {
      const page = await value(service.api.records({ channel: 'nymn', from: T0, to: T0 + 3600, offset, limit: 300 }));
      expect(page.total).toBe(800);
      all.push(...page.rows);
      if (page.rows.length < 300) break;
    }
    expect(all).toHaveLength(800);
    for (let i = 1; i < all.length; i++) {
      const a = all[i - 1]!.record;
      const b = all[i]!.record;
      const order =
        a.time - b.time || a.time_range - b.time_range || compareCodePoints(encodeRecord(a), encodeRecord(b));
      expect(order).toBeLessThanOrEqual(0);
    }
    const clear = all.find((r) => r.record.command === 'CLEARCHAT')!;
    const d = await value(service.api.recordDetail({ channel: 'nymn', key: clear.key }));
    expect(d.record).toEqual(clear.record);
    expect(d.ircLine).toMatch(/^@.* :tmi\.twitch\.tv CLEARCHAT #nymn :/);
    expect(d.file).toMatch(/^nymn\/chat\/2024-01-06T16\/\d\d\.00-[A-Za-z0-9_-]{43}\.json$/);
    expect(d.receivers).toHaveLength(1);
    const filtered = await value(
      service.api.records({
        channel: 'nymn',
        from: T0,
        to: T0 + 3600,
        offset: 0,
        limit: 10,
        filter: { commands: ['CLEARCHAT'] },
      }),
    );
    expect(filtered.total).toBe(2);
    const missing = await service.api.recordDetail({ channel: 'nymn', key: clear.key.replace(/#\d+$/, '#9999') });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('keeps the index in a cache keyed by file name and picks up new files', async () => {
    const { dir, segments, service } = await setup();
    await value(service.api.createSampleArchive({}));
    const cache = JSON.parse(await fs.readFile(path.join(segments, '.chat-archiver', 'index', 'nymn.json'), 'utf8'));
    expect(Object.keys(cache.files).length).toBeGreaterThan(5);
    await writeShapedChannel(segments);
    // A second service over the same folder answers from the cache plus the new files.
    const second = await ArchiveService.create({
      segmentsDir: segments,
      settingsFile: path.join(dir, 'settings.json'),
      mergeIntervalMs: 0,
    });
    cleanups.push(() => second.close());
    const channels = await value(second.api.listChannels({}));
    expect(channels.map((c) => [c.channel, c.records])).toEqual([
      ['nymn', 800],
      ['testchan', 17],
    ]);
    expect(await second.api.indexStatus({})).toEqual({
      ok: true,
      value: { scanning: false, filesTotal: 16, filesScanned: 16, error: null },
    });
  });

  it('reports scan progress as index events', async () => {
    const { segments, service, events } = await setup();
    await writeShapedChannel(segments);
    await service.scanned();
    const index = events
      .filter((e): e is Extract<ApiEvent, { type: 'index' }> => e.type === 'index')
      .map((e) => e.status);
    expect(index[0]!.scanning).toBe(true);
    expect(index.at(-1)).toEqual({ scanning: false, filesTotal: 7, filesScanned: 7, error: null });
  });

  it('imports a folder with progress events and reports the new channel', async () => {
    const src = await tempDir('ca-src-');
    cleanups.push(src.cleanup);
    await writeShapedChannel(src.dir, 'other');
    const { service, events } = await setup();
    const { importId } = await value(service.api.importStart({ sources: [src.dir] }));
    let last: ImportProgress | undefined;
    for (let i = 0; i < 200 && !['done', 'failed', 'cancelled'].includes(last?.phase ?? ''); i++) {
      await new Promise((r) => setTimeout(r, 25));
      last = (await value(service.api.importStatus({}))).find((p) => p.importId === importId);
    }
    expect(last).toMatchObject({ phase: 'done', filesTotal: 7, filesChecked: 7, error: null });
    expect(last!.copied).toBe(7);
    const progress = events.filter((e): e is Extract<ApiEvent, { type: 'import' }> => e.type === 'import');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)!.progress.phase).toBe('done');
    expect(events.some((e) => e.type === 'archiveChanged' && e.channel === 'other')).toBe(true);
    const channels = await value(service.api.listChannels({}));
    // Merging joins minute 2's two files: 16 records (b's message is a different event).
    expect(channels).toMatchObject([{ channel: 'other', records: 17 }]);
  });

  it('cancels a running import', async () => {
    const src = await tempDir('ca-src-');
    cleanups.push(src.cleanup);
    // The real import, started only after a cancel could arrive: it must see the aborted signal.
    const slow: ImportFn = async (dest, sources, opts) => {
      await new Promise((r) => setTimeout(r, 200));
      return importSegments(dest, sources, opts);
    };
    const { service, segments } = await setup({ importSegments: slow });
    await writeShapedChannel(src.dir, 'other');
    const { importId } = await value(service.api.importStart({ sources: [src.dir] }));
    expect(await service.api.importStart({ sources: [src.dir] })).toMatchObject({
      ok: false,
      error: { code: 'busy' },
    });
    expect(await value(service.api.importCancel({ importId }))).toEqual({ cancelled: true });
    const [status] = await value(service.api.importStatus({}));
    expect(status).toMatchObject({ importId, phase: 'cancelled' });
    await expect(fs.readdir(path.join(segments, 'other'))).rejects.toThrow();
    expect(await service.api.importCancel({ importId: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('refuses import sources that are relative, missing, or the archive itself', async () => {
    const { dir, segments, service } = await setup();
    expect(await service.api.importStart({ sources: ['relative/dir'] })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument' },
    });
    expect(await service.api.importStart({ sources: [path.join(dir, 'nope')] })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await service.api.importStart({ sources: [segments] })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument' },
    });
    expect(await service.api.importStart({ sources: [dir] })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument' },
    });
  });

  it('reports a settings file it could not use until settings are saved', async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const file = path.join(t.dir, 'settings.json');
    await fs.writeFile(file, JSON.stringify({ nodeName: 'not.valid' }));
    const service = await ArchiveService.create({ segmentsDir: path.join(t.dir, 'segments'), settingsFile: file });
    cleanups.push(() => service.close());
    const loaded = await value(service.api.getSettings({}));
    expect(loaded.problem).toMatch(
      /^settings\.json cannot be used: "nodeName": .*; the file was kept as settings\.json\.invalid-/,
    );
    expect(service.settingsProblem).toBe(loaded.problem);
    expect(await value(service.api.setSettings({ nodeName: 'fixed' }))).toMatchObject({
      nodeName: 'fixed',
      problem: null,
    });
  });

  it('keeps settings, refuses moving a fixed archive, and reports recording as unavailable without a recorder', async () => {
    const { dir, service } = await setup();
    const s = await value(service.api.setSettings({ nodeName: 'test-node', historyGapFilling: false }));
    expect(s).toMatchObject({ nodeName: 'test-node', hasToken: false });
    expect(JSON.parse(await fs.readFile(path.join(dir, 'settings.json'), 'utf8'))).toMatchObject({
      nodeName: 'test-node',
      historyGapFilling: false,
    });
    expect(await service.api.setSettings({ segmentsDir: dir })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await value(service.api.setToken({ token: 'oauth:abc' }))).toEqual({ hasToken: true });
    expect(await service.api.recordingStart({ channels: ['nymn'] })).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
    expect(await service.api.pickFolder({})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(
      await service.api.summary({ channel: 'nymn', from: 0, to: 253402300800, resolution: 'minute' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument' },
    });
  });
});
