/** The viewer's pure rules: time labels, view transitions, moderation links, coverage runs, badges. */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import type { ChatRecord } from '../../app/archive/record.js';
import type { Summary } from '../../app/service/contract.js';
import { clockMs, delay, isoDate, parseIsoDate, timeLabel, weekStart, DAY } from '../../renderer/format.js';
import {
  anchorFor,
  fromHash,
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
  test('the hash round-trips and rejects junk', () => {
    expect(fromHash(toHash(v))).toEqual(v);
    expect(fromHash('#NYMN/day/1')).toBeNull();
    expect(fromHash('#nymn/year/1')).toBeNull();
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
  test('colours stay readable on each theme', () => {
    expect(userColor('#000000', 'u', 'dark')).toMatch(/ 62%\)$/);
    expect(userColor('#FFFFFF', 'u', 'light')).toMatch(/ 40%\)$/);
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
  test('receivers group by node; gaps and pending minutes are runs', () => {
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
      buckets: [
        bucket(0, { 'alice.x.0': 3 }),
        bucket(1, { 'alice.x.1': 2, 'bob.y.0': 1 }, 1),
        bucket(4, { 'bob.y.0': 1 }),
      ],
      receivers: { 'alice.x.0': 3, 'alice.x.1': 2, 'bob.y.0': 2 },
      unrecorded: [[from + 120, from + 240]],
    };
    const d = timelineData(summary, from, 60, 60);
    expect(d.groups.map((g) => [g.node, g.lanes.length, g.runs])).toEqual([
      ['alice', 2, [[0, 2]]],
      [
        'bob',
        1,
        [
          [1, 2],
          [4, 5],
        ],
      ],
    ]);
    expect(d.unrecorded).toEqual([[2, 4]]);
    expect(d.pending).toEqual([[1, 2]]);
    expect(d.counts[4]).toBe(5);
  });
});
