/** The merge as tests see it: records → observations → canonical text, and text read back. */
import { expect } from 'vitest';
import fc from 'fast-check';
import { normalize } from '../../app/archive/normalize.js';
import { observe, type Observation } from '../../app/archive/observation.js';
import { parseBatch } from '../../app/archive/read.js';
import { validateRecord, type ChatRecord } from '../../app/archive/record.js';

export function observationsOf(records: ChatRecord[]): Observation[] {
  return records.flatMap((r) => {
    const v = validateRecord(JSON.parse(JSON.stringify(r)));
    if (!v.ok) throw new Error(v.reason);
    return observe(v.record).observations;
  });
}

/** An archive's content as text: its canonical lines in file order. */
export const text = (obs: Observation[]) =>
  normalize(obs)
    .lines.map((l) => l.line)
    .join('\n');

/** What an archive holding exactly `text` yields when read back. */
export function reread(t: string): Observation[] {
  if (t === '') return [];
  const p = parseBatch(Buffer.from(t + '\n', 'utf8'));
  expect(p.problems).toEqual([]);
  return p.observations;
}

/** Two normalized archives merged, as an import does. */
export const merge = (a: string, b: string) => text([...reread(a), ...reread(b)]);

export const records = (t: string) =>
  t
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ChatRecord);

/** The archive depends only on the set of its records: any order, any repetition. */
export function assertOrderIndependent(sets: fc.Arbitrary<ChatRecord[]>, runs: { numRuns: number }): void {
  fc.assert(
    fc.property(
      sets.chain((rs) => fc.tuple(fc.constant(rs), fc.shuffledSubarray(rs, { minLength: rs.length }), fc.subarray(rs))),
      ([rs, shuffled, again]) => {
        const t = text(observationsOf(rs));
        expect(text(observationsOf(shuffled))).toBe(t);
        expect(text(observationsOf([...shuffled, ...again]))).toBe(t);
      },
    ),
    runs,
  );
}
