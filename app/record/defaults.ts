/**
 * Recording defaults, in one dependency-free module: the recorder, the CLI, the service's
 * settings and the API contract (bundled into the renderer) all read them from here.
 * The rules their values must keep are in app/rules.ts.
 */
export const DEFAULT_SERVER = 'wss://irc-ws.chat.twitch.tv:443';
export const DEFAULT_HISTORY_URL = 'https://recent-messages.robotty.de/api/v2/recent-messages/';
