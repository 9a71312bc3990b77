/**
 * The arrival signal: Syncthing's event stream, turned into "these hours changed", debounced
 * per hour. Files that arrive together (a peer's merge replaces several minutes at once) are
 * handed over together once an hour has been quiet for `quietMs` (or after `maxWaitMs` for an
 * hour that keeps changing), and one batch at a time: arrivals during a batch wait for the
 * next one. `all` asks for a full sweep: at start, and when events may have been missed
 * (Syncthing's buffer ran over, or it was unreachable for a while).
 */
import { FOLDER_ID, hourOfPath } from './folder-config.js';
import type { SyncthingEvent, SyncthingRest } from './rest.js';

export interface HourKey {
  channel: string;
  hour: number;
}
export type Arrivals = HourKey[] | 'all';

export interface ArrivalOptions {
  quietMs?: number;
  maxWaitMs?: number;
  /** Called with each batch; the next batch waits until it settles. */
  onArrivals: (a: Arrivals) => Promise<void>;
  /** Syncthing could not be reached (it is retried); null once it answers again. */
  onError?: (message: string | null) => void;
}

/** Pulled items land in ItemFinished; local writes (a recorder, a merge) in LocalIndexUpdated after their scan. */
const TYPES = ['ItemFinished', 'LocalIndexUpdated'];
const POLL_S = 30;

/** Changed hours named by one event (paths outside `<channel>/chat/<hour>/` are not ours). */
export function hoursOfEvent(e: SyncthingEvent): HourKey[] {
  const d = e.data as { folder?: unknown; item?: unknown; filenames?: unknown } | null;
  if (!d || d.folder !== FOLDER_ID) return [];
  const paths =
    e.type === 'ItemFinished' && typeof d.item === 'string'
      ? [d.item]
      : e.type === 'LocalIndexUpdated' && Array.isArray(d.filenames)
        ? d.filenames.filter((f): f is string => typeof f === 'string')
        : [];
  const out: HourKey[] = [];
  for (const p of paths) {
    const h = hourOfPath(p);
    if (h) out.push(h);
  }
  return out;
}

export class ArrivalWatch {
  readonly #rest: SyncthingRest;
  readonly #o: Required<Omit<ArrivalOptions, 'onError'>> & Pick<ArrivalOptions, 'onError'>;
  readonly #abort = new AbortController();
  readonly #waiting = new Map<string, { key: HourKey; first: number; timer: NodeJS.Timeout }>();
  readonly #ready = new Map<string, HourKey>();
  #sweep = false;
  #busy: Promise<void> | null = null;
  #loop: Promise<void> | null = null;

  constructor(rest: SyncthingRest, o: ArrivalOptions) {
    this.#rest = rest;
    this.#o = { quietMs: 1500, maxWaitMs: 15_000, ...o };
  }

  /** Starts with a full sweep, then follows the event stream until `stop`. */
  start(): void {
    this.#sweep = true;
    this.#drain();
    this.#loop = this.#follow();
  }

  /** Stops following; waits for the batch under way. */
  async stop(): Promise<void> {
    this.#abort.abort();
    for (const w of this.#waiting.values()) clearTimeout(w.timer);
    this.#waiting.clear();
    await this.#loop?.catch(() => {});
    while (this.#busy) await this.#busy;
  }

  /** Marks hours as changed (events, or callers that know of changes of their own). */
  note(keys: HourKey[]): void {
    const now = Date.now();
    for (const key of keys) {
      const id = `${key.channel}/${key.hour}`;
      const w = this.#waiting.get(id);
      const first = w?.first ?? now;
      if (w) clearTimeout(w.timer);
      const wait = Math.max(0, Math.min(this.#o.quietMs, first + this.#o.maxWaitMs - now));
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        this.#ready.set(id, key);
        this.#drain();
      }, wait);
      this.#waiting.set(id, { key, first, timer });
    }
  }

  #drain(): void {
    if (this.#busy || this.#abort.signal.aborted) return;
    let batch: Arrivals;
    if (this.#sweep) {
      this.#sweep = false;
      this.#ready.clear();
      batch = 'all';
    } else if (this.#ready.size) {
      batch = [...this.#ready.values()];
      this.#ready.clear();
    } else return;
    this.#busy = this.#o
      .onArrivals(batch)
      .catch(() => {})
      .finally(() => {
        this.#busy = null;
        this.#drain();
      });
  }

  async #follow(): Promise<void> {
    const signal = this.#abort.signal;
    let since: number | null = null;
    let failing = false;
    while (!signal.aborted) {
      try {
        if (since === null) since = await this.#rest.latestEventId(TYPES);
        const events = await this.#rest.events(TYPES, since, POLL_S, signal);
        if (failing) {
          failing = false;
          this.#o.onError?.(null);
          // Whatever arrived while Syncthing could not be asked is found by a sweep.
          this.#sweep = true;
          this.#drain();
        }
        if (events.length && events[0]!.id > since + 1 && since > 0) {
          // Syncthing's event buffer ran over: some arrivals were not seen.
          this.#sweep = true;
          this.#drain();
        }
        for (const e of events) this.note(hoursOfEvent(e));
        if (events.length) since = events.at(-1)!.id;
      } catch (e) {
        if (signal.aborted) return;
        if (!failing) this.#o.onError?.((e as Error).message);
        failing = true;
        since = null;
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }
}
