/**
 * Generated recordings with known outages, for the gap rules: a channel's events (exact
 * chat lines and JOIN/PART with estimated times), several nodes whose connections drop,
 * come back after a while or hand over with overlap, and some holes every node was out
 * for. The truth (who was connected when) is known, so computed gaps can be held to it.
 */
import type { ChatRecord } from '../../app/archive/record.js';
import type { ConnectedSpan } from '../../app/archive/coverage.js';
import { rng } from './generate.js';

export interface Connection {
  receiver: string;
  /** Local = server time here (no skew): when it joined and when it was last receiving. */
  from: number;
  to: number;
  reason: string;
}

export interface GapScenario {
  channel: string;
  start: number;
  end: number;
  nodes: Array<{ name: string; connections: Connection[] }>;
  /** Windows every node was out for, by construction. */
  holes: Array<{ from: number; to: number }>;
  records: ChatRecord[];
}

const ms = (t: number) => Math.round(t * 1000) / 1000;

export interface ScenarioOptions {
  seed: number;
  nodes: number;
  minutes: number;
  /** Exact chat lines per second. */
  rate: number;
  start?: number;
}

/** Connections of a node: the `forced` outages (the holes) and its own, with handovers between. */
function connections(
  r: () => number,
  node: string,
  start: number,
  end: number,
  forced: Array<{ from: number; to: number }>,
): Connection[] {
  const outages = forced.map((h) => ({ from: h.from - r() * 20, to: h.to + r() * 20 }));
  for (let i = Math.floor(r() * 3); i > 0; i--) {
    const at = start + 60 + r() * (end - start - 180);
    outages.push({ from: at, to: at + 15 + r() * 100 });
  }
  outages.sort((a, b) => a.from - b.from);
  const merged: Array<{ from: number; to: number }> = [];
  for (const o of outages) {
    const last = merged.at(-1);
    if (last && o.from <= last.to + 30) last.to = Math.max(last.to, o.to);
    else merged.push({ ...o });
  }
  const slug = Math.floor(r() * 1e6).toString(36);
  const out: Connection[] = [];
  let n = 0;
  let from = start;
  const add = (to: number, reason: string) => out.push({ receiver: `${node}.${slug}.${n++}`, from, to, reason });
  for (const o of merged) {
    // Before the outage, maybe a server-asked handover: the successor joins before the old one ends.
    if (r() < 0.5 && o.from - from > 60) {
      const at = from + 20 + r() * (o.from - from - 40);
      const overlap = 1 + r() * 4;
      add(at + overlap, 'handed over to a new connection');
      from = at;
    }
    add(o.from, 'connection lost: the connection was cut');
    from = o.to;
  }
  add(end, 'recording stopped');
  return out.map((c) => ({ ...c, from: ms(c.from), to: ms(c.to) }));
}

export function gapScenario(o: ScenarioOptions): GapScenario {
  const r = rng(o.seed);
  const start = o.start ?? 1704556800;
  const end = start + o.minutes * 60;
  const holes: Array<{ from: number; to: number }> = [];
  for (let i = Math.floor(r() * 3); i > 0; i--) {
    const at = start + 120 + r() * (end - start - 300);
    const h = { from: ms(at), to: ms(at + 20 + r() * 60) };
    if (holes.every((x) => h.to < x.from - 120 || h.from > x.to + 120)) holes.push(h);
  }
  holes.sort((a, b) => a.from - b.from);
  const nodes = Array.from({ length: o.nodes }, (_, i) => {
    const name = `node${String.fromCharCode(97 + i)}`;
    return { name, connections: connections(r, name, start, end, holes) };
  });
  const records: ChatRecord[] = [];
  const conns = nodes.flatMap((n) => n.connections);
  let id = 0;
  for (let t = start + r() / o.rate; t < end; t += -Math.log(1 - r()) / o.rate) {
    const at = ms(t);
    const joinPart = r() < 0.1;
    const receivers: Record<string, number> = {};
    const ranges: Record<string, [number, number]> = {};
    for (const c of conns) {
      const arrival = ms(at + (joinPart ? 1 + r() * 29 : 0.05 + r() * 0.7));
      if (arrival < c.from || arrival > c.to) continue;
      receivers[c.receiver] = arrival;
      // SPEC §5: JOIN/PART are estimated, 45 s earlier and 55 s wide.
      ranges[c.receiver] = joinPart ? [ms(arrival - 50), 55] : [at, 0];
    }
    const ids = Object.keys(receivers);
    if (ids.length === 0) continue;
    const user = `user${id % 97}`;
    const base = joinPart
      ? { command: 'JOIN', params: ['#gapchan'], sender: user, user, host: `${user}.tmi.twitch.tv`, tags: null }
      : {
          command: 'PRIVMSG',
          params: ['#gapchan', `line ${id}`],
          sender: user,
          user,
          host: `${user}.tmi.twitch.tv`,
          tags: { id: `m${id}`, 'tmi-sent-ts': String(Math.round(at * 1000)) },
        };
    id++;
    const starts = ids.map((k) => ranges[k]![0]);
    const ends = ids.map((k) => ranges[k]![0] + ranges[k]![1]);
    const time = Math.max(...starts);
    records.push({
      ...base,
      time,
      time_range: ms(Math.max(0, Math.min(...ends) - time)),
      receivers,
      receiver_ranges: ranges,
    });
  }
  return { channel: 'gapchan', start, end, nodes, holes, records };
}

/** What the recorders would have written about these connections. */
export function scenarioSpans(s: GapScenario): ConnectedSpan[] {
  return s.nodes.flatMap((n) =>
    n.connections.map((c) => ({
      receiver: c.receiver,
      connected: c.from,
      last: c.to,
      disconnected: c.to,
      reason: c.reason,
    })),
  );
}

/** Receiver → [first, last] exact time it received, straight from the records. */
export function exactOf(records: readonly ChatRecord[]): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const rec of records)
    for (const [id, [t, len]] of Object.entries(rec.receiver_ranges)) {
      if (len !== 0) continue;
      const had = out.get(id);
      if (!had) out.set(id, [t, t]);
      else out.set(id, [Math.min(had[0], t), Math.max(had[1], t)]);
    }
  return out;
}

/** The complement of a union of intervals within its own extent. */
export function complement(list: Array<{ from: number; to: number }>): Array<{ from: number; to: number }> {
  const sorted = [...list].sort((a, b) => a.from - b.from);
  const out: Array<{ from: number; to: number }> = [];
  let end = sorted[0]?.to ?? 0;
  for (const i of sorted.slice(1)) {
    if (i.from > end) out.push({ from: end, to: i.from });
    end = Math.max(end, i.to);
  }
  return out;
}
