/**
 * Import of bad input (issue "Bad input"): each case gives a clear message naming the file
 * and the reason, the rest goes on, nothing is lost, the source is never changed, and
 * importing the same folder again changes nothing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { promises as fs, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importSegments, type ImportSummary } from '../../app/archive/import.js';
import { readArchiveFiles } from '../support/archive-records.js';
import { verifyArchive } from '../../app/archive/verify.js';
import { writeHooks } from '../../app/archive/atomic.js';
import { contentHash, encodeBatch, encodeRecord } from '../../app/archive/encode.js';
import { batchFileName, hourName } from '../../app/archive/layout.js';
import type { ChatRecord } from '../../app/archive/record.js';
import { HOUR, rng, snapshotTree, treeDigest } from '../support/generate.js';
import { withUnreadable } from '../support/unreadable.js';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const CH = 'badchan';
const H1 = HOUR;
const H2 = HOUR + 3600;

let root: string;
let n = 0;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ca-bad-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});
afterEach(() => {
  writeHooks.beforeWrite = undefined;
  vi.restoreAllMocks();
});

/** A PRIVMSG of receiver `who` at `time`; `tag` makes it unique. */
function rec(time: number, tag: string, who = 'src.AAAAA.0'): ChatRecord {
  return {
    command: 'PRIVMSG',
    params: [`#${CH}`, `message ${tag} 😂\u{E0000}`],
    sender: 'nick',
    user: 'nick',
    host: 'nick.tmi.twitch.tv',
    tags: { id: `id-${tag}`, 'tmi-sent-ts': String(Math.round(time * 1000)) },
    time,
    time_range: 0,
    receivers: { [who]: time + 0.3 },
    receiver_ranges: { [who]: [time, 0] },
  };
}
const minuteRecs = (hour: number, minute: number, tag: string, k = 3) =>
  Array.from({ length: k }, (_, i) => rec(hour + minute * 60 + 5 + i * 10, `${tag}-${i}`));
const lines = (rs: ChatRecord[]) => rs.map(encodeRecord);

async function put(src: string, hour: number, name: string, bytes: Buffer | string): Promise<string> {
  const p = path.join(src, CH, 'chat', hourName(hour), name);
  await fs.mkdir(path.dirname(p), { recursive: true });
  await fs.writeFile(p, bytes);
  return p;
}
/** A file with its proper name for `bytes` (name hash = content hash). */
const putBatch = (src: string, hour: number, minute: number, bytes: Buffer | string) =>
  put(src, hour, batchFileName(hour + minute * 60, contentHash(Buffer.from(bytes))), bytes);

const obsKey = (r: ChatRecord) =>
  Object.keys(r.receivers).map((who) => `${r.tags?.id}\u0001${who}\u0001${r.receivers[who]}`);

async function archiveKeys(dest: string): Promise<string[]> {
  const out: string[] = [];
  for (const p of await readArchiveFiles(dest)) {
    expect(p.problems).toEqual([]);
    for (const r of p.records) out.push(...obsKey(r));
  }
  return out.sort();
}

const mkdest = async () => {
  const d = path.join(root, `dest-${n++}`);
  await fs.mkdir(d);
  return d;
};
const sourceDigest = async (src: string) => treeDigest(await snapshotTree(src, { includeHidden: true }));
const quarantinedAs = (s: ImportSummary, file: string) => s.quarantined.find((q) => q.path === file);

describe('import of a folder full of bad input', () => {
  let src: string;
  let outside: string;
  const files: Record<string, string> = {};
  /** Every record that a valid line holds: all of them must arrive. */
  const valid: ChatRecord[] = [];
  let summary: ImportSummary;
  let dest: string;
  let srcBefore: string;

  beforeAll(async () => {
    src = path.join(root, 'bad-src');
    outside = path.join(root, 'outside');
    const good1 = minuteRecs(H1, 0, 'good1');
    files.good1 = await putBatch(src, H1, 0, encodeBatch(good1));
    valid.push(...good1);

    const tr = minuteRecs(H1, 1, 'trunc');
    const trBytes = encodeBatch(tr);
    files.truncated = await put(
      src,
      H1,
      batchFileName(H1 + 60, contentHash(trBytes)),
      trBytes.subarray(0, trBytes.length - 30),
    );
    valid.push(...tr.slice(0, 2));

    const ij = minuteRecs(H1, 2, 'invjson');
    files.invalidJson = await putBatch(
      src,
      H1,
      2,
      [encodeRecord(ij[0]!), '{"command":"PRIVMSG","params":[', encodeRecord(ij[2]!)].join('\n') + '\n',
    );
    valid.push(ij[0]!, ij[2]!);

    const wt = minuteRecs(H1, 3, 'types');
    const badParams = { ...wt[1]!, params: 'not an array' };
    const badTime = { ...wt[2]!, time: String(wt[2]!.time) };
    files.wrongTypes = await putBatch(
      src,
      H1,
      3,
      [encodeRecord(wt[0]!), JSON.stringify(badParams), JSON.stringify(badTime)].join('\n') + '\n',
    );
    valid.push(wt[0]!);

    const nf = minuteRecs(H1, 4, 'nonfinite');
    files.nonFinite = await putBatch(
      src,
      H1,
      4,
      [encodeRecord(nf[0]!), encodeRecord(nf[1]!).replace(/"time":[0-9.]+/, '"time":1e999')].join('\n') + '\n',
    );
    valid.push(nf[0]!);

    files.empty = await putBatch(src, H1, 5, '');

    const bom = minuteRecs(H1, 6, 'bom');
    files.bom = await putBatch(src, H1, 6, '\uFEFF' + lines(bom).join('\n') + '\n');
    valid.push(...bom);

    const crlf = minuteRecs(H1, 7, 'crlf');
    files.crlf = await putBatch(src, H1, 7, lines(crlf).join('\r\n') + '\r\n');
    valid.push(...crlf);

    files.bigLine = await putBatch(
      src,
      H1,
      8,
      Buffer.concat([Buffer.from('{"command":"PRIVMSG","params":["#badchan","'), Buffer.alloc(50 * 1024 * 1024, 'x')]),
    );

    const r = rng(7);
    files.garbage = await putBatch(src, H1, 9, Buffer.from(Array.from({ length: 4096 }, () => Math.floor(r() * 256))));

    const named = encodeBatch(minuteRecs(H1, 10, 'badname'));
    files.shortHash = await put(src, H1, '10.00-short.json', named);
    files.notes = await put(src, H1, 'notes.txt', named);
    files.minute60 = await put(src, H1, `60.00-${contentHash(named)}.json`, named);
    files.tmp = await put(src, H1, `.syncthing.10.00-${contentHash(named)}.json.tmp`, named);
    files.dotdot = path.join(src, CH, 'chat', '..2024-01-06T16', `10.00-${contentHash(named)}.json`);
    files.nested = path.join(src, CH, 'chat', hourName(H1), 'deeper', `10.00-${contentHash(named)}.json`);
    files.yearFolder = path.join(src, CH, 'chat', '2024', '01-06T16', `10.00-${contentHash(named)}.json`);
    for (const p of [files.dotdot, files.nested, files.yearFolder]) {
      await fs.mkdir(path.dirname(p), { recursive: true });
      await fs.writeFile(p, named);
    }

    // Symbolic links to a valid archive outside the source: never followed.
    const out = encodeBatch(minuteRecs(H1, 11, 'outside'));
    const outFile = path.join(outside, CH, 'chat', hourName(H1), batchFileName(H1 + 660, contentHash(out)));
    await fs.mkdir(path.dirname(outFile), { recursive: true });
    await fs.writeFile(outFile, out);
    files.linkFile = path.join(src, CH, 'chat', hourName(H1), path.basename(outFile));
    await fs.symlink(outFile, files.linkFile);
    files.linkHour = path.join(src, CH, 'chat', hourName(H1 + 7200));
    await fs.symlink(path.dirname(outFile), files.linkHour);
    files.linkChannel = path.join(src, 'otherchan');
    await fs.symlink(path.join(outside, CH), files.linkChannel);

    const unreadable = minuteRecs(H1, 12, 'unreadable');
    files.unreadable = await putBatch(src, H1, 12, encodeBatch(unreadable));
    files.fifo = path.join(
      src,
      CH,
      'chat',
      hourName(H1),
      batchFileName(H1 + 13 * 60, contentHash(Buffer.from('fifo'))),
    );
    execFileSync('mkfifo', [files.fifo]);

    const good2 = minuteRecs(H2, 30, 'good2');
    files.good2 = await putBatch(src, H2, 30, encodeBatch(good2));
    valid.push(...good2);

    srcBefore = await sourceDigest(src);
    dest = await mkdest();
    summary = await withUnreadable(files.unreadable, () => importSegments(dest, [src], { importId: 'imp-1' }));
  }, 120_000);

  it('imports every valid line, and nothing from outside the source or from strays', async () => {
    expect(await archiveKeys(dest)).toEqual(valid.flatMap(obsKey).sort());
  });

  it.each([
    ['truncated', /line 3: truncated last line/],
    ['invalidJson', /line 2: invalid JSON/],
    ['wrongTypes', /line 2: "params" must be an array of strings[\s\S]*line 3: "time" must be a finite number/],
    ['nonFinite', /line 2: "time" must be a finite number/],
    ['empty', /empty file/],
    ['bigLine', /line 1: truncated last line|invalid JSON/],
    ['garbage', /not valid UTF-8|invalid JSON/],
    ['unreadable', /cannot read: EACCES/],
  ])('%s: quarantined with the reason, kept under .quarantine/<import id>/', async (name, reason) => {
    const q = quarantinedAs(summary, files[name]!);
    expect(q, `${name} quarantined`).toBeDefined();
    expect(q!.reason).toMatch(reason);
    const rel = path.join('source-1', path.relative(src, files[name]!));
    const reasonFile = path.join(dest, '.quarantine', 'imp-1', rel + '.reason.txt');
    const written = await fs.readFile(reasonFile, 'utf8');
    expect(written).toContain(files[name]!);
    expect(written).toMatch(reason);
    if (name === 'unreadable') expect(q!.copy).toBeNull();
    else expect((await fs.readFile(q!.copy!)).equals(await fs.readFile(files[name]!))).toBe(true);
  });

  it('a file with some bad lines says its valid lines were imported', () => {
    for (const name of ['truncated', 'invalidJson', 'wrongTypes', 'nonFinite'])
      expect(quarantinedAs(summary, files[name]!)!.reason).toMatch(/valid lines were imported/);
  });

  it('BOM and CRLF files are imported by their records and reported as not canonical', () => {
    const nc = (p: string) => summary.nonCanonical.find((x) => x.path === p)?.reasons.join('; ');
    expect(nc(files.bom!)).toMatch(/byte order mark/);
    expect(nc(files.crlf!)).toMatch(/CRLF/);
    expect(quarantinedAs(summary, files.bom!)).toBeUndefined();
    expect(quarantinedAs(summary, files.crlf!)).toBeUndefined();
  });

  it.each([
    ['shortHash', /batch file name/],
    ['notes', /batch file name/],
    ['minute60', /batch file name/],
    ['tmp', /temporary/],
    ['dotdot', /not an hour/],
    ['nested', /nested/],
    ['yearFolder', /not an hour/],
    ['linkFile', /symbolic link/],
    ['linkHour', /symbolic link/],
    ['linkChannel', /symbolic link/],
    ['fifo', /not a regular file/],
  ])('%s: skipped and reported, never quarantined or followed', (name, reason) => {
    // Folders are reported as a whole, at the level where they stop making sense.
    const folder: Record<string, string> = {
      dotdot: path.dirname(files.dotdot!),
      nested: path.dirname(files.nested!),
      yearFolder: path.join(src, CH, 'chat', '2024'),
    };
    const p = folder[name] ?? files[name]!;
    const s = summary.strays.find((x) => x.path === p);
    expect(s, `${name} reported (${p}); strays: ${JSON.stringify(summary.strays)}`).toBeDefined();
    expect(s!.reason).toMatch(reason);
    expect(quarantinedAs(summary, files[name]!)).toBeUndefined();
  });

  it('the source is unchanged, the archive verifies clean', async () => {
    expect(await sourceDigest(src)).toBe(srcBefore);
    const report = await verifyArchive(dest);
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(await fs.readdir(path.join(dest, '.quarantine'))).toEqual(['imp-1']);
  });

  it('importing the same folder again changes nothing in the archive', async () => {
    const before = await snapshotTree(dest);
    const again = await withUnreadable(files.unreadable, () => importSegments(dest, [src], { importId: 'imp-2' }));
    expect(again.newObservations).toBe(0);
    expect(await snapshotTree(dest)).toEqual(before);
    // once readable, the file that could not be read comes in too
    const third = await importSegments(dest, [src], { importId: 'imp-3' });
    expect(third.newObservations).toBe(3);
    expect(await archiveKeys(dest)).toEqual([...valid, ...minuteRecs(H1, 12, 'unreadable')].flatMap(obsKey).sort());
    expect(await sourceDigest(src)).toBe(srcBefore);
  });

  it('the CLI names each file and its reason, exits 1, and leaves the source alone', async () => {
    const d = await mkdest();
    const res = await run(
      process.execPath,
      ['--import', 'tsx', path.join(repo, 'app/cli/main.ts'), 'import', '--segments', d, src],
      { cwd: repo, maxBuffer: 1 << 26 },
    ).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect((res as { code?: number }).code).toBe(1);
    for (const name of ['truncated', 'invalidJson', 'empty', 'garbage'])
      expect(res.stdout).toContain(`quarantined ${files[name]}: `);
    expect(res.stdout).toMatch(/truncated last line/);
    expect(res.stdout).toContain(`${files.linkFile}: symbolic link, not followed`);
    expect(await sourceDigest(src)).toBe(srcBefore);
  });
});

describe('import while things go wrong', () => {
  /** Two hours of good files from one node. */
  async function twoHours(name: string) {
    const src = path.join(root, name);
    const recs = [
      ...minuteRecs(H1, 0, `${name}-a`),
      ...minuteRecs(H1, 1, `${name}-b`),
      ...minuteRecs(H2, 0, `${name}-c`),
    ];
    const p1 = await putBatch(src, H1, 0, encodeBatch(recs.slice(0, 3)));
    await putBatch(src, H1, 1, encodeBatch(recs.slice(3, 6)));
    const p2 = await putBatch(src, H2, 0, encodeBatch(recs.slice(6)));
    return { src, recs, p1, p2 };
  }
  const temporaries = async (dir: string) =>
    (await snapshotTree(dir, { includeHidden: true }))
      .map(([p]) => p)
      .filter((p) => path.basename(p).startsWith('.chat-archiver-'));

  it('a channel folder given instead of a segments folder is named, with its parent as the hint', async () => {
    const { src } = await twoHours('wrongfolder');
    const dest = path.join(root, `dest-${n++}`);
    const s = await importSegments(dest, [path.join(src, CH)]);
    expect(s.filesChecked).toBe(0);
    expect(s.strays).toContainEqual({
      path: path.join(src, CH),
      reason: expect.stringContaining(`import its parent, ${src}`),
    });
  });

  it('a file that vanishes mid-import is reported; the rest is imported', async () => {
    const { src, recs, p2 } = await twoHours('vanish');
    const dest = await mkdest();
    let deleted = false;
    const s = await importSegments(dest, [src], {
      onProgress: (_counts, phase) => {
        if (phase === 'importing' && !deleted) {
          deleted = true;
          execFileSync('rm', [p2]);
        }
      },
    });
    expect(deleted).toBe(true);
    expect(s.problems).toContainEqual({ path: p2, reason: 'vanished during the import' });
    expect(await archiveKeys(dest)).toEqual(recs.slice(0, 6).flatMap(obsKey).sort());
  });

  it('a destination out of space in one hour: that hour is untouched and named, the other imported, no half-written file; a rerun completes', async () => {
    const { src, recs } = await twoHours('nospace');
    const before = await sourceDigest(src);
    const dest = await mkdest();
    const full = hourName(H1);
    writeHooks.beforeWrite = (target) => {
      if (target.includes(full))
        throw Object.assign(new Error(`ENOSPC: no space left on device, write '${target}'`), { code: 'ENOSPC' });
    };
    const s = await importSegments(dest, [src]);
    const p = s.problems.find((x) => x.path.endsWith(full));
    expect(p?.reason).toMatch(/ENOSPC/);
    expect(await archiveKeys(dest)).toEqual(recs.slice(6).flatMap(obsKey).sort());
    expect(await temporaries(dest)).toEqual([]);
    writeHooks.beforeWrite = undefined;
    const again = await importSegments(dest, [src]);
    expect(again.problems).toEqual([]);
    expect(await archiveKeys(dest)).toEqual(recs.flatMap(obsKey).sort());
    expect(await sourceDigest(src)).toBe(before);
  });

  it('a disk that is full for every write: the import fails or reports, nothing half-written, nothing lost, the archive as before', async () => {
    const { src, recs } = await twoHours('allfull');
    const dest = await mkdest();
    const seed = minuteRecs(H1, 0, 'allfull-a').slice(0, 1);
    await importSegments(dest, [
      await (async () => {
        const s = path.join(root, 'allfull-seed');
        await putBatch(s, H1, 0, encodeBatch(seed));
        return s;
      })(),
    ]);
    const archiveBefore = await snapshotTree(dest);
    writeHooks.beforeWrite = (target) => {
      throw Object.assign(new Error(`ENOSPC: no space left on device, write '${target}'`), { code: 'ENOSPC' });
    };
    const outcome = await importSegments(dest, [src]).then(
      (s) => s.problems.map((x) => x.reason).join('\n'),
      (e: Error) => e.message,
    );
    expect(outcome).toMatch(/ENOSPC/);
    expect(await temporaries(dest)).toEqual([]);
    expect(await snapshotTree(dest)).toEqual(archiveBefore);
    writeHooks.beforeWrite = undefined;
    await importSegments(dest, [src]);
    expect(await archiveKeys(dest)).toEqual(recs.flatMap(obsKey).sort());
    expect(existsSync(src)).toBe(true);
  });
});
