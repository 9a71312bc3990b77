/**
 * The merge laws for reconstructions (README "Merge laws for reconstructions") on generated sets
 * of verbatim lines, rebuilt messages (TwitchDownloader: an id, some of the fields) and estimates
 * (Chatterino: no id, a time to the second), mixed with arbitrary records: merging stays a pure
 * function of the set (any order, grouping and repetition, and reading merged files back), every
 * observation survives, verbatim fields and times win, rebuilt lines join their id, estimates join
 * a message of the same user and text whose time meets theirs, and what matches nothing stays.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Observation } from '../../app/archive/observation.js';
import { ObservationSet, cluster } from '../../app/archive/normalize.js';
import type { ChatRecord, IrcFields, Tags } from '../../app/archive/record.js';
import { canonicalJson, fromByteString } from '../../app/archive/encode.js';
import {
  canonicalEstimateKey,
  chatView,
  estimateIdentity,
  levelOf,
  type ChatView,
} from '../../app/archive/reconstruction.js';
import { isReconstructed, receiverFidelity } from '../../app/rules.js';
import { HOUR, arbRecord } from '../support/generate.js';
import { assertOrderIndependent, merge, observationsOf, records, reread, text } from '../support/merge-laws.js';

const VERBATIM = ['alice.a1b2C.0', 'bob.Zz9y8.h2'] as const;
const REBUILT = ['twitchdownloader.tdAAA.r0', 'bob.tdBBB.r1'] as const;
const ESTIMATED = ['chatterino.ch111.e0', 'carol.ch222.e0'] as const;

interface Message {
  id: string;
  login: string;
  text: string;
  display: string;
  reply: boolean;
  /** Server time, seconds. */
  at: number;
}

/** Few ids, users, texts and times, so that lines collide the ways real chat makes them. */
const arbMessage: fc.Arbitrary<Message> = fc.record({
  id: fc.constantFrom('m1', 'm2', 'm3', 'm4', 'm5'),
  login: fc.constantFrom('nick', 'zoe'),
  text: fc.constantFrom('hi', 'hi 😂', '\u0001ACTION waves\u0001', '@Parent yes', 'a\u{E0000}'),
  display: fc.constantFrom('Nick', 'ZOE', '日本語', ' Nick ', ''),
  reply: fc.boolean(),
  at: fc.oneof(
    fc.constantFrom(HOUR + 10.2, HOUR + 10.9, HOUR + 11.5, HOUR + 14, HOUR + 30.001, HOUR + 3599.6),
    fc.integer({ min: 0, max: 3_599_999 }).map((m) => HOUR + m / 1000),
  ),
});

function verbatimFields(m: Message, variant: boolean): IrcFields {
  const tags: Tags = { id: m.id, 'display-name': m.display, 'tmi-sent-ts': String(Math.round(m.at * 1000)) };
  if (m.reply) Object.assign(tags, { 'reply-parent-display-name': 'Parent', 'reply-parent-user-login': 'parent' });
  // A variant: the same id with other text (an identity conflict between verbatim receivers).
  return {
    command: 'PRIVMSG',
    params: ['#chan', variant ? m.text + '!' : m.text],
    sender: m.login,
    user: m.login,
    host: `${m.login}.tmi.twitch.tv`,
    tags,
  };
}

const one = (
  f: IrcFields | Record<string, unknown>,
  receiver: string,
  received: number,
  start: number,
  length: number,
) =>
  ({
    ...f,
    time: start,
    time_range: length,
    receivers: { [receiver]: received },
    receiver_ranges: { [receiver]: [start, length] },
  }) as ChatRecord;

type Source = 'verbatim' | 'conflict' | 'rebuilt' | 'rebuilt-other' | 'estimate' | 'estimate-other-text';

/** One source's line of one of the messages `ms`. */
const arbLineOf = (ms: Message[]) =>
  fc
    .record({
      m: fc.constantFrom(...ms),
      source: fc.constantFrom<Source>(
        'verbatim',
        'verbatim',
        'conflict',
        'rebuilt',
        'rebuilt-other',
        'estimate',
        'estimate',
        'estimate-other-text',
      ),
      which: fc.nat(1),
      delay: fc.constantFrom(0, 0.2, 1.5),
      pad: fc.constantFrom(0, 5),
      nth: fc.nat(1),
    })
    .map(({ m, source, which, delay, pad, nth }): ChatRecord => {
      switch (source) {
        case 'verbatim':
        case 'conflict':
          return one(verbatimFields(m, source === 'conflict'), VERBATIM[which]!, m.at + delay, m.at, 0);
        case 'rebuilt':
        case 'rebuilt-other': {
          const tags: Tags = { id: m.id, 'display-name': m.display.trim() };
          if (source === 'rebuilt-other') tags.color = '#FF0000';
          const f = { ...verbatimFields(m, false), tags };
          return one(f, REBUILT[which]!, m.at, m.at, 0);
        }
        default: {
          const v = chatView(verbatimFields(m, false))!;
          const view: ChatView = source === 'estimate' ? v : { ...v, text: v.text + ' (edited)' };
          const second = Math.floor(m.at);
          return one(estimateIdentity(view), ESTIMATED[which]!, second + nth * 0.001, second - pad, 1 + 2 * pad);
        }
      }
    });

/** Arbitrary records, some of whose receivers are reconstructions: odd input must merge lawfully too. */
const arbOdd = fc.tuple(arbRecord, fc.boolean()).map(([r, mark]) => {
  if (!mark) return r;
  const rename = (id: string) =>
    id === 'bob.Zz9y8.0' ? 'bob.Zz9y8.r0' : id === 'carol.q0Q0q.3' ? 'carol.q0Q0q.e3' : id;
  const out = { ...r, receivers: {} as Record<string, number> } as ChatRecord;
  for (const [k, v] of Object.entries(r.receivers)) out.receivers[rename(k)] = v;
  if (r.receiver_ranges) {
    out.receiver_ranges = {};
    for (const [k, v] of Object.entries(r.receiver_ranges)) out.receiver_ranges[rename(k)] = v;
  }
  return out;
});

/** A few messages, and sets of lines about them from every kind of source, with odd records mixed in. */
const arbMessages = fc
  .array(fc.tuple(arbMessage, fc.boolean()), { minLength: 1, maxLength: 5 })
  // a twin: the same user saying the same thing again within the second (a moderator may)
  .map((xs) => xs.flatMap(([m, twin]) => (twin ? [m, { ...m, id: `${m.id}b`, at: m.at + 0.4 }] : [m])));
const setOf = (ms: Message[]) =>
  fc.array(fc.oneof({ weight: 4, arbitrary: arbLineOf(ms) }, { weight: 1, arbitrary: arbOdd }), { maxLength: 40 });
const arbSet = arbMessages.chain(setOf);
const arbSets = arbMessages.chain((ms) => fc.tuple(setOf(ms), setOf(ms), setOf(ms)));

const runs = { numRuns: 300 };

/** What an observation means, whatever record it was read from (estimates and rebuilt lines get folded). */
function meaning(o: Observation): { fold: string | null; key: string } {
  const level = levelOf(o.receiver);
  const at = `\u0001${o.receiver}\u0001${o.received}`;
  if (level === 1 && o.id !== null) return { fold: `id\u0001${o.id}\u0001${o.receiver}`, key: `id\u0001${o.id}${at}` };
  const k = level === 0 ? (canonicalEstimateKey(o.key) ?? o.key) : o.key;
  const id = level === 0 && k !== o.key ? null : o.id;
  return { fold: id === null ? null : `${k}\u0001${o.receiver}`, key: k + at };
}

/** One per meaning; for lines with an id, one per (id or identity, receiver): the earliest (a duplicate delivery). */
function mustSurvive(obs: Observation[]): Set<string> {
  const out = new Set<string>();
  const first = new Map<string, { received: number; key: string }>();
  for (const o of obs) {
    const m = meaning(o);
    if (m.fold === null) out.add(m.key);
    else {
      const b = first.get(m.fold);
      if (!b || o.received < b.received) first.set(m.fold, { received: o.received, key: m.key });
    }
  }
  for (const b of first.values()) out.add(b.key);
  return out;
}

describe('reconstructions: merge laws on generated sets', () => {
  it('depend only on the set: any order, any repetition', () => {
    assertOrderIndependent(arbSet, runs);
  });

  it('commutative, associative and idempotent, also when merged files are read back (folded lines)', () => {
    fc.assert(
      fc.property(arbSets, ([x, y, z]) => {
        const [a, b, c] = [x, y, z].map((s) => text(observationsOf(s))) as [string, string, string];
        expect(merge(a, b)).toBe(merge(b, a));
        const left = merge(merge(a, b), c);
        expect(merge(a, merge(b, c))).toBe(left);
        expect(text(observationsOf([...x, ...y, ...z]))).toBe(left);
        expect(text(reread(left))).toBe(left);
        expect(merge(left, left)).toBe(left);
        // re-importing a source into the merged archive changes nothing
        expect(text([...reread(left), ...observationsOf(y)])).toBe(left);
      }),
      runs,
    );
  });

  it('every observation survives, with its own interval; a folded one keeps its receiver', () => {
    fc.assert(
      fc.property(arbSet, (x) => {
        const input = observationsOf(x);
        const out = reread(text(input));
        const got = out.map((o) => meaning(o).key);
        expect(new Set(got).size).toBe(got.length);
        expect(new Set(got)).toEqual(mustSurvive(input));
        const ranges = new Set(input.map((o) => `${meaning(o).key}\u0001${o.start}\u0001${o.length}`));
        for (const o of out) expect(ranges.has(`${meaning(o).key}\u0001${o.start}\u0001${o.length}`)).toBe(true);
      }),
      runs,
    );
  });

  it('verbatim fields and times win; rebuilt lines join their id; estimates join a matching message or stay', () => {
    fc.assert(
      fc.property(
        arbMessages.chain((ms) => fc.array(arbLineOf(ms), { maxLength: 40 })),
        (x) => {
          const input = observationsOf(x);
          const verbatimKeys = new Set(
            input.filter((o) => levelOf(o.receiver) === 2).map((o) => fromByteString(o.key)),
          );
          const verbatimIds = new Set(input.filter((o) => levelOf(o.receiver) === 2).map((o) => o.id));
          const out = records(text(input));
          const identity = (r: ChatRecord) => {
            const { time: _t, time_range: _r, receivers: _v, receiver_ranges: _g, ...rest } = r;
            return canonicalJson(rest);
          };
          const interval = (r: ChatRecord) => [r.time, r.time + r.time_range] as const;
          const meets = (a: readonly [number, number], b: readonly [number, number]) => a[0] <= b[1] && b[0] <= a[1];
          const estimateOf = (r: ChatRecord) => canonicalEstimateKey(Buffer.from(identity(r)).toString('latin1'));
          for (const r of out) {
            const ids = Object.keys(r.receivers);
            const verbatim = ids.filter((id) => receiverFidelity(id) === 'verbatim');
            expect(isReconstructed(r.receivers)).toBe(verbatim.length === 0);
            if (verbatim.length) {
              // (a) the fields of one of its verbatim lines, the time of its verbatim lines
              expect(verbatimKeys.has(identity(r))).toBe(true);
              expect(r.time).toBe(Math.max(...verbatim.map((id) => r.receiver_ranges[id]![0])));
            }
            for (const id of ids) {
              const f = receiverFidelity(id);
              // (b) a rebuilt line whose id some verbatim line has is in a verbatim record
              if (f === 'rebuilt' && verbatimIds.has(r.tags?.id as string)) expect(verbatim.length).toBeGreaterThan(0);
              // (c) an estimate sits with the same view, and meets the record's time when it joined another
              if (f === 'estimated') {
                const own = r.receiver_ranges[id]!;
                expect(estimateOf(r)).not.toBeNull();
                if (ids.some((o) => receiverFidelity(o) !== 'estimated'))
                  expect(meets([own[0], own[0] + own[1]], interval(r))).toBe(true);
              }
            }
          }
          // (d) an estimate left on its own had no free matching message: every one that meets it has its receiver
          for (const r of out) {
            if (Object.keys(r.receivers).some((id) => receiverFidelity(id) !== 'estimated')) continue;
            for (const [id, [s, l]] of Object.entries(r.receiver_ranges)) {
              for (const c of out) {
                if (Object.keys(c.receivers).every((o) => receiverFidelity(o) === 'estimated')) continue;
                if (estimateOf(c) !== estimateOf(r) || !meets([s, s + l], interval(c))) continue;
                expect(Object.hasOwn(c.receivers, id)).toBe(true);
              }
            }
          }
        },
      ),
      runs,
    );
  });
});

describe('reconstructions: the cases by hand', () => {
  const msg: Message = {
    id: 'x1',
    login: 'nick',
    text: 'hello there',
    display: 'Nick',
    reply: false,
    at: HOUR + 100.25,
  };

  it('a verbatim line, its TwitchDownloader copy and its Chatterino line are one record with three receivers', () => {
    const v = one(verbatimFields(msg, false), 'alice.a1b2C.0', msg.at + 0.3, msg.at, 0);
    const td = one({ ...verbatimFields(msg, false), tags: { id: 'x1', color: '' } }, REBUILT[0], msg.at, msg.at, 0);
    const ch = one(estimateIdentity(chatView(verbatimFields(msg, false))!), ESTIMATED[0], HOUR + 100, HOUR + 95, 11);
    const out = records(text(observationsOf([ch, td, v])));
    expect(out).toHaveLength(1);
    expect(out[0]!.tags).toEqual(v.tags);
    expect([out[0]!.time, out[0]!.time_range]).toEqual([msg.at, 0]);
    expect(out[0]!.receiver_ranges).toEqual({
      'alice.a1b2C.0': [msg.at, 0],
      [REBUILT[0]]: [msg.at, 0],
      [ESTIMATED[0]]: [HOUR + 95, 11],
    });
  });

  it('an estimate outside the time of the message stays a record of its own, marked reconstructed', () => {
    const v = one(verbatimFields(msg, false), 'alice.a1b2C.0', msg.at, msg.at, 0);
    const ch = one(estimateIdentity(chatView(verbatimFields(msg, false))!), ESTIMATED[0], HOUR + 200, HOUR + 200, 1);
    const out = records(text(observationsOf([v, ch])));
    expect(out).toHaveLength(2);
    expect(out.map((r) => isReconstructed(r.receivers))).toEqual([false, true]);
    expect(out[1]!.tags).toBeNull();
  });

  it('two estimates of one user saying the same thing twice in a second take the two messages', () => {
    const a = { ...msg, id: 'a' };
    const b = { ...msg, id: 'b', at: msg.at + 0.5 };
    const est = (n: number) =>
      one(estimateIdentity(chatView(verbatimFields(a, false))!), ESTIMATED[0], HOUR + 100 + n / 1000, HOUR + 100, 1);
    const out = records(
      text(
        observationsOf([
          one(verbatimFields(a, false), VERBATIM[0], a.at, a.at, 0),
          one(verbatimFields(b, false), VERBATIM[0], b.at, b.at, 0),
          est(0),
          est(1),
        ]),
      ),
    );
    expect(out.map((r) => Object.keys(r.receivers).sort())).toEqual([
      [VERBATIM[0], ESTIMATED[0]],
      [VERBATIM[0], ESTIMATED[0]],
    ]);
  });

  it('re-importing rebuilt and estimated lines read back from their merged records adds nothing and warns of nothing', () => {
    const v = one(verbatimFields(msg, false), 'alice.a1b2C.0', msg.at + 0.3, msg.at, 0);
    const sources = [
      one({ ...verbatimFields(msg, false), tags: { id: 'x1', color: '' } }, REBUILT[0], msg.at, msg.at, 0),
      one(estimateIdentity(chatView(verbatimFields(msg, false))!), ESTIMATED[0], HOUR + 100, HOUR + 95, 11),
    ];
    const set = new ObservationSet();
    for (const o of reread(text(observationsOf([v, ...sources])))) set.add(o);
    expect(observationsOf(sources).map((o) => set.add(o))).toEqual([false, false]);
    expect(cluster(set).warnings).toEqual([]);
  });

  it('Chatterino shows /me text without ACTION, a reply with the parent login, a display name only when it is not the login', () => {
    const base = verbatimFields(msg, false);
    expect(chatView({ ...base, params: ['#chan', '\u0001ACTION waves\u0001'] })!.text).toBe('waves');
    const reply = {
      ...base,
      params: ['#chan', '@Parent_Name thanks'],
      tags: {
        'display-name': '日本',
        'reply-parent-display-name': 'Parent_Name',
        'reply-parent-user-login': 'parent_name',
      },
    };
    expect(chatView(reply)).toEqual({
      channel: '#chan',
      login: 'nick',
      text: '@parent_name thanks',
      localized: '日本',
    });
    expect(chatView({ ...base, tags: { 'display-name': 'NICK ' } })!.localized).toBeNull();
    expect(chatView({ ...base, command: 'NOTICE' })).toBeNull();
  });
});
