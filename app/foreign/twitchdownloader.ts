/**
 * `twitchdownloader`: the chat JSON TwitchDownloader writes for a VOD or clip (lay295/TwitchDownloader,
 * TwitchObjects/ChatRoot.cs; `.json` or `.json.gz`), read as a stream: only `streamer` and one
 * comment at a time are held, whatever the embedded emote images weigh.
 *
 * A comment is a chat message rebuilt from what the file carries: its id, the commenter's login,
 * id and display name, the colour, badges, emotes (from the fragments, in code points as Twitch
 * counts them), bits and the text; `created_at` is its exact time (and, as TwitchDownloader has no
 * clock of its own, its receive time). A file is one receiver of the *rebuilt* kind (`.r0`): it
 * adds its receiver to the verbatim record of the same message id, never its fields.
 */
import { JSONParser } from '@streamparser/json';
import type { Tags } from '../archive/record.js';
import { CHANNEL } from '../rules.js';
import { jsonFileUnits } from './files.js';
import { headOf, openContent } from './lines.js';
import type { Item, Reader } from './source.js';

interface Streamer {
  name?: unknown;
  login?: unknown;
  id?: unknown;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})?$/;

/** .NET's round-trip DateTime text, Unix seconds (to the microsecond); no zone means UTC, as TwitchDownloader writes it. */
export function parseDotnetTime(s: unknown): number | null {
  if (typeof s !== 'string') return null;
  const m = ISO.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  let ms = Date.UTC(y, mo - 1, d, h, mi, se);
  if (Number.isNaN(ms) || mo > 12 || d > 31 || h > 23 || mi > 59 || se > 60) return null;
  if (m[8] && m[8] !== 'Z') {
    const sign = m[8][0] === '-' ? -1 : 1;
    ms -= sign * (Number(m[8].slice(1, 3)) * 60 + Number(m[8].slice(4, 6))) * 60_000;
  }
  const micros = Math.round(Number(`0.${m[7] ?? '0'}`) * 1e6);
  return Math.round(ms * 1000 + micros) / 1e6;
}

const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);
const obj = (x: unknown): Record<string, unknown> | null =>
  typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : null;
const cp = (s: string) => [...s].length;

/** Twitch's `emotes` tag from TwitchDownloader's fragments: `id:start-end,.../id2:...`, code point positions. */
function emotesTag(fragments: unknown[]): string {
  const ranges = new Map<string, string[]>();
  let pos = 0;
  for (const f of fragments) {
    const o = obj(f);
    const text = str(o?.text);
    if (text === null) continue;
    const id = str(obj(o?.emoticon)?.emoticon_id);
    const n = cp(text);
    if (id !== null && n > 0) {
      const list = ranges.get(id) ?? [];
      list.push(`${pos}-${pos + n - 1}`);
      ranges.set(id, list);
    }
    pos += n;
  }
  return [...ranges].map(([id, r]) => `${id}:${r.join(',')}`).join('/');
}

/** The channel of a file: its streamer's login (older files: the name, when it is a login). */
function channelOf(s: Streamer | null): string | null {
  for (const c of [str(s?.login), str(s?.name)?.toLowerCase()]) if (c && CHANNEL.pattern.test(c)) return c;
  return null;
}

type Rebuilt = Extract<Item, { kind: 'record' }>;

/** One comment as a rebuilt PRIVMSG, or why it cannot be one. */
export function commentRecord(
  c: unknown,
  channel: string,
  roomId: string | null,
): Omit<Rebuilt, 'file' | 'at' | 'kind'> | string {
  const o = obj(c);
  if (!o) return 'not an object';
  const id = str(o._id);
  if (!id) return 'no _id';
  const time = parseDotnetTime(o.created_at);
  if (time === null) return `created_at ${JSON.stringify(o.created_at)} is not a time`;
  const who = obj(o.commenter);
  const login = str(who?.name);
  if (!who || !login) return 'no commenter login (commenter.name)';
  const msg = obj(o.message);
  const body = str(msg?.body);
  if (!msg || body === null) return 'no message body';
  const tags: Tags = {
    badges: (Array.isArray(msg.user_badges) ? msg.user_badges : [])
      .map((b) => obj(b))
      .filter((b) => b && str(b._id))
      .map((b) => `${str(b!._id)}/${str(b!.version) ?? ''}`)
      .join(','),
    color: str(msg.user_color) ?? '',
    'display-name': str(who.display_name) ?? login,
    emotes: Array.isArray(msg.fragments) ? emotesTag(msg.fragments) : '',
    id,
    'tmi-sent-ts': String(Math.round(time * 1000)),
  };
  const userId = str(who._id);
  if (userId) tags['user-id'] = userId;
  const room = str(o.channel_id) || roomId;
  if (room) tags['room-id'] = room;
  if (typeof msg.bits_spent === 'number' && msg.bits_spent > 0) tags.bits = String(msg.bits_spent);
  const notice = str(obj(msg.user_notice_params)?.msg_id);
  if (notice) tags['msg-id'] = notice;
  return {
    channel,
    fields: {
      command: 'PRIVMSG',
      params: [`#${channel}`, body],
      sender: login,
      user: login,
      host: `${login}.tmi.twitch.tv`,
      tags,
    },
    time,
    range: 0,
    received: time,
  };
}

export const twitchDownloader: Reader = {
  format: 'twitchdownloader',
  counter: 'r0',
  fingerprint: 'head',
  enumerate: jsonFileUnits,
  async *read(unit, ctx) {
    const f = unit.files[0]!;
    let streamer: Streamer | null = null;
    let channel: string | null = null;
    let decided = false;
    let comments = 0;
    let pending: Item[] = [];
    const parser = new JSONParser({ paths: ['$.streamer', '$.comments.*'], keepStack: false });
    parser.onValue = ({ value, key, stack }) => {
      if (stack.length === 1 && key === 'streamer') streamer = obj(value) as Streamer | null;
      else if (stack.length === 2) {
        const at = ++comments;
        if (!decided) {
          decided = true;
          channel = ctx.channel ?? channelOf(streamer);
          const own = channelOf(streamer);
          if (ctx.channel && own && own !== ctx.channel) {
            pending.push({
              kind: 'problem',
              file: 0,
              at: null,
              reason: `holds #${own}, not #${ctx.channel}: not imported`,
            });
            channel = null;
          } else if (!channel)
            pending.push({
              kind: 'problem',
              file: 0,
              at: null,
              reason: 'names no streamer login; give the channel (--channel)',
            });
        }
        if (!channel) return;
        const roomId =
          typeof obj(streamer)?.id === 'number' || typeof obj(streamer)?.id === 'string'
            ? String(obj(streamer)!.id)
            : null;
        const r = commentRecord(value, channel, roomId);
        if (typeof r === 'string') pending.push({ kind: 'problem', file: 0, at, where: `comment ${at}`, reason: r });
        else pending.push({ kind: 'record', file: 0, at, ...r });
      }
    };
    try {
      for await (const chunk of await openContent(f.path, ctx.onBytes, ctx.signal)) {
        parser.write(chunk);
        if (pending.length) {
          yield* pending;
          pending = [];
        }
      }
      if (!parser.isEnded) parser.end();
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      yield* pending;
      yield {
        kind: 'problem',
        file: 0,
        at: null,
        where: `after comment ${comments}`,
        reason: `not TwitchDownloader chat JSON: ${(e as Error).message.slice(0, 160)}`,
      };
      return;
    }
    yield* pending;
    if (comments === 0) {
      // An empty list is a VOD nobody chatted in; no list at all is another kind of JSON.
      if (/"comments"\s*:\s*\[/.test((await headOf(f.path, 4 << 20)).toString('utf8')))
        yield { kind: 'skip', file: 0, what: 'files without comments' };
      else
        yield { kind: 'problem', file: 0, at: null, reason: 'has no "comments" list: not TwitchDownloader chat JSON' };
    }
  },
};
