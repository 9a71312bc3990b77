/** Pure image rules: emote tags, names that become paths, snapshot names, provider answers. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { emoteIdsOf, twitchEmoteUrl } from '../../app/images/twitch-emotes.js';
import {
  isImageFileName,
  isTwitchEmoteId,
  parseSnapshotFileName,
  snapshotFileName,
  twitchEmoteFile,
} from '../../app/images/layout.js';
import { parseBttv, parseFfzSets, parseSevenTv } from '../../app/images/emote-sets.js';
import { parseBadges } from '../../app/images/badges.js';
import { snapshotAt } from '../../app/images/snapshots.js';
import { listChannels } from '../../app/archive/layout.js';
import { breaks, CHANNEL } from '../../app/rules.js';
import { fixtureLines } from '../support/fake-twitch.js';

const id = fc.oneof(
  fc.integer({ min: 1, max: 2 ** 40 }).map(String),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => `emotesv2_${Buffer.from(b).toString('hex')}`),
);
const ranges = fc.array(
  fc.tuple(fc.nat(500), fc.nat(30)).map(([a, n]) => `${a}-${a + n}`),
  { minLength: 1, maxLength: 5 },
);

describe('emotes tag', () => {
  it('gives every id of `id:start-end,start-end/id2:…` once, in order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(id, { minLength: 1, maxLength: 8 }),
        fc.array(ranges, { minLength: 8, maxLength: 8 }),
        (ids, rs) => {
          const tag = ids.map((x, i) => `${x}:${rs[i]!.join(',')}`).join('/');
          expect(emoteIdsOf(tag)).toEqual(ids);
          expect(emoteIdsOf(`${tag}/${tag}`)).toEqual(ids);
        },
      ),
    );
  });

  it("reads the fixture's tags: 32 distinct ids", () => {
    const ids = new Set<string>();
    for (const l of fixtureLines()) {
      const tag = /(?:^@|;)emotes=([^; ]*)/.exec(l)?.[1];
      for (const x of emoteIdsOf(tag)) ids.add(x);
    }
    expect(ids.size).toBe(32);
    expect(ids.has('emotesv2_ee52e9d2f1344320bad5e93dd2a6e570')).toBe(true);
  });

  it('skips ids that could leave the emotes folder or clash with its own folders', () => {
    expect(emoteIdsOf('..:0-1/.x:0-2/a\\b:0-1/25:0-4')).toEqual(['25']);
    expect(emoteIdsOf('7tv:0-2/badges:0-1/sets:0-1/a:0-1')).toEqual(['a']);
    expect(emoteIdsOf(true)).toEqual([]);
    expect(emoteIdsOf('')).toEqual([]);
    for (const bad of ['..', '.', 'a/b', 'a\\b', '', 'x'.repeat(101), '7tv', 'bttv', 'ffz', 'badges', 'sets', 'a b'])
      expect(isTwitchEmoteId(bad), bad).toBe(false);
  });

  it("paths and URLs follow the original's layout", () => {
    expect(twitchEmoteFile('/s', '25', 'dark', '2.0')).toBe(path.join('/s', 'emotes', '25', 'dark-2.0'));
    expect(twitchEmoteUrl('https://static-cdn.jtvnw.net/', '25', 'light', '3.0')).toBe(
      'https://static-cdn.jtvnw.net/emoticons/v2/25/default/light/3.0',
    );
  });

  it('file names from data never walk out of their folder', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        if (isImageFileName(s)) expect(path.normalize(path.join('/a/b', s)).startsWith('/a/b/')).toBe(true);
      }),
    );
    for (const bad of ['..', '.hidden', 'a/b', '', '../x']) expect(isImageFileName(bad), bad).toBe(false);
  });
});

describe('snapshot names', () => {
  it('round-trip the time seen (to the second) and the hash', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253402300799 }), fc.stringMatching(/^[A-Za-z0-9_-]{43}$/), (t, hash) => {
        const name = snapshotFileName(t, hash);
        expect(name).not.toContain(':');
        expect(parseSnapshotFileName(name)).toEqual({ seenAt: t, hash });
      }),
    );
    expect(parseSnapshotFileName('2024-02-30T10.00.00-' + 'a'.repeat(43) + '.json')).toBeNull();
    expect(parseSnapshotFileName('x.json')).toBeNull();
  });

  it('the snapshot in effect is the newest seen at or before the time, else the oldest', () => {
    const s = [10, 20, 30].map((seenAt) => ({ path: String(seenAt), seenAt, hash: 'h' }));
    expect(snapshotAt(s, 25)?.seenAt).toBe(20);
    expect(snapshotAt(s, 30)?.seenAt).toBe(30);
    expect(snapshotAt(s, 5)?.seenAt).toBe(10);
    expect(snapshotAt([], 5)).toBeNull();
  });
});

describe('provider answers (untrusted: entry by entry)', () => {
  it('7TV: the code in the set, WebP files under the host URL, zero-width flag', () => {
    const e = (id: string, name: string, extra = {}) => ({
      id,
      name,
      flags: 1,
      data: {
        animated: true,
        host: {
          url: '//cdn.7tv.app/emote/' + id,
          files: [{ name: '1x.avif' }, { name: '1x.webp' }, { name: '2x.webp' }],
        },
      },
      ...extra,
    });
    const out = parseSevenTv(
      [e('01ABC', 'EDM'), e('../x', 'bad'), { id: 'x' }, e('02DEF', 'two words'), null],
      'https://7tv.io',
    );
    expect(out).toEqual([
      {
        id: '01ABC',
        name: 'EDM',
        animated: true,
        zero_width: true,
        files: [
          { name: '1x.webp', url: 'https://cdn.7tv.app/emote/01ABC/1x.webp' },
          { name: '2x.webp', url: 'https://cdn.7tv.app/emote/01ABC/2x.webp' },
        ],
      },
    ]);
    expect(parseSevenTv({ not: 'a list' }, 'https://7tv.io')).toEqual([]);
  });

  it('BetterTTV: files 1x–3x from the configured CDN', () => {
    expect(
      parseBttv(
        [{ id: '5e7e6293d112fc3725753f69', code: 'RAGEY', imageType: 'gif', animated: true }, { code: 'x' }],
        'https://cdn.betterttv.net',
      ),
    ).toEqual([
      {
        id: '5e7e6293d112fc3725753f69',
        name: 'RAGEY',
        animated: true,
        zero_width: false,
        files: ['1x', '2x', '3x'].map((n) => ({
          name: n,
          url: `https://cdn.betterttv.net/emote/5e7e6293d112fc3725753f69/${n}`,
        })),
      },
    ]);
  });

  it('FrankerFaceZ: urls per scale, animated ones too; only the chosen sets', () => {
    const sets = {
      '3': {
        emoticons: [
          {
            id: 25,
            name: 'ZreknarF',
            urls: { '1': '//cdn.frankerfacez.com/emote/25/1', '4': 'https://cdn.frankerfacez.com/emote/25/4' },
            animated: { '1': '//cdn.frankerfacez.com/emote/25/animated/1' },
          },
        ],
      },
      '99': { emoticons: [{ id: 1, name: 'Other', urls: { '1': 'https://x/1' } }] },
    };
    expect(parseFfzSets(sets, (s) => s === '3', 'https://api.frankerfacez.com')).toEqual([
      {
        id: '25',
        name: 'ZreknarF',
        animated: true,
        zero_width: false,
        files: [
          { name: '1', url: 'https://cdn.frankerfacez.com/emote/25/1' },
          { name: '4', url: 'https://cdn.frankerfacez.com/emote/25/4' },
          { name: 'animated-1', url: 'https://cdn.frankerfacez.com/emote/25/animated/1' },
        ],
      },
    ]);
  });

  it("Helix badges: images by Twitch's image id, versions sorted", () => {
    const body = {
      data: [
        {
          set_id: 'subscriber',
          versions: [
            {
              id: '3',
              title: '3-Month',
              image_url_1x: 'https://static-cdn.jtvnw.net/badges/v1/abc-3/1',
              image_url_2x: 'https://static-cdn.jtvnw.net/badges/v1/abc-3/2',
            },
            { id: '0', title: 'Sub', image_url_1x: 'https://static-cdn.jtvnw.net/badges/v1/abc-0/1' },
          ],
        },
      ],
    };
    expect(parseBadges(body)).toEqual([
      {
        set_id: 'subscriber',
        versions: [
          {
            id: '0',
            title: 'Sub',
            image: 'abc-0',
            files: [{ name: '1x', url: 'https://static-cdn.jtvnw.net/badges/v1/abc-0/1' }],
          },
          {
            id: '3',
            title: '3-Month',
            image: 'abc-3',
            files: [
              { name: '1x', url: 'https://static-cdn.jtvnw.net/badges/v1/abc-3/1' },
              { name: '2x', url: 'https://static-cdn.jtvnw.net/badges/v1/abc-3/2' },
            ],
          },
        ],
      },
    ]);
    expect(parseBadges({ data: [{ set_id: '../x', versions: [] }] })).toBeNull();
    expect(parseBadges('nope')).toBeNull();
  });
});

describe('folders beside the channels', () => {
  it('emotes/ and media/ are not channels, and cannot be recorded as channels', async () => {
    const seg = fs.mkdtempSync(path.join(os.tmpdir(), 'layout-'));
    try {
      for (const d of ['emotes/25', 'media', 'nymn/chat', 'emotesfan/chat'])
        fs.mkdirSync(path.join(seg, d), { recursive: true });
      const l = await listChannels(seg);
      expect(l.channels).toEqual(['emotesfan', 'nymn']);
      expect(l.strays).toEqual([]);
      expect(breaks(CHANNEL, 'emotes')).toMatch(/reserved/);
      expect(breaks(CHANNEL, 'media')).toMatch(/reserved/);
      expect(breaks(CHANNEL, 'emotes_')).toBeNull();
    } finally {
      fs.rmSync(seg, { recursive: true, force: true });
    }
  });
});
