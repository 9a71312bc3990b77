/** Canonical bytes (SPEC §4): our encoder against the `canonicalize` package (RFC 8785), on generated data. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import canonicalizeModule from 'canonicalize';
import {
  canonicalJson,
  compareCodePoints,
  contentHash,
  encodeBatch,
  encodeRecord,
  encodeWithIdentity,
  fromByteString,
  lineFromIdentity,
  toByteString,
} from '../../app/archive/encode.js';
import { observe } from '../../app/archive/observation.js';
import { identityOf, validateRecord, type ChatRecord } from '../../app/archive/record.js';
import { arbRecord, arbText } from '../support/generate.js';

// The package is CommonJS (`module.exports = fn`) but its types declare an ES default export.
const canonicalize = canonicalizeModule as unknown as (v: unknown) => string | undefined;
const reference = (v: unknown) => canonicalize(v) as string;

/** Strings of any code point but lone surrogates (those cannot be UTF-8 text). */
const codePoint = fc.oneof(
  fc.integer({ min: 0, max: 0x7f }),
  fc.integer({ min: 0x80, max: 0xd7ff }),
  fc.integer({ min: 0xe000, max: 0xffff }),
  fc.integer({ min: 0x10000, max: 0x10ffff }),
);
const unicodeString = fc.array(codePoint, { maxLength: 12 }).map((cps) => String.fromCodePoint(...cps));

const oddNumber = fc.oneof(
  fc.constantFrom(
    1e21,
    1e-7,
    -0,
    0.1 + 0.2,
    5e-324,
    Number.MAX_VALUE,
    Number.MIN_SAFE_INTEGER,
    2 ** 53,
    123456789012345680000,
    1704556800.123,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    oddNumber,
    unicodeString,
    fc.string({ unit: 'binary' }),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(
    fc.oneof(unicodeString, fc.constantFrom('__proto__', 'time', 'a', 'A', '\u{1F600}', '\uFFFF', '')),
    tie('value'),
    { maxKeys: 5 },
  ),
})).value;

/** Records with every kind of field content, including extra fields holding arbitrary JSON. */
const arbWildRecord: fc.Arbitrary<ChatRecord> = fc
  .record({
    base: arbRecord,
    text: unicodeString,
    time: oddNumber,
    extra: fc.dictionary(fc.constantFrom('x', 'emote_sets', 'zz', 'Z', 'ß', '😀'), jsonValue, { maxKeys: 3 }),
  })
  .map(
    ({ base, text, time, extra }) =>
      ({ ...extra, ...base, params: [...base.params, text], time: Math.abs(time) % 1e10 }) as ChatRecord,
  );

describe('canonical JSON is RFC 8785 (the canonicalize package), byte for byte', () => {
  it('on arbitrary JSON values, odd numbers and astral text included', () => {
    fc.assert(
      fc.property(jsonValue, (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
      { numRuns: 2000 },
    );
  });

  it('on the numbers JSON gets wrong most often', () => {
    for (const n of [1e21, 1e-7, -0, 0.1 + 0.2, 5e-324, 1e300, 123e-20, 0.000001, 100, 1.5e-9, 2 ** 64])
      expect(canonicalJson({ n, a: [n] })).toBe(reference({ n, a: [n] }));
    expect(canonicalJson(-0)).toBe('0');
  });

  it('refuses what JSON cannot say instead of writing something else', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow();
    expect(() => canonicalJson(Infinity)).toThrow();
    expect(() => canonicalJson(() => 1)).toThrow();
  });

  it('on records: encodeRecord, the identity split, and the line rebuilt from the identity', () => {
    fc.assert(
      fc.property(arbWildRecord, (raw) => {
        const v = validateRecord(JSON.parse(JSON.stringify(raw)));
        expect(v.ok).toBe(true);
        if (!v.ok) return;
        const r = v.record;
        const line = reference(r);
        expect(encodeRecord(r)).toBe(line);
        const { line: l2, identity } = encodeWithIdentity(r);
        expect(l2).toBe(line);
        expect(identity).toBe(reference(identityOf(r)));
        const standard = Object.keys(r).length === 10;
        const b = toByteString;
        expect(
          fromByteString(
            lineFromIdentity(
              b(identity),
              standard,
              r.time,
              r.time_range,
              b(reference(r.receivers)),
              b(reference(r.receiver_ranges)),
            ),
          ),
        ).toBe(line);
        // Parsing the canonical line takes the fast path (identity cut out of the source's bytes); so does its slow path.
        const fast = observe(r, { text: line, bytes: b(line) });
        const slow = observe(r);
        expect(fast.line).toBe(line);
        expect(slow.line).toBe(line);
        for (const o of [...fast.observations, ...slow.observations]) expect(o.key).toBe(b(identity));
        expect(fast.observations).toEqual(slow.observations);
      }),
      { numRuns: 1500 },
    );
  });

  it('tag names that look like top-level keys do not confuse the fast line builder', () => {
    const r = validateRecord({
      command: 'NOTICE',
      params: [',"sender":', ',"user":"x"'],
      sender: ',"user":',
      user: ',"sender":',
      host: '"sender"',
      tags: { sender: ',"user":', user: 'x', time: '1' },
      time: 1,
      time_range: 2,
      receivers: { a: 3 },
      receiver_ranges: { a: [1, 2] },
    });
    if (!v(r)) throw new Error('invalid');
    const { identity } = encodeWithIdentity(r.record);
    expect(fromByteString(lineFromIdentity(toByteString(identity), true, 1, 2, '{"a":3}', '{"a":[1,2]}'))).toBe(
      reference(r.record),
    );
  });
});

const v = (r: ReturnType<typeof validateRecord>): r is { ok: true; record: ChatRecord } => r.ok;

describe('code point order', () => {
  it('compareCodePoints orders like the UTF-8 bytes (Buffer.compare), not like UTF-16 units', () => {
    fc.assert(
      fc.property(unicodeString, unicodeString, (a, b) => {
        expect(Math.sign(compareCodePoints(a, b))).toBe(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
      }),
      { numRuns: 5000 },
    );
    // The case plain string comparison gets wrong: U+FFFF sorts before U+10000 in UTF-8.
    expect(compareCodePoints('\uFFFF', '\u{10000}')).toBeLessThan(0);
    expect('\uFFFF' < '\u{10000}').toBe(false);
  });
});

describe('batch bytes', () => {
  /** SPEC §4 written out the slow, obvious way. */
  function referenceBatch(records: ChatRecord[]): Buffer {
    const lines = records.map((r) => ({ r, line: Buffer.from(reference(r), 'utf8') }));
    lines.sort((a, b) => a.r.time - b.r.time || a.r.time_range - b.r.time_range || Buffer.compare(a.line, b.line));
    const out: Buffer[] = [];
    for (const l of lines) if (!out.length || !out[out.length - 1]!.equals(l.line)) out.push(l.line);
    return out.length ? Buffer.concat(out.flatMap((b) => [b, Buffer.from('\n')])) : Buffer.alloc(0);
  }

  const arbBatch = fc
    .array(
      fc
        .record({ r: arbRecord, t: arbText, dup: fc.boolean() })
        .map(({ r, t }) => ({ ...r, params: [...r.params, t] }) as ChatRecord),
      { maxLength: 25 },
    )
    .chain((rs) =>
      fc
        .shuffledSubarray([...rs, ...rs.slice(0, 3)], { minLength: rs.length })
        .map((s) => s.map((r) => validateRecord(JSON.parse(JSON.stringify(r))))),
    )
    .map((vs) => vs.filter(v).map((x) => x.record));

  it('sorted by time, time_range, then UTF-8 bytes; identical lines once; one final newline', () => {
    fc.assert(
      fc.property(arbBatch, (records) => {
        const bytes = encodeBatch(records);
        expect(bytes.equals(referenceBatch(records))).toBe(true);
        expect(encodeBatch([...records].reverse()).equals(bytes)).toBe(true);
        if (records.length) expect(bytes[bytes.length - 1]).toBe(0x0a);
      }),
      { numRuns: 800 },
    );
  });

  it('lines that differ only beyond U+FFFF sort by code point', () => {
    const mk = (text: string): ChatRecord => ({
      command: 'PRIVMSG',
      params: ['#c', text],
      sender: null,
      user: null,
      host: null,
      tags: null,
      time: 5,
      time_range: 0,
      receivers: { a: 5 },
      receiver_ranges: { a: [5, 0] },
    });
    const bytes = encodeBatch([mk('\u{1F600}'), mk('\uFFFF')]).toString('utf8');
    expect(bytes.indexOf('\uFFFF')).toBeLessThan(bytes.indexOf('\u{1F600}'));
  });

  it('content hash is SHA-256 in base64url without padding', () => {
    expect(contentHash(Buffer.from('abc'))).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
    expect(contentHash(Buffer.alloc(0))).toHaveLength(43);
  });
});
