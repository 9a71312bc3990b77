/**
 * The `coverage` answer (exact spans, gaps and holes in seconds) → what the timeline
 * draws at any zoom, the gaps list, and next/previous recording and gap. Pure.
 */
import type { Coverage, Gap, Interval, ReceiverCoverage } from '../../app/service/contract.js';

export interface NodeLane {
  node: string;
  /** Union of the node's live receivers. */
  spans: Interval[];
  receivers: ReceiverCoverage[];
  gaps: Gap[];
}

export interface CoverageLanes {
  nodes: NodeLane[];
  history: ReceiverCoverage[];
  holes: Interval[];
}

function union(list: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const i of [...list].sort((a, b) => a.from - b.from)) {
    const last = out.at(-1);
    if (last && i.from <= last.to) last.to = Math.max(last.to, i.to);
    else out.push({ from: i.from, to: i.to });
  }
  return out;
}

export function coverageLanes(c: Coverage): CoverageLanes {
  const nodes = new Map<string, NodeLane>();
  const lane = (node: string) => {
    let l = nodes.get(node);
    if (!l) nodes.set(node, (l = { node, spans: [], receivers: [], gaps: c.nodes[node] ?? [] }));
    return l;
  };
  for (const node of Object.keys(c.nodes)) lane(node);
  const history: ReceiverCoverage[] = [];
  for (const r of c.receivers) {
    if (r.history) history.push(r);
    else lane(r.node).receivers.push(r);
  }
  for (const l of nodes.values()) {
    l.spans = union(l.receivers);
    l.receivers.sort((a, b) => a.from - b.from || (a.receiver < b.receiver ? -1 : 1));
  }
  return { nodes: [...nodes.values()].sort((a, b) => (a.node < b.node ? -1 : 1)), history, holes: c.holes };
}

export interface GapEntry extends Interval {
  /** null: a hole, nobody recorded. */
  node: string | null;
  receivers: string[];
}

/** Holes and every node's gaps, biggest first (ties: earliest first). */
export function gapList(c: Coverage): GapEntry[] {
  const out: GapEntry[] = c.holes.map((h) => ({ ...h, node: null, receivers: [] }));
  for (const [node, gaps] of Object.entries(c.nodes)) for (const g of gaps) out.push({ ...g, node });
  return out.sort((a, b) => b.to - b.from - (a.to - a.from) || a.from - b.from);
}

/** The next (dir 1) or previous (dir −1) interval start after/before `t`, from `starts`. */
function step(starts: number[], t: number, dir: -1 | 1): number | null {
  const sorted = [...new Set(starts)].sort((a, b) => a - b);
  if (dir > 0) return sorted.find((s) => s > t + 0.5) ?? null;
  return sorted.reverse().find((s) => s < t - 0.5) ?? null;
}

/** Where recording (re)starts after a hole, or begins at all. */
export function nextRecording(c: Coverage, t: number, dir: -1 | 1): number | null {
  const live = c.receivers.filter((r) => !r.history);
  if (live.length === 0) return null;
  const first = Math.min(...live.map((r) => r.from));
  return step([first, ...c.holes.map((h) => h.to)], t, dir);
}

/** The next/previous gap or hole, by its start. */
export function nextGap(c: Coverage, t: number, dir: -1 | 1): GapEntry | null {
  const all = gapList(c);
  const at = step(
    all.map((g) => g.from),
    t,
    dir,
  );
  return at === null
    ? null
    : (all.filter((g) => g.from === at).sort((a, b) => (a.node === null ? -1 : b.node === null ? 1 : 0))[0] ?? null);
}

/** Left and width in % of [from, to) for an interval, clipped; null when outside. */
export function placed(i: Interval, from: number, to: number): { left: number; width: number } | null {
  const a = Math.max(i.from, from);
  const b = Math.min(i.to, to);
  if (b < a || i.to < from || i.from > to) return null;
  return { left: ((a - from) / (to - from)) * 100, width: ((b - a) / (to - from)) * 100 };
}
