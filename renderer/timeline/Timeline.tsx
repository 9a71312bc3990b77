/**
 * Activity histogram and coverage lanes over the visible span, sharing one x axis.
 * Click a bucket to select it, drag to select several. The lanes are drawn from the
 * recorded spans to the second (the `coverage` API): one per node, expandable to one per
 * connection, history fills, holes nobody recorded in red across every lane, and what
 * still waits to be merged. Gaps and holes are marks wide enough to see and click at any
 * zoom; a list of them, biggest first, and next/previous buttons jump to each.
 */
import { useMemo, useRef, useState, type CSSProperties, type PointerEvent, type ReactNode } from 'react';
import type { Coverage, Interval, MergeStatus, ReceiverCoverage, Summary } from '../../app/service/contract.js';
import { DAY, HOUR, clock, count, isoDate, receiverLabel, secondsLabel, span, spanLabel, weekday } from '../format.js';
import type { Loaded } from '../hooks.js';
import { ErrorBox, Loading } from '../ui/states.js';
import { bucketSeconds, visible, zoomSpan, type View } from '../view-state.js';
import { hourRuns, runsPath, timelineData } from './lanes.js';
import { coverageLanes, gapList, placed, type GapEntry } from './coverage-lanes.js';

interface Props {
  view: View;
  summary: Loaded<Summary> & { reload: () => void };
  coverage: Coverage | null;
  merge: MergeStatus | null;
  /** Hours (their starts) whose files are still arriving through sync. */
  arriving?: number[];
  onSelect: (from: number, to: number) => void;
  onZoomDay: (day: number) => void;
  /** Show a gap, a hole or a recording's start: a history entry. */
  onShow: (from: number, to: number) => void;
  onStep: (what: 'gap' | 'recording', dir: -1 | 1) => void;
}

/** The spans of one lane as bars, positioned in % of the visible span. */
function Spans({
  list,
  from,
  to,
  title,
}: {
  list: Interval[];
  from: number;
  to: number;
  title?: (i: Interval) => string;
}) {
  return (
    <>
      {list.map((i) => {
        const p = placed(i, from, to);
        if (!p) return null;
        return (
          <span
            key={`${i.from}-${i.to}`}
            className="span-bar"
            style={{ left: `${p.left}%`, width: `${p.width}%` } as CSSProperties}
            title={title?.(i)}
          />
        );
      })}
    </>
  );
}

const gapWords = (g: GapEntry) =>
  `${g.node === null ? 'Hole, nobody recorded' : `${g.node} not recording`}: ${secondsLabel(g.from, g.to)}, ${span(g.to - g.from)}`;

/**
 * Gaps and holes as marks at least a few pixels wide, so a 20-second hole shows at a day's
 * or a week's zoom. Holes are buttons (a 24-pixel target centred on the hole) that show it;
 * a node's gaps are drawn on its lane and reached through the list and the gap buttons.
 */
function Marks({
  list,
  from,
  to,
  className,
  onShow,
}: {
  list: GapEntry[];
  from: number;
  to: number;
  className: string;
  onShow?: (from: number, to: number) => void;
}) {
  return (
    <>
      {list.map((g) => {
        const p = placed(g, from, to);
        if (!p) return null;
        const centre = `${p.left + p.width / 2}%`;
        const key = `${g.node}-${g.from}`;
        return (
          <span key={key} className={`mark ${className}`}>
            <span className="mark-fill" style={{ left: centre, width: `${p.width}%` }} title={gapWords(g)} />
            {onShow && (
              <button
                type="button"
                className="mark-target"
                style={{ left: centre, width: `max(24px, ${p.width}%)` }}
                aria-label={gapWords(g)}
                title={gapWords(g)}
                onClick={() => onShow(g.from, g.to)}
              />
            )}
          </span>
        );
      })}
    </>
  );
}

function receiverTitle(r: ReceiverCoverage): string {
  const how = r.source === 'lines' ? 'from its first and last exact line' : 'as its recorder wrote down';
  const end = r.reason ? `; ended: ${r.reason}` : '';
  return `${receiverLabel(r.receiver)} (${r.receiver}): ${spanLabel(r.from, r.to)} ${how}${end}`;
}

function Axis({
  view,
  n,
  onSelect,
  onZoomDay,
}: {
  view: View;
  n: number;
  onSelect: (from: number, to: number) => void;
  onZoomDay: (day: number) => void;
}) {
  const [from] = visible(view);
  const bs = bucketSeconds[view.zoom];
  const place = (t: number) => ({ '--x': ((t - from) / bs / n).toFixed(5) }) as CSSProperties;
  if (view.zoom === 'week') {
    // Day labels double as the way into a day.
    return (
      <div className="axis">
        {Array.from({ length: 7 }, (_, d) => from + d * DAY).map((t) => (
          <button
            key={t}
            type="button"
            className="tick tick-button"
            style={place(t)}
            aria-label={`Show ${weekday(t)} ${isoDate(t)}`}
            onClick={() => onZoomDay(t)}
          >
            {weekday(t)} {isoDate(t).slice(5)}
          </button>
        ))}
      </div>
    );
  }
  const step = view.zoom === 'day' ? HOUR : 5 * 60;
  const ticks = Array.from({ length: zoomSpan[view.zoom] / step }, (_, i) => from + i * step);
  if (view.zoom === 'day') {
    // Hour labels double as the way to list a whole hour.
    return (
      <div className="axis">
        {ticks.map((t) => (
          <button
            key={t}
            type="button"
            className="tick tick-button"
            style={place(t)}
            aria-label={`Select ${clock(t, false)}–${clock(t + HOUR, false)} UTC`}
            onClick={() => onSelect(t, t + HOUR)}
          >
            {clock(t, false).slice(0, 2)}
          </button>
        ))}
      </div>
    );
  }
  return (
    <div className="axis">
      {ticks.map((t) => (
        <span key={t} className="tick" style={place(t)}>
          {clock(t, false)}
        </span>
      ))}
    </div>
  );
}

export function Timeline({
  view,
  summary,
  coverage,
  merge,
  arriving = [],
  onSelect,
  onZoomDay,
  onShow,
  onStep,
}: Props) {
  const [from, to] = visible(view);
  const bs = bucketSeconds[view.zoom];
  const n = (to - from) / bs;
  const s = summary.value;
  const data = useMemo(
    () => (s && s.from === from && s.to === to ? timelineData(s, from, bs, n) : null),
    [s, from, to, bs, n],
  );
  const lanes = useMemo(() => (coverage ? coverageLanes(coverage) : null), [coverage]);
  const gaps = useMemo(() => (coverage ? gapList(coverage) : []), [coverage]);
  const holes: GapEntry[] = useMemo(
    () => (lanes ? lanes.holes.map((h) => ({ ...h, node: null, receivers: [] })) : []),
    [lanes],
  );
  const arrivingRuns = useMemo(() => hourRuns(arriving, from, bs, n), [arriving, from, bs, n]);
  const [hover, setHover] = useState<number | null>(null);
  const [drag, setDrag] = useState<[number, number] | null>(null);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [listOpen, setListOpen] = useState(false);
  const chartRef = useRef<HTMLDivElement>(null);

  const indexAt = (e: PointerEvent) => {
    const rect = chartRef.current!.getBoundingClientRect();
    return Math.max(0, Math.min(n - 1, Math.floor(((e.clientX - rect.left) / rect.width) * n)));
  };
  const onDown = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    const i = indexAt(e);
    setDrag([i, i]);
  };
  const onMove = (e: PointerEvent<HTMLDivElement>) => {
    const i = indexAt(e);
    setHover(i);
    if (drag) setDrag([drag[0], i]);
  };
  const onUp = (e: PointerEvent<HTMLDivElement>) => {
    if (!drag) return;
    const a = Math.min(drag[0], indexAt(e));
    const b = Math.max(drag[0], indexAt(e));
    setDrag(null);
    onSelect(from + a * bs, from + (b + 1) * bs);
  };

  const selBox = drag
    ? [Math.min(...drag), Math.max(...drag) + 1]
    : view.sel
      ? [(view.sel[0] - from) / bs, (view.sel[1] - from) / bs]
      : null;
  const readout = (() => {
    if (!data || !s) return '';
    const when = (t: number) =>
      view.zoom === 'week' ? `${weekday(t)} ${isoDate(t)} ${clock(t, false)}` : clock(t, false);
    let a: number;
    let b: number;
    if (hover !== null) [a, b] = [from + hover * bs, from + (hover + 1) * bs];
    else if (view.sel) [a, b] = view.sel;
    else return 'Click a bucket to list its messages, or drag across several.';
    // Counts are per bucket: describe whole buckets.
    a = Math.floor((a - from) / bs) * bs + from;
    b = Math.ceil((b - from) / bs) * bs + from;
    const inside = s.buckets.filter((x) => x.start < b && x.start + bs > a);
    const records = inside.reduce((n, x) => n + x.records, 0);
    const receivers = new Set(inside.flatMap((x) => Object.keys(x.receivers))).size;
    const pending = inside.some((x) => x.pendingMerge > 0);
    const missing = holes
      .filter((h) => h.from < b && h.to > a)
      .reduce((t, h) => t + Math.min(h.to, b) - Math.max(h.from, a), 0);
    const label = b - a <= bs ? `${when(a)} UTC` : `${when(a)}–${when(b)} UTC`;
    const hole = missing > 0 ? `, nobody recorded ${span(missing)} of it` : '';
    if (records === 0) return `${label}: no records${hole}`;
    return `${label}: ${count(records)} records, ${receivers} receiver${receivers === 1 ? '' : 's'}${pending ? ', some waiting to merge' : ''}${hole}`;
  })();

  const toggle = (node: string) =>
    setExpanded((old) => {
      const next = new Set(old);
      if (next.has(node)) next.delete(node);
      else next.add(node);
      return next;
    });

  const bars = data
    ? data.counts.map((c, i) => (c ? `M${i} 100v${(-c / data.max) * 96}h1v${(c / data.max) * 96}z` : '')).join('')
    : '';
  const holeBands = holes.map((h) => placed(h, from, to)).filter((p) => p !== null);

  return (
    <section className="timeline" aria-label="Timeline">
      {summary.state === 'error' && !data && (
        <ErrorBox error={summary.error} what="The timeline could not be loaded." onRetry={summary.reload} />
      )}
      {!data && summary.state === 'loading' && <Loading label="Loading the timeline…" />}
      {data && (
        <div className="timeline-grid">
          <div
            className="lane-label activity-label"
            title={`records per ${view.zoom === 'week' ? 'hour' : 'minute'}; the tallest bar is ${count(data.max)}`}
          >
            activity
            <br />
            <span className="muted">max {count(data.max)}</span>
          </div>
          <div
            ref={chartRef}
            className="activity"
            role="group"
            aria-label={`Activity per ${view.zoom === 'week' ? 'hour' : 'minute'}: click to select, drag to select a span`}
            onPointerDown={onDown}
            onPointerMove={onMove}
            onPointerUp={onUp}
            onPointerLeave={() => setHover(null)}
          >
            <svg viewBox={`0 0 ${n} 100`} preserveAspectRatio="none" aria-hidden="true">
              <path className="bars" d={bars} />
              {selBox && (
                <rect className="selection" x={selBox[0]} y={0} width={selBox[1]! - selBox[0]!} height={100} />
              )}
            </svg>
          </div>
          <div />
          <Axis view={view} n={n} onSelect={onSelect} onZoomDay={onZoomDay} />
          <div className="lane-label coverage-title">coverage</div>
          <div className="coverage-head">
            <span className="readout" aria-live="polite">
              {readout}
            </span>
            <span className="gap-nav" role="group" aria-label="Jump to gaps and recordings">
              <button type="button" aria-label="Previous gap" onClick={() => onStep('gap', -1)}>
                ‹ gap
              </button>
              <button type="button" aria-label="Next gap" onClick={() => onStep('gap', 1)}>
                gap ›
              </button>
              <button type="button" aria-label="Previous recording start" onClick={() => onStep('recording', -1)}>
                ‹ recording
              </button>
              <button type="button" aria-label="Next recording start" onClick={() => onStep('recording', 1)}>
                recording ›
              </button>
              <button type="button" aria-expanded={listOpen} onClick={() => setListOpen((o) => !o)}>
                Gaps ({count(gaps.length)})
              </button>
            </span>
          </div>
          {listOpen && (
            <>
              <div />
              <ol className="gap-list" aria-label="Gaps and holes, biggest first">
                {gaps.length === 0 && <li className="muted">No gaps: every node recorded without a break.</li>}
                {gaps.map((g) => (
                  <li key={`${g.node}-${g.from}`}>
                    <button
                      type="button"
                      className={g.node === null ? 'gap-item gap-hole' : 'gap-item'}
                      onClick={() => onShow(g.from, g.to)}
                    >
                      <span className="gap-len">{span(g.to - g.from)}</span>{' '}
                      {g.node === null ? 'nobody recorded' : g.node}{' '}
                      <span className="muted">{secondsLabel(g.from, g.to)}</span>
                    </button>
                  </li>
                ))}
              </ol>
            </>
          )}
          {lanes && lanes.nodes.length === 0 && (
            <>
              <div />
              <div className="muted">No receiver recorded anything in this channel.</div>
            </>
          )}
          {lanes?.nodes.map((g) => (
            <div key={g.node} className="lane-group" role="group" aria-label={`Node ${g.node}`}>
              <button
                type="button"
                className="lane-label node-toggle"
                aria-expanded={expanded.has(g.node)}
                aria-label={`${g.node}: ${g.receivers.length} connection${g.receivers.length === 1 ? '' : 's'}, ${g.gaps.length} gap${g.gaps.length === 1 ? '' : 's'}`}
                onClick={() => toggle(g.node)}
              >
                <span aria-hidden="true">{expanded.has(g.node) ? '▾' : '▸'}</span> {g.node}
                <span className="muted"> ×{g.receivers.length}</span>
              </button>
              <div className="lane lane-node">
                <Spans list={g.spans} from={from} to={to} />
                <Marks list={g.gaps.map((x) => ({ ...x, node: g.node }))} from={from} to={to} className="mark-gap" />
              </div>
              {expanded.has(g.node) &&
                g.receivers.map((r) => (
                  <LaneRow
                    key={r.receiver}
                    label={receiverLabel(r.receiver).slice(g.node.length + 1)}
                    title={receiverTitle(r)}
                  >
                    <Spans list={[r]} from={from} to={to} title={() => receiverTitle(r)} />
                  </LaneRow>
                ))}
            </div>
          ))}
          {lanes && lanes.history.length > 0 && (
            <LaneRow
              label="filled from history"
              title="lines fetched from the recent-messages service after a reconnect"
              className="lane-history"
            >
              <Spans
                list={lanes.history}
                from={from}
                to={to}
                title={(i) => `filled from history: ${spanLabel(i.from, i.to)}`}
              />
            </LaneRow>
          )}
          <LaneRow
            label="nobody recorded"
            title={`nobody recorded: ${holes.length} hole${holes.length === 1 ? '' : 's'} in this channel`}
            className="lane-holes"
          >
            <Marks list={holes} from={from} to={to} className="mark-hole" onShow={onShow} />
          </LaneRow>
          <LaneRow
            label="waiting to merge"
            title={`waiting to merge: ${data.pendingBuckets} ${view.zoom === 'week' ? 'hour' : 'minute'}${data.pendingBuckets === 1 ? '' : 's'}${merge?.running ? ' (merging now)' : ''}`}
            className="lane-pending"
          >
            <svg viewBox={`0 0 ${n} 10`} preserveAspectRatio="none" aria-hidden="true">
              <path d={runsPath(data.pending, 1, 8)} />
            </svg>
          </LaneRow>
          {arrivingRuns.length > 0 && (
            <LaneRow
              label="still arriving"
              title={`still arriving through sync: ${arriving.length} hour${arriving.length === 1 ? '' : 's'}`}
              className="lane-arriving"
            >
              <svg viewBox={`0 0 ${n} 10`} preserveAspectRatio="none" aria-hidden="true">
                <path d={runsPath(arrivingRuns, 1, 8)} />
              </svg>
            </LaneRow>
          )}
          <div className="hole-bands" aria-hidden="true">
            {holeBands.map((p) => (
              <span key={`${p!.left}`} className="hole-band" style={{ left: `${p!.left}%`, width: `${p!.width}%` }} />
            ))}
          </div>
        </div>
      )}
    </section>
  );
}

function LaneRow({
  label,
  title,
  className = '',
  children,
}: {
  label: string;
  title: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <>
      <div className="lane-label" title={title}>
        {label}
      </div>
      <div className={`lane ${className}`} role="group" aria-label={title}>
        {children}
      </div>
    </>
  );
}
