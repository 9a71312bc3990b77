/**
 * The service's background merge settles every channel whose files changed, not only the
 * ones it records or imported (files a sync tool or another process brought): "waiting to
 * merge" clears once the merge ran.
 */
import path from 'node:path';
import { readdir } from 'node:fs/promises';
import { afterEach, expect, it } from 'vitest';
import { writeBatch } from '../../app/archive/store.js';
import { hourDir } from '../../app/archive/layout.js';
import { ArchiveService } from '../../app/service/service.js';
import type { MergeStatus, Summary } from '../../app/service/contract.js';
import { chatRecord, T0, tempDir } from '../support/service-archive.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('a channel synced in from elsewhere, two files in one minute: the merge loop settles it and nothing waits', async () => {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  const segments = path.join(t.dir, 'segments');
  const dir = hourDir(segments, 'synced', T0);
  await writeBatch(dir, T0, [chatRecord(T0 + 1, 'a.x.0', 'one', 'PRIVMSG', 'synced')]);
  await writeBatch(dir, T0, [chatRecord(T0 + 2, 'b.y.0', 'two', 'PRIVMSG', 'synced')]);
  const service = await ArchiveService.create({ segmentsDir: segments, settingsFile: null, mergeIntervalMs: 0 });
  cleanups.push(() => service.close());
  const summary = async () =>
    (
      (await service.call('summary', { channel: 'synced', from: T0, to: T0 + 3600, resolution: 'hour' })) as {
        value: Summary;
      }
    ).value;
  expect((await summary()).buckets[0]!.pendingMerge).toBe(1);

  await service.mergeNow();
  const status = (await service.call('mergeStatus', {})) as { value: MergeStatus };
  expect(status.value).toMatchObject({ running: false, pendingHours: 0, lastError: null });
  expect(await readdir(dir)).toHaveLength(1);
  expect((await summary()).buckets[0]!.pendingMerge).toBe(0);
});
