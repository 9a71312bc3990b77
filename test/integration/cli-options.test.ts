/**
 * The command line's options are checked with the API contract's rules, one message per
 * rule, before anything runs: exit 2 and one line naming the flag, the value and the rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CHANNEL, CHAT_SERVER, HTTP_URL, LOGIN, NODE_NAME } from '../../app/rules.js';
import { runCli } from '../support/cli-in-process.js';
import { tempDir } from '../support/service-archive.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('ca-cli-'));
  await fs.mkdir(path.join(dir, 'segments'));
});
afterAll(() => cleanup());

describe('command-line options', () => {
  it('refuses bad values with the rule of their field, exit 2, one line', async () => {
    const segments = path.join(dir, 'segments');
    const record = (...a: string[]) => ['record', '--segments', segments, '--channel', 'nymn', ...a];
    const cases: Array<[string[], string]> = [
      [
        ['merge', '--segments', segments, '--watch', 'soon'],
        'invalid --watch "soon": a number of seconds greater than 0',
      ],
      [['merge', '--segments', segments, '--watch', '0'], 'invalid --watch "0": a number of seconds greater than 0'],
      [['merge', '--segments', segments, '--channel', 'no way'], `invalid --channel "no way": ${CHANNEL.message}`],
      [['serve', '--segments', segments, '--port', '65536'], 'invalid --port "65536": a TCP port, 0 to 65535'],
      [['serve', '--segments', segments, '--port', '80.5'], 'invalid --port "80.5": a TCP port, 0 to 65535'],
      [record('--name', 'node.one'), `invalid --name "node.one": ${NODE_NAME.message}`],
      [record('--server', 'http://x'), `invalid --server "http://x": ${CHAT_SERVER.message}`],
      [record('--username', 'a-b', '--token-file', 't'), `invalid --username "a-b": ${LOGIN.message}`],
      [record('--history-url', 'ftp://x'), `invalid --history-url "ftp://x": ${HTTP_URL.message}`],
      [record('--username', 'someone'), '--username and --token-file go together'],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(`chat-archiver: ${message}`);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});
