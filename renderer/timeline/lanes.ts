/**
 * Summary buckets → what the activity chart draws: per-bucket counts and the runs still
 * waiting to be merged. Positions are bucket indexes from the start of the visible span.
 * (Coverage is drawn from exact spans: coverage-lanes.ts.)
 */
import type { Summary } from '../../app/service/contract.js';

export type Run = [start: number, end: number];

export interface TimelineData {
  n: number;
  counts: number[];
  max: number;
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
  let pendingBuckets = 0;
  for (const b of summary.buckets) {
    const i = Math.floor((b.start - from) / bucketSeconds);
    if (i < 0 || i >= n) continue;
    counts[i] = b.records;
    if (b.pendingMerge > 0) {
      pendingFlags[i] = true;
      pendingBuckets++;
    }
  }
  return { n, counts, max: Math.max(1, ...counts), pending: runsOf(pendingFlags), pendingBuckets };
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
