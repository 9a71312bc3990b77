/**
 * Coverage records (README "Coverage records"): the join is order-independent,
 * idempotent and a pure function of the set; the bytes are canonical and content-named;
 * merging a folder on disk gives the same files whatever the order and grouping, writes
 * before it removes, and quarantines damaged files once their valid lines are in.
 */
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  coverageFileName,
  encodeSpans,
  joinSpans,
  parseCoverage,
  parseCoverageFileName,
  validateSpan,
  type ConnectedSpan,
} from '../../app/archive/coverage.js';
import { coverageDir, mergeCoverage, writeSpans } from '../../app/archive/coverage-files.js';
import { verifyArchive } from '../../app/archive/verify.js';

const T = 1704556800;
const DAY = 1704499200;
const arbSpan: fc.Arbitrary<ConnectedSpan> = fc
  .record({
    receiver: fc.constantFrom('a.x.0', 'a.x.1', 'b.y.0', 'dörte.😂.2', 'c.z.10'),
    connected: fc.integer({ min: 0, max: 3 * 86400 }),
    len: fc.integer({ min: 0, max: 7200 }),
    end: fc.option(
      fc.tuple(fc.integer({ min: 0, max: 60 }), fc.constantFrom('recording stopped', 'connection lost', 'a', 'b')),
    ),
  })
  .map(({ receiver, connected, len, end }) => ({
    receiver,
    connected: T + connected / 8,
    last: T + connected / 8 + len,
    disconnected: end ? T + connected / 8 + len + end[0] : null,
    reason: end ? end[1] : null,
  }));

const bytesOf = (spans: ConnectedSpan[]) => encodeSpans(spans).toString('utf8');

describe('coverage records', () => {
  it('join: commutative, associative, idempotent; canonical bytes round-trip', () => {
    fc.assert(
      fc.property(fc.array(arbSpan, { maxLength: 12 }), fc.array(arbSpan, { maxLength: 12 }), (a, b) => {
        expect(bytesOf([...a, ...b])).toBe(bytesOf([...b, ...a]));
        expect(bytesOf([...joinSpans(a), ...b])).toBe(bytesOf([...a, ...b]));
        expect(bytesOf([...a, ...a])).toBe(bytesOf(a));
        if (a.length === 0) return;
        const bytes = encodeSpans(a);
        const parsed = parseCoverage(bytes);
        expect(parsed.problems).toEqual([]);
        expect(parsed.canonical).toBe(true);
        expect(bytesOf(parsed.spans)).toBe(bytes.toString('utf8'));
        // One record per receiver, covering every input.
        for (const s of a) {
          const j = parsed.spans.find((x) => x.receiver === s.receiver)!;
          expect(j.connected).toBeLessThanOrEqual(s.connected);
          expect(j.last).toBeGreaterThanOrEqual(s.last);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('names: day and content hash; invalid records named with their reason', () => {
    const bytes = encodeSpans([{ receiver: 'a.x.0', connected: T + 5, last: T + 9, disconnected: null, reason: null }]);
    const name = coverageFileName(DAY, bytes);
    expect(name).toMatch(/^2024-01-06-[A-Za-z0-9_-]{43}\.json$/);
    expect(parseCoverageFileName(name)?.day).toBe(DAY);
    expect(parseCoverageFileName('2024-02-30-' + 'a'.repeat(43) + '.json')).toBeNull();
    expect(validateSpan({ receiver: 'a', connected: 5, last: 4, disconnected: null, reason: null })).toMatchObject({
      ok: false,
      reason: '"last" is before "connected"',
    });
    expect(validateSpan({ receiver: 'a', connected: 5, last: 6, disconnected: 7, reason: null }).ok).toBe(false);
    expect(validateSpan({ receiver: 'a', connected: 5, last: 6, extra: 1 }).ok).toBe(false);
    const p = parseCoverage(Buffer.from('{"receiver":"a","connected":1,"last":2}\nnot json\n'));
    expect(p.spans).toHaveLength(1);
    expect(p.problems).toEqual([{ line: 2, reason: 'not JSON' }]);
    expect(p.canonical).toBe(false);
  });

  it('on disk: any grouping of writes and merges gives the same files; damaged files quarantined, valid lines kept', async () => {
    const dirs: string[] = [];
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(arbSpan, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }),
          async (groups) => {
            const one = await mkdtemp(path.join(os.tmpdir(), 'ca-cov-'));
            const two = await mkdtemp(path.join(os.tmpdir(), 'ca-cov-'));
            dirs.push(one, two);
            // One archive gets every group and one merge; the other merges after each group, in reverse.
            for (const g of groups) await writeSpans(one, 'chan', g);
            await mergeCoverage(one, 'chan');
            for (const g of [...groups].reverse()) {
              await writeSpans(two, 'chan', g);
              await mergeCoverage(two, 'chan');
            }
            await mergeCoverage(two, 'chan');
            const list = async (d: string) => (await readdir(coverageDir(d, 'chan'))).sort();
            expect(await list(one)).toEqual(await list(two));
            const all = (await list(one)).map((n) => parseCoverageFileName(n)!.day);
            expect(new Set(all).size).toBe(all.length);
            const report = await verifyArchive(one, { channel: 'chan' });
            expect(report.problems).toEqual([]);
          },
        ),
        { numRuns: 25 },
      );
      // A damaged file: its valid line is merged, the file quarantined with the reason.
      const d = await mkdtemp(path.join(os.tmpdir(), 'ca-cov-'));
      dirs.push(d);
      const dir = coverageDir(d, 'chan');
      await mkdir(dir, { recursive: true });
      const bad = Buffer.from(
        '{"connected":1704556805,"disconnected":null,"last":1704556900,"reason":null,"receiver":"a.x.0"}\n{"receiver":5}\n',
      );
      const badName = `2024-01-06-${'A'.repeat(43)}.json`;
      await writeFile(path.join(dir, badName), bad);
      await writeSpans(d, 'chan', [
        { receiver: 'b.y.0', connected: T + 1, last: T + 2, disconnected: null, reason: null },
      ]);
      const before = await verifyArchive(d, { channel: 'chan' });
      expect(before.problems.map((p) => p.kind).sort()).toEqual(['hash-mismatch', 'invalid-record', 'unmerged']);
      const r = await mergeCoverage(d, 'chan');
      expect(r.quarantined).toHaveLength(1);
      expect(r.quarantined[0]!.reason).toContain('line 2: "receiver" must be a string');
      const files = await readdir(dir);
      expect(files).toHaveLength(1);
      const merged = parseCoverage(await readFile(path.join(dir, files[0]!)));
      expect(merged.spans.map((s) => s.receiver)).toEqual(['a.x.0', 'b.y.0']);
      expect((await verifyArchive(d, { channel: 'chan' })).problems).toEqual([]);
    } finally {
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    }
  });
});
