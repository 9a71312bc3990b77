/** The image options `record` and `emotes` share: where images come from, third-party sets, badges, media. */
import { Option, type Command } from 'commander';
import { httpUrl } from '../service/contract.js';
import { DEFAULT_SOURCES, type ImageSources } from '../images/sources.js';
import { DEFAULT_MEDIA_MAX_BYTES } from '../images/media.js';
import { option, UsageError } from './output.js';

export interface ImageFlags {
  cdn: string;
  seventvUrl: string;
  bttvUrl: string;
  bttvCdn: string;
  ffzUrl: string;
  helixUrl: string;
  twitchAuthUrl: string;
  thirdParty: boolean;
  clientId?: string;
  media?: boolean;
  mediaMaxMb: string;
  allowLoopback?: boolean;
}

const FLAG_OF: Record<keyof ImageSources, [flag: string, key: keyof ImageFlags, what: string]> = {
  cdn: ['--cdn', 'cdn', "Twitch's emote CDN (a mirror, or a test server)"],
  sevenTv: ['--seventv-url', 'seventvUrl', '7TV API'],
  bttv: ['--bttv-url', 'bttvUrl', 'BetterTTV API'],
  bttvCdn: ['--bttv-cdn', 'bttvCdn', 'BetterTTV CDN'],
  ffz: ['--ffz-url', 'ffzUrl', 'FrankerFaceZ API'],
  helix: ['--helix-url', 'helixUrl', 'Twitch Helix API (badges)'],
  twitchAuth: ['--twitch-auth-url', 'twitchAuthUrl', "Twitch's token service (finds a token's client id)"],
};

export function addImageOptions(cmd: Command): Command {
  for (const [key, [flag, , what]] of Object.entries(FLAG_OF))
    cmd.addOption(new Option(`${flag} <url>`, what).default(DEFAULT_SOURCES[key as keyof ImageSources]));
  return cmd
    .option('--no-third-party', 'skip 7TV, BetterTTV and FrankerFaceZ emote sets')
    .option('--client-id <id>', 'client id of the token used for badges (asked from Twitch when not given)')
    .option('--media', 'also store images and videos linked in messages (off by default)')
    .option('--media-max-mb <n>', 'largest linked file stored, in MB', String(DEFAULT_MEDIA_MAX_BYTES / 1024 / 1024))
    .addOption(new Option('--allow-loopback', 'testing only: let links to 127.0.0.1 and ::1 be fetched').hideHelp());
}

export interface ImageSettings {
  sources: ImageSources;
  thirdParty: boolean;
  clientId?: string;
  media: boolean;
  mediaMaxBytes: number;
  allowLoopback: boolean;
}

export function imageSettings(o: ImageFlags): ImageSettings {
  const sources = {} as ImageSources;
  for (const [key, [flag, prop]] of Object.entries(FLAG_OF))
    sources[key as keyof ImageSources] = option(httpUrl, o[prop], flag) as string;
  const mb = Number(o.mediaMaxMb);
  if (!Number.isFinite(mb) || mb <= 0 || mb > 4096)
    throw new UsageError(`--media-max-mb must be a number of MB (0–4096], not ${o.mediaMaxMb}`);
  if (o.clientId !== undefined && !/^[A-Za-z0-9]{1,64}$/.test(o.clientId))
    throw new UsageError('--client-id must be 1–64 letters and digits');
  return {
    sources,
    thirdParty: o.thirdParty,
    clientId: o.clientId,
    media: !!o.media,
    mediaMaxBytes: Math.round(mb * 1024 * 1024),
    allowLoopback: !!o.allowLoopback,
  };
}
