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
  /** The selected record, for permalinks: its time and `id:<message id>` or `key:<record key>`. */
  focus: Focus | null;
  /** The list's filters (kind, user, text); part of the link, so Back returns to a search. */
  filter?: ViewFilter;
  /** The filters search the whole channel, not only the selected span. */
  all?: boolean;
}

export interface ViewFilter {
  kind: string;
  user: string;
  text: string;
}

export interface Focus {
  time: number;
  ref: string;
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

/**
 * Opening a channel: the narrowest zoom that shows all of its data (an hour, a day, a
 * week), else the week of its last minute; the last recorded hour selected.
 */
export function openChannel(channel: string, first: number | null, last: number | null, now: number): View {
  const end = (last ?? now) + MINUTE;
  const start = first ?? end - MINUTE;
  let zoom: Zoom = 'week';
  let anchor = anchorFor('week', end - MINUTE);
  for (const z of ['hour', 'day', 'week'] as const) {
    const a = anchorFor(z, start);
    if (end <= a + zoomSpan[z]) {
      zoom = z;
      anchor = a;
      break;
    }
  }
  const hour = floorTo(end - MINUTE, HOUR);
  return { channel, zoom, anchor, sel: [hour, hour + HOUR], focus: null };
}

/** A span to look at (a gap, a search hit): its minutes and one on either side, zoomed to show them. */
export function showSpan(v: View, from: number, to: number): View {
  const a = floorTo(from, MINUTE) - MINUTE;
  const b = Math.ceil(to / MINUTE) * MINUTE + MINUTE;
  const zoom: Zoom = b - floorTo(a, HOUR) <= HOUR ? 'hour' : b - floorTo(a, DAY) <= DAY ? 'day' : 'week';
  return { ...v, zoom, anchor: anchorFor(zoom, a), sel: [a, b], focus: null };
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
  if (sel[0] >= a && sel[0] < b) return { ...v, sel, focus: null };
  return { ...v, sel, focus: null, anchor: anchorFor(v.zoom, sel[0]) };
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
  return { ...v, anchor, sel: v.sel ? [v.sel[0] + shift, v.sel[1] + shift] : null, focus: null };
}

export function goToDay(v: View, day: number): View {
  const anchor = anchorFor(v.zoom, day);
  const timeOfDay = v.sel ? v.sel[0] - floorTo(v.sel[0], DAY) : 0;
  const len = v.sel ? v.sel[1] - v.sel[0] : HOUR;
  const from = floorTo(day, DAY) + timeOfDay;
  return { ...v, anchor, sel: [from, from + len], focus: null };
}

export function select(v: View, from: number, to: number): View {
  return { ...v, sel: [Math.min(from, to), Math.max(from, to)], focus: null };
}

const ZOOMS: Zoom[] = ['week', 'day', 'hour'];
const NUM = '\\d{1,12}(?:\\.\\d{1,6})?';

/**
 * The URL of a view (issue 10's permalinks): `#/c/<channel>[/<from>-<to>][/<time>/<ref>][?z=<zoom>&a=<anchor>]`.
 * `<ref>` is a message id, or `k:<record key>` for a record without one; zoom and anchor
 * are written only where they differ from what the selection implies.
 */
export function toHash(v: View): string {
  if (!v.channel) return '';
  let h = `#/c/${v.channel}`;
  if (v.sel) h += `/${v.sel[0]}-${v.sel[1]}`;
  if (v.focus) {
    const ref = v.focus.ref.startsWith('id:') ? v.focus.ref.slice(3) : `k:${v.focus.ref.slice(4)}`;
    h += `/${v.focus.time}/${encodeURIComponent(ref)}`;
  }
  const implied = impliedView(v.channel, v.sel, v.focus);
  const q = new URLSearchParams();
  if (v.zoom !== implied.zoom) q.set('z', v.zoom);
  if (v.anchor !== anchorFor(v.zoom, (v.sel ?? [implied.anchor])[0])) q.set('a', String(v.anchor));
  if (v.filter?.kind) q.set('k', v.filter.kind);
  if (v.filter?.user) q.set('u', v.filter.user);
  if (v.filter?.text) q.set('t', v.filter.text);
  if (v.all) q.set('all', '1');
  const query = q.toString();
  return query ? `${h}?${query}` : h;
}

/** Zoom and anchor a link without them means: the day of its selection (or record). */
function impliedView(channel: string, sel: [number, number] | null, focus: Focus | null): View {
  const t = sel?.[0] ?? focus?.time ?? 0;
  return { channel, zoom: 'day', anchor: anchorFor('day', t), sel, focus };
}

const LINK = new RegExp(
  `^#/c/(${CHANNEL_NAME})(?:/(${NUM})-(${NUM}))?(?:/(${NUM})/([^/?]{1,300}))?(?:\\?([^#]{0,1500}))?$`,
);
/** The form before permalinks: `#nymn/day/1704499200/1704557940-1704558000`, still read. */
const OLD_HASH = new RegExp(`^#(${CHANNEL_NAME})/(week|day|hour)/(\\d{1,12})(?:/(\\d{1,12})-(\\d{1,12}))?$`);

export function fromHash(hash: string): View | null {
  const old = OLD_HASH.exec(hash);
  if (old) {
    const zoom = old[2] as Zoom;
    const anchor = anchorFor(zoom, Number(old[3]));
    const sel: [number, number] | null =
      old[4] && old[5] && Number(old[5]) > Number(old[4]) ? [Number(old[4]), Number(old[5])] : null;
    return { channel: old[1]!, zoom, anchor, sel, focus: null };
  }
  const m = LINK.exec(hash);
  if (!m) return null;
  let sel: [number, number] | null = m[2] && m[3] && Number(m[3]) > Number(m[2]) ? [Number(m[2]), Number(m[3])] : null;
  let focus: Focus | null = null;
  if (m[4] && m[5]) {
    let ref: string;
    try {
      ref = decodeURIComponent(m[5]);
    } catch {
      return null;
    }
    focus = { time: Number(m[4]), ref: ref.startsWith('k:') ? `key:${ref.slice(2)}` : `id:${ref}` };
    // A record link alone lists the record's minute.
    sel ??= [floorTo(focus.time, MINUTE), floorTo(focus.time, MINUTE) + MINUTE];
  }
  const v = impliedView(m[1]!, sel, focus);
  const q = new URLSearchParams(m[6] ?? '');
  const z = q.get('z') as Zoom | null;
  if (z && ZOOMS.includes(z)) {
    v.zoom = z;
    v.anchor = anchorFor(z, (sel ?? [v.anchor])[0]);
  }
  const a = Number(q.get('a'));
  if (q.has('a') && Number.isFinite(a) && a >= 0) v.anchor = anchorFor(v.zoom, a);
  const filter = {
    kind: q.get('k') ?? '',
    user: (q.get('u') ?? '').slice(0, 64),
    text: (q.get('t') ?? '').slice(0, 500),
  };
  if (filter.kind || filter.user || filter.text) v.filter = filter;
  if (q.get('all') === '1') v.all = true;
  return v;
}
