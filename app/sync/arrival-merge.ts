/**
 * Merging what arrived (the `sync run` loop): a batch of changed hours is normalized hour
 * by hour with the archive's own merge, relocated observations followed to their hours; a
 * full sweep is the archive's `mergeAll`. The merge is what makes nodes converge, and it
 * is safe under Syncthing because it only ever deletes inputs after writing a result that
 * holds all their observations (README, "Why deletions cannot lose data").
 */
import {
  MergeState,
  addHour,
  emptyMergeSummary,
  mergeAll,
  mergeHour,
  withChannelLock,
  type MergeSummary,
} from '../archive/merge.js';
import type { Arrivals } from './arrivals.js';

export async function mergeArrivals(segments: string, arrivals: Arrivals, signal?: AbortSignal): Promise<MergeSummary> {
  if (arrivals === 'all') return mergeAll(segments, { signal });
  const sum = emptyMergeSummary();
  const byChannel = new Map<string, Set<number>>();
  for (const a of arrivals) {
    let set = byChannel.get(a.channel);
    if (!set) byChannel.set(a.channel, (set = new Set()));
    set.add(a.hour);
  }
  const state = await MergeState.load(segments);
  try {
    for (const [channel, hours] of [...byChannel].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      await withChannelLock(segments, channel, async () => {
        let todo = [...hours].sort((a, b) => a - b);
        // Relocation moves observations into their own hour, which never relocates again: two rounds suffice.
        for (let round = 0; todo.length && round < 4; round++) {
          const next = new Set<number>();
          for (const hour of todo) {
            signal?.throwIfAborted();
            const r = await mergeHour(segments, channel, hour, { state, signal });
            addHour(sum, r);
            for (const h of r.relocatedTo) next.add(h);
          }
          todo = [...next].sort((a, b) => a - b);
        }
      });
    }
  } finally {
    await state.save();
  }
  return sum;
}
