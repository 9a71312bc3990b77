/** The journal's fast batch encoding gives exactly the archive's canonical bytes. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeBatch, encodeRecord } from '../../app/archive/encode.js';
import { encodeJournalRecord, journalBatchBytes, journalRecords, type JournalEntry } from '../../app/record/journal.js';
import { fixtureLines } from '../support/fake-twitch.js';

const tagKey = fc.oneof(
  fc.constantFrom('id', 'tmi-sent-ts', '10', '9', '0', 'a-b', 'é', '😀'),
  fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !/[=; \\\r\n]/.test(s)),
);
const tagValue = fc.string({ unit: 'grapheme', maxLength: 8 }).map((s) => s.replace(/[\r\n; ]/g, '\\s'));
const text = fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, ' '));
const line = fc
  .record({
    tags: fc.option(fc.array(fc.tuple(tagKey, fc.option(tagValue)), { maxLength: 6 }), { nil: null }),
    nick: fc.constantFrom('a', 'b_c', 'ü'),
    cmd: fc.constantFrom('PRIVMSG', 'JOIN', 'CLEARCHAT', 'USERNOTICE'),
    text,
  })
  .map(({ tags, nick, cmd, text }) => {
    const t = tags === null ? '' : '@' + tags.map(([k, v]) => (v === null ? k : `${k}=${v}`)).join(';') + ' ';
    return `${t}:${nick}!${nick}@${nick}.tmi.twitch.tv ${cmd} #c :${text}`;
  });
const entry = fc.record({
  recv: fc.double({ min: 0, max: 2e9, noNaN: true }),
  time: fc.double({ min: 0, max: 2e9, noNaN: true }),
  range: fc.constantFrom(0, 10, 15, 60, 0.25),
  raw: line,
  history: fc.boolean(),
}) as fc.Arbitrary<JournalEntry>;

describe('journal batch encoding', () => {
  it('equals encodeRecord/encodeBatch for generated lines', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 30 }), (entries) => {
        const recs = journalRecords('n.abcde.0', entries);
        for (const r of recs) expect(encodeJournalRecord(r)).toBe(encodeRecord(r));
        expect(journalBatchBytes('n.abcde.0', entries).bytes.equals(encodeBatch(recs))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('equals encodeBatch on the real fixture (history lines, tags stripped)', () => {
    const entries = fixtureLines().map((raw, i) => ({
      recv: 1704557984 + i / 10,
      time: 1704557984 + (i % 7),
      range: i % 3 ? 0 : 10,
      raw,
      history: true,
    }));
    const recs = journalRecords('n.abcde.h0', entries);
    expect(recs).toHaveLength(800);
    expect(recs.every((r) => r.tags && !('historical' in r.tags) && !('rm-received-ts' in r.tags))).toBe(true);
    expect(journalBatchBytes('n.abcde.h0', entries).bytes.equals(encodeBatch(recs))).toBe(true);
  });
});
