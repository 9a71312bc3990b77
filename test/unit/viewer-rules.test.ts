/** The viewer's pure rules: time labels, view transitions, moderation links, coverage runs, badges. */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import type { ChatRecord } from '../../app/archive/record.js';
import type { Coverage, Summary } from '../../app/service/contract.js';
import { coverageLanes, gapList, nextGap, nextRecording, placed } from '../../renderer/timeline/coverage-lanes.js';
import {
  clockMs,
  delay,
  isoDate,
  parseIsoDate,
  receiverLabel,
  timeLabel,
  weekStart,
  DAY,
} from '../../renderer/format.js';
import {
  anchorFor,
  fromHash,
  openChannel,
  showSpan,
  setZoom,
  stepHour,
  stepMinute,
  stepSpan,
  toHash,
  visible,
  type View,
} from '../../renderer/view-state.js';
import { indexModeration, removedBy } from '../../renderer/messages/moderation.js';
import { badges, recordText, senderName } from '../../renderer/messages/describe.js';
import { runsOf, timelineData } from '../../renderer/timeline/lanes.js';
import { userColor } from '../../renderer/messages/user-color.js';

const T = 1704558154.585; // 2024-01-06 16:22:34.585 UTC

function rec(partial: Partial<ChatRecord>): ChatRecord {
  return {
    command: 'PRIVMSG',
    params: ['#nymn', 'hi'],
    sender: 'u',
    user: 'u',
    host: 'u.tmi.twitch.tv',
    tags: null,
    time: T,
    time_range: 0,
    receivers: { 'a.b.0': T },
    receiver_ranges: { 'a.b.0': [T, 0] },
    ...partial,
  };
}

describe('format', () => {
  test('exact times show milliseconds, ranges show start–end', () => {
    expect(clockMs(T)).toBe('16:22:34.585');
    expect(timeLabel(T, 0)).toBe('16:22:34.585');
    expect(timeLabel(1704558010, 45)).toBe('16:20:10–16:20:55');
    expect(delay(0.184)).toBe('+0.18 s');
    expect(delay(-0.2)).toBe('−0.20 s');
    expect(delay(49.4)).toBe('+49 s');
  });
  test('weeks start on Monday; date strings round-trip', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 250_000_000_000 }), (t) => {
        const w = weekStart(t);
        expect(new Date(w * 1000).getUTCDay()).toBe(1);
        expect(t - w).toBeGreaterThanOrEqual(0);
        expect(t - w).toBeLessThan(7 * DAY);
        expect(parseIsoDate(isoDate(t))).toBe(Math.floor(t / DAY) * DAY);
      }),
    );
    expect(parseIsoDate('2024-02-30')).toBeNull();
  });
});

describe('view state', () => {
  const day = 1704499200;
  const v: View = {
    channel: 'nymn',
    zoom: 'day',
    anchor: day,
    sel: [day + 16 * 3600 + 20 * 60, day + 16 * 3600 + 21 * 60],
    focus: null,
  };
  test('arrows move by a minute, page keys by an hour, and the visible span follows', () => {
    expect(stepMinute(v, 1).sel).toEqual([v.sel![0] + 60, v.sel![0] + 120]);
    expect(stepHour(v, -1).sel).toEqual([v.sel![0] - 3600, v.sel![1] - 3600]);
    const late: View = { ...v, sel: [day + DAY - 60, day + DAY] };
    const next = stepMinute(late, 1);
    expect(next.anchor).toBe(day + DAY);
    expect(visible(next)[0]).toBeLessThanOrEqual(next.sel![0]);
  });
  test('zooming to an hour lists that hour; stepping keeps the selection’s place', () => {
    const h = setZoom(v, 'hour');
    expect(h.anchor).toBe(day + 16 * 3600);
    expect(h.sel).toEqual(v.sel);
    const wide = setZoom({ ...v, sel: [day, day + DAY] }, 'hour');
    expect(wide.sel).toEqual([day, day + 3600]);
    expect(stepSpan(v, 1).sel).toEqual([v.sel![0] + DAY, v.sel![1] + DAY]);
    expect(anchorFor('week', day)).toBe(day - 5 * DAY); // Sat 6 Jan → Mon 1 Jan
  });
  test('the hash round-trips (permalinks to a range or a record) and rejects junk; the old form is read', () => {
    expect(toHash(v)).toBe(`#/c/nymn/${v.sel![0]}-${v.sel![1]}`);
    expect(fromHash(toHash(v))).toEqual(v);
    const rec: View = { ...v, focus: { time: v.sel![0] + 4.095, ref: 'id:33445373-4dcf-46a5' } };
    expect(toHash(rec)).toBe(`#/c/nymn/${v.sel![0]}-${v.sel![1]}/${v.sel![0] + 4.095}/33445373-4dcf-46a5`);
    expect(fromHash(toHash(rec))).toEqual(rec);
    const keyed: View = {
      ...v,
      zoom: 'hour',
      anchor: day + 16 * 3600,
      focus: { time: 5, ref: 'key:2024-01-06T16/20.00-x.json#3' },
    };
    expect(fromHash(toHash(keyed))).toEqual(keyed);
    // Filters and the whole-channel scope are part of the link (Back returns to a search).
    const searched: View = { ...v, filter: { kind: 'messages', user: 'e7om', text: 'a b&c=d #😂?' }, all: true };
    expect(fromHash(toHash(searched))).toEqual(searched);
    const week = setZoom(v, 'week');
    expect(fromHash(toHash(week))).toEqual(week);
    // Issue 10's record link alone: the record's minute, on its day.
    expect(fromHash(`#/c/nymn/${day + 100.5}/abc`)).toEqual({
      channel: 'nymn',
      zoom: 'day',
      anchor: day,
      sel: [day + 60, day + 120],
      focus: { time: day + 100.5, ref: 'id:abc' },
    });
    expect(fromHash(`#nymn/day/${day}/${v.sel![0]}-${v.sel![1]}`)).toEqual(v);
    expect(fromHash('#NYMN/day/1')).toBeNull();
    expect(fromHash('#nymn/year/1')).toBeNull();
    expect(fromHash('#/c/nymn/1/%E0%A4%A')).toBeNull();
    fc.assert(
      fc.property(fc.string(), (junk) => {
        const parsed = fromHash('#' + junk);
        if (parsed) expect(parsed.channel).toMatch(/^[a-z0-9_]{1,25}$/);
      }),
    );
  });
  test('a channel opens at the zoom that fits its data; a gap is shown with a minute around it', () => {
    expect(openChannel('c', day + 60, day + 1800, 0)).toMatchObject({ zoom: 'hour', anchor: day });
    expect(openChannel('c', day + 60, day + 5 * 3600, 0)).toMatchObject({ zoom: 'day', anchor: day });
    expect(openChannel('c', day - 3600, day + 5 * 3600, 0)).toMatchObject({ zoom: 'week' });
    expect(openChannel('c', day, day + 30 * DAY, 0)).toMatchObject({
      zoom: 'week',
      anchor: anchorFor('week', day + 30 * DAY),
    });
    const g = showSpan(v, day + 16 * 3600 + 41 * 60 + 2, day + 16 * 3600 + 41 * 60 + 25);
    expect(g).toMatchObject({
      zoom: 'hour',
      anchor: day + 16 * 3600,
      sel: [day + 16 * 3600 + 40 * 60, day + 16 * 3600 + 43 * 60],
    });
  });
});

describe('moderation', () => {
  const clear = {
    key: 'c',
    record: rec({
      command: 'CLEARCHAT',
      params: ['#nymn', 'e7om'],
      sender: 'tmi.twitch.tv',
      user: null,
      tags: { 'ban-duration': '180' },
      time: T,
    }),
  };
  const del = {
    key: 'd',
    record: rec({
      command: 'CLEARMSG',
      params: ['#nymn', 'bad words'],
      tags: { login: 'x', 'target-msg-id': 'm1' },
      time: T,
    }),
  };
  const index = indexModeration([clear, del]);
  test('a CLEARCHAT removes the user’s earlier messages only', () => {
    expect(removedBy(index, rec({ user: 'e7om', time: T - 100 }))?.key).toBe('c');
    expect(removedBy(index, rec({ user: 'e7om', time: T + 1 }))).toBeNull();
    expect(removedBy(index, rec({ user: 'someone', time: T - 1 }))).toBeNull();
    expect(removedBy(index, rec({ command: 'JOIN', user: 'e7om', time: T - 1 }))).toBeNull();
    expect(index.byKey.get('c')?.seconds).toBe(180);
  });
  test('a CLEARMSG removes the message with its id', () => {
    expect(removedBy(index, rec({ user: 'x', tags: { id: 'm1' }, time: T - 5 }))?.key).toBe('d');
    expect(removedBy(index, rec({ user: 'x', tags: { id: 'm2' }, time: T - 5 }))).toBeNull();
  });
  test('texts describe the event', () => {
    expect(recordText(clear.record)).toBe('e7om timed out for 3 min');
    expect(recordText(rec({ command: 'CLEARCHAT', params: ['#nymn'] }))).toBe('chat cleared by a moderator');
    expect(recordText(rec({ params: ['#nymn', '\x01ACTION waves\x01'] }))).toBe('waves');
  });
});

describe('senders', () => {
  test('badges become words, with sub months from badge-info', () => {
    const r = rec({
      tags: { badges: 'moderator/1,subscriber/36,no_audio/1,bits/1000', 'badge-info': 'subscriber/38' },
    });
    expect(badges(r)).toEqual(['mod', 'sub 38 mo', 'no audio', 'bits 1000']);
    expect(badges(rec({ tags: { badges: '' } }))).toEqual([]);
  });
  test('display names that differ from the login show both', () => {
    expect(senderName(rec({ user: 'purple_geco', tags: { 'display-name': 'Purple_Geco' } }))).toBe('Purple_Geco');
    expect(senderName(rec({ user: 'abc', tags: { 'display-name': '가나다' } }))).toBe('가나다 (abc)');
  });
  test('sender colours keep WCAG AA contrast (4.5:1) on every background of each theme, hue kept', () => {
    const rgb = (css: string) => {
      const [, h, sat, l] = /^hsl\((\d+) (\d+)% (\d+)%\)$/.exec(css)!.map(Number) as [number, number, number, number];
      const k = (n: number) => (n + h / 30) % 12;
      const a = (sat / 100) * Math.min(l / 100, 1 - l / 100);
      return [0, 8, 4].map((n) => l / 100 - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1))));
    };
    const lum = (c: number[]) =>
      c
        .map((x) => (x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4))
        .reduce((t, x, i) => t + x * [0.2126, 0.7152, 0.0722][i]!, 0);
    const hex = (h: string) => [0, 2, 4].map((i) => parseInt(h.slice(1 + i, 3 + i), 16) / 255);
    const ratio = (a: number, b: number) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffff }),
        fc.constantFrom('light', 'dark') as fc.Arbitrary<'light' | 'dark'>,
        (n, scheme) => {
          const tag = `#${n.toString(16).padStart(6, '0')}`;
          const c = userColor(tag, 'u', scheme);
          const bgs = scheme === 'light' ? ['#ffffff', '#e9e4ff'] : ['#14161b', '#2c2552'];
          for (const bg of bgs) expect(ratio(lum(rgb(c)), lum(hex(bg)))).toBeGreaterThanOrEqual(4.5);
        },
      ),
      { numRuns: 300 },
    );
    // Already readable colours are left as they are.
    expect(userColor('#1E4D8C', 'u', 'light')).toBe('hsl(214 65% 33%)');
    expect(userColor('', 'u', 'light')).toBe(userColor(null, 'u', 'light'));
  });
});

describe('coverage lanes', () => {
  test('runs of set flags', () => {
    expect(runsOf([false, true, true, false, true])).toEqual([
      [1, 3],
      [4, 5],
    ]);
    expect(runsOf([])).toEqual([]);
  });
  test('pending minutes are runs; counts per bucket', () => {
    const from = 1704556800;
    const bucket = (m: number, receivers: Record<string, number>, pendingMerge = 0) => ({
      start: from + m * 60,
      records: 5,
      byCommand: {},
      receivers,
      pendingMerge,
      recorded: true,
    });
    const summary: Summary = {
      channel: 'nymn',
      from,
      to: from + 3600,
      resolution: 'minute',
      buckets: [bucket(0, { 'alice.x.0': 3 }), bucket(1, { 'alice.x.1': 2 }, 1), bucket(4, { 'bob.y.0': 1 })],
      receivers: { 'alice.x.0': 3, 'alice.x.1': 2, 'bob.y.0': 2 },
      unrecorded: [[from + 120, from + 240]],
    };
    const d = timelineData(summary, from, 60, 60);
    expect(d.pending).toEqual([[1, 2]]);
    expect(d.counts[4]).toBe(5);
  });
});

describe('coverage lanes from exact spans', () => {
  const T = 1704556800;
  const r = (receiver: string, from: number, to: number, history = false) => ({
    receiver,
    node: receiver.split('.')[0]!,
    from: T + from,
    to: T + to,
    source: 'lines' as const,
    history,
    reason: null,
  });
  const c: Coverage = {
    channel: 'c',
    from: 0,
    to: T * 2,
    receivers: [
      r('a.x.0', 0, 100),
      r('a.x.1', 300, 1000),
      r('b.y.0', 0, 120),
      r('b.y.1', 200, 1000),
      r('a.x.h0', 100, 300, true),
    ],
    nodes: {
      a: [{ from: T + 100, to: T + 300, receivers: ['a.x.0', 'a.x.1'] }],
      b: [{ from: T + 120, to: T + 200, receivers: ['b.y.0', 'b.y.1'] }],
    },
    holes: [{ from: T + 120, to: T + 200 }],
  };
  test('lanes per node, history apart, gaps biggest first, next/previous gap and recording', () => {
    const l = coverageLanes(c);
    expect(l.nodes.map((n) => [n.node, n.spans.length, n.gaps.length])).toEqual([
      ['a', 2, 1],
      ['b', 2, 1],
    ]);
    expect(l.history.map((h) => h.receiver)).toEqual(['a.x.h0']);
    expect(gapList(c).map((g) => [g.node, g.to - g.from])).toEqual([
      ['a', 200],
      [null, 80],
      ['b', 80],
    ]);
    expect(nextGap(c, T, 1)).toMatchObject({ node: 'a', from: T + 100 });
    // Two gaps start together: the hole first.
    expect(nextGap(c, T + 100, 1)).toMatchObject({ node: null, from: T + 120 });
    expect(nextGap(c, T + 120, -1)).toMatchObject({ node: 'a' });
    expect(nextGap(c, T + 120, 1)).toBeNull();
    expect(nextRecording(c, T + 10, 1)).toBe(T + 200);
    expect(nextRecording(c, T + 200, -1)).toBe(T);
    // A 20-second span at a week's zoom is a sliver in %: the mark's CSS gives it its minimum width.
    const p = placed({ from: T + 100, to: T + 120 }, T, T + 7 * 86400)!;
    expect(p.width).toBeGreaterThan(0);
    expect(p.width).toBeLessThan(0.01);
    expect(placed({ from: T - 50, to: T - 10 }, T, T + 10)).toBeNull();
  });
  test('receivers in plain words: node and connection number', () => {
    expect(receiverLabel('alice-laptop.x7Kq2.3')).toBe('alice-laptop #3');
    expect(receiverLabel('alice-laptop.x7Kq2.h0')).toBe('alice-laptop history #0');
    expect(receiverLabel('justaname')).toBe('justaname');
  });
});
