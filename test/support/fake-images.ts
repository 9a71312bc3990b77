/**
 * One fake image world on 127.0.0.1:0 for tests and benchmarks, speaking the public shapes of:
 * - Twitch's emote CDN: `/emoticons/v2/<id>/default/<light|dark>/<1.0|2.0|3.0>`
 * - 7TV v3: `/v3/users/twitch/<id>`, `/v3/emote-sets/global`; its CDN under `/7tv-cdn/emote/<id>/<file>`
 * - BetterTTV: `/3/cached/users/twitch/<id>`, `/3/cached/emotes/global`; CDN `/bttv-cdn/emote/<id>/<1x|2x|3x>`
 * - FrankerFaceZ v1: `/v1/room/id/<id>`, `/v1/set/global`; CDN `/ffz-cdn/emote/<id>/<1|2|4>`
 * - Helix badges `/helix/chat/badges/global`, `/helix/chat/badges?broadcaster_id=` (Client-Id + Bearer
 *   token checked), `/oauth2/validate`; badge CDN `/badges/v1/<image id>/<1|2|3>`
 * - `/media/...`: routes a test defines (redirects, sizes, types)
 * The channel sets are made of words that really stand for third-party emotes in the fixture.
 * Every image is a small PNG of its own colour. Faults per path: 404s, 503s, 429s.
 */
import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { fixtureLines } from './fake-twitch.js';
import type { ImageSources } from '../../app/images/sources.js';

/** nymn's Twitch user id, as in the fixture's `room-id` tags. */
export const FIXTURE_ROOM_ID = '62300805';
export const FIXTURE_CLIENT_ID = 'fakeclientid0123456789';
export const FIXTURE_TOKEN = 'faketoken0123456789abcdef';

/** The Twitch emote ids of the fixture's `emotes` tags. */
export function fixtureEmoteIds(): string[] {
  const ids = new Set<string>();
  for (const l of fixtureLines()) {
    const tag = /(?:^@|;)emotes=([^; ]*)/.exec(l)?.[1];
    if (tag) for (const part of tag.split('/')) ids.add(part.split(':')[0]!);
  }
  return [...ids];
}

const hex24 = (n: number) => n.toString(16).padStart(24, '0');
/** Third-party emotes of the fixture's chat: [code, provider, scope]. */
export const THIRD_PARTY: Array<{
  code: string;
  provider: '7tv' | 'bttv' | 'ffz';
  scope: 'channel' | 'global';
  id: string;
}> = [
  ...['EDM', 'RaveTime', 'AlienTechno', 'WAYTOODANK', 'MUZIKA', 'PianoTime', 'FEELSWAYTOODONKMAN', 'nimeDance'].map(
    (code, i) => ({ code, provider: '7tv' as const, scope: 'channel' as const, id: hex24(0x7000 + i) }),
  ),
  { code: 'RAVE', provider: '7tv', scope: 'global', id: hex24(0x7100) },
  ...['forsenParty', 'monkaOMEGA', 'PagMan'].map((code, i) => ({
    code,
    provider: 'bttv' as const,
    scope: 'channel' as const,
    id: hex24(0xb000 + i),
  })),
  { code: 'haHAA', provider: 'bttv', scope: 'global', id: hex24(0xb100) },
  ...['FeelsDankMan', 'docPls', 'headBang'].map((code, i) => ({
    code,
    provider: 'ffz' as const,
    scope: 'channel' as const,
    id: String(500_000 + i),
  })),
  { code: 'LULE', provider: 'ffz', scope: 'global', id: '600000' },
];

export const BADGES = {
  global: [
    { set: 'moderator', version: '1', image: '3267646d-33f0-4b17-b3df-f923a41db1d0' },
    { set: 'vip', version: '1', image: 'b817aba4-fad8-49e2-b88a-7cc744dfa6ec' },
    { set: 'no_audio', version: '1', image: 'aef2cd08-f29b-45a1-8c12-d44d7fd5e6f0' },
    { set: 'subscriber', version: '0', image: '5d9f2208-5dd8-11e7-8513-2ff4adfae661' },
  ],
  channel: [
    { set: 'subscriber', version: '0', image: 'c0f1e4d2-0000-4000-8000-000000000000' },
    { set: 'subscriber', version: '36', image: 'c0f1e4d2-0000-4000-8000-000000000036' },
  ],
};

function crc32(b: Buffer): number {
  return zlib.crc32(b);
}

/** A solid `size`×`size` RGB PNG. */
export function png(size: number, rgb: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => rgb).flat())]);
  const raw = Buffer.concat(Array.from({ length: size }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A colour from a string, so every image looks its own. */
function colourOf(s: string): [number, number, number] {
  let h = 2166136261;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return [64 + (h & 0x7f), 64 + ((h >>> 8) & 0x7f), 64 + ((h >>> 16) & 0x7f)];
}

const SCALE_SIZE: Record<string, number> = {
  '1.0': 28,
  '2.0': 56,
  '3.0': 112,
  '1x': 28,
  '2x': 56,
  '3x': 84,
  '4x': 112,
  '1': 28,
  '2': 56,
  '4': 112,
};

/** The bytes the fake serves for an image (`twitch:<id>:<theme>`, `7tv:<id>`, …, at a scale). */
export const imageBytes = (key: string, scale: string) => png(SCALE_SIZE[scale] ?? 28, colourOf(key));

export type MediaRoute = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export class FakeImageServer {
  /** Paths answered 404. */
  readonly missing = new Set<string>();
  /** Path → how many more times it answers 503 (or 429 with Retry-After: 0). */
  readonly failures = new Map<string, { left: number; status: 503 | 429 }>();
  /** Path → times requested. */
  readonly requests = new Map<string, number>();
  readonly media = new Map<string, MediaRoute>();
  /** Answer 404 for channels (no account with a provider). */
  readonly noAccount = new Set<'7tv' | 'bttv' | 'ffz'>();
  /** Extra 7TV channel emotes (sets change over time). */
  readonly extraSevenTv: Array<{ code: string; id: string }> = [];
  /** Replaces a 7TV CDN host with another origin (a malicious API answer). */
  sevenTvHost: string | null = null;
  /** Image answers wait this long (to see how many requests are in flight at once). */
  imageDelayMs = 0;
  inFlight = 0;
  maxInFlight = 0;

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<FakeImageServer> {
    let self: FakeImageServer | undefined;
    const server = http.createServer((req, res) => self!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    self = new FakeImageServer(server);
    return self;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Every base URL pointing here. */
  get sources(): ImageSources {
    const o = this.origin;
    return {
      cdn: o,
      sevenTv: o,
      bttv: o,
      bttvCdn: `${o}/bttv-cdn`,
      ffz: o,
      helix: `${o}/helix`,
      twitchAuth: o,
    };
  }

  /** The command line's image source options, all pointing here. */
  cliArgs(): string[] {
    const s = this.sources;
    return [
      ...['--cdn', s.cdn, '--seventv-url', s.sevenTv, '--bttv-url', s.bttv, '--bttv-cdn', s.bttvCdn],
      ...['--ffz-url', s.ffz, '--helix-url', s.helix, '--twitch-auth-url', s.twitchAuth],
    ];
  }

  count(path: string): number {
    return this.requests.get(path) ?? 0;
  }

  get totalRequests(): number {
    let n = 0;
    for (const v of this.requests.values()) n += v;
    return n;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.origin);
    const p = url.pathname;
    this.requests.set(p, (this.requests.get(p) ?? 0) + 1);
    const fault = this.failures.get(p);
    if (fault && fault.left > 0) {
      fault.left--;
      res.writeHead(fault.status, fault.status === 429 ? { 'retry-after': '0' } : {});
      return void res.end();
    }
    if (this.missing.has(p)) return void res.writeHead(404).end();
    const media = this.media.get(p);
    if (media) return media(req, res);
    const json = (body: unknown, status = 200) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    const image = (key: string, scale: string, type = 'image/png') => {
      const bytes = imageBytes(key, scale);
      this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
      setTimeout(() => {
        this.inFlight--;
        res.writeHead(200, { 'content-type': type, 'content-length': bytes.length });
        res.end(bytes);
      }, this.imageDelayMs);
    };
    let m: RegExpExecArray | null;
    if ((m = /^\/emoticons\/v2\/([^/]+)\/default\/(light|dark)\/(1\.0|2\.0|3\.0)$/.exec(p)))
      return image(`twitch:${m[1]}:${m[2]}`, m[3]!);
    if ((m = /^\/7tv-cdn\/emote\/([^/]+)\/([1-4]x\.(?:webp|avif))$/.exec(p)))
      return image(`7tv:${m[1]}`, m[2]!.slice(0, 2), 'image/webp');
    if ((m = /^\/bttv-cdn\/emote\/([^/]+)\/([1-3]x)$/.exec(p))) return image(`bttv:${m[1]}`, m[2]!);
    if ((m = /^\/ffz-cdn\/emote\/([^/]+)\/(?:animated\/)?([124])$/.exec(p))) return image(`ffz:${m[1]}`, m[2]!);
    if ((m = /^\/badges\/v1\/([^/]+)\/([123])$/.exec(p)))
      return image(`badge:${m[1]}`, ['1x', '2x', '4x'][Number(m[2]) - 1]!);

    if ((m = /^\/v3\/users\/twitch\/(\d+)$/.exec(p)))
      return this.noAccount.has('7tv') || m[1] !== FIXTURE_ROOM_ID
        ? json({ status_code: 404, error: 'user not found' }, 404)
        : json({
            id: 'u1',
            platform: 'TWITCH',
            username: 'nymn',
            emote_set: {
              id: 'set1',
              name: 'NymN',
              emotes: [...this.sevenTv('channel'), ...this.extraSevenTv.map((e) => this.sevenTvEmote(e.code, e.id))],
            },
          });
    if (p === '/v3/emote-sets/global')
      return json({ id: 'global', name: 'Global Emotes', emotes: this.sevenTv('global') });
    if ((m = /^\/3\/cached\/users\/twitch\/(\d+)$/.exec(p)))
      return this.noAccount.has('bttv') || m[1] !== FIXTURE_ROOM_ID
        ? json({ message: 'user not found' }, 404)
        : json({
            id: 'b1',
            bots: [],
            avatar: '',
            channelEmotes: this.bttv('channel').slice(0, 1),
            sharedEmotes: this.bttv('channel').slice(1),
          });
    if (p === '/3/cached/emotes/global') return json(this.bttv('global'));
    if ((m = /^\/v1\/room\/id\/(\d+)$/.exec(p)))
      return this.noAccount.has('ffz') || m[1] !== FIXTURE_ROOM_ID
        ? json({ error: 'Not Found', status: 404 }, 404)
        : json({
            room: { _id: 1, twitch_id: Number(m[1]), id: 'nymn', set: 77 },
            sets: { '77': { id: 77, _type: 1, title: 'Channel: NymN', emoticons: this.ffz('channel') } },
          });
    if (p === '/v1/set/global')
      return json({
        default_sets: [3],
        sets: {
          '3': { id: 3, _type: 1, title: 'Global Emotes', emoticons: this.ffz('global') },
          '4330': {
            id: 4330,
            _type: 1,
            title: 'A supporter set',
            emoticons: [{ id: 1, name: 'NotGlobal', urls: { '1': `${this.origin}/ffz-cdn/emote/1/1` } }],
          },
        },
        users: { '4330': ['someone'] },
      });

    if (p === '/oauth2/validate') {
      if (req.headers.authorization !== `OAuth ${FIXTURE_TOKEN}`)
        return json({ status: 401, message: 'invalid access token' }, 401);
      return json({ client_id: FIXTURE_CLIENT_ID, login: 'archiver', scopes: [], user_id: '1', expires_in: 5000 });
    }
    if (p === '/helix/chat/badges/global' || p === '/helix/chat/badges') {
      if (req.headers.authorization !== `Bearer ${FIXTURE_TOKEN}` || req.headers['client-id'] !== FIXTURE_CLIENT_ID)
        return json({ error: 'Unauthorized', status: 401, message: 'Invalid OAuth token' }, 401);
      const channel = p === '/helix/chat/badges';
      if (channel && url.searchParams.get('broadcaster_id') !== FIXTURE_ROOM_ID) return json({ data: [] });
      const list = channel ? BADGES.channel : BADGES.global;
      const sets = new Map<string, typeof list>();
      for (const b of list) sets.set(b.set, [...(sets.get(b.set) ?? []), b]);
      return json({
        data: [...sets].map(([set_id, versions]) => ({
          set_id,
          versions: versions.map((v) => ({
            id: v.version,
            image_url_1x: `${this.origin}/badges/v1/${v.image}/1`,
            image_url_2x: `${this.origin}/badges/v1/${v.image}/2`,
            image_url_4x: `${this.origin}/badges/v1/${v.image}/3`,
            title: `${set_id} ${v.version}`,
            description: '',
            click_action: null,
            click_url: null,
          })),
        })),
      });
    }
    res.writeHead(404).end();
  }

  private pick(provider: string, scope: string) {
    return THIRD_PARTY.filter((e) => e.provider === provider && e.scope === scope);
  }

  private sevenTvEmote(code: string, id: string, zeroWidth = false) {
    const host = this.sevenTvHost ?? this.origin.replace(/^http:/, '');
    return {
      id,
      name: code,
      flags: zeroWidth ? 1 : 0,
      timestamp: 1700000000000,
      actor_id: null,
      data: {
        id,
        name: code,
        flags: 0,
        lifecycle: 3,
        state: ['LISTED'],
        listed: true,
        animated: false,
        owner: { id: 'o', username: 'someone', display_name: 'someone' },
        host: {
          url: `${host}/7tv-cdn/emote/${id}`,
          files: ['1x', '2x', '3x', '4x'].flatMap((s) => [
            {
              name: `${s}.webp`,
              static_name: `${s}_static.webp`,
              width: 28,
              height: 28,
              frame_count: 1,
              size: 500,
              format: 'WEBP',
            },
            {
              name: `${s}.avif`,
              static_name: `${s}_static.avif`,
              width: 28,
              height: 28,
              frame_count: 1,
              size: 500,
              format: 'AVIF',
            },
          ]),
        },
      },
    };
  }

  private sevenTv(scope: string) {
    return this.pick('7tv', scope).map((e, i) => this.sevenTvEmote(e.code, e.id, scope === 'channel' && i === 7));
  }

  private bttv(scope: string) {
    return this.pick('bttv', scope).map((e) => ({
      id: e.id,
      code: e.code,
      imageType: 'png',
      animated: false,
      ...(scope === 'channel'
        ? { user: { id: 'x', name: 'someone', displayName: 'someone', providerId: '1' } }
        : { userId: 'x' }),
    }));
  }

  private ffz(scope: string) {
    return this.pick('ffz', scope).map((e) => ({
      id: Number(e.id),
      name: e.code,
      height: 28,
      width: 28,
      public: true,
      hidden: false,
      modifier: false,
      owner: { _id: 1, name: 'someone', display_name: 'someone' },
      // FFZ's answers use protocol-relative and absolute URLs; both are read.
      urls: {
        '1': `${this.origin.replace(/^http:/, '')}/ffz-cdn/emote/${e.id}/1`,
        '2': `${this.origin}/ffz-cdn/emote/${e.id}/2`,
        '4': `${this.origin}/ffz-cdn/emote/${e.id}/4`,
      },
    }));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
