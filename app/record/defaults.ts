/**
 * Recording defaults and the rules for its settings, in one dependency-free module: the
 * recorder, the CLI, the service's settings and the API contract (bundled into the
 * renderer) all read them from here.
 */
export const DEFAULT_SERVER = 'wss://irc-ws.chat.twitch.tv:443';
export const DEFAULT_HISTORY_URL = 'https://recent-messages.robotty.de/api/v2/recent-messages/';
export const NODE_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;
export const SERVER_URL_RE = /^wss?:\/\/[^/]/;
