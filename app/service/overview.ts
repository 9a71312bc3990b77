/** Overview queries over the in-memory index: pure aggregation, no disk access. */
import type { Bucket, ChannelInfo, Resolution, Summary } from './contract.js';
import { lowerBound, type ChannelIndex } from './index-cache.js';

export const BUCKET_SECONDS: Record<Resolution, number> = { minute: 60, hour: 3600, day: 86400 };
/** More buckets than any screen shows; guards against a hostile or mistaken range. */
export const MAX_BUCKETS = 100_000;

export function channelInfo(channel: string, ci: ChannelIndex | undefined): ChannelInfo {
  const minutes = ci?.minutes ?? [];
  let records = 0;
  if (ci) for (const files of ci.byMinute.values()) for (const f of files) records += f.summary.records;
  return { channel, records, first: minutes[0] ?? null, last: minutes.at(-1) ?? null };
}

const add = (into: Record<string, number>, from: Record<string, number>) => {
  for (const k in from) into[k] = (into[k] ?? 0) + from[k]!;
};

/** Buckets of [from, to), aligned to UTC minutes, hours or days. */
export function summarize(
  channel: string,
  ci: ChannelIndex | undefined,
  from: number,
  to: number,
  resolution: Resolution,
): { ok: true; summary: Summary } | { ok: false; message: string } {
  const size = BUCKET_SECONDS[resolution];
  const first = Math.floor(from / size) * size;
  const count = to > from ? Math.ceil((to - first) / size) : 0;
  if (count > MAX_BUCKETS)
    return {
      ok: false,
      message: `${count} ${resolution} buckets asked for; at most ${MAX_BUCKETS}: choose a coarser resolution`,
    };
  const buckets: Bucket[] = Array.from({ length: count }, (_, i) => ({
    start: first + i * size,
    records: 0,
    byCommand: {},
    receivers: {},
    pendingMerge: 0,
    recorded: false,
  }));
  const receivers: Record<string, number> = {};
  const minutes = ci?.minutes ?? [];
  const lo = lowerBound(minutes, Math.floor(from / 60) * 60);
  for (let i = lo; i < minutes.length && minutes[i]! < to; i++) {
    const m = minutes[i]!;
    const b = buckets[Math.floor((m - first) / size)];
    const files = ci!.byMinute.get(m)!;
    if (!b) continue;
    b.recorded = true;
    if (files.length > 1) b.pendingMerge++;
    for (const f of files) {
      b.records += f.summary.records;
      add(b.byCommand, f.summary.byCommand);
      add(b.receivers, f.summary.receivers);
    }
  }
  for (const b of buckets) add(receivers, b.receivers);
  const sortedReceivers: Record<string, number> = {};
  for (const id of Object.keys(receivers).sort()) sortedReceivers[id] = receivers[id]!;
  return {
    ok: true,
    summary: {
      channel,
      from,
      to,
      resolution,
      buckets,
      receivers: sortedReceivers,
      unrecorded: unrecordedRuns(minutes, from, to),
    },
  };
}

/**
 * [start, end) runs of minutes without any batch file that lie between two recorded
 * minutes of the channel, clipped to [from, to). Before the first and after the last
 * recording nothing is "missing": the channel was simply not being recorded yet.
 */
export function unrecordedRuns(sortedMinutes: readonly number[], from: number, to: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  // Start one recorded minute before the range so a gap reaching into it is found.
  let i = Math.max(0, lowerBound(sortedMinutes, Math.floor(from / 60) * 60) - 1);
  for (; i + 1 < sortedMinutes.length; i++) {
    const a = sortedMinutes[i]!;
    const b = sortedMinutes[i + 1]!;
    if (a >= to) break;
    if (b - a <= 60) continue;
    const start = Math.max(a + 60, Math.ceil(from / 60) * 60);
    const end = Math.min(b, to);
    if (start < end) runs.push([start, end]);
  }
  return runs;
}
