/**
 * The rules for every name and address a user types (channels, logins, node names, servers),
 * each with its one human message. Dependency-free on purpose: the archive layout, the
 * recorder, the API contract's zod schemas, the command line and the renderer all read
 * them from here, so a rule and its wording exist once.
 */
export interface Rule {
  readonly pattern: RegExp;
  /** Plain words, completing "… is not valid: <message>". */
  readonly message: string;
}

/** A channel name inside a larger pattern (file names, URL paths). */
export const CHANNEL_NAME = '[a-z0-9_]{1,25}';
/**
 * Top-level folders of a segments folder that are not channels although their names look
 * like one: the original's `emotes/` and the linked `media/` (see app/archive/layout.ts).
 */
export const RESERVED_FOLDER_NAMES = ['emotes', 'media'] as const;
export const CHANNEL: Rule = {
  pattern: new RegExp(`^(?!(?:${RESERVED_FOLDER_NAMES.join('|')})$)${CHANNEL_NAME}$`),
  message: `Twitch channel names are 1–25 characters a–z, 0–9 and _ (${RESERVED_FOLDER_NAMES.join(' and ')} are reserved for images)`,
};
export const LOGIN: Rule = {
  pattern: /^[a-z0-9_]{1,25}$/,
  message: 'Twitch logins are 1–25 characters a–z, 0–9 and _',
};
/** Node names become part of receiver ids (`<node>.<slug>.<n>`), so no dots. */
const NODE_CHARS = 'A-Za-z0-9_-';
export const NODE_NAME: Rule = {
  pattern: new RegExp(`^[${NODE_CHARS}]{1,64}$`),
  message: 'node names are 1–64 characters A–Z, a–z, 0–9, _ and -',
};
/** A machine's default node name: its host name, every character a node name cannot hold made a dash. */
export const nodeNameFromHost = (host: string) =>
  host.replace(new RegExp(`[^${NODE_CHARS}]`, 'g'), '-').slice(0, 64) || 'node';
export const CHAT_SERVER: Rule = {
  pattern: /^wss?:\/\/[^/]/,
  message: 'the chat server must be a ws:// or wss:// URL',
};
export const HTTP_URL: Rule = {
  pattern: /^https?:\/\/[^/]/,
  message: 'the address must be an http(s) URL',
};

/** null when `value` keeps the rule, else one line naming the value and the rule. */
export function breaks(rule: Rule, value: string): string | null {
  return rule.pattern.test(value) ? null : `${JSON.stringify(value)}: ${rule.message}`;
}

/** What users type for a channel: `#Name` and `name` mean the same channel. */
export const normalizeChannel = (typed: string) => typed.trim().replace(/^#/, '').toLowerCase();
/** Twitch logins are case-insensitive and stored in lower case. */
export const normalizeLogin = (typed: string) => typed.trim().toLowerCase();

/**
 * How faithfully a receiver holds what it saw, from the form of its id's last part (README
 * "Merge laws for reconstructions"): `<n>` and `h<n>` captured the raw line (a live connection,
 * a history fetch, justlog, a raw IRC log); `r<n>` rebuilt the message with its id
 * (TwitchDownloader); `e<n>` estimated it without an id, to the second (Chatterino).
 */
export type Fidelity = 'verbatim' | 'rebuilt' | 'estimated';
const RECONSTRUCTION_PART = /\.([re])\d{1,9}$/;

export function receiverFidelity(receiver: string): Fidelity {
  const m = RECONSTRUCTION_PART.exec(receiver);
  return m === null ? 'verbatim' : m[1] === 'r' ? 'rebuilt' : 'estimated';
}

/** A record is reconstructed when no receiver of it captured the raw line. */
export const isReconstructed = (receivers: Record<string, unknown>) =>
  Object.keys(receivers).every((id) => receiverFidelity(id) !== 'verbatim');
/** A Syncthing device ID as Syncthing prints it: 8 groups of 7 base32 characters (check characters included). */
export const DEVICE_ID: Rule = {
  pattern: /^[A-Z2-7]{7}(-[A-Z2-7]{7}){7}$/,
  message: 'a Syncthing device ID is 8 groups of 7 letters A–Z and digits 2–7 joined by -, as Syncthing shows it',
};
/** Where Syncthing listens or finds a peer: tcp:// or quic:// with host and port (the host may be empty to listen everywhere). */
export const SYNC_ADDRESS: Rule = {
  pattern: /^(tcp|tcp4|tcp6|quic|quic4|quic6):\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]*):\d{1,5}$/,
  message: 'a Syncthing address is tcp://HOST:PORT (or quic://HOST:PORT)',
};

/** A batch file's name (SPEC §2): `MM.SS-HASH.json`, or the original implementation's `MM:SS-HASH.json`. */
export const BATCH_FILE: Rule = {
  pattern: /^(\d{2})([.:])(\d{2})-([A-Za-z0-9_-]{43})\.json$/,
  message: 'batch file names are MM.SS-HASH.json (HASH: 43 characters of base64url SHA-256)',
};
