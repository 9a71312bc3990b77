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
export const NODE_NAME: Rule = {
  pattern: /^[A-Za-z0-9_-]{1,64}$/,
  message: 'node names are 1–64 characters A–Z, a–z, 0–9, _ and -',
};
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
