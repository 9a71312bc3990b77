/**
 * Everything a sync tool leaves in an archive is input, never corruption (SPEC §2, issue 9):
 * conflict copies are merged by content and then removed (damaged ones quarantined),
 * in-transfer temporaries are reported as such, Syncthing's own folders are not read,
 * empty hour folders are fine, and files that vanish or arrive during a merge are neither
 * lost nor deleted unread.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fsSync, { promises as fs } from 'node:fs';
import path from 'node:path';
import { encodeBatch } from '../../app/archive/encode.js';
import { hourDir, hourStart, listBatchFiles } from '../../app/archive/layout.js';
import { mergeAll } from '../../app/archive/merge.js';
import { hasErrors, verifyArchive } from '../../app/archive/verify.js';
import { writeBatch } from '../../app/archive/store.js';
import { readArchiveRecords } from '../support/archive-records.js';
import { T0, chatRecord, tempDir } from '../support/service-archive.js';

let seg: string;
let cleanup: () => Promise<void>;
const dir = () => hourDir(seg, 'testchan', hourStart(T0));
const texts = async () => (await readArchiveRecords(seg)).map((r) => r.params[1]).sort();

beforeEach(async () => {
  ({ dir: seg, cleanup } = await tempDir('ca-leftovers-'));
  await writeBatch(dir(), T0, [chatRecord(T0 + 1, 'a.aaaaa.0', 'one'), chatRecord(T0 + 2, 'a.aaaaa.0', 'two')]);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await cleanup();
});

const conflictName = (stamp = '20240106-160102-ABCDEFG') => `00.00-whatever.sync-conflict-${stamp}.json`;

describe('sync leftovers', () => {
  it('a conflict copy is merged by content, then removed; verify calls it unmerged until then', async () => {
    await fs.writeFile(
      path.join(dir(), conflictName()),
      encodeBatch([chatRecord(T0 + 3, 'b.bbbbb.0', 'three'), chatRecord(T0 + 1, 'b.bbbbb.0', 'one')]),
    );
    const before = await verifyArchive(seg);
    expect(before.problems.map((p) => [p.kind, p.severity])).toEqual([['unmerged', 'error']]);

    const sum = await mergeAll(seg);
    expect(sum.problems).toEqual([]);
    expect(sum.quarantined).toEqual([]);
    expect(await fs.readdir(dir())).not.toContain(conflictName());
    expect(await texts()).toEqual(['one', 'three', 'two']);
    // Both receivers' observations of "one" are in one record.
    const one = (await readArchiveRecords(seg)).find((r) => r.params[1] === 'one')!;
    expect(Object.keys(one.receivers).sort()).toEqual(['a.aaaaa.0', 'b.bbbbb.0']);
    const after = await verifyArchive(seg);
    expect(after.problems).toEqual([]);
  });

  it('a damaged conflict copy: its valid lines are merged, the copy is quarantined with its reason and removed', async () => {
    const good = encodeBatch([chatRecord(T0 + 4, 'b.bbbbb.0', 'four')]);
    await fs.writeFile(path.join(dir(), conflictName()), Buffer.concat([good, Buffer.from('{"truncated": \n')]));
    const sum = await mergeAll(seg);
    expect(sum.quarantined).toHaveLength(1);
    expect(sum.quarantined[0]!.reason).toMatch(/sync conflict copy: line 2/);
    expect(fsSync.readFileSync(sum.quarantined[0]!.copy!, 'utf8')).toContain('truncated');
    expect(await fs.readdir(dir())).not.toContain(conflictName());
    expect(await texts()).toEqual(['four', 'one', 'two']);
    expect(hasErrors(await verifyArchive(seg))).toBe(false);
  });

  it('a Syncthing temporary is "in transfer" (a warning), and merge neither reads nor removes it', async () => {
    const tmp = '.syncthing.00.00-abcdefabcdefabcdefabcdefabcdefabcdefabcdefa.json.tmp';
    await fs.writeFile(path.join(dir(), tmp), '{"half": ');
    await fs.writeFile(path.join(dir(), '~syncthing~01.00-x.json.tmp'), 'partial');
    const v = await verifyArchive(seg);
    expect(v.problems.map((p) => [p.kind, p.severity]).sort()).toEqual([
      ['in-transfer', 'warning'],
      ['in-transfer', 'warning'],
    ]);
    expect(v.problems[0]!.message).toMatch(/in transfer/);
    expect(hasErrors(v)).toBe(false);
    const sum = await mergeAll(seg);
    expect(sum.problems).toEqual([]);
    expect(sum.quarantined).toEqual([]);
    expect(await fs.readdir(dir())).toContain(tmp);
  });

  it('.stfolder, .stversions and .stignore are not part of the archive: not merged back, not reported', async () => {
    await fs.mkdir(path.join(seg, '.stfolder'));
    await fs.writeFile(path.join(seg, '.stignore'), '/.chat-archiver\n');
    // A superseded version kept by trash-can versioning: its content must not come back.
    const versions = path.join(seg, '.stversions', 'testchan', 'chat', path.basename(dir()));
    await fs.mkdir(versions, { recursive: true });
    await fs.writeFile(
      path.join(versions, '05.00-old~20240106-160102.json'),
      encodeBatch([chatRecord(T0 + 300, 'x.xxxxx.0', 'old')]),
    );
    expect((await verifyArchive(seg)).problems).toEqual([]);
    await mergeAll(seg);
    expect(await texts()).toEqual(['one', 'two']);
  });

  it('an empty hour folder is normal', async () => {
    await fs.mkdir(hourDir(seg, 'testchan', hourStart(T0) + 3600), { recursive: true });
    expect((await verifyArchive(seg)).problems).toEqual([]);
    const sum = await mergeAll(seg);
    expect(sum.problems).toEqual([]);
    expect(await texts()).toEqual(['one', 'two']);
  });

  it('a file that vanishes during a merge is not an error and is never deleted unread if it comes back', async () => {
    const extra = await writeBatch(dir(), T0, [chatRecord(T0 + 5, 'b.bbbbb.0', 'five')]);
    const bytes = await fs.readFile(extra.path);
    const real = fs.lstat.bind(fs);
    let gone = false;
    vi.spyOn(fs, 'lstat').mockImplementation(async (p, ...rest) => {
      if (p !== extra.path || gone) return real(p, ...(rest as []));
      gone = true;
      fsSync.rmSync(extra.path);
      try {
        return await real(p, ...(rest as []));
      } finally {
        // Gone when the merge reads it, back (a peer sends it again) before the merge deletes its inputs.
        fsSync.writeFileSync(extra.path, bytes);
      }
    });
    const sum = await mergeAll(seg);
    vi.restoreAllMocks();
    expect(gone).toBe(true);
    expect(sum.problems).toEqual([]);
    // Unread, so left alone; the next merge folds it in.
    expect(fsSync.existsSync(extra.path)).toBe(true);
    await mergeAll(seg);
    expect(await texts()).toEqual(['five', 'one', 'two']);
    expect((await listBatchFiles(dir(), hourStart(T0))).files).toHaveLength(1);
  });

  it('a file that arrives during a merge is left for the next one, not deleted', async () => {
    await writeBatch(dir(), T0, [chatRecord(T0 + 6, 'b.bbbbb.0', 'six')]);
    const real = fs.lstat.bind(fs);
    let arrived: string | null = null;
    vi.spyOn(fs, 'lstat').mockImplementation(async (p, ...rest) => {
      if (!arrived && String(p).endsWith('.json')) {
        arrived = 'writing';
        arrived = (await writeBatch(dir(), T0, [chatRecord(T0 + 7, 'c.ccccc.0', 'seven')])).path;
      }
      return real(p, ...(rest as []));
    });
    await mergeAll(seg);
    vi.restoreAllMocks();
    expect(fsSync.existsSync(arrived!)).toBe(true);
    // Not taken for settled: the next merge folds it in.
    await mergeAll(seg);
    expect(await texts()).toEqual(['one', 'seven', 'six', 'two']);
    expect((await listBatchFiles(dir(), hourStart(T0))).files).toHaveLength(1);
  });
});
