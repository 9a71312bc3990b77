/**
 * IRCv3 line parsing into the SPEC §3 identity fields. Our own parser, because tmi.js
 * changes tag values (`key=` → true, bare `key` → "key", drops `\n`/`\r`) and trims text.
 */
import type { IrcFields, Tags } from './record.js';

export type IrcLine = IrcFields;

/** Splits one WebSocket frame into lines on CRLF; a final empty piece is no line. Nothing is trimmed. */
export function splitFrame(frame: string): string[] {
  const lines = frame.split('\r\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** IRCv3 tag value unescaping; an unknown escape stands for the character, a trailing backslash is dropped. */
export function unescapeTagValue(v: string): string {
  if (v.indexOf('\\') < 0) return v;
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = v[++i];
    if (n === undefined) break;
    out += n === 's' ? ' ' : n === ':' ? ';' : n === 'r' ? '\r' : n === 'n' ? '\n' : n;
  }
  return out;
}

function parseTags(s: string): Tags {
  const tags: Tags = {};
  let start = 0;
  while (start <= s.length) {
    let end = s.indexOf(';', start);
    if (end < 0) end = s.length;
    if (end > start) {
      const eq = s.indexOf('=', start);
      if (eq < 0 || eq > end) tags[s.slice(start, end)] = true;
      else if (eq > start) tags[s.slice(start, eq)] = unescapeTagValue(s.slice(eq + 1, end));
    }
    start = end + 1;
  }
  return tags;
}

const COMMAND_RE = /^(?:[A-Za-z]+|\d{3})$/;

/** Parses one IRC line; null when it is not a well-formed line (no command, bad command). */
export function parseIrcLine(line: string): IrcLine | null {
  let i = 0;
  const n = line.length;
  let tags: Tags | null = null;
  if (line.charCodeAt(0) === 64 /* @ */) {
    const sp = line.indexOf(' ');
    if (sp < 0) return null;
    tags = parseTags(line.slice(1, sp));
    i = sp + 1;
  }
  while (i < n && line.charCodeAt(i) === 32) i++;
  let sender: string | null = null;
  let user: string | null = null;
  let host: string | null = null;
  if (line.charCodeAt(i) === 58 /* : */) {
    const sp = line.indexOf(' ', i);
    if (sp < 0) return null;
    const prefix = line.slice(i + 1, sp);
    if (prefix === '') return null;
    const at = prefix.lastIndexOf('@');
    const nickUser = at < 0 ? prefix : prefix.slice(0, at);
    if (at >= 0) host = prefix.slice(at + 1);
    const bang = nickUser.indexOf('!');
    if (bang < 0) sender = nickUser;
    else {
      sender = nickUser.slice(0, bang);
      user = nickUser.slice(bang + 1);
    }
    i = sp + 1;
    while (i < n && line.charCodeAt(i) === 32) i++;
  }
  let sp = line.indexOf(' ', i);
  if (sp < 0) sp = n;
  const command = line.slice(i, sp);
  if (!COMMAND_RE.test(command)) return null;
  const params: string[] = [];
  i = sp;
  while (i < n) {
    while (i < n && line.charCodeAt(i) === 32) i++;
    if (i >= n) break;
    if (line.charCodeAt(i) === 58 /* : */) {
      params.push(line.slice(i + 1));
      break;
    }
    let end = line.indexOf(' ', i);
    if (end < 0) end = n;
    params.push(line.slice(i, end));
    i = end;
  }
  return { command: command.toUpperCase(), params, sender, user, host, tags };
}
