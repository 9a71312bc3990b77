/** Observations (SPEC §6): one receiver's record of one line. The unit the merge works on. */
import type { ChatRecord } from './record.js';
import { messageId } from './record.js';
import { encodeWithIdentity, toByteString } from './encode.js';
import { hourStart } from './layout.js';

export interface Observation {
  /** Canonical JSON of the identity fields as a byte string (`toByteString`): equal keys, same event candidates. */
  key: string;
  /** The identity has exactly the six standard fields (see lineFromIdentity). */
  standard: boolean;
  id: string | null;
  receiver: string;
  received: number;
  /** The receiver's own interval: [start, start + length]. */
  start: number;
  length: number;
}

const STANDARD_KEYS = 10;

/**
 * Splits a validated record into its observations; also returns its canonical line.
 * `source`, the line the record was parsed from as text and as a byte string, lets a line
 * that is already canonical (the usual case) skip the re-encoding: see `canonicalSource`.
 */
export function observe(
  r: ChatRecord,
  source?: { text: string; bytes: string },
): { line: string; observations: Observation[] } {
  const standard = Object.keys(r).length === STANDARD_KEYS;
  const fast = standard && source !== undefined ? canonicalSource(r, source.text, source.bytes) : null;
  let line: string;
  let identity: string;
  if (fast) ({ line, identity } = fast);
  else {
    const e = encodeWithIdentity(r);
    line = e.line;
    identity = toByteString(e.identity);
  }
  const id = messageId(r);
  const observations: Observation[] = [];
  for (const receiver of Object.keys(r.receivers)) {
    const [start, length] = r.receiver_ranges[receiver]!;
    observations.push({ key: identity, standard, id, receiver, received: r.receivers[receiver]!, start, length });
  }
  return { line, observations };
}

export const observationHour = (o: Observation) => hourStart(o.start);

function sortedKeys(o: object): boolean {
  let prev: string | undefined;
  for (const k in o) {
    if (prev !== undefined && !(prev < k)) return false;
    prev = k;
  }
  return true;
}

/**
 * If `source` is the canonical line of the standard record `r`, its identity, cut out of
 * `bytes` (the same line as a byte string).
 * JSON.stringify (native, fast) writes a parsed object back with its keys in the order
 * they were read, and otherwise exactly as RFC 8785 does (the same string escapes and
 * number format); so when every object's keys are in sorted order and the result equals
 * the source, the source is canonical. (Integer-like keys are listed first by JavaScript,
 * whatever their order in the source; then the check fails and the slow path decides.)
 * The time fields have fixed places in a standard record's line (see lineFromIdentity).
 */
function canonicalSource(r: ChatRecord, source: string, bytes: string): { line: string; identity: string } | null {
  if (!sortedKeys(r) || (r.tags && !sortedKeys(r.tags)) || !sortedKeys(r.receivers) || !sortedKeys(r.receiver_ranges))
    return null;
  if (JSON.stringify(r) !== source) return null;
  const rr = ',"receiver_ranges":';
  const i = bytes.indexOf(rr);
  const j =
    i +
    rr.length +
    Buffer.byteLength(JSON.stringify(r.receiver_ranges)) +
    ',"receivers":'.length +
    Buffer.byteLength(JSON.stringify(r.receivers));
  const t = ',"time":' + JSON.stringify(r.time) + ',"time_range":' + JSON.stringify(r.time_range);
  const k = bytes.lastIndexOf(t);
  if (i < 0 || k < j || !bytes.startsWith(',"sender":', j) || !bytes.startsWith(',"user":', k + t.length)) return null;
  // Joined, not concatenated: a flat string that does not keep the whole line alive.
  return { line: source, identity: [bytes.slice(0, i), bytes.slice(j, k), bytes.slice(k + t.length)].join('') };
}
