/**
 * The gap rules (app/query/gaps.ts) against generated multi-node recordings with known
 * outages: every gap and hole found with both edges within 5 s, no invented gap of 10 s
 * or more, holes exactly the spans no node was connected — from the recorders' own
 * coverage records, and by inference from lines alone (original and imported archives).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coverageReport, MIN_GAP_SECONDS, type Interval } from '../../app/query/gaps.js';
import { complement, exactOf, gapScenario, scenarioSpans, type GapScenario } from '../support/gap-scenario.js';

const EDGE = 5;
const INVENTED = 10;

/** True gaps of a node, from its connections. */
const nodeTruth = (s: GapScenario, node: string) =>
  complement(s.nodes.find((n) => n.name === node)!.connections).filter((g) => g.to - g.from > MIN_GAP_SECONDS);
const holeTruth = (s: GapScenario) =>
  complement(s.nodes.flatMap((n) => n.connections)).filter((g) => g.to - g.from > MIN_GAP_SECONDS);

/** Every true span is found with both edges within EDGE; every found span of INVENTED s or more is a true one. */
function matches(found: Interval[], truth: Interval[], label: string) {
  for (const t of truth) {
    const f = found.find((x) => x.from < t.to + EDGE && x.to > t.from - EDGE);
    expect(f, `${label}: missed ${JSON.stringify(t)} in ${JSON.stringify(found)}`).toBeDefined();
    expect(Math.abs(f!.from - t.from), `${label}: start of ${JSON.stringify(t)}`).toBeLessThanOrEqual(EDGE);
    expect(Math.abs(f!.to - t.to), `${label}: end of ${JSON.stringify(t)}`).toBeLessThanOrEqual(EDGE);
  }
  for (const f of found) {
    if (f.to - f.from < INVENTED) continue;
    const t = truth.find((x) => f.from < x.to + EDGE && f.to > x.from - EDGE);
    expect(t, `${label}: invented ${JSON.stringify(f)}`).toBeDefined();
  }
}

const scenarios = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  nodes: fc.integer({ min: 1, max: 4 }),
  minutes: fc.integer({ min: 8, max: 40 }),
  rate: fc.constantFrom(1, 2, 4),
});

describe('gaps', () => {
  it('from the recorders’ coverage records: gaps and holes match the outages, edges to the second', () => {
    fc.assert(
      fc.property(scenarios, (o) => {
        const s = gapScenario(o);
        const r = coverageReport(exactOf(s.records), scenarioSpans(s), s.start, s.end);
        for (const n of s.nodes) {
          const truth = nodeTruth(s, n.name);
          expect(r.nodes[n.name]!.length, n.name).toBe(truth.length);
          r.nodes[n.name]!.forEach((g, i) => {
            expect(Math.abs(g.from - truth[i]!.from)).toBeLessThan(1);
            expect(Math.abs(g.to - truth[i]!.to)).toBeLessThan(1);
            expect(g.receivers.every((id) => id.startsWith(`${n.name}.`))).toBe(true);
          });
        }
        const holes = holeTruth(s);
        expect(r.holes.length).toBe(holes.length);
        r.holes.forEach((h, i) => {
          expect(Math.abs(h.from - holes[i]!.from)).toBeLessThan(1);
          expect(Math.abs(h.to - holes[i]!.to)).toBeLessThan(1);
        });
        // Every designed hole lies inside a found one (lines arrive up to 0.75 s after they are sent).
        for (const d of s.holes) expect(r.holes.some((h) => h.from <= d.from + 1 && h.to >= d.to - 1)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('by inference from lines alone: edges within 5 s, no invented gap of 10 s or more, holes found', () => {
    fc.assert(
      // Edges are the last and first line around an outage: within 5 s needs a line every few seconds.
      fc.property(
        scenarios.filter((o) => o.rate >= 2),
        (o) => {
          const s = gapScenario(o);
          const r = coverageReport(exactOf(s.records), [], s.start, s.end);
          // A gap shorter than a few line intervals can hide between two lines: held to the rule from 10 s on.
          for (const n of s.nodes)
            matches(
              r.nodes[n.name] ?? [],
              nodeTruth(s, n.name).filter((g) => g.to - g.from >= INVENTED),
              n.name,
            );
          matches(
            r.holes,
            holeTruth(s).filter((g) => g.to - g.from >= INVENTED),
            'holes',
          );
          for (const d of s.holes)
            expect(r.holes.some((h) => h.from <= d.from + EDGE && h.to >= d.to - EDGE)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('JOIN/PART never extend coverage; history fills close no hole; quiet receivers with records keep it', () => {
    const exact = new Map<string, [number, number]>([
      ['a.s.0', [100, 200]],
      ['a.s.1', [260, 400]],
      ['b.t.0', [100, 210]],
      ['b.t.1', [300, 400]],
      ['a.s.h0', [150, 350]],
    ]);
    const r = coverageReport(exact, [], 0, 1000);
    expect(r.holes).toEqual([{ from: 210, to: 260 }]);
    expect(r.nodes['a']).toEqual([{ from: 200, to: 260, receivers: ['a.s.0', 'a.s.1'] }]);
    expect(r.receivers.find((x) => x.receiver === 'a.s.h0')?.history).toBe(true);
    // The recorder knew a.s.0 was connected until 259 although its lines stopped at 200 (a quiet channel).
    const withRecord = coverageReport(exact, [{ receiver: 'a.s.0', connected: 90, last: 259, reason: 'x' }], 0, 1000);
    expect(withRecord.nodes['a']).toEqual([]);
    expect(withRecord.holes).toEqual([]);
    expect(withRecord.receivers.find((x) => x.receiver === 'a.s.0')).toMatchObject({
      from: 90,
      to: 259,
      source: 'both',
    });
    // Clipped to the range; nothing before the first or after the last coverage.
    expect(coverageReport(exact, [], 230, 240).holes).toEqual([{ from: 230, to: 240 }]);
    expect(coverageReport(exact, [], 0, 99).holes).toEqual([]);
  });
});
