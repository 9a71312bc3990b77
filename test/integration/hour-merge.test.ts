/** One hour's merge and its states (open → add → commit), on real folders; what is settled or blocked is never rewritten. */
import { afterEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { hourDir, hourStart } from '../../app/archive/layout.js';
import { HourMerge, MergeState, mergeAll } from '../../app/archive/merge.js';
import { snapshotTree } from '../support/generate.js';
import { T0, chatRecord, tempDir, writeShapedChannel } from '../support/service-archive.js';
import { withUnreadable } from '../support/unreadable.js';
import { observe } from '../../app/archive/observation.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const HOUR = hourStart(T0);

async function archive() {
  const t = await tempDir('ca-hour-merge-');
  cleanups.push(t.cleanup);
  await writeShapedChannel(t.dir, 'chan');
  return { segments: t.dir, dir: hourDir(t.dir, 'chan', HOUR) };
}

describe('HourMerge', () => {
  it('open → add → commit: the folder and what was added become the hour, once', async () => {
    const { segments, dir } = await archive();
    const work = await HourMerge.open(segments, 'chan', HOUR, { expectExtra: true });
    expect(work.state).toBe('open');
    const sink = work.fileSink();
    for (const o of observe(chatRecord(T0 + 30, 'c.ccccc.0', 'added', 'PRIVMSG', 'chan')).observations) sink.add(o);
    expect(sink.done()).toBe(1);
    await work.commit();
    expect(work.state).toBe('committed');
    expect(work.result).toMatchObject({ filesRead: 7, records: 18, filesRemoved: 3 });
    const after = await snapshotTree(dir);
    await work.commit(); // a second commit is no commit
    expect(await snapshotTree(dir)).toEqual(after);
  });

  it('a settled hour is left alone: committing it anyway writes and removes nothing', async () => {
    const { segments, dir } = await archive();
    await mergeAll(segments);
    const before = await snapshotTree(dir);
    const work = await HourMerge.open(segments, 'chan', HOUR, { state: await MergeState.load(segments) });
    expect(work.state).toBe('settled');
    expect(work.result.skipped).toBe(true);
    await work.commit();
    expect(await snapshotTree(dir)).toEqual(before);
  });

  it('an unreadable file blocks the hour: its problem is named and nothing is rewritten', async () => {
    const { segments, dir } = await archive();
    const before = await snapshotTree(dir);
    const victim = path.join(dir, before[0]![0]);
    const work = await withUnreadable(victim, () => HourMerge.open(segments, 'chan', HOUR));
    expect(work.state).toBe('blocked');
    expect(work.result.problems).toEqual([{ path: victim, reason: expect.stringMatching(/^cannot read: EACCES/) }]);
    await work.commit();
    expect(await snapshotTree(dir)).toEqual(before);
  });

  it('a sync conflict copy with invalid lines: its valid lines are merged, the copy quarantined whole, then removed', async () => {
    const { segments, dir } = await archive();
    const [first] = await snapshotTree(dir);
    const name = first![0].replace('.json', '.sync-conflict-20240106-160000-ABCDEFG.json');
    const conflict = path.join(dir, name);
    const bytes = Buffer.concat([first![1], Buffer.from('not a record\n')]);
    await fs.writeFile(conflict, bytes);
    const work = await HourMerge.open(segments, 'chan', HOUR);
    expect(work.state).toBe('open');
    await work.commit();
    expect(work.result.quarantined).toHaveLength(1);
    expect(work.result.quarantined[0]!.reason).toMatch(/^sync conflict copy: line \d+: invalid JSON/);
    expect(await fs.readFile(work.result.quarantined[0]!.copy!)).toEqual(bytes);
    expect(await fs.readdir(dir)).not.toContain(name);
  });
});
