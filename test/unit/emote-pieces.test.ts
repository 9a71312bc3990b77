/** The viewer's emote pieces: lossless over any tag and any set, right on the real fixture. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pieceText, textPieces, twitchRanges } from '../../renderer/messages/emotes.js';
import { actionText } from '../../renderer/messages/describe.js';
import type { ViewerImageSets } from '../../app/service/contract.js';
import { parseIrcLine } from '../../app/archive/irc-parse.js';
import { fixtureLines } from '../support/fake-twitch.js';

const sets = (codes: string[], twitch = true): ViewerImageSets => ({
  twitch,
  emotes: Object.fromEntries(
    codes.map((c, i) => [
      c,
      {
        provider: '7tv' as const,
        id: `id${i}`,
        src: `/images/emotes/7tv/id${i}/1x.webp`,
        src2x: null,
        zeroWidth: false,
      },
    ]),
  ),
  badges: {},
});

describe('emote pieces', () => {
  it('always join back to the text, whatever the tag and the sets say', () => {
    const tag = fc.oneof(
      fc.string(),
      fc
        .array(fc.tuple(fc.stringMatching(/^[a-z0-9_]{1,8}$/), fc.nat(60), fc.nat(60)))
        .map((rs) => rs.map(([id, a, b]) => `${id}:${a}-${b}`).join('/')),
    );
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        tag,
        fc.array(fc.stringMatching(/^\S{1,6}$/)),
        fc.boolean(),
        (text, t, codes, twitch) => {
          expect(textPieces(text, t, sets(codes, twitch), 'dark').map(pieceText).join('')).toBe(text);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("draws the fixture's Twitch emotes by code point, /me lines too", () => {
    let emotes = 0;
    let nonAscii = 0;
    for (const raw of fixtureLines()) {
      const line = parseIrcLine(raw)!;
      if (line.command !== 'PRIVMSG') continue;
      const trailing = line.params[1] ?? '';
      const text = actionText(trailing) ?? trailing;
      const ranges = twitchRanges(line.tags?.emotes);
      const pieces = textPieces(text, line.tags?.emotes, sets([]), 'dark');
      expect(pieces.map(pieceText).join('')).toBe(text);
      const drawn = pieces.filter((p) => p.kind === 'emote');
      expect(drawn.length, raw).toBe(ranges.length);
      for (const p of drawn) expect(p.kind === 'emote' && /\s/.test(p.code)).toBe(false);
      emotes += drawn.length;
      if (drawn.length && [...text].length !== text.length) nonAscii++;
    }
    expect(emotes).toBeGreaterThan(300);
    expect(nonAscii).toBeGreaterThan(5);
    const first = parseIrcLine(fixtureLines()[0]!)!;
    const pieces = textPieces(first.params[1]!, first.tags?.emotes, sets(['EDM']), 'light');
    expect(pieces.filter((p) => p.kind === 'emote' && p.code === 'forsenParty')).toHaveLength(13);
    expect(pieces.find((p) => p.kind === 'emote' && p.code === 'forsenParty')).toMatchObject({
      src: '/images/emotes/emotesv2_ee52e9d2f1344320bad5e93dd2a6e570/light-1.0',
      src2x: '/images/emotes/emotesv2_ee52e9d2f1344320bad5e93dd2a6e570/light-2.0',
    });
    expect(pieces.filter((p) => p.kind === 'emote' && p.code === 'EDM')).toHaveLength(12);
  });

  it('third-party codes are whole words only, never inherited names; no Twitch images when none are stored', () => {
    const p = textPieces('constructor EDM xEDM EDM!  EDM', undefined, sets(['EDM']), 'dark');
    expect(p.filter((x) => x.kind === 'emote').map(pieceText)).toEqual(['EDM', 'EDM']);
    expect(textPieces('Kappa', '25:0-4', sets([], false), 'dark')).toEqual([{ kind: 'text', text: 'Kappa' }]);
    expect(textPieces('Kappa', '25:0-4', null, 'dark')).toEqual([{ kind: 'text', text: 'Kappa' }]);
    // Out of bounds, overlapping and reversed ranges are ignored.
    expect(textPieces('Kappa Kappa', '25:0-4,2-6,6-10,9-30/x:4-1', sets([]), 'dark').map((x) => x.kind)).toEqual([
      'emote',
      'text',
      'emote',
    ]);
  });
});
