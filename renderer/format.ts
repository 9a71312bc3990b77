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

/** How a receiver held the line (README "Merge laws for reconstructions"), in words; null for a verbatim one. */
export function fidelityWords(receiverId: string): string | null {
  const f = receiverFidelity(receiverId);
  return f === 'rebuilt'
    ? 'rebuilt from another tool (its id and some fields, not the raw line)'
    : f === 'estimated'
      ? 'estimated from a log without ids (user, text and a time to the second)'
      : null;
}
