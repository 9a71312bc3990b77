/** The service's background merge on a real archive folder. */
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { listBatchFiles, hourDir, hourStart } from '../../app/archive/layout.js';
import type { MergeStatus } from '../../app/service/contract.js';
import { MergeLoop, type MergeLoopOptions } from '../../app/service/merge-loop.js';
import { T0, tempDir, writeShapedChannel } from '../support/service-archive.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(over: Partial<MergeLoopOptions> = {}) {
  const t = await tempDir('ca-merge-loop-');
  const segments = path.join(t.dir, 'segments');
  await writeShapedChannel(segments, 'one');
  await writeShapedChannel(segments, 'two');
  const statuses: MergeStatus[] = [];
  const changed: string[] = [];
  let rescans = 0;
  const loop = new MergeLoop({
    segments: () => segments,
    intervalMs: 0,
    changed: async (c) => void changed.push(c),
    rescan: async () => void rescans++,
    onStatus: (s) => statuses.push(s),
    ...over,
  });
  cleanups.push(t.cleanup, () => loop.close());
  return { segments, loop, statuses, changed, rescans: () => rescans };
}

/** Files in the hour of the shaped channel: 7 before a merge (minute 2 holds two), 6 after. */
const files = async (segments: string, channel: string) =>
  (await listBatchFiles(hourDir(segments, channel, hourStart(T0)), hourStart(T0))).files.length;

describe('MergeLoop', () => {
  it('settles only the channels it was given, then rescans and counts what is still pending', async () => {
    const { segments, loop, statuses, changed, rescans } = await setup();
    loop.add(['one']);
    await loop.runNow();
    expect(await files(segments, 'one')).toBe(6);
    expect(await files(segments, 'two')).toBe(7);
    expect(changed).toEqual(['one']);
    expect(rescans()).toBe(1);
    expect(statuses.map((s) => s.running)).toEqual([true, false]);
    expect(loop.status).toMatchObject({ running: false, pendingHours: 1, lastError: null });
    expect(loop.status.lastRun).toBeGreaterThan(0);
  });

  it('runs once at a time: a second call joins the run under way', async () => {
    const { loop, statuses } = await setup();
    loop.add(['one', 'two']);
    const a = loop.runNow();
    expect(loop.runNow()).toBe(a);
    await a;
    expect(statuses.filter((s) => s.running)).toHaveLength(1);
    expect(loop.status.pendingHours).toBe(0);
  });

  it('reports a failing step as lastError and goes on with the rest', async () => {
    const { segments, loop } = await setup({
      changed: async (c) => {
        if (c === 'one') throw new Error('index is gone');
      },
    });
    loop.add(['one', 'two']);
    await loop.runNow();
    expect(loop.status.lastError).toBe('merging #one: index is gone');
    expect(await files(segments, 'two')).toBe(6);
  });

  it('merges on its own every interval, and not after close', async () => {
    const { segments, loop, statuses } = await setup({ intervalMs: 20 });
    loop.add(['one']);
    await expect.poll(() => statuses.filter((s) => !s.running).length, { timeout: 10_000 }).toBeGreaterThan(0);
    await loop.close();
    const seen = statuses.length;
    await loop.runNow();
    expect(statuses).toHaveLength(seen);
    expect(await files(segments, 'one')).toBe(6);
  });
});
