/**
 * Activity histogram and coverage lanes over the visible span, sharing one x axis.
 * Click a bucket to select it, drag to select several; the lanes show which receivers
 * contributed to each bucket, where nobody recorded, and what still waits to be merged.
 */
import { useMemo, useRef, useState, type CSSProperties, type PointerEvent } from 'react';
import type { MergeStatus, Summary } from '../../app/service/contract.js';
import { DAY, HOUR, clock, count, isoDate, weekday } from '../format.js';
import type { Loaded } from '../hooks.js';
import { ErrorBox, Loading } from '../ui/states.js';
import { bucketSeconds, visible, zoomSpan, type View } from '../view-state.js';
import { hourRuns, runsPath, timelineData, type NodeGroup, type Run } from './lanes.js';

interface Props {
  view: View;
  summary: Loaded<Summary> & { reload: () => void };
  merge: MergeStatus | null;
  /** Hours (their starts) whose files are still arriving through sync. */
  arriving?: number[];
  onSelect: (from: number, to: number) => void;
  onZoomDay: (day: number) => void;
}

const LANE_H = 10;

/** One lane's strip: its runs drawn over the whole visible span. */
function LaneBar({ runs, n, className, label }: { runs: Run[]; n: number; className: string; label: string }) {
  return (
    <svg
      className={`lane ${className}`}
      viewBox={`0 0 ${n} ${LANE_H}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
    >
      <rect className="lane-bg" x={0} y={0} width={n} height={LANE_H} />
      <path d={runsPath(runs, 1, LANE_H - 2)} />
    </svg>
  );
}

function Lane({
  label,
  title,
  runs,
  n,
  className,
}: {
  label: string;
  title: string;
  runs: Run[];
  n: number;
  className: string;
}) {
  return (
    <>
      <div className="lane-label" title={title}>
        {label}
      </div>
      <LaneBar runs={runs} n={n} className={className} label={title} />
    </>
  );
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

export function Timeline({ view, summary, merge, arriving = [], onSelect, onZoomDay }: Props) {
  const [from, to] = visible(view);
  const bs = bucketSeconds[view.zoom];
  const n = (to - from) / bs;
  const s = summary.value;
  const data = useMemo(
    () => (s && s.from === from && s.to === to ? timelineData(s, from, bs, n) : null),
    [s, from, to, bs, n],
  );
  const arrivingRuns = useMemo(() => hourRuns(arriving, from, bs, n), [arriving, from, bs, n]);
  const [hover, setHover] = useState<number | null>(null);
  const [drag, setDrag] = useState<[number, number] | null>(null);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
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
    const label = b - a <= bs ? `${when(a)} UTC` : `${when(a)}–${when(b)} UTC`;
    if (records === 0) return `${label}: no records`;
    return `${label}: ${count(records)} records, ${receivers} receiver${receivers === 1 ? '' : 's'}${pending ? ', some waiting to merge' : ''}`;
  })();

  const toggle = (g: NodeGroup) =>
    setExpanded((old) => {
      const next = new Set(old);
      if (next.has(g.node)) next.delete(g.node);
      else next.add(g.node);
      return next;
    });

  const bars = data
    ? data.counts.map((c, i) => (c ? `M${i} 100v${(-c / data.max) * 96}h1v${(c / data.max) * 96}z` : '')).join('')
    : '';

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
              <path className="unrecorded-band" d={runsPath(data.unrecorded, 0, 100)} />
              <path className="bars" d={bars} />
              {selBox && (
                <rect className="selection" x={selBox[0]} y={0} width={selBox[1]! - selBox[0]!} height={100} />
              )}
            </svg>
          </div>
          <div />
          <Axis view={view} n={n} onSelect={onSelect} onZoomDay={onZoomDay} />
          <div className="lane-label coverage-title">coverage</div>
          <div className="readout" aria-live="polite">
            {readout}
          </div>
          {data.groups.length === 0 && (
            <>
              <div />
              <div className="muted">No receiver recorded anything in this span.</div>
            </>
          )}
          {data.groups.map((g) => (
            <div key={g.node} className="lane-group" role="group" aria-label={`Node ${g.node}`}>
              <button
                type="button"
                className="lane-label node-toggle"
                aria-expanded={expanded.has(g.node)}
                aria-label={`${g.node}: ${g.lanes.length} receiver${g.lanes.length === 1 ? '' : 's'}, ${count(g.observations)} observations`}
                onClick={() => toggle(g)}
              >
                <span aria-hidden="true">{expanded.has(g.node) ? '▾' : '▸'}</span> {g.node}
                <span className="muted"> ×{g.lanes.length}</span>
              </button>
              <LaneBar runs={g.runs} n={n} className="lane-node" label={`coverage of ${g.node}`} />
              {expanded.has(g.node) &&
                g.lanes.map((lane) => (
                  <Lane
                    key={lane.id}
                    label={lane.id.slice(g.node.length + 1) || lane.id}
                    title={`${lane.id}: ${count(lane.observations)} observations`}
                    runs={lane.runs}
                    n={n}
                    className="lane-receiver"
                  />
                ))}
            </div>
          ))}
          <Lane
            label="nobody recorded"
            title={`nobody recorded: ${data.unrecorded.length} gap${data.unrecorded.length === 1 ? '' : 's'}`}
            runs={data.unrecorded}
            n={n}
            className="lane-unrecorded"
          />
          <Lane
            label="waiting to merge"
            title={`waiting to merge: ${data.pendingBuckets} ${view.zoom === 'week' ? 'hour' : 'minute'}${data.pendingBuckets === 1 ? '' : 's'}${merge?.running ? ' (merging now)' : ''}`}
            runs={data.pending}
            n={n}
            className="lane-pending"
          />
          {arrivingRuns.length > 0 && (
            <Lane
              label="still arriving"
              title={`still arriving through sync: ${arriving.length} hour${arriving.length === 1 ? '' : 's'}`}
              runs={arrivingRuns}
              n={n}
              className="lane-arriving"
            />
          )}
        </div>
      )}
    </section>
  );
}
