/** Pure: the IRC line a record was parsed from, rebuilt from its fields (for the details view). */
import type { ChatRecord } from '../archive/record.js';

const escapeTag = (v: string) =>
  v.replace(/[\\; \r\n]/g, (c) => ({ '\\': '\\\\', ';': '\\:', ' ': '\\s', '\r': '\\r', '\n': '\\n' })[c]!);

export function ircLine(r: ChatRecord): string {
  const parts: string[] = [];
  if (r.tags) {
    const tags = Object.entries(r.tags).map(([k, v]) => (v === true ? k : `${k}=${escapeTag(v)}`));
    if (tags.length) parts.push(`@${tags.join(';')}`);
  }
  if (r.sender !== null)
    parts.push(`:${r.sender}${r.user !== null ? `!${r.user}` : ''}${r.host !== null ? `@${r.host}` : ''}`);
  parts.push(r.command);
  const params = r.params;
  params.forEach((p, i) => {
    const last = i === params.length - 1;
    // Twitch writes the last of several params as trailing (`PRIVMSG #c :text`), a lone one bare (`JOIN #c`).
    parts.push(last && (params.length > 1 || p === '' || p.includes(' ') || p.startsWith(':')) ? `:${p}` : p);
  });
  return parts.join(' ');
}
