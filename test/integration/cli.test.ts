/**
 * The command line's exit codes and messages: options are checked with the API contract's
 * rules before anything runs (exit 2, one line naming the flag, the value and the rule);
 * a file or port that fails is exit 1, one line, no stack trace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { createServer } from 'node:net';
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

  it('gives I/O failures exit 1 and one line, and a missing folder named on the command line exit 2', async () => {
    const segments = path.join(dir, 'segments');
    const file = path.join(dir, 'a-file');
    await fs.writeFile(file, 'x');
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = String((busy.address() as { port: number }).port);
    try {
      const cases: Array<[string[], number, RegExp]> = [
        [
          [
            'record',
            '--segments',
            segments,
            '--channel',
            'nymn',
            '--username',
            'me',
            '--token-file',
            path.join(dir, 'nope'),
          ],
          1,
          /^cannot read --token-file: ENOENT/,
        ],
        [['record', '--segments', file, '--channel', 'nymn'], 1, /^cannot prepare .*a-file: /],
        [['serve', '--segments', segments, '--port', port], 1, /EADDRINUSE/],
        [['merge', '--segments', path.join(dir, 'typo')], 2, /typo: no such folder$/],
        [['verify', '--segments', file], 2, /a-file: not a folder$/],
      ];
      for (const [args, code, message] of cases) {
        const r = await runCli(...args);
        expect(r.code, args.join(' ')).toBe(code);
        const lines = r.stderr.trim().split('\n');
        expect(lines, args.join(' ')).toHaveLength(1);
        expect(lines[0]!.replace(/^chat-archiver: /, ''), args.join(' ')).toMatch(message);
      }
    } finally {
      busy.close();
    }
  });
});
