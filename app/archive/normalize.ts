/**
 * normalize (SPEC §6): the records of one hour as a pure function of the set of its
 * observations. Associative, commutative and idempotent by construction: the result
 * depends only on the set, never on the order observations arrive in.
 */
import type { Observation } from './observation.js';
import { minuteStart } from './layout.js';
import { fromByteString, linesToBytes, lineFromIdentity, toByteString, type EncodedLine } from './encode.js';
import { canonicalEstimateKey, estimateKey, levelOf, viewOfKey, type Level } from './reconstruction.js';

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
  private readonly levels = new Map<string, Level>();
  /**
   * Rebuilt observations (level 1) with a message id, by id: they join that id's record
   * whatever their fields, so they are kept apart from the identity groups.
   */
  readonly rebuilt = new Map<string, Observation[]>();
  private readonly rebuiltAt = new Map<string, number>();
  /** Groups whose key is an estimate's identity (canonicalEstimateKey): their estimates match by view. */
  readonly estimateGroups = new WeakSet<Observation[]>();
  private readonly estimateKeys = new Map<string, string | null>();
  /** The set holds a reconstruction: `cluster` applies the reconstruction laws. */
  reconstructions = false;
  size = 0;

  level(receiver: string): Level {
    let l = this.levels.get(receiver);
    if (l === undefined) this.levels.set(receiver, (l = levelOf(receiver)));
    return l;
  }

  /**
   * Adds an observation; false if the set already held one of that receiver at that
   * receive time (the same observation: of the two, the one first in the total order stays,
   * so the set does not depend on the order of adding).
   */
  add(o: Observation): boolean {
    const receiver = this.receivers.get(o.receiver);
    if (receiver === undefined) this.receivers.set(o.receiver, o.receiver);
    else o.receiver = receiver;
    let estimate = false;
    const level = this.level(o.receiver);
    if (level < 2) {
      this.reconstructions = true;
      if (level === 1 && o.id !== null) return this.addRebuilt(o);
      if (level === 0) {
        // An estimate read back from the record it was folded into stands for its own identity again.
        let k = this.estimateKeys.get(o.key);
        if (k === undefined) this.estimateKeys.set(o.key, (k = canonicalEstimateKey(o.key)));
        if (k !== null) {
          o.key = k;
          o.id = null;
          o.standard = true;
          estimate = true;
        }
      }
    }
    const g = this.groupOf(o);
    if (!g) {
      const fresh = [o];
      if (estimate) this.estimateGroups.add(fresh);
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

  /** Same message id, receiver and receive time: the same observation, whatever fields it was read with. */
  private addRebuilt(o: Observation): boolean {
    const id = o.id!;
    const at = `${id}\0${o.receiver}\0${o.received}`;
    let list = this.rebuilt.get(id);
    if (!list) this.rebuilt.set(id, (list = []));
    const i = this.rebuiltAt.get(at);
    if (i !== undefined) {
      const old = list[i]!;
      const c = compareObservations(o, old);
      if (c < 0 || (c === 0 && o.key < old.key)) list[i] = o;
      return false;
    }
    this.rebuiltAt.set(at, list.length);
    list.push(o);
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

/** A merged record before its line is built: its interval, its identity and its members. */
export interface MergedRecord {
  time: number;
  timeRange: number;
  /** Canonical identity JSON (byte string) and whether it has exactly the standard fields. */
  key: string;
  standard: boolean;
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
  const drafts: Draft[] = [];
  const warnings: NormalizeWarning[] = [];
  const byId = new Map<string, Draft[]>();
  const estimates: Observation[][] = [];
  let observations = 0;
  for (const group of set.groups) {
    let unique = [...group].sort(compareObservations);
    observations += unique.length;
    if (set.reconstructions && set.estimateGroups.has(group)) {
      const own = unique.filter((o) => set.level(o.receiver) === 0);
      if (own.length) {
        estimates.push(own);
        unique = unique.filter((o) => set.level(o.receiver) > 0);
        if (!unique.length) continue;
      }
    }
    const first = unique[0]!;
    if (first.id !== null) {
      const d: Draft = { key: first.key, standard: first.standard, id: first.id, members: unique };
      const list = byId.get(first.id);
      if (list) list.push(d);
      else byId.set(first.id, [d]);
      drafts.push(d);
    } else {
      for (const c of clusterWithoutId(unique))
        drafts.push({ key: first.key, standard: first.standard, id: null, members: c });
    }
  }
  for (const [id, list] of byId)
    if (list.length > 1)
      warnings.push({
        kind: 'id-identity-conflict',
        message: `message id ${id} has ${list.length} records with different fields; kept apart`,
      });
  for (const [id, rebuilt] of set.rebuilt) {
    observations += rebuilt.length;
    foldRebuilt(id, rebuilt, byId.get(id), drafts, set);
  }
  for (const d of drafts) if (d.id !== null) d.members = firstPerReceiver(d.members, warnings);
  if (estimates.length) matchEstimates(estimates, drafts, set);
  const records = drafts.map((d) => merged(d, set, warnings));
  return { records, observations, warnings };
}

/** A record being built: its identity and its members. */
interface Draft {
  key: string;
  standard: boolean;
  id: string | null;
  members: Observation[];
}

/**
 * Rebuilt observations of one message id join the record of that id's verbatim line (the one
 * with the least key when several lines disagree); without one, they are one record of their
 * own, with the least of their keys.
 */
function foldRebuilt(
  id: string,
  rebuilt: Observation[],
  same: Draft[] | undefined,
  drafts: Draft[],
  set: ObservationSet,
) {
  let target: Draft | undefined;
  for (const d of same ?? [])
    if (d.members.some((o) => set.level(o.receiver) === 2) && (!target || d.key < target.key)) target = d;
  if (target) {
    target.members = [...target.members, ...rebuilt];
    return;
  }
  const least = rebuilt.reduce((a, b) => (b.key < a.key ? b : a));
  const d: Draft = { key: least.key, standard: least.standard, id, members: [...rebuilt] };
  if (same) same.push(d);
  drafts.push(d);
}

/** The sender of an identity key without parsing it: only strings precede the top-level "sender" (see lineFromIdentity). */
function senderOfKey(key: string): string | null {
  const i = key.indexOf(',"sender":"');
  if (i < 0) return null;
  const from = i + ',"sender":"'.length;
  const to = key.indexOf('"', from);
  return to < 0 ? null : key.slice(from, to);
}

/**
 * Estimates (level 0) join a record of a higher level with the same chat view whose interval
 * meets theirs and that has nothing from their receiver yet: estimates in the total order,
 * candidates by (time, range, key, first member). The rest are id-less events among themselves.
 */
function matchEstimates(pools: Observation[][], drafts: Draft[], set: ObservationSet): void {
  const wanted = new Set(pools.map((p) => p[0]!.key));
  const logins = new Set<string>();
  for (const key of wanted) logins.add(viewOfKey(key)!.login);
  const candidates = new Map<string, Array<{ d: Draft; lo: number; hi: number; receivers: Set<string> }>>();
  for (const d of drafts) {
    const sender = senderOfKey(d.key);
    if (sender === null || !logins.has(sender)) continue;
    const v = viewOfKey(d.key);
    if (!v) continue;
    const ek = estimateKey(v);
    if (!wanted.has(ek)) continue;
    const { time, timeRange } = span(d.members, set).range;
    const c = { d, lo: time, hi: time + timeRange, receivers: new Set(d.members.map((o) => o.receiver)) };
    const list = candidates.get(ek);
    if (list) list.push(c);
    else candidates.set(ek, [c]);
  }
  for (const list of candidates.values())
    list.sort(
      (a, b) =>
        a.lo - b.lo ||
        a.hi - b.hi ||
        cmpStr(a.d.key, b.d.key) ||
        compareObservations(a.d.members.reduce(least), b.d.members.reduce(least)),
    );
  for (const pool of pools) {
    const key = pool[0]!.key;
    const list = candidates.get(key) ?? [];
    const unmatched: Observation[] = [];
    for (const o of pool) {
      const end = o.start + o.length;
      const c = list.find((c) => o.start <= c.hi && c.lo <= end && !c.receivers.has(o.receiver));
      if (!c) unmatched.push(o);
      else {
        c.d.members.push(o);
        c.receivers.add(o.receiver);
      }
    }
    for (const members of clusterWithoutId(unmatched)) drafts.push({ key, standard: true, id: null, members });
  }
}

const least = (a: Observation, b: Observation) => (compareObservations(b, a) < 0 ? b : a);

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

/**
 * The interval of a record: the intersection of its members' intervals, exact values of one
 * member where it defines both ends; the hull when they do not meet. Only the members of the
 * highest level count: a verbatim line's time wins over a reconstruction's estimate.
 */
function span(
  all: Observation[],
  set: ObservationSet,
): { range: { time: number; timeRange: number }; disjoint: boolean } {
  let members = all;
  if (set.reconstructions) {
    let top = 0;
    for (const o of all) top = Math.max(top, set.level(o.receiver));
    members = all.filter((o) => set.level(o.receiver) === top);
  }
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
  if (lo <= hi)
    return {
      range: { time: lo, timeRange: hiOwner && hiOwner.start === lo ? hiOwner.length : hi - lo },
      disjoint: false,
    };
  const start = Math.min(...members.map((o) => o.start));
  return {
    range: { time: start, timeRange: Math.max(...members.map((o) => o.start + o.length)) - start },
    disjoint: true,
  };
}

function merged(d: Draft, set: ObservationSet, warnings: NormalizeWarning[]): MergedRecord {
  const { range, disjoint } = span(d.members, set);
  if (disjoint)
    warnings.push({
      kind: 'disjoint-id-ranges',
      message: `receivers of message ${d.id} disagree on its time; kept the hull`,
    });
  return { time: range.time, timeRange: range.timeRange, key: d.key, standard: d.standard, members: d.members };
}

const NON_ASCII = /[^\x00-\x7f]/;

/** The record's canonical line, as a byte string. */
function recordLine({ time, timeRange, key, standard, members }: MergedRecord): EncodedLine {
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
  const line = lineFromIdentity(key, standard, time, timeRange, r, rr);
  return { time, timeRange, line };
}
