/**
 * Where images come from. Every base URL can be changed (mirrors, tests); these are the
 * public services. Dependency-free: the command line reads the defaults for its help.
 */
export interface ImageSources {
  /** Twitch's emote CDN: `<cdn>/emoticons/v2/<id>/default/<theme>/<scale>`. */
  cdn: string;
  /** 7TV API v3: `users/twitch/<id>`, `emote-sets/global`. */
  sevenTv: string;
  /** BetterTTV API: `3/cached/users/twitch/<id>`, `3/cached/emotes/global`. */
  bttv: string;
  /** BetterTTV CDN: `emote/<id>/<1x|2x|3x>`. */
  bttvCdn: string;
  /** FrankerFaceZ API v1: `room/id/<id>`, `set/global`. */
  ffz: string;
  /** Twitch Helix: `chat/badges/global`, `chat/badges?broadcaster_id=`. */
  helix: string;
  /** Twitch's token service: `oauth2/validate` tells a token's client id. */
  twitchAuth: string;
}

export const DEFAULT_SOURCES: ImageSources = {
  cdn: 'https://static-cdn.jtvnw.net',
  sevenTv: 'https://7tv.io',
  bttv: 'https://api.betterttv.net',
  bttvCdn: 'https://cdn.betterttv.net',
  ffz: 'https://api.frankerfacez.com',
  helix: 'https://api.twitch.tv/helix',
  twitchAuth: 'https://id.twitch.tv',
};

/** `base` + `rest` with exactly one slash between them. */
export const joinUrl = (base: string, rest: string) => `${base.replace(/\/+$/, '')}/${rest.replace(/^\/+/, '')}`;
