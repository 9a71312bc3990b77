/**
 * Summary buckets → what the timeline draws: per-bucket counts, and per receiver (grouped
 * by node) the runs of buckets it contributed to; runs nobody recorded; runs waiting to
 * be merged. Positions are bucket indexes from the start of the visible span.
 */
import type { Summary } from '../../app/service/contract.js';
import { nodeOf } from '../format.js';

export type Run = [start: number, end: number];

export interface Lane {
  id: string;
  observations: number;
  runs: Run[];
}

export interface NodeGroup {
  node: string;
  observations: number;
  lanes: Lane[];
  /** Buckets where any of the node's receivers contributed. */
  runs: Run[];
}

export interface TimelineData {
  n: number;
  counts: number[];
  max: number;
  groups: NodeGroup[];
  unrecorded: Run[];
  pending: Run[];
  pendingBuckets: number;
}

/** Consecutive true flags as [start, end) runs. */
export function runsOf(flags: ArrayLike<boolean>): Run[] {
  const out: Run[] = [];
  let start = -1;
  for (let i = 0; i <= flags.length; i++) {
    const on = i < flags.length && flags[i];
    if (on && start < 0) start = i;
    if (!on && start >= 0) {
      out.push([start, i]);
      start = -1;
    }
  }
  return out;
}

/** One SVG path of rectangles, one per run, in a lane from y to y + h. */
export const runsPath = (runs: Run[], y: number, h: number) =>
  runs.map(([a, b]) => `M${a} ${y}h${b - a}v${h}h${a - b}z`).join('');

export function timelineData(summary: Summary, from: number, bucketSeconds: number, n: number): TimelineData {
  const counts = new Array<number>(n).fill(0);
  const pendingFlags = new Array<boolean>(n).fill(false);
  const byReceiver = new Map<string, boolean[]>();
  let pendingBuckets = 0;
  for (const b of summary.buckets) {
    const i = Math.floor((b.start - from) / bucketSeconds);
    if (i < 0 || i >= n) continue;
    counts[i] = b.records;
    if (b.pendingMerge > 0) {
      pendingFlags[i] = true;
      pendingBuckets++;
    }
    for (const [id, obs] of Object.entries(b.receivers)) {
      if (obs <= 0) continue;
      let flags = byReceiver.get(id);
      if (!flags) byReceiver.set(id, (flags = new Array<boolean>(n).fill(false)));
      flags[i] = true;
    }
  }
  const nodes = new Map<string, NodeGroup>();
  for (const id of Object.keys(summary.receivers).sort()) {
    const node = nodeOf(id);
    let g = nodes.get(node);
    if (!g) nodes.set(node, (g = { node, observations: 0, lanes: [], runs: [] }));
    const obs = summary.receivers[id] ?? 0;
    g.observations += obs;
    g.lanes.push({ id, observations: obs, runs: runsOf(byReceiver.get(id) ?? []) });
  }
  for (const g of nodes.values()) {
    const union = new Array<boolean>(n).fill(false);
    for (const lane of g.lanes) for (const [a, b] of lane.runs) for (let i = a; i < b; i++) union[i] = true;
    g.runs = runsOf(union);
  }
  const unrecorded: Run[] = summary.unrecorded
    .map(([a, b]): Run => [Math.max(0, (a - from) / bucketSeconds), Math.min(n, (b - from) / bucketSeconds)])
    .filter(([a, b]) => b > a);
  return {
    n,
    counts,
    max: Math.max(1, ...counts),
    groups: [...nodes.values()],
    unrecorded,
    pending: runsOf(pendingFlags),
    pendingBuckets,
  };
}

/** Buckets covered by whole hours (hour starts, Unix seconds), as runs clipped to the span. */
export function hourRuns(hours: number[], from: number, bucketSeconds: number, n: number): Run[] {
  const flags = new Array<boolean>(n).fill(false);
  for (const h of hours) {
    const a = Math.max(0, Math.floor((h - from) / bucketSeconds));
    const b = Math.min(n, Math.ceil((h + 3600 - from) / bucketSeconds));
    for (let i = a; i < b; i++) flags[i] = true;
  }
  return runsOf(flags);
}
