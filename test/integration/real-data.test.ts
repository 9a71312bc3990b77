/**
 * Real chat (app/service/sample/recentmessages-nymn.json, see its README) recorded by two
 * receivers on two nodes with jittered delivery and skewed clocks, imported and merged
 * through the CLI: 800 records, each with both receivers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseIrcLine } from '../../app/archive/irc-parse.js';
import { stripHistoryTags } from '../../app/archive/line-rules.js';
import { timeOf, type ServerClock } from '../../app/record/timing.js';
import { writeRecords } from '../../app/archive/store.js';
import { readArchiveFiles } from '../support/archive-records.js';
import type { ChatRecord } from '../../app/archive/record.js';
import { rng, snapshotTree } from '../support/generate.js';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const cli = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', path.join(repo, 'app/cli/main.ts'), ...args], { cwd: repo }).catch(
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

const fixture = JSON.parse(readFileSync(path.join(repo, 'app/service/sample/recentmessages-nymn.json'), 'utf8')) as {
  messages: string[];
};

/** One receiver's records of the fixture: PRIVMSG exact from tmi-sent-ts, CLEARCHAT estimated (SPEC §5 rule 2). */
function receive(receiver: string, seed: number, skew: number): ChatRecord[] {
  const r = rng(seed);
  const lines = fixture.messages.map((raw) => stripHistoryTags(parseIrcLine(raw)!));
  let clock: ServerClock | null = null;
  return lines.map((l) => {
    const sent = Number(l.tags!['tmi-sent-ts']) / 1000;
    const now = Math.round((sent + 0.05 + r() * 0.6 + skew) * 1000) / 1000;
    // CLEARCHAT is timed as a line without a server time would be, so it gets an estimated range.
    const timingTags = l.command === 'CLEARCHAT' ? null : l.tags;
    const t = timeOf(l.command, timingTags, now, clock);
    clock = t.clock;
    return {
      ...l,
      time: t.time,
      time_range: t.range,
      receivers: { [receiver]: now },
      receiver_ranges: { [receiver]: [t.time, t.range] },
    };
  });
}

let root: string;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ca-real-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('real chat from two receivers', () => {
  it('the fixture is what its README says', () => {
    expect(fixture.messages).toHaveLength(800);
    const commands = fixture.messages.map((m) => parseIrcLine(m)!.command);
    expect(commands.filter((c) => c === 'PRIVMSG')).toHaveLength(798);
    expect(commands.filter((c) => c === 'CLEARCHAT')).toHaveLength(2);
  });

  it('import + merge: 800 records, each with both receivers; verify clean; re-import changes nothing', async () => {
    const a = path.join(root, 'alpha');
    const b = path.join(root, 'beta');
    await writeRecords(a, 'nymn', receive('alpha.AAAAA.0', 1, 0.8));
    await writeRecords(b, 'nymn', receive('beta.BBBBB.0', 2, -1.3));
    const dest = path.join(root, 'archive');
    await fs.mkdir(dest);

    const imp = await cli('import', '--segments', dest, a, b, '--json');
    expect(imp.stderr).not.toMatch(/failed/);
    const summary = JSON.parse(imp.stdout) as { ok: boolean; records: number; quarantined: number };
    expect(summary.ok).toBe(true);
    expect(summary.quarantined).toBe(0);

    const records: ChatRecord[] = [];
    for (const p of await readArchiveFiles(dest)) {
      expect(p.problems).toEqual([]);
      expect(p.nonCanonical).toEqual([]);
      records.push(...p.records);
    }
    expect(records).toHaveLength(800);
    for (const r of records) expect(Object.keys(r.receivers).sort()).toEqual(['alpha.AAAAA.0', 'beta.BBBBB.0']);
    for (const r of records.filter((x) => x.command === 'PRIVMSG')) {
      expect(r.time).toBe(Number(r.tags!['tmi-sent-ts']) / 1000);
      expect(r.time_range).toBe(0);
    }
    const clears = records.filter((x) => x.command === 'CLEARCHAT');
    expect(clears).toHaveLength(2);
    for (const c of clears) {
      const sent = Number(c.tags!['tmi-sent-ts']) / 1000;
      expect(c.time_range).toBeGreaterThan(0);
      expect(c.time_range).toBeLessThanOrEqual(10);
      expect(sent).toBeGreaterThanOrEqual(c.time);
      expect(sent).toBeLessThanOrEqual(c.time + c.time_range);
    }
    // Text beyond U+FFFF (emoji, U+E0000) came through intact.
    expect(records.some((r) => /[\u{10000}-\u{10FFFF}]/u.test(r.params.join(' ')))).toBe(true);

    const ver = await cli('verify', '--segments', dest, '--json');
    expect(ver.stdout && JSON.parse(ver.stdout).errors).toBe(0);
    expect((ver as { code?: number }).code ?? 0).toBe(0);

    const before = await snapshotTree(dest);
    const again = await cli('import', '--segments', dest, a, b, '--json');
    expect(JSON.parse(again.stdout).newObservations).toBe(0);
    expect(await snapshotTree(dest)).toEqual(before);
  });
});
