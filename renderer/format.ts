/** Display formats. Archive times are UTC (folder names are), so the viewer shows UTC too. */
import { receiverFidelity } from '../app/rules.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export const MINUTE = 60;
export const HOUR = 3600;
export const DAY = 86400;

export const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit;
/** Monday 00:00 UTC of the week holding `t` (1970-01-01 was a Thursday). */
export const weekStart = (t: number) => floorTo(t + 3 * DAY, 7 * DAY) - 3 * DAY;

/** `16:19:44.095` — milliseconds, because several lines share a second. */
export function clockMs(t: number): string {
  const d = new Date(Math.round(t * 1000));
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

export function clock(t: number, seconds = true): string {
  const d = new Date(Math.floor(t) * 1000);
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return seconds ? `${hm}:${pad(d.getUTCSeconds())}` : hm;
}

/** A record's time as shown in a row: exact with ms, or `start–end` in whole seconds. */
export function timeLabel(time: number, range: number): string {
  return range === 0 ? clockMs(time) : `${clock(time)}–${clock(time + range)}`;
}

/** `2024-01-06` (the value of an `<input type=date>`). */
export function isoDate(t: number): string {
  const d = new Date(t * 1000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function parseIsoDate(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isFinite(ms) && isoDate(ms / 1000) === s ? ms / 1000 : null;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Sat 6 Jan 2024` */
export function longDate(t: number): string {
  const d = new Date(t * 1000);
  return `${WEEKDAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

export const weekday = (t: number) => WEEKDAYS[new Date(t * 1000).getUTCDay()] ?? '';

/** `2024-01-06 16:19:44.095 UTC` */
export const fullTime = (t: number) => `${isoDate(t)} ${clockMs(t)} UTC`;

/** A span [from, to) for headings: `16:19–16:20`, or with dates when it crosses days. */
export function spanLabel(from: number, to: number): string {
  const sameDay = floorTo(from, DAY) === floorTo(to - 1, DAY);
  if (sameDay) return `${isoDate(from)} ${clock(from, false)}–${clock(to, false)} UTC`;
  return `${isoDate(from)} ${clock(from, false)} – ${isoDate(to)} ${clock(to, false)} UTC`;
}

const intl = new Intl.NumberFormat('en-US');
export const count = (n: number) => intl.format(n);

/** `12.3k`, for the narrow channel list. */
export function compact(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(n < 10_000_000 ? 1 : 0)}M`;
}

/** Receive delay relative to the record's time: `+0.18 s`, `+52 s`, `−0.20 s` (clock skew). */
export function delay(seconds: number): string {
  const sign = seconds < 0 ? '−' : '+';
  const a = Math.abs(seconds);
  if (a < 10) return `${sign}${a.toFixed(2)} s`;
  if (a < 120) return `${sign}${a.toFixed(0)} s`;
  return `${sign}${Math.floor(a / 60)} min ${pad(Math.round(a % 60))} s`;
}

/** Seconds as words: `180 s`, `10 min`, `2 h 5 min`. */
export function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** The node part of a receiver id (`alice-laptop.x7Kq2.0` → `alice-laptop`). */
export const nodeOf = (receiverId: string) => receiverId.split('.')[0] || receiverId;
/** The rest: `x7Kq2.0`. */
export const connectionOf = (receiverId: string) => receiverId.split('.').slice(1).join('.');

/** How times read in the message list: UTC (the archive's own), the viewer's local time, or an offset from a chosen start (VOD editors). */
export type TimeMode = 'utc' | 'local' | 'offset';
export interface TimeFormat {
  mode: TimeMode;
  /** Start of the offset mode, Unix seconds. */
  origin: number;
}
export const UTC_TIME: TimeFormat = { mode: 'utc', origin: 0 };

/** A clock reading in the chosen mode: `16:19:44.095`, `17:19:44.095` (local), `+1:02:03.095` (offset). */
export function clockIn(t: number, f: TimeFormat, ms = true): string {
  if (f.mode === 'utc') return ms ? clockMs(t) : clock(t);
  if (f.mode === 'local') {
    const d = new Date(ms ? Math.round(t * 1000) : Math.floor(t) * 1000);
    const s = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    return ms ? `${s}.${pad(d.getMilliseconds(), 3)}` : s;
  }
  const off = ms ? Math.round((t - f.origin) * 1000) : Math.floor(t - f.origin) * 1000;
  const a = Math.abs(off);
  const h = Math.floor(a / 3_600_000);
  const s = `${off < 0 ? '−' : '+'}${h}:${pad(Math.floor(a / 60_000) % 60)}:${pad(Math.floor(a / 1000) % 60)}`;
  return ms ? `${s}.${pad(a % 1000, 3)}` : s;
}

/** A record's time in the chosen mode: exact with ms, or `start–end`. */
export const timeLabelIn = (time: number, range: number, f: TimeFormat) =>
  range === 0 ? clockIn(time, f) : `${clockIn(time, f, false)}–${clockIn(time + range, f, false)}`;

/** The zone word after a time: `UTC`, `local`, or `from 16:00:00 UTC`. */
export const zoneWord = (f: TimeFormat) =>
  f.mode === 'utc' ? 'UTC' : f.mode === 'local' ? 'local time' : `after ${isoDate(f.origin)} ${clock(f.origin)} UTC`;

/**
 * A receiver in plain words: its node and connection number (`alice-laptop #3`), a history
 * fill as `alice-laptop history #0`; ids of other shapes as they are.
 */
export function receiverLabel(id: string): string {
  const parts = id.split('.');
  if (parts.length < 3) return id;
  const n = parts.at(-1)!;
  const h = /^h(\d+)$/.exec(n);
  return h ? `${parts[0]} history #${h[1]}` : `${parts[0]} #${n}`;
}

/** Seconds as a short length: `23 s`, `4 min 05 s`, `2 h 10 min`. */
export function span(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${pad(Math.round((s % 3600) / 60))} min`;
}

/** A span to the second: `2024-01-06 16:20:10–16:20:30 UTC` (dates on both sides when it crosses a day). */
export function secondsLabel(from: number, to: number): string {
  if (floorTo(from, DAY) === floorTo(to, DAY)) return `${isoDate(from)} ${clock(from)}–${clock(to)} UTC`;
  return `${isoDate(from)} ${clock(from)} – ${isoDate(to)} ${clock(to)} UTC`;
}

/** How a receiver held the line (README "Merge laws for reconstructions"), in words; null for a verbatim one. */
export function fidelityWords(receiverId: string): string | null {
  const f = receiverFidelity(receiverId);
  return f === 'rebuilt'
    ? 'rebuilt from another tool (its id and some fields, not the raw line)'
    : f === 'estimated'
      ? 'estimated from a log without ids (user, text and a time to the second)'
      : null;
}
