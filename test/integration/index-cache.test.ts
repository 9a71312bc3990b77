/** The archive index on real folders: what it cannot read is said, never shown as an empty archive. */
import { afterEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { hourDir, hourStart, listBatchFiles } from '../../app/archive/layout.js';
import type { ApiEvent, IndexStatus } from '../../app/service/contract.js';
import { ArchiveIndex } from '../../app/service/index-cache.js';
import { ArchiveService } from '../../app/service/service.js';
import { T0, tempDir, writeShapedChannel } from '../support/service-archive.js';
import { withUnreadable } from '../support/unreadable.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function archive() {
  const t = await tempDir('ca-index-');
  cleanups.push(t.cleanup);
  const segments = path.join(t.dir, 'segments');
  await writeShapedChannel(segments, 'good');
  return { dir: t.dir, segments };
}

describe('ArchiveIndex failures', () => {
  it('a channel that cannot be listed is named in the status; the other channels are indexed', async () => {
    const { segments } = await archive();
    await fs.mkdir(path.join(segments, 'broken'));
    await fs.writeFile(path.join(segments, 'broken', 'chat'), 'a file where the chat folder should be');
    const statuses: IndexStatus[] = [];
    const index = new ArchiveIndex(segments, { cacheDir: null, onProgress: (s) => statuses.push(s) });
    await index.scan();
    expect(index.failed).toBe(false);
    expect(index.channelNames()).toEqual(['good']);
    expect(index.status.error).toMatch(/^one folder or file could not be read, the index leaves them out: .*broken/);
    expect(statuses.at(-1)).toEqual(index.status);
  });

  it('an unreadable file is named in the status, and a rescan that reads it clears the error', async () => {
    const { segments } = await archive();
    const hour = hourStart(T0);
    const [first] = (await listBatchFiles(hourDir(segments, 'good', hour), hour)).files;
    const index = new ArchiveIndex(segments, { cacheDir: null });
    await withUnreadable(first!.path, () => index.scan());
    expect(index.status.error).toContain(`${first!.path}: EACCES`);
    expect(index.status.filesTotal).toBe(7);
    await index.scan();
    expect(index.status.error).toBeNull();
  });

  it('a folder that cannot be listed fails the scan, says so, and is not an empty archive', async () => {
    const { dir } = await archive();
    const notAFolder = path.join(dir, 'file');
    await fs.writeFile(notAFolder, 'x');
    const index = new ArchiveIndex(notAFolder, { cacheDir: null });
    await expect(index.scan()).rejects.toThrow(/ENOTDIR/);
    expect(index.failed).toBe(true);
    expect(index.status).toMatchObject({
      scanning: false,
      error: expect.stringMatching(/^cannot read the archive folder/),
    });
  });
});

describe('the service over an archive it cannot read', () => {
  it('answers listChannels with an io error and the index status, and recovers on a retry', async () => {
    const { dir, segments } = await archive();
    const service = await ArchiveService.create({ segmentsDir: segments, settingsFile: null, mergeIntervalMs: 0 });
    cleanups.push(() => service.close());
    const events: ApiEvent[] = [];
    service.onEvent((e) => events.push(e));
    expect(await service.api.listChannels({})).toMatchObject({ ok: true, value: [{ channel: 'good' }] });

    // The folder is replaced by a file (a drive unmounted under it, say).
    const moved = path.join(dir, 'moved');
    await fs.rename(segments, moved);
    await fs.writeFile(segments, 'x');
    await expect(service.scanned()).rejects.toThrow();
    const answer = await service.api.listChannels({});
    expect(answer).toMatchObject({ ok: false, error: { code: 'io', path: segments } });
    expect(!answer.ok && answer.error.message).toMatch(/^cannot read the archive folder .*ENOTDIR/);
    const status = await service.api.indexStatus({});
    expect(status.ok && status.value.error).toMatch(/^cannot read the archive folder/);
    expect(events.some((e) => e.type === 'index' && e.status.error !== null)).toBe(true);

    // Back again: the next listChannels (the UI's retry) scans once more and answers.
    await fs.rm(segments);
    await fs.rename(moved, segments);
    expect(await service.api.listChannels({})).toMatchObject({ ok: true, value: [{ channel: 'good' }] });
    expect(await service.api.indexStatus({})).toMatchObject({ ok: true, value: { error: null } });
  });
});
