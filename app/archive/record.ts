/** The message record of SPEC §3, and its validation. */

export type TagValue = string | true;
export type Tags = Record<string, TagValue>;
/** [start, length] of a time interval, Unix seconds. */
export type Range = [number, number];

/** The fields of one IRC line (SPEC §3): a record's standard identity fields. */
export interface IrcFields {
  command: string;
  params: string[];
  sender: string | null;
  user: string | null;
  host: string | null;
  tags: Tags | null;
}

export interface ChatRecord extends IrcFields {
  time: number;
  time_range: number;
  receivers: Record<string, number>;
  receiver_ranges: Record<string, Range>;
  /** Unknown extra fields are identity fields: kept, never dropped (SPEC §3). */
  [extra: string]: unknown;
}

/** Year 10000: hour folder names have four-digit years. */
export const MAX_TIME = 253402300800;

export const TIME_FIELDS = ['time', 'time_range', 'receivers', 'receiver_ranges'] as const;
const KNOWN = new Set(['command', 'params', 'sender', 'user', 'host', 'tags', ...TIME_FIELDS]);

export type Validation = { ok: true; record: ChatRecord } | { ok: false; reason: string };

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const strOrNull = (x: unknown) => x === null || typeof x === 'string';

/** Extra fields may hold any JSON, but nothing JSON cannot encode canonically. */
function jsonSafe(x: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (x === null || typeof x === 'string' || typeof x === 'boolean') return true;
  if (typeof x === 'number') return Number.isFinite(x);
  if (Array.isArray(x)) return x.every((v) => jsonSafe(v, depth + 1));
  if (isObj(x)) return Object.values(x).every((v) => jsonSafe(v, depth + 1));
  return false;
}

/**
 * Checks a parsed JSON value against SPEC §3. Records of the original implementation
 * (no `receiver_ranges`) are accepted and completed: every receiver's range is the
 * record's own `[time, time_range]`.
 */
export function validateRecord(x: unknown): Validation {
  if (!isObj(x)) return { ok: false, reason: 'record is not a JSON object' };
  if (typeof x.command !== 'string' || x.command === '')
    return { ok: false, reason: '"command" must be a non-empty string' };
  if (!Array.isArray(x.params) || !x.params.every((p) => typeof p === 'string'))
    return { ok: false, reason: '"params" must be an array of strings' };
  for (const f of ['sender', 'user', 'host'] as const)
    if (!strOrNull(x[f])) return { ok: false, reason: `"${f}" must be a string or null` };
  if (x.tags !== null) {
    if (!isObj(x.tags)) return { ok: false, reason: '"tags" must be an object or null' };
    for (const k in x.tags) {
      const v = x.tags[k];
      if (typeof v !== 'string' && v !== true) return { ok: false, reason: `tag "${k}" must be a string or true` };
    }
  }
  if (!finite(x.time) || x.time < 0 || x.time >= MAX_TIME)
    return { ok: false, reason: '"time" must be a finite number of seconds between 1970 and 9999' };
  if (!finite(x.time_range) || x.time_range < 0)
    return { ok: false, reason: '"time_range" must be a finite number >= 0' };
  if (!isObj(x.receivers)) return { ok: false, reason: '"receivers" must be an object' };
  const ids = Object.keys(x.receivers);
  if (ids.length === 0) return { ok: false, reason: '"receivers" is empty' };
  for (const id of ids)
    if (!finite(x.receivers[id])) return { ok: false, reason: `receive time of "${id}" must be a finite number` };
  let ranges: Record<string, Range>;
  if (x.receiver_ranges === undefined) {
    ranges = {};
    for (const id of ids) ranges[id] = [x.time, x.time_range];
  } else {
    if (!isObj(x.receiver_ranges)) return { ok: false, reason: '"receiver_ranges" must be an object' };
    ranges = x.receiver_ranges as Record<string, Range>;
    const rids = Object.keys(ranges);
    if (rids.length !== ids.length || !rids.every((id) => Object.hasOwn(x.receivers as object, id)))
      return { ok: false, reason: '"receiver_ranges" must have exactly the receivers of "receivers"' };
    for (const id of rids) {
      const r = ranges[id] as unknown;
      if (!Array.isArray(r) || r.length !== 2 || !finite(r[0]) || !finite(r[1]) || r[1] < 0)
        return { ok: false, reason: `range of "${id}" must be [time, time_range >= 0]` };
    }
  }
  for (const k in x)
    if (!KNOWN.has(k) && !jsonSafe(x[k]))
      return { ok: false, reason: `extra field "${k}" holds a value JSON cannot encode` };
  // The parsed object itself when it is complete (the usual case): no copy per line read.
  const record = (x.receiver_ranges === undefined ? { ...x, receiver_ranges: ranges } : x) as ChatRecord;
  return { ok: true, record };
}

/** The identity fields of a record (SPEC §3): everything but the time and receiver fields. */
export function identityOf(r: ChatRecord): Record<string, unknown> {
  const { time: _t, time_range: _r, receivers: _v, receiver_ranges: _g, ...identity } = r;
  return identity;
}

export function messageId(r: { tags: Tags | null }): string | null {
  const id = r.tags?.id;
  return typeof id === 'string' && id !== '' ? id : null;
}
