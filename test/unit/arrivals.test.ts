/**
 * The arrival signal on a scripted event stream: a sweep first, hours debounced (several
 * events for one hour become one hand-over after it is quiet, or after the longest wait for
 * an hour that keeps changing), one batch at a time, and a sweep when events were missed.
 */
import { describe, expect, it } from 'vitest';
import { ArrivalWatch, type Arrivals } from '../../app/sync/arrivals.js';
import { FOLDER_ID } from '../../app/sync/folder-config.js';
import type { SyncthingEvent, SyncthingRest } from '../../app/sync/rest.js';

const H = 1704556800;
const file = (hour: number, channel = 'nymn') =>
  `${channel}/chat/${new Date(hour * 1000).toISOString().slice(0, 13)}/00.00-x.json`;

/** Syncthing's long-poll, scripted: `push` makes events available to the waiting poll. */
function fakeSyncthing() {
  const events: SyncthingEvent[] = [];
  let wake: (() => void) | null = null;
  let nextId = 1;
  const rest = {
    latestEventId: async () => 0,
    events: async (_t: string[], since: number, _s: number, signal?: AbortSignal) => {
      for (;;) {
        const out = events.filter((e) => e.id > since);
        if (out.length) return out;
        if (signal?.aborted) throw new Error('aborted');
        await new Promise<void>((r) => {
          wake = r;
          signal?.addEventListener('abort', () => r(), { once: true });
        });
      }
    },
  };
  return {
    rest: rest as unknown as SyncthingRest,
    push(paths: string[], opts: { skip?: number } = {}) {
      nextId += opts.skip ?? 0;
      events.push({ id: nextId++, type: 'LocalIndexUpdated', data: { folder: FOLDER_ID, filenames: paths } });
      wake?.();
    },
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function watch(quietMs: number, maxWaitMs: number, handle: (a: Arrivals) => Promise<void> = async () => {}) {
  const st = fakeSyncthing();
  const batches: Arrivals[] = [];
  let running = 0;
  let overlapped = false;
  const w = new ArrivalWatch(st.rest, {
    quietMs,
    maxWaitMs,
    onArrivals: async (a) => {
      if (running++) overlapped = true;
      batches.push(a);
      await handle(a);
      running--;
    },
  });
  w.start();
  return { st, w, batches, overlapped: () => overlapped };
}

describe('the arrival signal', () => {
  it('sweeps first, then hands over each changed hour once it is quiet, several events as one', async () => {
    const { st, w, batches } = watch(80, 5000);
    await sleep(20);
    expect(batches).toEqual(['all']);
    st.push([file(H)]);
    await sleep(30);
    st.push([file(H), file(H + 3600, 'forsen')]);
    await sleep(30);
    st.push([file(H), 'not/ours', '.stfolder']);
    expect(batches).toHaveLength(1);
    await sleep(200);
    await w.stop();
    // Each hour once (an hour is handed over when it has been quiet: these two separately).
    const handed = batches.slice(1).flatMap((b) => (b === 'all' ? [] : b));
    expect(handed.sort((x, y) => x.hour - y.hour)).toEqual([
      { channel: 'nymn', hour: H },
      { channel: 'forsen', hour: H + 3600 },
    ]);
  });

  it('an hour that keeps changing is handed over after the longest wait', async () => {
    const { st, w, batches } = watch(100, 250);
    const t0 = Date.now();
    while (Date.now() - t0 < 600 && batches.length < 2) {
      st.push([file(H)]);
      await sleep(20);
    }
    await w.stop();
    expect(batches[1]).toEqual([{ channel: 'nymn', hour: H }]);
    expect(Date.now() - t0).toBeLessThan(600);
  });

  it('one batch at a time: arrivals during a slow merge wait for the next batch', async () => {
    const { st, w, batches, overlapped } = watch(10, 1000, () => sleep(150));
    await sleep(200);
    st.push([file(H)]);
    await sleep(60);
    // The batch of H is being merged now; this one waits for it.
    st.push([file(H + 3600)]);
    await sleep(600);
    await w.stop();
    expect(overlapped()).toBe(false);
    expect(batches).toEqual(['all', [{ channel: 'nymn', hour: H }], [{ channel: 'nymn', hour: H + 3600 }]]);
  });

  it('sweeps again when event ids jump (Syncthing dropped some)', async () => {
    const { st, w, batches } = watch(10, 1000);
    await sleep(20);
    st.push([file(H)]);
    await sleep(80);
    st.push([file(H + 3600)], { skip: 5 });
    await sleep(80);
    await w.stop();
    expect(batches.filter((b) => b === 'all')).toHaveLength(2);
  });
});
