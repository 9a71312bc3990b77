/**
 * normalize (SPEC §6): the records of one hour as a pure function of the set of its
 * observations. Associative, commutative and idempotent by construction: the result
 * depends only on the set, never on the order observations arrive in.
 */
import type { Observation } from './observation.js';
import { canonicalJson, compareLines, lineFromIdentity, type EncodedLine } from './encode.js';

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
  return a.start - b.start || a.start + a.length - (b.start + b.length) || cmpStr(a.receiver, b.receiver) || a.received - b.received;
}

export function normalize(all: Iterable<Observation>): Normalized {
  const groups = new Map<string, Observation[]>();
  for (const o of all) {
    const g = groups.get(o.key);
    if (g) g.push(o);
    else groups.set(o.key, [o]);
  }
  const lines: EncodedLine[] = [];
  const warnings: NormalizeWarning[] = [];
  const idIdentities = new Map<string, number>();
  let observations = 0;
  for (const group of groups.values()) {
    group.sort(compareObservations);
    const unique = dedupe(group);
    observations += unique.length;
    const first = unique[0]!;
    if (first.id !== null) {
      idIdentities.set(first.id, (idIdentities.get(first.id) ?? 0) + 1);
      const cluster = firstPerReceiver(unique, warnings);
      lines.push(recordLine(cluster, warnings));
    } else {
      for (const cluster of clusterWithoutId(unique)) lines.push(recordLine(cluster, warnings));
    }
  }
  for (const [id, n] of idIdentities)
    if (n > 1) warnings.push({ kind: 'id-identity-conflict', message: `message id ${id} has ${n} records with different fields; kept apart` });
  lines.sort(compareLines);
  return { lines, observations, warnings };
}

/** Same receiver and receive time: the same observation (of the sorted group, the first wins). */
function dedupe(sorted: Observation[]): Observation[] {
  const seen = new Set<string>();
  const out: Observation[] = [];
  for (const o of sorted) {
    const k = o.receiver + '\0' + o.received;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(o);
  }
  return out;
}

/** One event per id: a receiver that got the line twice keeps its earliest receive time. */
function firstPerReceiver(obs: Observation[], warnings: NormalizeWarning[]): Observation[] {
  const best = new Map<string, Observation>();
  for (const o of obs) {
    const b = best.get(o.receiver);
    if (!b) best.set(o.receiver, o);
    else {
      warnings.push({ kind: 'duplicate-delivery', message: `receiver ${o.receiver} got message ${o.id} twice` });
      if (o.received < b.received || (o.received === b.received && compareObservations(o, b) < 0)) best.set(o.receiver, o);
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

function recordLine(members: Observation[], warnings: NormalizeWarning[]): EncodedLine {
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
    warnings.push({ kind: 'disjoint-id-ranges', message: `receivers of message ${members[0]!.id} disagree on its time; kept the hull` });
  }
  const receivers: Record<string, number> = {};
  const ranges: Record<string, [number, number]> = {};
  for (const o of members) {
    receivers[o.receiver] = o.received;
    ranges[o.receiver] = [o.start, o.length];
  }
  const first = members[0]!;
  const line = lineFromIdentity(first.key, first.standard, time, timeRange, canonicalJson(receivers), canonicalJson(ranges));
  return { time, timeRange, line };
}
