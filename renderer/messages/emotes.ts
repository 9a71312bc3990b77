/**
 * A message's text as pieces: plain text, Twitch emotes (from the `emotes` tag) and
 * third-party emotes (words of the text that are codes in the channel's sets then). Pure:
 * the pieces always join back to the text, whatever the tag says (another node's record
 * is input, not truth: ranges out of bounds, overlapping or crossing spaces are ignored).
 */
import type { TagValue, ViewerImageSets } from '../../app/service/contract.js';

export type Piece =
  { kind: 'text'; text: string } | { kind: 'emote'; code: string; src: string; src2x: string | null; title: string };

export interface TwitchRange {
  id: string;
  /** Code point positions in the text, inclusive. */
  start: number;
  end: number;
}

/** `id:0-4,6-10/id2:12-15` → ranges sorted by start; malformed parts are skipped. */
export function twitchRanges(tag: TagValue | undefined): TwitchRange[] {
  if (typeof tag !== 'string' || !tag) return [];
  const out: TwitchRange[] = [];
  for (const part of tag.split('/')) {
    const colon = part.indexOf(':');
    const id = part.slice(0, colon);
    if (colon <= 0 || !/^[A-Za-z0-9_-]{1,100}$/.test(id)) continue;
    for (const r of part.slice(colon + 1).split(',')) {
      const m = /^(\d{1,6})-(\d{1,6})$/.exec(r);
      if (m && Number(m[1]) <= Number(m[2])) out.push({ id, start: Number(m[1]), end: Number(m[2]) });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

export type Theme = 'light' | 'dark';

const twitchSrc = (id: string, theme: Theme, scale: string) =>
  `/images/emotes/${encodeURIComponent(id)}/${theme}-${scale}`;

/** Third-party codes among the words of `text` (whitespace kept as it is). */
function thirdParty(text: string, sets: ViewerImageSets | null, out: Piece[]): void {
  if (!text) return;
  if (!sets) return void out.push({ kind: 'text', text });
  let plain = '';
  for (const word of text.split(/(\s+)/)) {
    const e = word && Object.hasOwn(sets.emotes, word) ? sets.emotes[word]! : null;
    if (!e) {
      plain += word;
      continue;
    }
    if (plain) out.push({ kind: 'text', text: plain });
    plain = '';
    out.push({ kind: 'emote', code: word, src: e.src, src2x: e.src2x, title: `${word} (${e.provider})` });
  }
  if (plain) out.push({ kind: 'text', text: plain });
}

/** `sets` null: nothing known yet, text only. */
export function textPieces(
  text: string,
  emotesTag: TagValue | undefined,
  sets: ViewerImageSets | null,
  theme: Theme,
): Piece[] {
  const chars = [...text];
  const out: Piece[] = [];
  let at = 0;
  for (const r of sets?.twitch ? twitchRanges(emotesTag) : []) {
    if (r.start < at || r.end >= chars.length) continue;
    const code = chars.slice(r.start, r.end + 1).join('');
    if (/\s/.test(code)) continue;
    thirdParty(chars.slice(at, r.start).join(''), sets, out);
    out.push({
      kind: 'emote',
      code,
      src: twitchSrc(r.id, theme, '1.0'),
      src2x: twitchSrc(r.id, theme, '2.0'),
      title: code,
    });
    at = r.end + 1;
  }
  thirdParty(chars.slice(at).join(''), sets, out);
  return out;
}

/** What a piece reads as in text. */
export const pieceText = (p: Piece) => (p.kind === 'text' ? p.text : p.code);
