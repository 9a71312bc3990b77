/**
 * normalize (SPEC §6): the records of one hour as a pure function of the set of its
 * observations. Associative, commutative and idempotent by construction: the result
 * depends only on the set, never on the order observations arrive in.
 */
import type { Observation } from './observation.js';
import { minuteStart } from './layout.js';
import { fromByteString, linesToBytes, lineFromIdentity, toByteString, type EncodedLine } from './encode.js';

export interface NormalizeWarning {
  kind: 'duplicate-delivery' | 'disjoint-id-ranges' | 'id-identity-conflict';
  message: string;
}

export interface Normalized {
  /** Canonical lines in file order (SPEC §4), with their batch times. */
  lines: EncodedLine[];
  observations: number;
  warnings: NormalizeWarning[];
}

const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Total order used wherever a choice must not depend on input order. */
function compareObservations(a: Observation, b: Observation): number {
  return (
    a.start - b.start ||
    a.start + a.length - (b.start + b.length) ||
    cmpStr(a.receiver, b.receiver) ||
    a.received - b.received
  );
}

/**
 * Observations grouped by identity as they arrive. Duplicate identity strings from other
 * files are dropped for the group's first one at once, so a big hour holds each distinct
 * identity once, however many receivers saw it.
 */
export class ObservationSet {
  /** Groups of equal identity, in the order they were first seen (order is irrelevant to the result). */
  readonly groups: Observation[][] = [];
  private readonly byKey = new Map<string, Observation[]>();
  /**
   * Groups of id'd observations by message id (usually one group per id). Hashing a
   * 36-character id instead of a kilobyte of identity, then one string compare, is the
   * cheap way to find the group of a chat message.
   */
  private readonly byId = new Map<string, Observation[][]>();
  /** receiver + receive time → position, for groups too big to scan (one user joining all day). */
  private readonly big = new WeakMap<Observation[], Map<string, number>>();
  /** One string per receiver id: an hour has a handful of receivers and hundreds of thousands of observations. */
  private readonly receivers = new Map<string, string>();
  size = 0;

  /**
   * Adds an observation; false if the set already held one of that receiver at that
   * receive time (the same observation: of the two, the one first in the total order stays,
   * so the set does not depend on the order of adding).
   */
  add(o: Observation): boolean {
    const receiver = this.receivers.get(o.receiver);
    if (receiver === undefined) this.receivers.set(o.receiver, o.receiver);
    else o.receiver = receiver;
    const g = this.groupOf(o);
    if (!g) {
      const fresh = [o];
      this.groups.push(fresh);
      if (o.id === null) this.byKey.set(o.key, fresh);
      else {
        const list = this.byId.get(o.id);
        if (list) list.push(fresh);
        else this.byId.set(o.id, [fresh]);
      }
      this.size++;
      return true;
    }
    o.key = g[0]!.key;
    o.id = g[0]!.id;
    const at = this.find(g, o);
    if (at >= 0) {
      if (compareObservations(o, g[at]!) < 0) g[at] = o;
      return false;
    }
    g.push(o);
    this.big.get(g)?.set(o.receiver + '\0' + o.received, g.length - 1);
    this.size++;
    return true;
  }

  private groupOf(o: Observation): Observation[] | undefined {
    if (o.id === null) return this.byKey.get(o.key);
    const list = this.byId.get(o.id);
    if (list) for (const g of list) if (g[0]!.key === o.key) return g;
    return undefined;
  }

  private find(g: Observation[], o: Observation): number {
    let index = this.big.get(g);
    if (!index && g.length > 32) {
      index = new Map(g.map((x, i) => [x.receiver + '\0' + x.received, i]));
      this.big.set(g, index);
    }
    if (index) return index.get(o.receiver + '\0' + o.received) ?? -1;
    for (let i = 0; i < g.length; i++) if (g[i]!.receiver === o.receiver && g[i]!.received === o.received) return i;
    return -1;
  }
}

/** A merged record before its line is built: its interval and its members. */
export interface MergedRecord {
  time: number;
  timeRange: number;
  members: Observation[];
}

export interface Clustered {
  records: MergedRecord[];
  observations: number;
  warnings: NormalizeWarning[];
}

/** The records of a set of observations, without their lines (built per minute by `minuteBatches`). */
export function cluster(all: Iterable<Observation> | ObservationSet): Clustered {
  let set: ObservationSet;
  if (all instanceof ObservationSet) set = all;
  else {
    set = new ObservationSet();
    for (const o of all) set.add(o);
  }
  const records: MergedRecord[] = [];
  const warnings: NormalizeWarning[] = [];
  const idIdentities = new Map<string, number>();
  let observations = 0;
  for (const group of set.groups) {
    const unique = [...group].sort(compareObservations);
    observations += unique.length;
    const first = unique[0]!;
    if (first.id !== null) {
      idIdentities.set(first.id, (idIdentities.get(first.id) ?? 0) + 1);
      records.push(merged(firstPerReceiver(unique, warnings), warnings));
    } else {
      for (const c of clusterWithoutId(unique)) records.push(merged(c, warnings));
    }
  }
  for (const [id, n] of idIdentities)
    if (n > 1)
      warnings.push({
        kind: 'id-identity-conflict',
        message: `message id ${id} has ${n} records with different fields; kept apart`,
      });
  return { records, observations, warnings };
}

export function normalize(all: Iterable<Observation> | ObservationSet): Normalized {
  const c = cluster(all);
  const lines = c.records.map(recordLine).sort(compareByteLines);
  for (const l of lines) l.line = fromByteString(l.line);
  return { lines, observations: c.observations, warnings: c.warnings };
}

/** SPEC §4's order on byte-string lines, where native string order is UTF-8 byte order. */
const compareByteLines = (a: EncodedLine, b: EncodedLine) =>
  a.time - b.time || a.timeRange - b.timeRange || cmpStr(a.line, b.line);

/**
 * The minute files of a set of merged records, one minute at a time, in time order:
 * only one minute's lines and bytes are alive at once.
 */
export function* minuteBatches(records: MergedRecord[]): Generator<{ minute: number; bytes: Buffer }> {
  const byMinute = new Map<number, MergedRecord[]>();
  for (const r of records) {
    const m = minuteStart(r.time);
    const list = byMinute.get(m);
    if (list) list.push(r);
    else byMinute.set(m, [r]);
  }
  for (const minute of [...byMinute.keys()].sort((a, b) => a - b)) {
    const lines = byMinute.get(minute)!.map(recordLine);
    byMinute.delete(minute);
    lines.sort(compareByteLines);
    yield {
      minute,
      bytes: linesToBytes(
        lines.map((l) => l.line),
        'latin1',
      ),
    };
  }
}

/** One event per id: a receiver that got the line twice keeps its earliest receive time. */
function firstPerReceiver(obs: Observation[], warnings: NormalizeWarning[]): Observation[] {
  const best = new Map<string, Observation>();
  for (const o of obs) {
    const b = best.get(o.receiver);
    if (!b) best.set(o.receiver, o);
    else {
      warnings.push({ kind: 'duplicate-delivery', message: `receiver ${o.receiver} got message ${o.id} twice` });
      if (o.received < b.received || (o.received === b.received && compareObservations(o, b) < 0))
        best.set(o.receiver, o);
    }
  }
  return [...best.values()];
}

interface Cluster {
  members: Observation[];
  receivers: Set<string>;
  lo: number;
  hi: number;
}

/**
 * Id-less events: an observation joins the first cluster whose common interval overlaps
 * its own (closed intervals) and that has nothing from its receiver yet.
 */
function clusterWithoutId(sorted: Observation[]): Observation[][] {
  const clusters: Cluster[] = [];
  for (const o of sorted) {
    const end = o.start + o.length;
    let home: Cluster | undefined;
    for (const c of clusters) {
      if (c.receivers.has(o.receiver)) continue;
      if (o.start <= c.hi && c.lo <= end) {
        home = c;
        break;
      }
    }
    if (home) {
      home.members.push(o);
      home.receivers.add(o.receiver);
      home.lo = Math.max(home.lo, o.start);
      home.hi = Math.min(home.hi, end);
    } else {
      clusters.push({ members: [o], receivers: new Set([o.receiver]), lo: o.start, hi: end });
    }
  }
  return clusters.map((c) => c.members);
}

function merged(members: Observation[], warnings: NormalizeWarning[]): MergedRecord {
  // Intersection of the members' intervals; exact values of one member where it defines both ends.
  let lo = -Infinity;
  let hi = Infinity;
  let hiOwner: Observation | undefined;
  for (const o of members) {
    if (o.start > lo) lo = o.start;
    const end = o.start + o.length;
    if (end < hi) {
      hi = end;
      hiOwner = o;
    }
  }
  let time: number;
  let timeRange: number;
  if (lo <= hi) {
    time = lo;
    timeRange = hiOwner && hiOwner.start === lo ? hiOwner.length : hi - lo;
  } else {
    const start = Math.min(...members.map((o) => o.start));
    time = start;
    timeRange = Math.max(...members.map((o) => o.start + o.length)) - start;
    warnings.push({
      kind: 'disjoint-id-ranges',
      message: `receivers of message ${members[0]!.id} disagree on its time; kept the hull`,
    });
  }
  return { time, timeRange, members };
}

const NON_ASCII = /[^\x00-\x7f]/;

/** The record's canonical line, as a byte string. */
function recordLine({ time, timeRange, members }: MergedRecord): EncodedLine {
  // `receivers` and `receiver_ranges` written directly: keys in UTF-16 order as RFC 8785
  // wants, numbers as JSON writes them (String gives the same for finite numbers). The
  // generic encoder costs more than everything else here on a big hour.
  const sorted = members.length > 1 ? [...members].sort((a, b) => cmpStr(a.receiver, b.receiver)) : members;
  const receivers: string[] = [];
  const ranges: string[] = [];
  for (const o of sorted) {
    const id = JSON.stringify(o.receiver);
    receivers.push(id + ':' + String(o.received));
    ranges.push(id + ':[' + String(o.start) + ',' + String(o.length) + ']');
  }
  let r = '{' + receivers.join(',') + '}';
  let rr = '{' + ranges.join(',') + '}';
  if (NON_ASCII.test(r)) [r, rr] = [toByteString(r), toByteString(rr)];
  const first = members[0]!;
  const line = lineFromIdentity(first.key, first.standard, time, timeRange, r, rr);
  return { time, timeRange, line };
}
