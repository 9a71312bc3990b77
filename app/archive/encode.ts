/**
 * Canonical bytes (SPEC §4). `canonicalJson` produces exactly what RFC 8785 / the
 * `canonicalize` package produce for JSON data (proven by a property test); it exists
 * because the package builds strings by repeated concatenation and is several times
 * slower on a batch of 100k records.
 */
import { createHash } from 'node:crypto';
import { TIME_FIELDS, type ChatRecord } from './record.js';

export function canonicalJson(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      if (!Number.isFinite(v)) throw new Error(`cannot encode ${v} as JSON`);
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(v)) {
        let s = '[';
        for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + canonicalJson(v[i] === undefined ? null : v[i]);
        return s + ']';
      }
      // RFC 8785 sorts keys by UTF-16 code units, which is JavaScript's default sort.
      const keys = Object.keys(v).sort();
      let s = '{';
      let first = true;
      for (const k of keys) {
        const val = (v as Record<string, unknown>)[k];
        if (val === undefined) continue;
        s += (first ? '' : ',') + JSON.stringify(k) + ':' + canonicalJson(val);
        first = false;
      }
      return s + '}';
    }
    default:
      throw new Error(`cannot encode a ${typeof v} as JSON`);
  }
}

export const encodeRecord = (r: ChatRecord): string => canonicalJson(r);

/** Characters where UTF-16 unit order and code point order can disagree (surrogates vs U+E000–U+FFFF). */
const HIGH_UNITS = /[\uD800-\uFFFF]/;

/** Compares two strings by their UTF-8 bytes, i.e. by code point (not UTF-16 unit) order. */
export function compareCodePoints(
  a: string,
  b: string,
  aHigh = HIGH_UNITS.test(a),
  bHigh = HIGH_UNITS.test(b),
): number {
  // The orders differ only where one string has a surrogate and the other a unit at or above
  // U+E000 at the first difference; without such units on both sides, native order is right.
  if (!aHigh || !bHigh) return a < b ? -1 : a > b ? 1 : 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (D800–DFFF) encode code points above every BMP character.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

export interface EncodedLine {
  time: number;
  timeRange: number;
  line: string;
  /** Cached by compareLines: the line has units where UTF-16 and code point order can differ. */
  high?: boolean;
}

const hasHigh = (l: EncodedLine) => (l.high ??= HIGH_UNITS.test(l.line));

export function compareLines(a: EncodedLine, b: EncodedLine): number {
  return a.time - b.time || a.timeRange - b.timeRange || compareCodePoints(a.line, b.line, hasHigh(a), hasHigh(b));
}

/** Sorted, deduplicated, `\n`-terminated batch bytes. */
export function encodeBatch(records: Iterable<ChatRecord>): Buffer {
  const lines: EncodedLine[] = [];
  for (const r of records) lines.push({ time: r.time, timeRange: r.time_range, line: encodeRecord(r) });
  return joinLines(lines);
}

export function joinLines(lines: EncodedLine[]): Buffer {
  lines.sort(compareLines);
  const out: string[] = [];
  let prev: string | undefined;
  for (const l of lines) {
    if (l.line === prev) continue;
    out.push(l.line);
    prev = l.line;
  }
  return linesToBytes(out);
}

/**
 * `lines`, each followed by `\n`, as UTF-8: text lines (`utf8`) or byte-string lines
 * (`latin1`, see `toByteString`). Encoded line by line: joining first would turn a whole
 * minute into a two-byte string as soon as one line has an emoji, and copying and
 * encoding that is several times slower than this.
 */
export function linesToBytes(lines: string[], form: 'utf8' | 'latin1' = 'utf8'): Buffer {
  let size = lines.length;
  for (const l of lines) size += Buffer.byteLength(l, form);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const l of lines) {
    at += out.write(l, at, form);
    out[at++] = 0x0a;
  }
  return out;
}

/** SHA-256 of the bytes, base64url without padding (43 characters). */
export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url');
}

const TIME_KEYS: ReadonlySet<string> = new Set(TIME_FIELDS);

/**
 * The canonical line of a record and, from the same pieces, the canonical JSON of its
 * identity fields (everything but the time and receiver fields): the key the merge groups by.
 */
export function encodeWithIdentity(r: ChatRecord): { line: string; identity: string } {
  const keys = Object.keys(r).sort();
  // Arrays joined once give flat strings; `+=` chains would be flattened later, by every Map lookup.
  const all: string[] = [];
  const id: string[] = [];
  for (const k of keys) {
    const v = r[k];
    if (v === undefined) continue;
    const piece = JSON.stringify(k) + ':' + canonicalJson(v);
    all.push(piece);
    if (!TIME_KEYS.has(k)) id.push(piece);
  }
  return { line: '{' + all.join(',') + '}', identity: '{' + id.join(',') + '}' };
}

/**
 * Text as a "byte string": one character per UTF-8 byte (Latin-1 over the UTF-8 encoding).
 * The merge holds identities and builds lines in this form: V8 keeps it at one byte per
 * character where text with an emoji costs two per UTF-16 unit, native comparison is
 * UTF-8 byte order (SPEC §4's tie-break) with no special case, and writing it out is a copy.
 */
export const toByteString = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');
export const fromByteString = (bytes: string): string => Buffer.from(bytes, 'latin1').toString('utf8');

/**
 * Builds a record's canonical line from its identity's canonical JSON and its time fields,
 * without re-encoding the identity; every argument and the result are byte strings
 * (`toByteString`). `standard` means the identity has exactly the six SPEC §3 identity
 * fields; then the time fields have fixed places: receiver_ranges and receivers right
 * before the top-level "sender" (only strings precede it, so its first occurrence is the
 * top-level one), time and time_range right before the top-level "user" (the last key, so
 * its last occurrence). Those markers are ASCII, so cutting the byte string at them is
 * cutting the text.
 */
export function lineFromIdentity(
  identity: string,
  standard: boolean,
  time: number,
  timeRange: number,
  receivers: string,
  receiverRanges: string,
): string {
  if (standard) {
    const s = identity.indexOf(',"sender":');
    const u = identity.lastIndexOf(',"user":');
    if (s > 0 && u > s)
      // Joined, not concatenated: one flat string, cheap to sort, join and write.
      return [
        identity.slice(0, s),
        ',"receiver_ranges":',
        receiverRanges,
        ',"receivers":',
        receivers,
        identity.slice(s, u),
        ',"time":',
        canonicalJson(time),
        ',"time_range":',
        canonicalJson(timeRange),
        identity.slice(u),
      ].join('');
  }
  const r = JSON.parse(fromByteString(identity)) as ChatRecord;
  r.time = time;
  r.time_range = timeRange;
  r.receivers = JSON.parse(fromByteString(receivers));
  r.receiver_ranges = JSON.parse(fromByteString(receiverRanges));
  return toByteString(canonicalJson(r));
}
