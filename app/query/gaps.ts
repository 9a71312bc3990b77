/**
 * Coverage to the second (issue 13): per node and per receiver the spans it was not
 * recording, and the archive's holes, where no node was. Pure: evidence in, spans out.
 *
 * A receiver id is one connection (SPEC §1), so a receiver covers one interval: from the
 * recorder's own record of it (connected … last sign of life, README "Coverage records")
 * where there is one, and from its first to its last line with an exact server time,
 * whichever reaches further — both are proof it was receiving. Lines with an estimated
 * time (JOIN/PART, NOTICE without a timestamp) prove nothing about when: they never extend
 * coverage. A node covers the union of its receivers, so the hand-over from one receiver
 * id to the next is a gap only where they do not meet. History fills (`<node>.<slug>.h<n>`)
 * are not recording: they are listed, but never close a gap or a hole.
 */

export interface Interval {
  from: number;
  to: number;
}

/** What the recorder wrote about a connection (a joined coverage record). */
export interface RecorderSpan {
  receiver: string;
  connected: number;
  last: number;
  reason: string | null;
}

export interface ReceiverCoverage extends Interval {
  receiver: string;
  node: string;
  /** Where the interval comes from: the recorder's record, exact lines, or both. */
  source: 'recorder' | 'lines' | 'both';
  /** A history fill, not a connection. */
  history: boolean;
  /** Why the connection ended, when the recorder wrote it down. */
  reason: string | null;
}

export interface Gap extends Interval {
  /** The node's receivers on either side of the gap: the one that ended, the one that began. */
  receivers: string[];
}

export interface CoverageReport {
  /** Receivers whose interval meets [from, to], whole (not clipped), sorted by start. */
  receivers: ReceiverCoverage[];
  /** node → its gaps within [from, to], in time order. */
  nodes: Record<string, Gap[]>;
  /** Where no node was recording, within [from, to], in time order. */
  holes: Interval[];
}

/** Shorter than this between two receivers of a node is two lines a moment apart, not a gap. */
export const MIN_GAP_SECONDS = 1;

export const nodeOfReceiver = (id: string) => id.split('.')[0] || id;
export const isHistoryReceiver = (id: string) => /\.h\d+$/.test(id);

/** Each receiver's interval from both kinds of evidence. */
export function receiverIntervals(
  exact: ReadonlyMap<string, readonly [number, number]>,
  spans: readonly RecorderSpan[],
): ReceiverCoverage[] {
  const out = new Map<string, ReceiverCoverage>();
  for (const [receiver, [first, last]] of exact) {
    out.set(receiver, {
      receiver,
      node: nodeOfReceiver(receiver),
      from: first,
      to: last,
      source: 'lines',
      history: isHistoryReceiver(receiver),
      reason: null,
    });
  }
  for (const s of spans) {
    const had = out.get(s.receiver);
    if (!had) {
      out.set(s.receiver, {
        receiver: s.receiver,
        node: nodeOfReceiver(s.receiver),
        from: s.connected,
        to: s.last,
        source: 'recorder',
        history: isHistoryReceiver(s.receiver),
        reason: s.reason,
      });
      continue;
    }
    had.from = Math.min(had.from, s.connected);
    had.to = Math.max(had.to, s.last);
    had.source = 'both';
    had.reason = s.reason;
  }
  return [...out.values()].sort((a, b) => a.from - b.from || a.to - b.to || (a.receiver < b.receiver ? -1 : 1));
}

/** Sorted, merged union of intervals, each run with the receivers that end it and begin it. */
function runs(list: readonly ReceiverCoverage[]): Array<Interval & { first: string[]; last: string[] }> {
  const out: Array<Interval & { first: string[]; last: string[] }> = [];
  for (const r of [...list].sort((a, b) => a.from - b.from || a.to - b.to)) {
    const cur = out.at(-1);
    if (cur && r.from <= cur.to + MIN_GAP_SECONDS) {
      if (r.to > cur.to) {
        cur.to = r.to;
        cur.last = [r.receiver];
      } else if (r.to === cur.to) cur.last.push(r.receiver);
      continue;
    }
    out.push({ from: r.from, to: r.to, first: [r.receiver], last: [r.receiver] });
  }
  return out;
}

const clip = (i: Interval, from: number, to: number): Interval | null => {
  const a = Math.max(i.from, from);
  const b = Math.min(i.to, to);
  return b > a ? { from: a, to: b } : null;
};

/** The spaces between runs, clipped to [from, to]. */
function between<T extends Interval & { first: string[]; last: string[] }>(
  rs: T[],
  from: number,
  to: number,
): Array<Interval & { before: string[]; after: string[] }> {
  const out: Array<Interval & { before: string[]; after: string[] }> = [];
  for (let i = 0; i + 1 < rs.length; i++) {
    const c = clip({ from: rs[i]!.to, to: rs[i + 1]!.from }, from, to);
    if (c) out.push({ ...c, before: rs[i]!.last, after: rs[i + 1]!.first });
  }
  return out;
}

/**
 * Gaps and holes within [from, to]. Before a node's first coverage and after its last it
 * was simply not recording yet or any more: not a gap. Likewise for holes and the archive.
 */
export function coverageReport(
  exact: ReadonlyMap<string, readonly [number, number]>,
  spans: readonly RecorderSpan[],
  from: number,
  to: number,
): CoverageReport {
  const all = receiverIntervals(exact, spans);
  const live = all.filter((r) => !r.history);
  const byNode = new Map<string, ReceiverCoverage[]>();
  for (const r of live) byNode.set(r.node, [...(byNode.get(r.node) ?? []), r]);
  const nodes: Record<string, Gap[]> = {};
  for (const node of [...byNode.keys()].sort()) {
    nodes[node] = between(runs(byNode.get(node)!), from, to).map((g) => ({
      from: g.from,
      to: g.to,
      receivers: [...new Set([...g.before, ...g.after])].sort(),
    }));
  }
  const holes = between(runs(live), from, to).map(({ from: a, to: b }) => ({ from: a, to: b }));
  // Lanes: everything that meets the range, nodes with nothing in it included only through their gaps.
  const receivers = all.filter((r) => r.to >= from && r.from <= to);
  for (const node of Object.keys(nodes))
    if (nodes[node]!.length === 0 && !receivers.some((r) => r.node === node)) delete nodes[node];
  return { receivers, nodes, holes };
}
