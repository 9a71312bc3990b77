/**
 * Other tools' files written from the real fixture (app/service/sample/recentmessages-nymn.json) the
 * way each tool writes them (read from their sources): justlog's folder of raw lines,
 * TwitchDownloader's chat JSON, Chatterino's log, a raw IRC dump, the recent-messages answer.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseIrcLine } from '../../app/archive/irc-parse.js';
import { stripHistoryTags } from '../../app/archive/line-rules.js';
import type { IrcFields } from '../../app/archive/record.js';
import { fixtureLines as allFixtureLines, liveLine } from './fake-twitch.js';

export const fixtureLines = allFixtureLines();
export { liveLine };

export const deletedLater = (i: number) =>
  /[@;]rm-deleted=/.test(fixtureLines[i]!.slice(0, fixtureLines[i]!.indexOf(' ')));

export const parsed = (i: number): IrcFields => stripHistoryTags(parseIrcLine(fixtureLines[i]!)!);
export const sentAt = (i: number) => Number(parsed(i).tags!['tmi-sent-ts']) / 1000;
export const isPrivmsg = (i: number) => parsed(i).command === 'PRIVMSG';
export const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

/** justlog: `<room>/<year>/<month>/<day>/channel.txt[.gz]` and `<room>/<year>/<month>/<user-id>.txt` (filelog/*.go). */
export async function writeJustlog(
  dir: string,
  lines: number[],
  opts: { gzip?: boolean; users?: boolean; days?: boolean } = {},
) {
  const byDay = new Map<string, string[]>();
  const byUser = new Map<string, string[]>();
  for (const i of lines) {
    const f = parsed(i);
    const d = new Date(sentAt(i) * 1000);
    const month = `${f.tags!['room-id']}/${d.getUTCFullYear()}/${d.getUTCMonth() + 1}`;
    const day = `${month}/${d.getUTCDate()}`;
    byDay.set(day, [...(byDay.get(day) ?? []), liveLine(fixtureLines[i]!)]);
    const user = f.tags!['user-id'] ?? f.tags!['target-user-id'];
    if (typeof user === 'string')
      byUser.set(`${month}/${user}`, [...(byUser.get(`${month}/${user}`) ?? []), liveLine(fixtureLines[i]!)]);
  }
  if (opts.days !== false)
    for (const [day, ls] of byDay) {
      await fs.mkdir(path.join(dir, day), { recursive: true });
      const text = Buffer.from(ls.join('\n') + '\n');
      if (opts.gzip) await fs.writeFile(path.join(dir, day, 'channel.txt.gz'), gzipSync(text));
      else await fs.writeFile(path.join(dir, day, 'channel.txt'), text);
    }
  if (opts.users !== false)
    for (const [user, ls] of byUser) {
      await fs.mkdir(path.dirname(path.join(dir, user)), { recursive: true });
      await fs.writeFile(path.join(dir, `${user}.txt`), ls.join('\n') + '\n');
    }
}

/** A raw IRC dump (rustlog's `?raw`): lines as received, with whatever else the logger kept. */
export async function writeRaw(file: string, lines: string[]) {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, lines.join('\r\n') + '\r\n');
}

const iso = (t: number) => new Date(Math.round(t * 1000)).toISOString();

/** TwitchDownloader's fragments: the body cut at the emotes' code point ranges (ChatDownloader.ConvertComments). */
function fragments(text: string, emotes: string) {
  const cps = [...text];
  const marks: Array<{ from: number; to: number; id: string }> = [];
  for (const part of emotes ? emotes.split('/') : []) {
    const [id, ranges] = part.split(':') as [string, string];
    for (const r of ranges.split(',')) {
      const [a, b] = r.split('-').map(Number) as [number, number];
      marks.push({ from: a, to: b, id });
    }
  }
  marks.sort((a, b) => a.from - b.from);
  const out: Array<{ text: string; emoticon: { emoticon_id: string } | null }> = [];
  let pos = 0;
  for (const m of marks) {
    if (m.from > pos) out.push({ text: cps.slice(pos, m.from).join(''), emoticon: null });
    out.push({ text: cps.slice(m.from, m.to + 1).join(''), emoticon: { emoticon_id: m.id } });
    pos = m.to + 1;
  }
  if (pos < cps.length) out.push({ text: cps.slice(pos).join(''), emoticon: null });
  return out;
}

/** A TwitchDownloader comment of a fixture PRIVMSG (TwitchObjects/ChatRoot.cs). */
export function tdComment(i: number, videoStart: number) {
  const f = parsed(i);
  const t = f.tags!;
  const at = sentAt(i);
  // The API's fragments hold a /me message's text without its ACTION wrapper.
  const body = f.params[1]!.replace(/^\u0001ACTION (.*)\u0001$/s, '$1');
  const frags = fragments(body, String(t.emotes ?? ''));
  return {
    _id: t.id,
    created_at: iso(at),
    channel_id: t['room-id'],
    content_type: 'video',
    content_id: '2024010601',
    content_offset_seconds: Math.round((at - videoStart) * 1000) / 1000,
    commenter: {
      display_name: String(t['display-name']).trim(),
      _id: t['user-id'],
      name: f.sender,
      bio: null,
      created_at: '2019-05-01T12:00:00Z',
      updated_at: '2023-12-01T12:00:00Z',
      logo: 'https://static-cdn.jtvnw.net/user-default-pictures-uv/70x70.png',
    },
    message: {
      body,
      bits_spent: 0,
      fragments: frags,
      user_badges: String(t.badges ?? '')
        .split(',')
        .filter(Boolean)
        .map((b) => ({ _id: b.split('/')[0], version: b.split('/')[1] })),
      user_color: t.color ? t.color : null,
      emoticons: [],
    },
  };
}

export async function writeTwitchDownloader(file: string, lines: number[], opts: { gzip?: boolean } = {}) {
  const start = Math.floor(sentAt(lines[0]!)) - 60;
  const root = {
    FileInfo: {
      Version: { Major: 1, Minor: 4, Patch: 0 },
      CreatedAt: '2024-01-07T10:00:00Z',
      UpdatedAt: '0001-01-01T00:00:00',
    },
    streamer: { name: 'NymN', login: 'nymn', id: 62300805 },
    video: {
      title: 'stream',
      description: null,
      id: '2024010601',
      created_at: iso(start),
      start: 0,
      end: 600,
      length: 600,
      viewCount: 1,
      game: 'Just Chatting',
      chapters: [],
    },
    comments: lines.filter(isPrivmsg).map((i) => tdComment(i, start)),
    embeddedData: {
      thirdParty: [],
      firstParty: [{ id: 'x', imageScale: 1, data: 'iVBORw0KGgo=', name: 'EDM', width: 28, height: 28 }],
      twitchBadges: [],
      twitchBits: [],
    },
  };
  await fs.mkdir(path.dirname(file), { recursive: true });
  const text = Buffer.from(JSON.stringify(root));
  await fs.writeFile(file, opts.gzip ? gzipSync(text) : text);
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A Chatterino log line of a fixture PRIVMSG in a zone `offset` minutes east of UTC, written
 * here the way Chatterino2 does, independently of the importer's rules: IrcMessageHandler
 * takes a /me text without its ACTION wrapper and (stripLeadingReplyMention) a reply's leading
 * "@<parent display name> "; LoggingChannel::addMessage writes "[hh:mm:ss] ", the localized name
 * (a display name that is not the login in other case) and the login, ": ", the text, and for a
 * reply puts " @<parent login>" back after the colon.
 */
export function chatterinoLine(i: number, offset: number): string {
  const f = parsed(i);
  const tags = f.tags!;
  let content = f.params[1]!;
  const action = /^\u0001ACTION (.*)\u0001$/s.exec(content);
  if (action) content = action[1]!;
  const parentName = tags['reply-parent-display-name'];
  const reply = typeof tags['reply-parent-msg-id'] === 'string';
  if (typeof parentName === 'string' && content.length > parentName.length + 1 && content.startsWith(`@${parentName} `))
    content = content.slice(parentName.length + 2);
  const display = String(tags['display-name'] ?? '').trim();
  const login = f.sender!;
  const who = display && display.toLowerCase() !== login ? `${display} ${login}` : login;
  let text = `${who}: ${content}`;
  if (reply) text = text.replace(':', `: @${String(tags['reply-parent-user-login'])}`);
  const d = new Date(Math.floor(sentAt(i)) * 1000 + offset * 60_000);
  return `[${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}] ${text}`;
}

/** `Logs/Twitch/Channels/<channel>/<channel>-<date>.log` with its header, in CET (UTC+1). */
export async function writeChatterino(
  dir: string,
  lines: number[],
  extra: string[] = [],
  header = '# Start logging at 2024-01-06 17:00:00 CET',
) {
  const folder = path.join(dir, 'Twitch', 'Channels', 'nymn');
  await fs.mkdir(folder, { recursive: true });
  const body = [
    header,
    ...lines.filter(isPrivmsg).map((i) => chatterinoLine(i, 60)),
    ...extra,
    '# Stop logging at 2024-01-06 17:30:00 CET',
  ];
  const file = path.join(folder, 'nymn-2024-01-06.log');
  await fs.writeFile(file, body.join('\n') + '\n');
  return file;
}

export async function writeRecentMessages(file: string, lines: number[]) {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(
    file,
    JSON.stringify({ messages: lines.map((i) => fixtureLines[i]), error: null, error_code: null }),
  );
}
