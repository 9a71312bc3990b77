/** The view's header: channel, date navigation and picker, zoom, and the panel buttons. */
import { isoDate, longDate, parseIsoDate, clock, weekday, type TimeMode } from '../format.js';
import type { Prefs } from '../prefs.js';
import { visible, type View, type Zoom } from '../view-state.js';

interface Props {
  view: View;
  prefs: Prefs;
  onPrefs: (p: Prefs) => void;
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

const TIME_MODES: Array<[TimeMode, string]> = [
  ['utc', 'UTC'],
  ['local', 'Local'],
  ['offset', 'Offset'],
];

/** `2024-01-06T16:20:00` for a datetime-local input holding a UTC time. */
const utcInput = (t: number) => new Date(Math.floor(t) * 1000).toISOString().slice(0, 19);

/** How the list reads: UTC, local or an offset (from a chosen start, for VOD editors), and one line per message. */
export function ReadingOptions({ view, prefs, onPrefs }: Pick<Props, 'view' | 'prefs' | 'onPrefs'>) {
  const time = prefs.time;
  return (
    <div className="reading" role="group" aria-label="Reading">
      <select
        aria-label="Times in"
        value={time.mode}
        onChange={(e) => {
          const mode = e.target.value as TimeMode;
          const origin = mode === 'offset' && time.origin === 0 ? (view.sel?.[0] ?? view.anchor) : time.origin;
          onPrefs({ ...prefs, time: { mode, origin } });
        }}
      >
        {TIME_MODES.map(([m, label]) => (
          <option key={m} value={m}>
            {label}
          </option>
        ))}
      </select>
      {time.mode === 'offset' && (
        <>
          <input
            type="datetime-local"
            step={1}
            aria-label="Offset start (UTC)"
            value={utcInput(time.origin)}
            onChange={(e) => {
              const t = Date.parse(`${e.target.value}Z`) / 1000;
              if (Number.isFinite(t)) onPrefs({ ...prefs, time: { ...time, origin: t } });
            }}
          />
          <button
            type="button"
            onClick={() => onPrefs({ ...prefs, time: { ...time, origin: view.sel?.[0] ?? view.anchor } })}
          >
            Start at selection
          </button>
        </>
      )}
      <label className="check">
        <input
          type="checkbox"
          checked={prefs.compact}
          onChange={(e) => onPrefs({ ...prefs, compact: e.target.checked })}
        />
        One line each
      </label>
    </div>
  );
}

export function Toolbar({
  view,
  onStep,
  onDate,
  onZoom,
  onImport,
  onRecord,
  onSync,
  onSettings,
}: Omit<Props, 'prefs' | 'onPrefs'>) {
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
