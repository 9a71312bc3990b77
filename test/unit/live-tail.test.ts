/** The live preview of a recording: the latest lines, copies from overlapping connections folded. */
import { describe, expect, it } from 'vitest';
import { LiveTail, TAIL_CAPACITY } from '../../app/record/live-tail.js';
import { parseIrcLine } from '../../app/archive/irc-parse.js';

const T = 1704556800;
const line = (raw: string) => {
  const l = parseIrcLine(raw);
  if (!l) throw new Error(`unparsable: ${raw}`);
  return l;
};
const msg = (id: string, text: string) =>
  line(`@id=${id};tmi-sent-ts=${T * 1000} :u!u@u.tmi.twitch.tv PRIVMSG #c :${text}`);
const join = line(':u!u@u.tmi.twitch.tv JOIN #c');

describe('LiveTail', () => {
  it('folds the copies of one message from two connections; keeps apart what differs', () => {
    const tail = new LiveTail();
    tail.add('n.a.0', T + 0.2, msg('m1', 'hello'), { time: T, range: 0 });
    tail.add('n.a.0', T + 0.3, msg('m2', 'second'), { time: T, range: 0 });
    tail.add('n.a.1', T + 0.4, msg('m1', 'hello'), { time: T, range: 0 });
    const rows = tail.records(10);
    expect(rows.map((r) => r.record.params[1])).toEqual(['hello', 'second']);
    expect(rows[0]!.record.receivers).toEqual({ 'n.a.0': T + 0.2, 'n.a.1': T + 0.4 });
    expect(rows[1]!.record.receivers).toEqual({ 'n.a.0': T + 0.3 });
    expect(tail.version).toBe(3);
  });

  it('id-less events: overlapping intervals of two connections fold (to the common part); one connection twice stays twice', () => {
    const tail = new LiveTail();
    tail.add('n.a.0', T + 30, join, { time: T, range: 30 });
    tail.add('n.a.1', T + 31, join, { time: T + 10, range: 30 });
    tail.add('n.a.0', T + 32, join, { time: T + 2, range: 30 });
    tail.add('n.a.1', T + 300, join, { time: T + 270, range: 30 });
    const rows = tail.records(10).map((r) => r.record);
    expect(rows.map((r) => Object.keys(r.receivers).sort())).toEqual([['n.a.0', 'n.a.1'], ['n.a.0'], ['n.a.1']]);
    expect([rows[0]!.time, rows[0]!.time_range]).toEqual([T + 10, 20]);
    expect(rows[0]!.receiver_ranges['n.a.1']).toEqual([T + 10, 30]);
  });

  it('keeps the latest lines only, and answers the latest `limit` in arrival order', () => {
    const tail = new LiveTail();
    const n = TAIL_CAPACITY + 25;
    for (let i = 0; i < n; i++) tail.add('n.a.0', T + i, msg(`m${i}`, `line ${i}`), { time: T + i, range: 0 });
    expect(tail.version).toBe(n);
    expect(tail.records(3).map((r) => [r.seq, r.record.params[1]])).toEqual([
      [n - 3, `line ${n - 3}`],
      [n - 2, `line ${n - 2}`],
      [n - 1, `line ${n - 1}`],
    ]);
    expect(tail.records(10_000)).toHaveLength(TAIL_CAPACITY);
    expect(tail.records(10_000)[0]!.seq).toBe(n - TAIL_CAPACITY);
  });
});
