/**
 * The merge laws (SPEC §6) on generated observation sets: normalize is a pure function of the
 * set, so merging archives is commutative, associative and idempotent, and loses nothing.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cluster, minuteBatches, normalize } from '../../app/archive/normalize.js';
import type { Observation } from '../../app/archive/observation.js';
import { parseBatch } from '../../app/archive/read.js';
import type { ChatRecord } from '../../app/archive/record.js';
import { HOUR, arbRecordSet } from '../support/generate.js';
import { assertOrderIndependent, merge, observationsOf, records, reread, text } from '../support/merge-laws.js';

const oKey = (o: Observation) => `${o.key}\u0001${o.receiver}\u0001${o.received}`;

/**
 * The observations that must survive: one per (identity, receiver, receive time); for records
 * with an id, one per (identity, receiver), the earliest (a duplicate delivery, SPEC §6).
 */
function mustSurvive(obs: Observation[]): Set<string> {
  const out = new Set<string>();
  const idFirst = new Map<string, Observation>();
  for (const o of obs) {
    if (o.id === null) out.add(oKey(o));
    else {
      const k = o.key + '\u0001' + o.receiver;
      const b = idFirst.get(k);
      if (!b || o.received < b.received) idFirst.set(k, o);
    }
  }
  for (const o of idFirst.values()) out.add(oKey(o));
  return out;
}

const runs = { numRuns: 400 };

describe('normalize: merge laws on generated sets', () => {
  it('depends only on the set: any order, any repetition', () => {
    assertOrderIndependent(arbRecordSet, runs);
  });

  it('commutative: merge(X, Y) = merge(Y, X)', () => {
    fc.assert(
      fc.property(arbRecordSet, arbRecordSet, (x, y) => {
        const a = text(observationsOf(x));
        const b = text(observationsOf(y));
        expect(merge(a, b)).toBe(merge(b, a));
      }),
      runs,
    );
  });

  it('associative: merge(merge(X, Y), Z) = merge(X, merge(Y, Z)) = normalize(X ∪ Y ∪ Z)', () => {
    fc.assert(
      fc.property(arbRecordSet, arbRecordSet, arbRecordSet, (x, y, z) => {
        const [a, b, c] = [x, y, z].map((s) => text(observationsOf(s))) as [string, string, string];
        const left = merge(merge(a, b), c);
        expect(merge(a, merge(b, c))).toBe(left);
        expect(text(observationsOf([...x, ...y, ...z]))).toBe(left);
      }),
      runs,
    );
  });

  it('idempotent: merge(X, X) = X, and normalizing a normalized archive changes nothing', () => {
    fc.assert(
      fc.property(arbRecordSet, (x) => {
        const a = text(observationsOf(x));
        expect(text(reread(a))).toBe(a);
        expect(merge(a, a)).toBe(a);
      }),
      runs,
    );
  });

  it('every observation survives (only a duplicate delivery of an id by one receiver is folded)', () => {
    fc.assert(
      fc.property(arbRecordSet, (x) => {
        const input = observationsOf(x);
        const out = reread(text(input));
        const got = out.map(oKey);
        expect(new Set(got).size).toBe(got.length);
        expect(new Set(got)).toEqual(mustSurvive(input));
        // and each kept its own interval, as some input observation had it
        const ranges = new Set(input.map((o) => `${oKey(o)}\u0001${o.start}\u0001${o.length}`));
        for (const o of out) expect(ranges.has(`${oKey(o)}\u0001${o.start}\u0001${o.length}`)).toBe(true);
      }),
      runs,
    );
  });

  it('the minute files written are canonical and hold the same records (astral text, odd receivers)', () => {
    fc.assert(
      fc.property(arbRecordSet, (rs) => {
        const obs = observationsOf(rs);
        const lines: string[] = [];
        for (const { minute, bytes } of minuteBatches(cluster(obs).records)) {
          const p = parseBatch(bytes);
          expect(p.problems).toEqual([]);
          expect(p.nonCanonical).toEqual([]);
          for (const r of p.records) expect(Math.floor(r.time / 60) * 60).toBe(minute);
          lines.push(...bytes.toString('utf8').split('\n').filter(Boolean));
        }
        expect(lines.join('\n')).toBe(text(obs));
      }),
      runs,
    );
  });

  it("a record's time is the latest start of its members and its range ends at the earliest end", () => {
    fc.assert(
      fc.property(arbRecordSet, (x) => {
        const t = text(observationsOf(x));
        if (t === '') return;
        for (const line of t.split('\n')) {
          const r = JSON.parse(line) as ChatRecord;
          const ranges = Object.values(r.receiver_ranges);
          const lo = Math.max(...ranges.map(([s]) => s));
          const hi = Math.min(...ranges.map(([s, l]) => s + l));
          if (lo <= hi) {
            expect(r.time).toBe(lo);
            expect(r.time + r.time_range).toBeCloseTo(hi, 6);
          } else {
            expect(r.tags?.id).toBeTypeOf('string'); // only id'd records keep a hull
          }
        }
      }),
      runs,
    );
  });
});

describe('normalize: the cases SPEC §6 names', () => {
  const join = (receiver: string, received: number, start: number, extra: Partial<ChatRecord> = {}): ChatRecord => ({
    command: 'JOIN',
    params: ['#chan'],
    sender: 'u1',
    user: 'u1',
    host: 'u1.tmi.twitch.tv',
    tags: null,
    time: start,
    time_range: 55,
    receivers: { [receiver]: received },
    receiver_ranges: { [receiver]: [start, 55] },
    ...extra,
  });

  it('one receiver seeing the same id-less event twice within the padding keeps two records, each joined by the other receiver', () => {
    const obs = observationsOf([
      join('a.x.0', HOUR + 100, HOUR + 50),
      join('a.x.0', HOUR + 110, HOUR + 60),
      join('b.y.0', HOUR + 101, HOUR + 51),
      join('b.y.0', HOUR + 112, HOUR + 62),
    ]);
    const rs = records(text(obs));
    expect(rs).toHaveLength(2);
    for (const r of rs) expect(Object.keys(r.receivers).sort()).toEqual(['a.x.0', 'b.y.0']);
  });

  it('the same observation twice (same receiver, same receive time) is one', () => {
    const a = join('a.x.0', HOUR + 100, HOUR + 50);
    expect(records(text(observationsOf([a, a, { ...a }])))).toHaveLength(1);
  });

  it('an id delivered twice to one receiver keeps its earliest receive time', () => {
    const msg = (received: number): ChatRecord => ({
      command: 'PRIVMSG',
      params: ['#chan', 'hi'],
      sender: 'n',
      user: 'n',
      host: 'n.tmi.twitch.tv',
      tags: { id: 'abc', 'tmi-sent-ts': '1704556800500' },
      time: HOUR + 0.5,
      time_range: 0,
      receivers: { 'a.x.0': received },
      receiver_ranges: { 'a.x.0': [HOUR + 0.5, 0] },
    });
    const n = normalize(observationsOf([msg(HOUR + 2), msg(HOUR + 1)]));
    expect(n.lines).toHaveLength(1);
    expect((JSON.parse(n.lines[0]!.line) as ChatRecord).receivers).toEqual({ 'a.x.0': HOUR + 1 });
    expect(n.warnings.map((w) => w.kind)).toContain('duplicate-delivery');
  });

  it('the same id with different fields stays two records and is reported', () => {
    const m = (t: string): ChatRecord => ({
      command: 'PRIVMSG',
      params: ['#chan', t],
      sender: 'n',
      user: 'n',
      host: null,
      tags: { id: 'same' },
      time: HOUR,
      time_range: 0,
      receivers: { r: HOUR + 1 },
      receiver_ranges: { r: [HOUR, 0] },
    });
    const n = normalize(observationsOf([m('a'), m('b')]));
    expect(n.lines).toHaveLength(2);
    expect(n.warnings.map((w) => w.kind)).toContain('id-identity-conflict');
  });

  it('original-format records (no receiver_ranges) merge with new ones: every receiver takes the record range', () => {
    const old = join('a.x.0', HOUR + 100, HOUR + 50, { receivers: { 'a.x.0': HOUR + 100, 'a.x.1': HOUR + 101 } });
    delete (old as Partial<ChatRecord>).receiver_ranges;
    const rs = records(text(observationsOf([old, join('b.y.0', HOUR + 103, HOUR + 52)])));
    expect(rs).toHaveLength(1);
    expect(rs[0]!.receiver_ranges).toEqual({
      'a.x.0': [HOUR + 50, 55],
      'a.x.1': [HOUR + 50, 55],
      'b.y.0': [HOUR + 52, 55],
    });
    expect([rs[0]!.time, rs[0]!.time_range]).toEqual([HOUR + 52, 53]);
  });

  it('intervals that only touch still overlap (closed intervals); apart they stay apart', () => {
    expect(records(text(observationsOf([join('a', 1, HOUR), join('b', 2, HOUR + 55)])))).toHaveLength(1);
    expect(records(text(observationsOf([join('a', 1, HOUR), join('b', 2, HOUR + 55.001)])))).toHaveLength(2);
  });
});
