/**
 * Other tools' chat through the API: detection of a source, importStart with the format told
 * from it (or chosen), progress in bytes and lines, the records and their new receiver's lane.
 */
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { ArchiveService } from '../../app/service/service.js';
import type { FormatDetection, ImportProgress, Summary } from '../../app/service/contract.js';
import { tempDir } from '../support/service-archive.js';
import { isPrivmsg, range, sentAt, writeChatterino, writeTwitchDownloader } from '../support/foreign-sources.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function value<T>(
  p: Promise<{ ok: true; value: unknown } | { ok: false; error: { message: string } }>,
): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`expected ok, got ${r.error.message}`);
  return r.value as T;
}

async function finished(service: ArchiveService, importId: string): Promise<ImportProgress> {
  for (let i = 0; i < 2000; i++) {
    const p = (await value<ImportProgress[]>(service.call('importStatus', {}))).find((x) => x.importId === importId);
    if (p && ['done', 'failed', 'cancelled'].includes(p.phase)) return p;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('import did not finish');
}

describe('importing other tools through the service', () => {
  it('detects, imports with progress in bytes, and shows the new receiver', async () => {
    const t = await tempDir();
    const segments = path.join(t.dir, 'segments');
    const service = await ArchiveService.create({ segmentsDir: segments, settingsFile: null, mergeIntervalMs: 0 });
    cleanups.push(t.cleanup, () => service.close());
    const td = path.join(t.dir, 'td', 'vod.json');
    await writeTwitchDownloader(td, range(0, 100));
    const logs = path.join(t.dir, 'Logs');
    await writeChatterino(logs, range(50, 150));

    expect(await value<FormatDetection>(service.call('detectFormat', { path: td }))).toEqual({
      format: 'twitchdownloader',
      reason: 'vod.json is TwitchDownloader chat JSON',
    });
    expect((await value<FormatDetection>(service.call('detectFormat', { path: logs }))).format).toBe('chatterino');
    expect(await service.call('detectFormat', { path: 'relative' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument' },
    });
    expect(
      await service.call('importStart', { sources: [td], format: 'twitchdownloader', timezone: 'Nowhere/Else' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument' },
    });

    const a = await value<{ importId: string }>(service.call('importStart', { sources: [td] }));
    const pa = await finished(service, a.importId);
    expect(pa).toMatchObject({
      phase: 'done',
      error: null,
      filesTotal: 1,
      filesChecked: 1,
      copied: 1,
      linesImported: range(0, 100).filter(isPrivmsg).length,
    });
    expect(pa.bytesRead).toBe(pa.bytesTotal);
    const b = await value<{ importId: string }>(
      service.call('importStart', { sources: [logs], format: 'chatterino', node: 'archivist' }),
    );
    expect(await finished(service, b.importId)).toMatchObject({
      phase: 'done',
      error: null,
      linesImported: range(50, 150).filter(isPrivmsg).length,
    });

    const from = Math.floor(sentAt(0) / 3600) * 3600;
    const s = await value<Summary>(
      service.call('summary', { channel: 'nymn', from, to: from + 3600, resolution: 'hour' }),
    );
    const receivers = Object.keys(s.receivers);
    expect(receivers).toHaveLength(2);
    expect(receivers.find((r) => r.startsWith('twitchdownloader.'))).toMatch(/^twitchdownloader\.[A-Za-z0-9]{5}\.r0$/);
    expect(receivers.find((r) => r.startsWith('archivist.'))).toMatch(/^archivist\.[A-Za-z0-9]{5}\.e0$/);
    // the messages both had are one record each
    expect(s.buckets[0]!.records).toBe(range(0, 150).filter(isPrivmsg).length);
  });
});
