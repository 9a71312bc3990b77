/**
 * Generated chat for merge tests and the benchmark: one channel's server-side events, and
 * the folders of several nodes that recorded it — each with outages, reconnects (two
 * receivers overlapping), a skewed clock and jittered delivery — timed by the SPEC §5
 * rules. Every node also reports the observations it holds, computed here independently
 * of the archive core, so tests can check that none is lost.
 */
import { promises as fs } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import fc from 'fast-check';
import type { ChatRecord, IrcFields, Tags } from '../../app/archive/record.js';
import { canonicalJson, encodeBatch, fromByteString } from '../../app/archive/encode.js';
import type { Observation } from '../../app/archive/observation.js';
import { batchFileName, hourName, minuteStart } from '../../app/archive/layout.js';

/** Deterministic PRNG (mulberry32), so a failing seed can be rerun. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const uniform = (r: Rand, lo: number, hi: number) => lo + r() * (hi - lo);
const ms = (t: number) => Math.round(t * 1000) / 1000;
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const token = (r: Rand, n: number) =>
  Array.from({ length: n }, () => ALNUM.charAt(Math.floor(r() * ALNUM.length))).join('');
function uuid(r: Rand): string {
  const h = () => Math.floor(r() * 16).toString(16);
  const part = (n: number) => Array.from({ length: n }, h).join('');
  return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
}

/** Words of real chat, with emoji and tag characters beyond U+FFFF. */
const WORDS = [
  'forsenParty',
  'EDM',
  'LULW',
  'OMEGALUL',
  'pog',
  'Clap',
  'xdd',
  'nymnCorn',
  'hello',
  'chat',
  'what',
  'is',
  'this',
  'song',
  '😂',
  '🔥',
  '👍🏽',
  'NaM',
  '\u{E0000}',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'über',
  'ñ',
  '日本語',
  'KEKW',
  '!play',
  '@nymn',
  'a\\b',
  '"quoted"',
];
const NICKS = Array.from({ length: 400 }, (_, i) => `user_${i.toString(36)}${i % 7 === 0 ? 'x' : ''}`);

/** One thing the server sent to everyone in the channel. */
export interface ServerEvent extends IrcFields {
  /** True server time, seconds. */
  at: number;
  /** Delivered late in bursts (JOIN/PART): per-receiver delay up to 30 s. */
  late: boolean;
}

export interface ExpectedObservation {
  /** Canonical JSON of the identity fields. */
  key: string;
  receiver: string;
  received: number;
  start: number;
  length: number;
}

export const observationKey = (o: ExpectedObservation) =>
  `${o.key}\u0001${o.receiver}\u0001${o.received}\u0001${o.start}\u0001${o.length}`;
/** The same key for an observation read from a file (whose identity is a byte string). */
export const readObservationKey = (o: Observation) => observationKey({ ...o, key: fromByteString(o.key) });

export interface GeneratedFile {
  /** Relative to the node's segments folder. */
  rel: string;
  bytes: Buffer;
}

export interface GeneratedNode {
  name: string;
  receivers: string[];
  /** Written as the original implementation does: no receiver_ranges, MM:SS names, own key order. */
  original: boolean;
  files: GeneratedFile[];
  observations: ExpectedObservation[];
  records: number;
}

export interface World {
  channel: string;
  start: number;
  events: ServerEvent[];
  nodes: GeneratedNode[];
}

export interface WorldOptions {
  seed: number;
  nodes: number;
  /** Unix seconds of the first event. */
  start: number;
  minutes: number;
  /** Server events per second, on average. */
  rate: number;
  channel?: string;
  /** How many of the nodes write the original format (default: one if there are 3+ nodes). */
  originalNodes?: number;
  /** Outages and reconnects per node (default true). */
  disturbances?: boolean;
  /** List every node's observations (default true; the benchmark does without, to stay small). */
  observations?: boolean;
}

function privmsgTags(r: Rand, nick: string, at: number, roomId: string): Tags {
  const tags: Tags = {
    'badge-info': r() < 0.3 ? `subscriber/${1 + Math.floor(r() * 40)}` : '',
    badges: r() < 0.3 ? 'subscriber/24,twitch-recap-2023/1' : '',
    color: `#${Math.floor(r() * 0xffffff)
      .toString(16)
      .padStart(6, '0')
      .toUpperCase()}`,
    'display-name': nick,
    emotes: r() < 0.2 ? 'emotesv2_ee52e9d2f1344320bad5e93dd2a6e570:0-10' : '',
    'first-msg': '0',
    flags: '',
    id: uuid(r),
    mod: '0',
    'returning-chatter': '0',
    'room-id': roomId,
    subscriber: r() < 0.3 ? '1' : '0',
    'tmi-sent-ts': String(Math.round(at * 1000)),
    turbo: '0',
    'user-id': String(10000000 + Math.floor(r() * 9e8)),
    'user-type': '',
  };
  if (r() < 0.4) tags['client-nonce'] = token(r, 32).toLowerCase();
  if (r() < 0.05) tags.vip = true;
  if (r() < 0.02) tags['reply-parent-msg-body'] = 'a reply; with\\sescapes\nand a newline';
  return tags;
}

function text(r: Rand): string {
  const n = 3 + Math.floor(r() * 9);
  return Array.from({ length: n }, () => pick(r, WORDS)).join(' ');
}

/** Server events per arrival: one, or a JOIN/PART burst (4 % of arrivals, 3.9 lines on average). */
const EVENTS_PER_ARRIVAL = 0.96 + 0.04 * 3 * (1 + 0.15 * 2);

/** The channel's events in server time order; `rate` events per second on average, about 77 % PRIVMSG. */
export function serverEvents(
  seed: number,
  start: number,
  minutes: number,
  rate: number,
  channel: string,
): ServerEvent[] {
  const r = rng(seed);
  const roomId = String(10000000 + (seed % 1000));
  const chan = `#${channel}`;
  const out: ServerEvent[] = [];
  const end = start + minutes * 60;
  const user = (nick: string) => ({ sender: nick, user: nick, host: `${nick}.tmi.twitch.tv` });
  const arrivals = rate / EVENTS_PER_ARRIVAL;
  for (let t = start + -Math.log(1 - r()) / arrivals; t < end; t += -Math.log(1 - r()) / arrivals) {
    const at = ms(t);
    const nick = pick(r, NICKS);
    const k = r();
    if (k < 0.86) {
      out.push({
        at,
        command: 'PRIVMSG',
        params: [chan, text(r)],
        ...user(nick),
        tags: privmsgTags(r, nick, at, roomId),
        late: false,
      });
    } else if (k < 0.9) {
      const tags = privmsgTags(r, nick, at, roomId);
      tags['msg-id'] = 'resub';
      tags['system-msg'] = `${nick} subscribed at Tier 1. They've subscribed for 7 months!`;
      tags.login = nick;
      out.push({
        at,
        command: 'USERNOTICE',
        params: r() < 0.5 ? [chan, text(r)] : [chan],
        sender: 'tmi.twitch.tv',
        user: null,
        host: null,
        tags,
        late: false,
      });
    } else if (k < 0.92) {
      const tags: Tags = { 'room-id': roomId, 'target-user-id': String(10000000 + Math.floor(r() * 9e8)) };
      if (r() < 0.7) tags['ban-duration'] = String(pick(r, [1, 10, 600, 3600]));
      out.push({
        at,
        command: 'CLEARCHAT',
        params: [chan, nick],
        sender: 'tmi.twitch.tv',
        user: null,
        host: null,
        tags,
        late: false,
      });
    } else if (k < 0.94) {
      const msg = pick(r, [
        ['emote_only_on', 'This room is now in emote-only mode.'],
        ['emote_only_off', 'This room is no longer in emote-only mode.'],
        ['slow_on', 'This room is now in slow mode. You may send messages every 10 seconds.'],
      ] as const);
      out.push({
        at,
        command: 'NOTICE',
        params: [chan, msg[1]],
        sender: 'tmi.twitch.tv',
        user: null,
        host: null,
        tags: { 'msg-id': msg[0] },
        late: false,
      });
    } else if (k < 0.96) {
      out.push({
        at,
        command: 'ROOMSTATE',
        params: [chan],
        sender: 'tmi.twitch.tv',
        user: null,
        host: null,
        tags: { 'emote-only': r() < 0.5 ? '1' : '0', 'room-id': roomId },
        late: false,
      });
    } else {
      // A burst of JOIN/PART; sometimes one user JOINs, PARTs and JOINs again within the 45 s padding.
      const n = 1 + Math.floor(r() * 5);
      for (let i = 0; i < n; i++) {
        const who = pick(r, NICKS);
        const cmd = r() < 0.6 ? 'JOIN' : 'PART';
        out.push({ at: ms(at + i * 0.01), command: cmd, params: [chan], ...user(who), tags: null, late: true });
        if (r() < 0.15) {
          const back = ms(at + 5 + r() * 25);
          out.push({
            at: ms(back - 2),
            command: cmd === 'JOIN' ? 'PART' : 'JOIN',
            params: [chan],
            ...user(who),
            tags: null,
            late: true,
          });
          out.push({ at: back, command: cmd, params: [chan], ...user(who), tags: null, late: true });
        }
      }
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

interface Session {
  receiver: string;
  from: number;
  to: number;
}

/** Connections of one node: outages leave gaps, reconnects overlap the old and the new one. */
function sessions(r: Rand, node: string, start: number, end: number, disturbances: boolean): Session[] {
  const cuts: Array<{ at: number; kind: 'outage' | 'reconnect' }> = [];
  if (disturbances) {
    const span = end - start;
    for (let i = Math.floor(r() * 3); i > 0; i--)
      cuts.push({ at: start + uniform(r, 0.1, 0.9) * span, kind: 'outage' });
    for (let i = Math.floor(r() * 3); i > 0; i--)
      cuts.push({ at: start + uniform(r, 0.05, 0.95) * span, kind: 'reconnect' });
    cuts.sort((a, b) => a.at - b.at);
  }
  const tag = token(r, 5);
  const out: Session[] = [];
  let from = start - 30;
  let counter = 0;
  for (const c of cuts) {
    if (c.at <= from + 5) continue;
    if (c.kind === 'outage') {
      out.push({ receiver: `${node}.${tag}.${counter++}`, from, to: c.at });
      from = c.at + uniform(r, 10, 120);
    } else {
      out.push({ receiver: `${node}.${tag}.${counter++}`, from, to: c.at + uniform(r, 1, 5) });
      from = c.at;
    }
  }
  out.push({ receiver: `${node}.${tag}.${counter}`, from, to: end + 60 });
  return out;
}

interface Received {
  event: ServerEvent;
  /** Local (skewed) receive time. */
  now: number;
}

/** SPEC §5 timing of one receiver's lines, in the order it got them. */
function timeLines(lines: Received[]): Array<{ event: ServerEvent; now: number; time: number; range: number }> {
  let lastServer: number | null = null;
  let lastRecv = 0;
  return lines.map(({ event, now }) => {
    let time: number;
    let range: number;
    const ts = event.tags?.['tmi-sent-ts'];
    if (typeof ts === 'string') {
      time = Number(ts) / 1000;
      range = 0;
      lastServer = time;
      lastRecv = now;
    } else if (lastServer !== null) {
      time = Math.max(lastServer + (now - lastRecv) - 5, lastServer);
      range = 10;
    } else {
      time = now - 10;
      range = 15;
    }
    if (event.command === 'JOIN' || event.command === 'PART') {
      time -= 45;
      range += 45;
    }
    return { event, now, time: ms(time), range };
  });
}

const identityKey = (e: ServerEvent) =>
  canonicalJson({ command: e.command, params: e.params, sender: e.sender, user: e.user, host: e.host, tags: e.tags });

/** Bytes as the original implementation wrote them: its own key order, not RFC 8785. */
function originalBytes(records: ChatRecord[]): Buffer {
  const sorted = [...records].sort((a, b) => a.time - b.time || a.time_range - b.time_range);
  return Buffer.from(sorted.map((x) => JSON.stringify(x)).join('\n') + '\n', 'utf8');
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('base64url');

function nodeFiles(
  channel: string,
  records: ChatRecord[],
  original: boolean,
  perReceiverFiles: boolean,
): GeneratedFile[] {
  const groups = new Map<string, { minute: number; list: ChatRecord[] }>();
  for (const rec of records) {
    const minute = minuteStart(rec.time);
    const k = perReceiverFiles ? `${minute}\0${Object.keys(rec.receivers).join(',')}` : String(minute);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { minute, list: [] }));
    g.list.push(rec);
  }
  const files: GeneratedFile[] = [];
  for (const { minute, list } of groups.values()) {
    const bytes = original ? originalBytes(list) : encodeBatch(list);
    let name = batchFileName(minute, sha(bytes));
    if (original) name = name.replace('.', ':');
    files.push({ rel: path.join(channel, 'chat', hourName(minute), name), bytes });
  }
  return files;
}

export function generateWorld(o: WorldOptions): World {
  const channel = o.channel ?? 'testchan';
  const events = serverEvents(o.seed, o.start, o.minutes, o.rate, channel);
  const end = o.start + o.minutes * 60;
  const originalNodes = o.originalNodes ?? (o.nodes >= 3 ? 1 : 0);
  const nodes: GeneratedNode[] = [];
  for (let n = 0; n < o.nodes; n++) {
    const r = rng(o.seed * 7919 + n + 1);
    const name = `node${String.fromCharCode(97 + n)}-${token(r, 3).toLowerCase()}`;
    const original = n >= o.nodes - originalNodes;
    const skew = uniform(r, -2, 2);
    const ss = sessions(r, name, o.start, end, o.disturbances ?? true);
    const records: ChatRecord[] = [];
    const observations: ExpectedObservation[] = [];
    const observed = (x: ExpectedObservation) => {
      if (o.observations !== false) observations.push(x);
    };
    /** Original-format nodes merge their overlapping receivers' id'd lines into one record, as the original did. */
    const byId = new Map<string, ChatRecord>();
    for (const s of ss) {
      const got: Received[] = [];
      let lastNow = -Infinity;
      for (const e of events) {
        const delay = e.late ? uniform(r, 0, 30) : uniform(r, 0.02, 0.8);
        const trueArrival = e.at + delay;
        if (trueArrival < s.from || trueArrival > s.to) continue;
        got.push({ event: e, now: trueArrival + skew });
      }
      got.sort((a, b) => a.now - b.now);
      for (const g of got) {
        // Distinct receive times per receiver: equal ones would be the same observation.
        g.now = ms(Math.max(g.now, lastNow + 0.001));
        lastNow = g.now;
      }
      for (const l of timeLines(got)) {
        const e = l.event;
        const id = e.tags?.id;
        if (original && typeof id === 'string' && byId.has(id)) {
          const rec = byId.get(id)!;
          rec.receivers[s.receiver] = l.now;
          observed({
            key: identityKey(e),
            receiver: s.receiver,
            received: l.now,
            start: rec.time,
            length: rec.time_range,
          });
          continue;
        }
        const rec: ChatRecord = {
          time: l.time,
          time_range: l.range,
          command: e.command,
          params: e.params,
          sender: e.sender,
          user: e.user,
          host: e.host,
          tags: e.tags,
          receivers: { [s.receiver]: l.now },
          receiver_ranges: { [s.receiver]: [l.time, l.range] },
        };
        if (original) {
          delete (rec as Partial<ChatRecord>).receiver_ranges;
          if (typeof id === 'string') byId.set(id, rec);
        }
        records.push(rec);
        observed({ key: identityKey(e), receiver: s.receiver, received: l.now, start: l.time, length: l.range });
      }
    }
    nodes.push({
      name,
      receivers: ss.map((s) => s.receiver),
      original,
      files: nodeFiles(channel, records, original, !original),
      observations,
      records: records.length,
    });
  }
  return { channel, start: o.start, events, nodes };
}

/** Writes one node's folder (its segments directory) under `dir`. */
export async function writeNode(dir: string, node: GeneratedNode): Promise<string> {
  const root = path.join(dir, node.name);
  const made = new Set<string>();
  for (const f of node.files) {
    const p = path.join(root, f.rel);
    const d = path.dirname(p);
    if (!made.has(d)) {
      await fs.mkdir(d, { recursive: true });
      made.add(d);
    }
    await fs.writeFile(p, f.bytes);
  }
  await fs.mkdir(root, { recursive: true });
  return root;
}

export async function writeWorld(dir: string, world: World): Promise<string[]> {
  const out: string[] = [];
  for (const n of world.nodes) out.push(await writeNode(dir, n));
  return out;
}

/** Every file under `root` (relative path, sorted) with its bytes; the archive's own state and quarantine excluded. */
export async function snapshotTree(
  root: string,
  opts: { includeHidden?: boolean } = {},
): Promise<Array<[string, Buffer]>> {
  const out: Array<[string, Buffer]> = [];
  const walk = async (dir: string) => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      if (!opts.includeHidden && e.name.startsWith('.') && dir === root) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push([path.relative(root, p), await fs.readFile(p)]);
      else
        out.push([
          path.relative(root, p),
          Buffer.from(e.isSymbolicLink() ? `<link to ${await fs.readlink(p)}>` : '<special>'),
        ]);
    }
  };
  await walk(root);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** One digest of a whole tree (paths and bytes), for cheap equality checks. */
export function treeDigest(tree: Array<[string, Buffer]>): string {
  const h = createHash('sha256');
  for (const [p, b] of tree) h.update(p).update('\0').update(sha(b)).update('\n');
  return h.digest('hex');
}

// ---------------------------------------------------------------------------------------
// fast-check arbitraries: small record sets built to collide (shared receivers, ids,
// identities and overlapping times) so the merge rules are actually exercised.

/** 2024-01-06T16:00Z. */
export const HOUR = 1704556800;
/** One is not ASCII: receiver ids from other tools' files can be any string. */
export const RECEIVERS = ['alice.a1b2C.0', 'alice.a1b2C.1', 'bob.Zz9y8.0', 'carol.q0Q0q.3', 'dörte.😂".1'] as const;

const astral = fc.constantFrom('😂', '\u{E0000}', '𝔘', '\u{10FFFF}', 'ﬀ', '\uFFFF', 'é', 'a', ' ', '\\', '"', '\n');
export const arbText = fc.array(astral, { maxLength: 6 }).map((xs) => xs.join(''));

const arbIdentity = fc.oneof(
  // id'd PRIVMSG from a small pool of ids; text varies sometimes for the same id (an identity conflict)
  fc
    .record({ id: fc.constantFrom('m1', 'm2', 'm3'), text: fc.oneof(fc.constant('hi 😂'), arbText) })
    .map(({ id, text }) => ({
      command: 'PRIVMSG',
      params: ['#chan', text],
      sender: 'nick',
      user: 'nick',
      host: 'nick.tmi.twitch.tv',
      tags: { id, 'tmi-sent-ts': '1704556800123', 'display-name': 'Nick' } as Tags,
    })),
  fc.record({ cmd: fc.constantFrom('JOIN', 'PART'), who: fc.constantFrom('u1', 'u2') }).map(({ cmd, who }) => ({
    command: cmd,
    params: ['#chan'],
    sender: who,
    user: who,
    host: `${who}.tmi.twitch.tv`,
    tags: null,
  })),
  fc.constantFrom('NOTICE', 'CLEARCHAT', 'ROOMSTATE').map((cmd) => ({
    command: cmd,
    params: ['#chan', 'x'],
    sender: 'tmi.twitch.tv',
    user: null,
    host: null,
    tags: { 'room-id': '1', user: 'tricky', sender: 'x' } as Tags,
  })),
  // Unknown extra fields are identity fields
  arbText.map((t) => ({
    command: 'USERNOTICE',
    params: ['#chan'],
    sender: 'tmi.twitch.tv',
    user: null,
    host: null,
    tags: { id: 'm9' } as Tags,
    emote_sets: [t, 1e21, -0, 0.1 + 0.2],
  })),
);

/** Starts near minute and hour boundaries, fractional and whole. */
const arbStart = fc.oneof(
  fc.integer({ min: 0, max: 125 }).map((s) => HOUR + s),
  fc.integer({ min: 3560, max: 3620 }).map((s) => HOUR + s),
  fc.integer({ min: 0, max: 3600_000 }).map((m) => HOUR + m / 1000),
);
const arbLength = fc.constantFrom(0, 0, 10, 15, 55, 60, 0.25);

export interface ArbObservation {
  identity: Record<string, unknown>;
  receiver: string;
  received: number;
  start: number;
  length: number;
}

export const arbObservation: fc.Arbitrary<ArbObservation> = fc
  .record({
    identity: arbIdentity,
    receiver: fc.constantFrom(...RECEIVERS),
    start: arbStart,
    length: arbLength,
    delay: fc.integer({ min: 0, max: 40 }),
  })
  .map(({ identity, receiver, start, length, delay }) => ({
    identity,
    receiver,
    start,
    length,
    received: start + delay,
  }));

/**
 * Records as files hold them: mostly one observation each, sometimes several receivers in one
 * record, sometimes in the original format (no receiver_ranges: every receiver gets the record's range).
 */
export const arbRecord: fc.Arbitrary<ChatRecord> = fc
  .record({
    first: arbObservation,
    more: fc.array(
      fc.record({
        receiver: fc.constantFrom(...RECEIVERS),
        delay: fc.integer({ min: 0, max: 5 }),
        shift: fc.constantFrom(0, 0, 1, 3),
      }),
      { maxLength: 2 },
    ),
    original: fc.boolean(),
  })
  .map(({ first, more, original }) => {
    const rec = {
      ...first.identity,
      time: first.start,
      time_range: first.length,
      receivers: { [first.receiver]: first.received },
      receiver_ranges: { [first.receiver]: [first.start, first.length] },
    } as ChatRecord;
    for (const m of more) {
      if (rec.receivers[m.receiver] !== undefined) continue;
      rec.receivers[m.receiver] = first.received + m.delay;
      rec.receiver_ranges[m.receiver] = original ? [first.start, first.length] : [first.start + m.shift, first.length];
    }
    if (original) delete (rec as Partial<ChatRecord>).receiver_ranges;
    return rec;
  });

export const arbRecordSet = fc.array(arbRecord, { maxLength: 40 });
