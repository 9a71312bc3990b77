/** The view's header: channel, date navigation and picker, zoom, and the panel buttons. */
import { isoDate, longDate, parseIsoDate, clock, weekday } from '../format.js';
import { visible, type View, type Zoom } from '../view-state.js';

interface Props {
  view: View;
  onStep: (dir: -1 | 1) => void;
  onDate: (day: number) => void;
  onZoom: (z: Zoom) => void;
  onImport: () => void;
  onRecord: () => void;
  /** Absent where this server has no sync. */
  onSync?: () => void;
  onSettings: () => void;
}

const ZOOMS: Array<[Zoom, string]> = [
  ['week', 'Week'],
  ['day', 'Day'],
  ['hour', 'Hour'],
];

function spanTitle(v: View): string {
  const [a, b] = visible(v);
  if (v.zoom === 'week') return `${weekday(a)} ${isoDate(a)} – ${weekday(b - 1)} ${isoDate(b - 1)}`;
  if (v.zoom === 'day') return longDate(a);
  return `${longDate(a)} ${clock(a, false)}–${clock(b, false)}`;
}

export function Toolbar({ view, onStep, onDate, onZoom, onImport, onRecord, onSync, onSettings }: Props) {
  const unit = view.zoom;
  return (
    <header className="toolbar">
      {view.channel && <h1 className="channel-title">#{view.channel}</h1>}
      {view.channel && (
        <div className="date-nav">
          <button type="button" className="icon-button" aria-label={`Previous ${unit}`} onClick={() => onStep(-1)}>
            ‹
          </button>
          <span className="span-title" aria-live="polite">
            {spanTitle(view)} <span className="muted">UTC</span>
          </span>
          <button type="button" className="icon-button" aria-label={`Next ${unit}`} onClick={() => onStep(1)}>
            ›
          </button>
          <input
            type="date"
            aria-label="Go to date"
            value={isoDate(view.sel?.[0] ?? view.anchor)}
            onChange={(e) => {
              const t = parseIsoDate(e.target.value);
              if (t !== null) onDate(t);
            }}
          />
          <div className="segmented" role="group" aria-label="Zoom">
            {ZOOMS.map(([z, label]) => (
              <button key={z} type="button" aria-pressed={view.zoom === z} onClick={() => onZoom(z)}>
                {label}
              </button>
            ))}
          </div>
        </div>
      )}
      <div className="toolbar-actions">
        <button type="button" onClick={onImport}>
          Import…
        </button>
        <button type="button" onClick={onRecord}>
          Record…
        </button>
        {onSync && (
          <button type="button" onClick={onSync}>
            Sync…
          </button>
        )}
        <button type="button" className="icon-button" aria-label="Settings" onClick={onSettings}>
          ⚙
        </button>
      </div>
    </header>
  );
}
