/**
 * Archives for the viewer's browser tests, made from the real #nymn fixture: what two
 * nodes recorded (alice all but one minute, bob the first five), JOINs with the wide
 * ranges the recorder gives them, the fixture's CLEARCHATs with their targets' earlier
 * messages, a minute nobody recorded, and a third node's folder to import that fills it.
 */
import type { ChatRecord, Range } from '../../app/archive/record.js';
import { writeRecords } from '../../app/archive/store.js';
import { parseIrcLine } from '../../app/archive/irc-parse.js';
import { stripHistoryTags } from '../../app/archive/line-rules.js';
import { fixtureLines } from './fake-twitch.js';

export const CHANNEL = 'nymn';
export const ALICE = 'alice-laptop.x7Kq2.0';
export const BOB = 'bob-pc.Qm3aa.0';
export const CAROL = 'carol-nuc.Zt81p.0';
/** 2024-01-06 00:00 UTC, the fixture's day. */
export const DAY = 1704499200;
export const HOUR16 = DAY + 16 * 3600;
const minute = (m: number) => HOUR16 + m * 60;
/** Bob recorded 16:19–16:23; alice everything but 16:25; so nobody has 16:25 until carol's folder arrives. */
export const GAP_MINUTE = minute(25);
const BOB_UNTIL = minute(24);
/** The users who join, one JOIN per minute from 16:20. */
export const JOINERS = ['joiner_one', 'joiner_two', 'joiner_three'];
/** The fixture's first CLEARCHAT: e7om timed out at 16:22:34.585, after three messages of theirs (one more comes later). */
export const TIMED_OUT = { user: 'e7om', at: 1704558154.585, earlier: 3, later: 1 };

type Observation = { id: string; received: number; range: Range };

function record(fields: ReturnType<typeof stripHistoryTags>, observations: Observation[]): ChatRecord {
  // The merged interval is the intersection of the observations' own ranges.
  const start = Math.max(...observations.map((o) => o.range[0]));
  const end = Math.min(...observations.map((o) => o.range[0] + o.range[1]));
  return {
    ...fields,
    time: start,
    time_range: Math.round((end - start) * 1000) / 1000,
    receivers: Object.fromEntries(observations.map((o) => [o.id, o.received])),
    receiver_ranges: Object.fromEntries(observations.map((o) => [o.id, o.range])),
  };
}

/** The fixture as live receivers would have seen it: exact times, small receive delays. */
function fixtureRecords(receiversAt: (time: number) => string[]): ChatRecord[] {
  const out: ChatRecord[] = [];
  fixtureLines().forEach((raw, i) => {
    const parsed = parseIrcLine(raw);
    const time = Number(parsed?.tags?.['tmi-sent-ts']) / 1000;
    if (!parsed || !Number.isFinite(time)) return;
    const ids = receiversAt(time);
    if (ids.length === 0) return;
    const obs = ids.map((id, k) => ({
      id,
      received: time + 0.15 + k * 0.13 + (i % 7) * 0.01,
      range: [time, 0] as Range,
    }));
    out.push(record(stripHistoryTags(parsed), obs));
  });
  return out;
}

function joins(receivers: string[]): ChatRecord[] {
  return JOINERS.map((user, i) => {
    const sent = minute(20 + i) + 30;
    // SPEC §5: JOINs arrive late; each receiver's estimate is 45 s earlier and 55 s wide.
    const obs = receivers.map((id, k) => {
      const received = sent + 2 + k * 0.4;
      return { id, received, range: [received - 5 - 45 + k, 55] as Range };
    });
    return record(
      { command: 'JOIN', params: [`#${CHANNEL}`], sender: user, user, host: `${user}.tmi.twitch.tv`, tags: null },
      obs,
    );
  });
}

/** The main archive: alice and bob merged. */
export async function writeMainArchive(segments: string): Promise<void> {
  const recs = fixtureRecords((t) => {
    if (t >= GAP_MINUTE && t < GAP_MINUTE + 60) return [];
    return t < BOB_UNTIL ? [ALICE, BOB] : [ALICE];
  });
  await writeRecords(segments, CHANNEL, [...recs, ...joins([ALICE, BOB])]);
}

/** Carol's node folder: 16:24 to the end, the gap minute included. */
export async function writeCarolFolder(segments: string): Promise<number> {
  const recs = fixtureRecords((t) => (t >= minute(24) ? [CAROL] : []));
  const files = await writeRecords(segments, CHANNEL, recs);
  return files.length;
}

/** An hour of synthetic chat, `count` PRIVMSGs from one receiver, for the performance test. */
export async function writeBusyHour(segments: string, channel: string, hour: number, count: number): Promise<void> {
  const recs: ChatRecord[] = [];
  for (let i = 0; i < count; i++) {
    const time = hour + Math.floor((i * 3600_000) / count) / 1000;
    const user = `user${i % 997}`;
    recs.push({
      command: 'PRIVMSG',
      params: [`#${channel}`, `message ${i} ${'lorem ipsum '.repeat(i % 5)}`],
      sender: user,
      user,
      host: `${user}.tmi.twitch.tv`,
      tags: {
        id: `busy-${i}`,
        'tmi-sent-ts': String(Math.round(time * 1000)),
        'display-name': user,
        color: i % 3 ? '#1E90FF' : '',
      },
      time,
      time_range: 0,
      receivers: { [ALICE]: time + 0.2 },
      receiver_ranges: { [ALICE]: [time, 0] },
    });
  }
  await writeRecords(segments, channel, recs);
}
