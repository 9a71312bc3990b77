/**
 * Bad input from other tools, through the command line: unknown formats, unreadable lines, a
 * Chatterino log without a header, files of another channel, broken JSON and gzip. Each is
 * reported with its file and line, the rest is imported, and the sources are never changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { promises as fs } from 'node:fs';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { snapshotTree, treeDigest } from '../support/generate.js';
import { chatterinoLine, fixtureLines, liveLine, range, tdComment } from '../support/foreign-sources.js';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const cli = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', path.join(repo, 'app/cli/main.ts'), ...args], { cwd: repo }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

interface Summary {
  ok: boolean;
  linesImported: number;
  quarantinedFiles: Array<{ path: string; reason: string; copy: string | null }>;
  problems: Array<{ path: string; reason: string }>;
  strays: Array<{ path: string; reason: string }>;
}

let root: string;
let src: string;
let before: string;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ca-foreign-bad-'));
  src = path.join(root, 'src');
  const put = async (rel: string, data: string | Buffer) => {
    await fs.mkdir(path.dirname(path.join(src, rel)), { recursive: true });
    await fs.writeFile(path.join(src, rel), data);
  };
  const live = range(0, 20).map((i) => liveLine(fixtureLines[i]!));
  await put(
    'raw/bad.log',
    Buffer.concat([
      Buffer.from(live.slice(0, 5).join('\n') + '\n'),
      Buffer.from([0xff, 0xfe, 0x41, 0x0a]), // line 6: not UTF-8
      Buffer.from(':prefix-only\n'), // line 7: no command
      Buffer.from('@id=1 :x!x@x.tmi.twitch.tv PRIVMSG\n'), // line 8: no channel
      Buffer.from(live.slice(5).join('\n') + '\n'),
    ]),
  );
  await put(
    'chatterino/nymn-2024-01-06.log',
    range(0, 10)
      .map((i) => chatterinoLine(i, 60))
      .join('\n') + '\n',
  );
  await put(
    'chatterino-multi/nymn-2024-01-06.log',
    ['# Start logging at 2024-01-06 17:00:00 CET', ...range(0, 10).map((i) => chatterinoLine(i, 60))].join('\n') + '\n',
  );
  await put(
    'chatterino-multi/forsen-2024-01-06.log',
    ['# Start logging at 2024-01-06 17:00:00 CST', '[17:00:01] someone: hi'].join('\n') + '\n',
  );
  const comments = range(0, 10).map((i) => tdComment(i, 1704557900));
  delete (comments[3] as Partial<(typeof comments)[number]>)._id;
  const td = JSON.stringify({ streamer: { name: 'NymN', login: 'nymn', id: 62300805 }, comments });
  await put('td/ok-but-one.json', td);
  await put('td/truncated.json', td.slice(0, Math.floor(td.length * 0.6)));
  await put('td/damaged.json.gz', gzipSync(Buffer.from(td)).subarray(0, 200));
  await put('unknown/notes.txt', 'shopping list\nmilk\n');
  before = treeDigest(await snapshotTree(src));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function archive(name: string) {
  const d = path.join(root, name);
  await fs.mkdir(d, { recursive: true });
  return d;
}

describe('bad input from other tools', () => {
  it('an unknown --from, and a file no format fits, are usage errors in one line', async () => {
    const d = await archive('u');
    const a = await cli('import', '--segments', d, '--from', 'mirc', path.join(src, 'raw'));
    expect(a.code).toBe(2);
    expect(a.stderr.trim().split('\n')).toHaveLength(1);
    expect(a.stderr).toMatch(/unknown format "mirc": --from takes auto, segments, justlog, irc/);
    const b = await cli('import', '--segments', d, path.join(src, 'unknown', 'notes.txt'));
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/notes\.txt is not a format chat-archiver imports.*choose the format with --from/);
    const c = await cli('import', '--segments', d, '--from', 'chatterino', '--timezone', 'Mars/Olympus', src);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/invalid --timezone "Mars\/Olympus"/);
  });

  it('unreadable lines are reported by file and line and listed in the quarantine; the rest is imported', async () => {
    const d = await archive('raw');
    const r = await cli('import', '--segments', d, '--json', path.join(src, 'raw'));
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.linesImported).toBe(20);
    expect(s.quarantinedFiles).toHaveLength(1);
    const q = s.quarantinedFiles[0]!;
    expect(q.path).toBe(path.join(src, 'raw', 'bad.log'));
    expect(q.reason).toMatch(
      /line 6: not valid UTF-8 text\nline 7: not an IRC line\nline 8: PRIVMSG without a channel/,
    );
    expect(await fs.readFile(q.copy!, 'utf8')).toMatch(/^line 6: /);
    const again = await cli('import', '--segments', d, '--json', path.join(src, 'raw'));
    expect((JSON.parse(again.stdout) as { newObservations: number }).newObservations).toBe(0);
  });

  it('a Chatterino log without a header is reported line by line, and imports with --timezone', async () => {
    const d = await archive('chatterino');
    const r = await cli('import', '--segments', d, '--json', '--from', 'chatterino', path.join(src, 'chatterino'));
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.linesImported).toBe(0);
    expect(s.quarantinedFiles[0]!.reason).toMatch(
      /nothing of it could be imported:\nline 1: no "# Start logging at" header before it: its time zone is unknown \(give --timezone\)/,
    );
    const ok = await cli('import', '--segments', d, '--json', '--timezone', '+01:00', path.join(src, 'chatterino'));
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as Summary).linesImported).toBe(10);
  });

  it('files of another channel are named and skipped; an ambiguous zone is reported at its header line', async () => {
    const d = await archive('multi');
    const r = await cli('import', '--segments', d, '--json', '--channel', '#NymN', path.join(src, 'chatterino-multi'));
    const s = JSON.parse(r.stdout) as Summary;
    expect(r.code).toBe(0);
    expect(s.linesImported).toBe(10);
    expect(s.strays).toEqual([
      {
        path: path.join(src, 'chatterino-multi', 'forsen-2024-01-06.log'),
        reason: 'of another channel (#forsen, not #nymn): not imported',
      },
    ]);
    const all = await cli('import', '--segments', d, '--json', path.join(src, 'chatterino-multi'));
    const t = JSON.parse(all.stdout) as Summary;
    expect(all.code).toBe(1);
    expect(t.quarantinedFiles.map((q) => [path.basename(q.path), q.reason.split('\n').slice(1)])).toEqual([
      [
        'forsen-2024-01-06.log',
        [
          'line 1: the header\'s time zone "CST" names no single offset (give --timezone)',
          'line 2: the header\'s time zone "CST" names no single offset (give --timezone)',
        ],
      ],
    ]);
  });

  it('TwitchDownloader: a broken comment, truncated JSON and damaged gzip are reported; the rest is imported', async () => {
    const d = await archive('td');
    const r = await cli('import', '--segments', d, '--json', '--from', 'twitchdownloader', path.join(src, 'td'));
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout) as Summary;
    const why = Object.fromEntries(s.quarantinedFiles.map((q) => [path.basename(q.path), q.reason]));
    expect(why['ok-but-one.json']).toMatch(/comment 4: no _id/);
    expect(why['truncated.json']).toMatch(/after comment \d+: not TwitchDownloader chat JSON/);
    expect(why['damaged.json.gz']).toMatch(/damaged gzip data|unexpected end of file/);
    // 9 of ok-but-one, and what the truncated copy held before it broke (the same messages again)
    expect(s.linesImported).toBeGreaterThanOrEqual(9);
  });

  it('the sources are byte for byte what they were', async () => {
    expect(treeDigest(await snapshotTree(src))).toBe(before);
  });
});
