/** The one reader of batch files, and the one leniency policy every reader of the archive shares. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeRecord } from '../../app/archive/encode.js';
import { lineProblemsText, parseBatch, readRecords } from '../../app/archive/read.js';
import { summarizeBatch } from '../../app/service/index-cache.js';
import { arbRecord, arbText } from '../support/generate.js';

/** A line of a damaged file: not JSON, JSON but no record, a record that breaks a rule, a blank. */
const arbBadLine = fc.oneof(
  arbText.map((t) => `not json ${t.replace(/[\r\n]/g, '')}`),
  fc.constant('{"command":"PRIVMSG","receivers":{"a":1}}'),
  arbRecord.map((r) => encodeRecord({ ...r, time: -1 })),
  fc.constant('[]'),
  fc.constant('   '),
);
const arbLines = fc.array(
  fc.oneof(
    arbRecord.map((r) => ({ good: true, text: encodeRecord(r) })),
    arbBadLine.map((text) => ({ good: false, text })),
  ),
  { maxLength: 30 },
);
const bytesOf = (lines: Array<{ text: string }>) => Buffer.from(lines.map((l) => l.text + '\n').join(''), 'utf8');

describe('readRecords', () => {
  it('gives every valid line as a record with its line number, and every other line as a problem', () => {
    fc.assert(
      fc.property(arbLines, (lines) => {
        const seen: number[] = [];
        const { problems, form } = readRecords(bytesOf(lines), (r) => {
          seen.push(r.line);
          expect(r.text).toBe(lines[r.line - 1]!.text);
          expect(r.bytes.subarray(r.from, r.to).toString('utf8')).toBe(r.text);
        });
        const numbered = lines.map((l, i) => ({ ...l, line: i + 1 }));
        expect(seen).toEqual(numbered.filter((l) => l.good).map((l) => l.line));
        if (lines.length)
          expect(problems.map((p) => p.line)).toEqual(numbered.filter((l) => !l.good).map((l) => l.line));
        expect(form).toEqual({ bom: false, noFinalNewline: false, crlf: false });
      }),
    );
  });

  it('notes a byte order mark, CRLF line ends and a missing final newline, and reads the records all the same', () => {
    const [a, b] = fc.sample(arbRecord, { numRuns: 2, seed: 7 }).map(encodeRecord);
    const seen: string[] = [];
    const r = readRecords(Buffer.from(`\uFEFF${a}\r\n${b}`), (x) => seen.push(x.text));
    expect(seen).toEqual([a, b]);
    expect(r).toEqual({ problems: [], form: { bom: true, noFinalNewline: true, crlf: true } });
  });
});

describe('one leniency policy', () => {
  it('the index counts exactly the records and problems the merge reads', () => {
    fc.assert(
      fc.property(arbLines, (lines) => {
        const bytes = bytesOf(lines);
        const parsed = parseBatch(bytes);
        const summary = summarizeBatch(bytes);
        expect(summary.records).toBe(parsed.records.length);
        expect(summary.problems).toBe(parsed.problems.length);
        const byCommand: Record<string, number> = {};
        for (const r of parsed.records) byCommand[r.command] = (byCommand[r.command] ?? 0) + 1;
        expect(summary.byCommand).toEqual(byCommand);
      }),
    );
  });

  it('names line problems one a line, the whole file without a number', () => {
    expect(
      lineProblemsText([
        { line: 0, reason: 'empty file' },
        { line: 3, reason: 'blank line' },
      ]),
    ).toBe('empty file\nline 3: blank line');
  });
});
