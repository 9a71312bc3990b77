/**
 * Socket and WebSocket failures in plain words: what a volunteer sees when the chat
 * server or the network goes away, instead of `connect ECONNREFUSED 127.0.0.1:443`.
 */
const WORDS: Array<[RegExp, string]> = [
  [/ECONNREFUSED/, 'the server refused the connection (it is down, or nothing listens at that address)'],
  [/ENOTFOUND|EAI_AGAIN/, 'the server’s name could not be found (offline, or a typo in the address)'],
  [/ETIMEDOUT|timed? ?out/i, 'the server did not answer in time'],
  [/ECONNRESET|EPIPE|socket hang up/i, 'the connection was cut'],
  [/ENETUNREACH|EHOSTUNREACH|ENETDOWN/, 'the network is unreachable (offline?)'],
  [/certificate|CERT_|SSL|TLS/i, 'the server’s certificate was not accepted'],
  [/Unexpected server response: (\d+)/, 'the server answered with HTTP $1 instead of chat'],
  [/^connection closed$|1006/, 'the connection closed without a goodbye'],
];

export function plainNetworkError(message: string): string {
  for (const [re, words] of WORDS) {
    const m = re.exec(message);
    if (m) return words.replace('$1', m[1] ?? '');
  }
  return message;
}
