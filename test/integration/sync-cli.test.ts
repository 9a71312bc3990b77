/** `chat-archiver sync` mistakes and missing pieces: one line each, the right exit code, nothing started. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { spawnCli } from '../support/record-process.js';
import { tempDir } from '../support/service-archive.js';
import { processesMentioning } from '../support/processes.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('ca-sync-cli-');
});
afterAll(() => tmp.cleanup());

async function run(args: string[], env: Record<string, string> = {}) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const p = spawnCli(args);
  process.env = saved;
  const code = await p.exited;
  return { code, err: p.stderr() };
}

describe('sync on the command line', () => {
  it('refuses bad options in one line with exit 2, before starting anything', async () => {
    const home = path.join(tmp.dir, 'home');
    const cases: Array<[string[], RegExp]> = [
      [['--peer', 'NOT-AN-ID'], /invalid --peer "NOT-AN-ID": a Syncthing device ID is/],
      [['--peer', 'R22QX6C-YWJKLV3-NT3CXUE-FWTJA63-C42ZTSU-3AY4WWF-3SPNZZS-FGEW6AP'], /check characters do not match/],
      [
        ['--peer', 'R22QX6C-YWJKLV3-NT3CXUE-FWTJA63-C42ZTSU-3AY4WWF-3SPNZZS-FGEW6AO@http://x:1'],
        /invalid --peer address/,
      ],
      [['--gui', '0.0.0.0:8384'], /stays on this machine/],
      [['--listen', 'tcp://nohost'], /invalid --listen/],
      [['--scan-delay', '0'], /--scan-delay takes whole seconds/],
    ];
    for (const [args, msg] of cases) {
      const r = await run(['sync', 'run', '--segments', path.join(tmp.dir, 'seg'), '--home', home, ...args]);
      expect([r.code, r.err.trim().split('\n').length], r.err).toEqual([2, 1]);
      expect(r.err).toMatch(msg);
    }
    expect(processesMentioning([`--home=${home}`])).toEqual([]);
  }, 60_000);

  it('says Syncthing is missing in one line (exit 1), and status says a node is not running (exit 1)', async () => {
    const missing = await run(['sync', 'id', '--home', path.join(tmp.dir, 'h2')], {
      SYNCTHING: '/nonexistent/syncthing',
    });
    expect([missing.code, missing.err.trim()]).toEqual([
      1,
      expect.stringMatching(/^chat-archiver: Syncthing is not installed .*apt install syncthing/),
    ]);
    const st = spawnCli(['sync', 'status', '--home', path.join(tmp.dir, 'h3'), '--json']);
    const out = await st.waitForEvent((e) => 'running' in e);
    expect(out).toEqual({ running: false, deviceId: null });
    expect(await st.exited).toBe(1);
  }, 60_000);
});
