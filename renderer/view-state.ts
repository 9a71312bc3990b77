/**
 * What the viewer shows: channel, zoom, the visible span and the selected span whose
 * messages are listed. Pure transitions here; the URL hash mirrors the state so a view
 * can be bookmarked and reloaded.
 */
import { DAY, HOUR, MINUTE, floorTo, weekStart } from './format.js';
import type { Resolution } from '../app/service/contract.js';
import { CHANNEL_NAME } from '../app/rules.js';

export type Zoom = 'week' | 'day' | 'hour';

export interface View {
  channel: string | null;
  zoom: Zoom;
  /** Start of the visible span. */
  anchor: number;
  /** Selected [from, to): the messages listed. */
  sel: [number, number] | null;
}

export const zoomSpan: Record<Zoom, number> = { week: 7 * DAY, day: DAY, hour: HOUR };
/** The summary bucket size for each zoom: hours across a week, minutes otherwise. */
export const zoomResolution: Record<Zoom, Resolution> = { week: 'hour', day: 'minute', hour: 'minute' };
export const bucketSeconds: Record<Zoom, number> = { week: HOUR, day: MINUTE, hour: MINUTE };

export function anchorFor(zoom: Zoom, t: number): number {
  if (zoom === 'week') return weekStart(t);
  return floorTo(t, zoomSpan[zoom]);
}

export const visible = (v: View): [number, number] => [v.anchor, v.anchor + zoomSpan[v.zoom]];

/** Opening a channel: the day of its last recorded minute, with that hour selected. */
export function openChannel(channel: string, last: number | null, now: number): View {
  const t = last ?? now;
  const hour = floorTo(t, HOUR);
  return { channel, zoom: 'day', anchor: anchorFor('day', t), sel: [hour, hour + HOUR] };
}

export function setZoom(v: View, zoom: Zoom): View {
  const focus = v.sel ? v.sel[0] : v.anchor;
  const anchor = anchorFor(zoom, focus);
  let sel = v.sel;
  // The hour view lists its whole hour unless a part of it is selected.
  if (zoom === 'hour' && !(sel && sel[0] >= anchor && sel[1] <= anchor + HOUR)) sel = [anchor, anchor + HOUR];
  return { ...v, zoom, anchor, sel };
}

/** Keeps the selection visible by moving the visible span with it. */
function follow(v: View, sel: [number, number]): View {
  const [a, b] = visible(v);
  if (sel[0] >= a && sel[0] < b) return { ...v, sel };
  return { ...v, sel, anchor: anchorFor(v.zoom, sel[0]) };
}

/** Arrow keys: the previous/next minute (a selected range collapses to its first minute). */
export function stepMinute(v: View, dir: -1 | 1): View {
  const from = v.sel ? floorTo(v.sel[0], MINUTE) + dir * MINUTE : v.anchor;
  return follow(v, [from, from + MINUTE]);
}

/** Page keys: the same span an hour earlier or later. */
export function stepHour(v: View, dir: -1 | 1): View {
  const sel: [number, number] = v.sel ? [v.sel[0] + dir * HOUR, v.sel[1] + dir * HOUR] : [v.anchor, v.anchor + HOUR];
  return follow(v, sel);
}

/** The `<` and `>` buttons: the previous/next week, day or hour, keeping the selection's place in it. */
export function stepSpan(v: View, dir: -1 | 1): View {
  const d = dir * zoomSpan[v.zoom];
  const anchor = anchorFor(v.zoom, v.anchor + d);
  const shift = anchor - v.anchor;
  return { ...v, anchor, sel: v.sel ? [v.sel[0] + shift, v.sel[1] + shift] : null };
}

export function goToDay(v: View, day: number): View {
  const anchor = anchorFor(v.zoom, day);
  const timeOfDay = v.sel ? v.sel[0] - floorTo(v.sel[0], DAY) : 0;
  const len = v.sel ? v.sel[1] - v.sel[0] : HOUR;
  const from = floorTo(day, DAY) + timeOfDay;
  return { ...v, anchor, sel: [from, from + len] };
}

export function select(v: View, from: number, to: number): View {
  return { ...v, sel: [Math.min(from, to), Math.max(from, to)] };
}

const ZOOMS: Zoom[] = ['week', 'day', 'hour'];

/** `#nymn/day/1704499200/1704557940-1704558000` */
export function toHash(v: View): string {
  if (!v.channel) return '';
  const sel = v.sel ? `/${v.sel[0]}-${v.sel[1]}` : '';
  return `#${v.channel}/${v.zoom}/${v.anchor}${sel}`;
}

const VIEW_HASH = new RegExp(`^#(${CHANNEL_NAME})/(week|day|hour)/(\\d{1,12})(?:/(\\d{1,12})-(\\d{1,12}))?$`);

export function fromHash(hash: string): View | null {
  const m = VIEW_HASH.exec(hash);
  if (!m) return null;
  const zoom = m[2] as Zoom;
  if (!ZOOMS.includes(zoom)) return null;
  const anchor = anchorFor(zoom, Number(m[3]));
  const sel: [number, number] | null =
    m[4] && m[5] && Number(m[5]) > Number(m[4]) ? [Number(m[4]), Number(m[5])] : null;
  return { channel: m[1]!, zoom, anchor, sel };
}
