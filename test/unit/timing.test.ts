import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { batchDueAt, batchTimeOf, narrowedRange, timeOf } from '../../app/record/timing.js';
import { classifyLine, serverTimestamp, type Verdict } from '../../app/archive/line-rules.js';
import { parseIrcLine } from '../../app/archive/irc-parse.js';
import { JournalStore, readJournal, replayLeftoverJournals } from '../../app/record/journal.js';
import { ReceiverBatcher } from '../../app/record/batcher.js';
import { Receiver } from '../../app/record/receiver.js';
import { readArchiveRecords } from '../support/archive-records.js';

const T0 = 1_704_557_940; // a minute start
const ts = (s: number) => ({ 'tmi-sent-ts': String(Math.round(s * 1000)) });

describe('timeOf (SPEC §5 time rules)', () => {
  it('rule 1: tmi-sent-ts is exact and becomes the server clock', () => {
    const t = timeOf('PRIVMSG', ts(T0 + 3.25), T0 + 4, null);
    expect(t).toEqual({
      time: T0 + 3.25,
      range: 0,
      clock: { serverTime: T0 + 3.25, receivedAt: T0 + 4 },
      exact: T0 + 3.25,
    });
  });
  it('rule 2: with a known server clock, estimate ±5 s but never before the last server time', () => {
    const clock = { serverTime: T0 + 10, receivedAt: T0 + 11 };
    expect(timeOf('USERNOTICE', null, T0 + 31, clock)).toMatchObject({ time: T0 + 25, range: 10, clock, exact: null });
    expect(timeOf('USERNOTICE', null, T0 + 12, clock)).toMatchObject({ time: T0 + 10, range: 10 });
  });
  it('rule 3: without a server clock, [now - 10, now + 5]', () => {
    expect(timeOf('NOTICE', null, T0 + 30, null)).toMatchObject({ time: T0 + 20, range: 15, clock: null, exact: null });
  });
  it('rule 4: JOIN and PART move 45 s earlier and widen by 45 s', () => {
    expect(timeOf('JOIN', null, T0 + 100, null)).toMatchObject({ time: T0 + 100 - 10 - 45, range: 60 });
    const clock = { serverTime: T0, receivedAt: T0 };
    expect(timeOf('PART', null, T0 + 50, clock)).toMatchObject({ time: T0 + 45 - 45, range: 55 });
  });
  it('ignores a malformed tmi-sent-ts', () => {
    expect(serverTimestamp({ 'tmi-sent-ts': 'abc' })).toBeNull();
    expect(serverTimestamp({ 'tmi-sent-ts': true })).toBeNull();
    expect(serverTimestamp({ 'tmi-sent-ts': '' })).toBeNull();
    expect(serverTimestamp(null)).toBeNull();
  });
  it('batches by minute of time, due 120 s after the minute starts', () => {
    expect(batchTimeOf(T0 + 59.999)).toBe(T0);
    expect(batchTimeOf(T0 + 60)).toBe(T0 + 60);
    expect(batchDueAt(T0)).toBe(T0 + 120);
  });
});

describe('narrowedRange (back-narrowing)', () => {
  it('ends an estimate at a later exact time inside it', () => {
    expect(narrowedRange({ time: T0 + 10, range: 15 }, T0 + 12)).toBe(2);
    expect(narrowedRange({ time: T0 + 10, range: 15 }, T0 + 10)).toBe(0);
  });
  it('leaves intervals that do not contain the time', () => {
    expect(narrowedRange({ time: T0 + 10, range: 15 }, T0 + 9)).toBeNull();
    expect(narrowedRange({ time: T0 + 10, range: 15 }, T0 + 25)).toBeNull();
    expect(narrowedRange({ time: T0 + 10, range: 15 }, T0 + 30)).toBeNull();
  });
  it('reaches only the same or the previous batch', () => {
    expect(narrowedRange({ time: T0 + 50, range: 60 }, T0 + 70)).toBe(20);
    expect(narrowedRange({ time: T0 + 50, range: 200 }, T0 + 130)).toBeNull();
  });
});

describe('classifyLine', () => {
  const chans = new Set(['#c']);
  /** Classifies the lines in order against one connection state, each against its expected verdict. */
  const expectVerdicts = (seen: Set<string>, cases: [line: string, verdict: Verdict][]) => {
    for (const [line, verdict] of cases) expect(classifyLine(parseIrcLine(line)!, chans, seen), line).toBe(verdict);
  };
  it('drops everything of a channel up to and including its first ROOMSTATE', () => {
    expectVerdicts(new Set<string>(), [
      [':me!me@me JOIN #c', 'preamble'],
      ['@x=1 :tmi.twitch.tv USERSTATE #c', 'preamble'],
      ['@x=1 :tmi.twitch.tv ROOMSTATE #c', 'preamble'],
      ['@x=1 :tmi.twitch.tv ROOMSTATE #c', 'keep'],
      [':a!a@a JOIN #c', 'keep'],
    ]);
  });
  it('drops commands outside the whitelist, other channels and lines without params', () => {
    expectVerdicts(new Set(['#c']), [
      ['PING :tmi.twitch.tv', 'command'],
      [':tmi.twitch.tv 001 x :hi', 'command'],
      [':tmi.twitch.tv RECONNECT', 'command'],
      [':a!a@a PRIVMSG #other :x', 'channel'],
      [':tmi.twitch.tv NOTICE * :Login authentication failed', 'channel'],
      [':tmi.twitch.tv USERSTATE', 'channel'],
    ]);
  });
});

describe('receiver pipeline with journal and batcher (injected clock)', () => {
  let segments: string;
  beforeEach(() => {
    segments = fs.mkdtempSync(path.join(os.tmpdir(), 'ca-timing-'));
  });
  afterEach(() => fs.rmSync(segments, { recursive: true, force: true }));

  function setup(id = 'node.abcde.0') {
    const store = new JournalStore(segments, 'node.abcde');
    store.init();
    const batcher = new ReceiverBatcher(store, segments, id, 'c');
    const rx = new Receiver(id, new Set(['#c']), batcher);
    for (const l of [':me!me@me JOIN #c', '@a=1 :tmi.twitch.tv USERSTATE #c', '@r=0 :tmi.twitch.tv ROOMSTATE #c'])
      rx.handleLine(l, T0);
    return { store, batcher, rx };
  }
  const readBatches = () => readArchiveRecords(segments);

  it('back-narrows estimates of this connection and writes batches only when due', async () => {
    const { store, batcher, rx } = setup();
    expect(rx.ready).toBe(true);
    rx.handleLine('@ban-duration=1 :tmi.twitch.tv CLEARCHAT #c u1', T0 + 20); // rule 3: [T0+10, +15]
    rx.handleLine(':u2!u2@u2 JOIN #c', T0 + 21); // rule 3+4: [T0+11-45, +60] in the previous batch
    rx.handleLine(`@id=m1;tmi-sent-ts=${(T0 + 14) * 1000} :u!u@u PRIVMSG #c :hi`, T0 + 22);
    rx.handleLine('@ban-duration=1 :tmi.twitch.tv CLEARCHAT #c u3', T0 + 23); // rule 2: max(T0+14+1-5, T0+14) = T0+14
    expect(rx.counters).toMatchObject({ stored: 4, preamble: 3 });

    expect((await batcher.writeDue(T0 + 59)).written).toEqual([]);
    expect((await batcher.writeDue(T0 + 60)).written.map((w) => w.records)).toEqual([1]); // the JOIN's minute
    expect((await batcher.writeDue(T0 + 119)).written).toEqual([]);
    expect((await batcher.writeDue(T0 + 120)).written.map((w) => w.records)).toEqual([3]);
    expect((await batcher.writeAll()).written).toEqual([]);
    store.close();

    const recs = await readBatches();
    const u1 = recs.find((r) => r.params[1] === 'u1')!;
    expect(u1).toMatchObject({
      time: T0 + 10,
      time_range: 4,
      receivers: { 'node.abcde.0': T0 + 20 },
      receiver_ranges: { 'node.abcde.0': [T0 + 10, 4] },
    });
    const join = recs.find((r) => r.command === 'JOIN')!;
    expect(join).toMatchObject({ time: T0 - 34, time_range: 48 });
    expect(recs.find((r) => r.params[1] === 'u3')).toMatchObject({ time: T0 + 14, time_range: 10 });
    expect(recs.find((r) => r.command === 'PRIVMSG')).toMatchObject({
      time: T0 + 14,
      time_range: 0,
      tags: { id: 'm1' },
    });
    expect(fs.existsSync(store.dir)).toBe(false);
  });

  it('replays a journal left by a dead process, narrowing included, and tolerates a torn last line', async () => {
    const { store, rx } = setup();
    rx.handleLine('@ban-duration=1 :tmi.twitch.tv CLEARCHAT #c u1', T0 + 20);
    rx.handleLine(`@id=m1;tmi-sent-ts=${(T0 + 14) * 1000} :u!u@u PRIVMSG #c :hi`, T0 + 22);
    store.flushAll();
    const [jf] = fs.readdirSync(store.dir).filter((n) => n.endsWith('.jnl'));
    const file = path.join(store.dir, jf!);
    fs.appendFileSync(file, '[1704557999,17045');
    expect(readJournal(file)?.entries.map((e) => e.range)).toEqual([4, 0]);
    // Pretend the owner died: a pid that cannot exist.
    fs.writeFileSync(path.join(store.dir, 'owner.json'), JSON.stringify({ pid: 2 ** 30, host: os.hostname() }));
    const r = await replayLeftoverJournals(segments);
    expect(r.problems).toEqual([]);
    expect(r.written).toHaveLength(1);
    expect((await readBatches()).map((x) => x.time_range).sort()).toEqual([0, 4]);
    expect(fs.existsSync(store.dir)).toBe(false);
  });

  it('leaves the journals of a live recorder alone', async () => {
    const { store, rx } = setup();
    fs.writeFileSync(path.join(store.dir, 'owner.json'), JSON.stringify({ pid: process.ppid, host: os.hostname() }));
    rx.handleLine(`@id=m1;tmi-sent-ts=${(T0 + 14) * 1000} :u!u@u PRIVMSG #c :hi`, T0 + 22);
    store.flushAll();
    expect((await replayLeftoverJournals(segments)).written).toEqual([]);
    expect(fs.readdirSync(store.dir).some((n) => n.endsWith('.jnl'))).toBe(true);
  });

  it('splits a busy minute into chunks', async () => {
    const store = new JournalStore(segments, 'n.x');
    store.init();
    const batcher = new ReceiverBatcher(store, segments, 'n.x.0', 'c', 10);
    const rx = new Receiver('n.x.0', new Set(['#c']), batcher);
    rx.handleLine('@r=0 :tmi.twitch.tv ROOMSTATE #c', T0);
    for (let i = 0; i < 25; i++)
      rx.handleLine(`@id=m${i};tmi-sent-ts=${(T0 + i) * 1000} :u!u@u PRIVMSG #c :${i}`, T0 + i);
    const out = await batcher.writeAll();
    expect(out.written.map((w) => w.records)).toEqual([10, 10, 5]);
    expect(await readBatches()).toHaveLength(25);
    store.close();
  });
});
