/**
 * Connected spans (README "Coverage records", a SPEC addition): what only the recorder
 * knows, so that a quiet channel is not mistaken for a gap. One record per receiver
 * (connection): when it joined the channel, the last moment it was known alive (last line,
 * PONG, or a clean close), when it disconnected and why. Local clock of the node, Unix
 * seconds.
 *
 * Layout: `<segments>/<channel>/coverage/<YYYY-MM-DD>-<HASH>.json`, the day (UTC) being
 * that of `connected`, HASH the SHA-256 of the bytes (base64url, 43 characters). One
 * canonical JSON object (RFC 8785) per line, one line per receiver, sorted by receiver
 * (code point order), each followed by `\n`.
 *
 * Merge rule (a join, so order-independent and idempotent): the records of one receiver
 * become one with the earliest `connected`, the latest `last`, and of those that carry a
 * `disconnected`, the latest one with its `reason` (the smallest reason on a tie). A day's
 * content is the join of every record filed for it; its file is a pure function of that set.
 * Pure rules here; files in coverage-files.ts.
 */
import { canonicalJson, compareCodePoints, contentHash, linesToBytes } from './encode.js';
import { MAX_TIME } from './record.js';

export interface ConnectedSpan {
  receiver: string;
  /** The connection had joined the channel (its first ROOMSTATE): lines from here on are recorded. */
  connected: number;
  /** Last moment it was known to be receiving: last line or PONG, or the clean close. */
  last: number;
  /** When the connection ended; null while it is open (or if the recorder died). */
  disconnected: number | null;
  /** Why it ended, in plain words; null while open. */
  reason: string | null;
}

const DAY = 86400;
const FIELDS = new Set(['receiver', 'connected', 'last', 'disconnected', 'reason']);
const FILE_RE = /^(\d{4})-(\d{2})-(\d{2})-([A-Za-z0-9_-]{43})\.json$/;
const MAX_RECEIVER = 256;
const MAX_REASON = 500;

export const spanDay = (s: { connected: number }) => Math.floor(s.connected / DAY) * DAY;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `2024-01-06`: the day part of a coverage file's name. */
export function dayName(day: number): string {
  const d = new Date(day * 1000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export const coverageFileName = (day: number, bytes: Uint8Array) => `${dayName(day)}-${contentHash(bytes)}.json`;

/** The day and hash of a coverage file's name, or null when the name is not one. */
export function parseCoverageFileName(name: string): { day: number; hash: string } | null {
  const m = FILE_RE.exec(name);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (!Number.isFinite(ms) || dayName(ms / 1000) !== `${m[1]}-${m[2]}-${m[3]}`) return null;
  return { day: ms / 1000, hash: m[4]! };
}

const time = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0 && x < MAX_TIME;

export type SpanValidation = { ok: true; span: ConnectedSpan } | { ok: false; reason: string };

/** Checks one parsed line. Unknown fields are refused: a join could not keep them. */
export function validateSpan(x: unknown): SpanValidation {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return { ok: false, reason: 'not a JSON object' };
  const o = x as Record<string, unknown>;
  const extra = Object.keys(o).find((k) => !FIELDS.has(k));
  if (extra !== undefined) return { ok: false, reason: `unknown field "${extra.slice(0, 40)}"` };
  if (typeof o.receiver !== 'string' || o.receiver === '' || o.receiver.length > MAX_RECEIVER)
    return { ok: false, reason: `"receiver" must be a string of 1–${MAX_RECEIVER} characters` };
  if (!time(o.connected) || !time(o.last))
    return { ok: false, reason: '"connected" and "last" must be seconds between 1970 and 9999' };
  if (o.last < o.connected) return { ok: false, reason: '"last" is before "connected"' };
  const disconnected = o.disconnected ?? null;
  const reason = o.reason ?? null;
  if (disconnected !== null && !time(disconnected))
    return { ok: false, reason: '"disconnected" must be null or seconds between 1970 and 9999' };
  if (reason !== null && (typeof reason !== 'string' || reason.length > MAX_REASON))
    return { ok: false, reason: `"reason" must be null or a string of at most ${MAX_REASON} characters` };
  if ((disconnected === null) !== (reason === null))
    return { ok: false, reason: '"disconnected" and "reason" are both set or both null' };
  return { ok: true, span: { receiver: o.receiver, connected: o.connected, last: o.last, disconnected, reason } };
}

/** The join of two records of one receiver. */
function join(a: ConnectedSpan, b: ConnectedSpan): ConnectedSpan {
  let end: Pick<ConnectedSpan, 'disconnected' | 'reason'> = a;
  if (b.disconnected !== null) {
    if (
      a.disconnected === null ||
      b.disconnected > a.disconnected ||
      (b.disconnected === a.disconnected && compareCodePoints(b.reason!, a.reason!) < 0)
    )
      end = b;
  }
  return {
    receiver: a.receiver,
    connected: Math.min(a.connected, b.connected),
    last: Math.max(a.last, b.last),
    disconnected: end.disconnected,
    reason: end.reason,
  };
}

/** One record per receiver, sorted by receiver: the content of any set of records. */
export function joinSpans(spans: Iterable<ConnectedSpan>): ConnectedSpan[] {
  const by = new Map<string, ConnectedSpan>();
  for (const s of spans) {
    const had = by.get(s.receiver);
    by.set(s.receiver, had ? join(had, s) : { ...s });
  }
  return [...by.values()].sort((a, b) => compareCodePoints(a.receiver, b.receiver));
}

/** Canonical bytes of a set of records (joined first). */
export function encodeSpans(spans: Iterable<ConnectedSpan>): Buffer {
  return linesToBytes(joinSpans(spans).map((s) => canonicalJson(s)));
}

export interface ParsedCoverage {
  spans: ConnectedSpan[];
  /** Invalid lines, 1-based. */
  problems: Array<{ line: number; reason: string }>;
  /** The bytes are exactly the canonical encoding of the spans. */
  canonical: boolean;
}

/** Reads a coverage file's bytes; every line is checked, none is dropped silently. */
export function parseCoverage(bytes: Uint8Array): ParsedCoverage {
  const out: ParsedCoverage = { spans: [], problems: [], canonical: false };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    out.problems.push({ line: 0, reason: 'not UTF-8 text' });
    return out;
  }
  if (text === '') {
    out.problems.push({ line: 0, reason: 'empty file' });
    return out;
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, i) => {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      out.problems.push({ line: i + 1, reason: 'not JSON' });
      return;
    }
    const r = validateSpan(v);
    if (r.ok) out.spans.push(r.span);
    else out.problems.push({ line: i + 1, reason: r.reason });
  });
  out.canonical = out.problems.length === 0 && Buffer.from(bytes).equals(encodeSpans(out.spans));
  return out;
}

/** Records grouped by the day they are filed under. */
export function byDay(spans: Iterable<ConnectedSpan>): Map<number, ConnectedSpan[]> {
  const out = new Map<number, ConnectedSpan[]>();
  for (const s of spans) {
    const d = spanDay(s);
    let list = out.get(d);
    if (!list) out.set(d, (list = []));
    list.push(s);
  }
  return out;
}
