/**
 * Golden imports of other tools' chat, built from the real fixture as each tool writes it, with
 * overlaps: justlog (lines 0–499, gzip day file and per-user copies), a raw IRC dump (400–799,
 * with a PING and a JOIN), TwitchDownloader (PRIVMSGs 200–699), Chatterino (PRIVMSGs 300–799, CET,
 * plus a line nobody else has and a system line) and the recent-messages answer (600–799).
 * Every message is one record holding exactly the receivers of the sources that had it, whatever
 * the order of the imports; re-importing changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importForeign, type ForeignSummary } from '../../app/foreign/import-foreign.js';
import { detectFormat } from '../../app/foreign/detect.js';
import type { Format } from '../../app/foreign/source.js';
import type { ChatRecord } from '../../app/archive/record.js';
import { isReconstructed } from '../../app/rules.js';
import { snapshotTree, treeDigest } from '../support/generate.js';
import { readArchiveFiles, readArchiveRecords } from '../support/archive-records.js';
import {
  deletedLater,
  fixtureLines,
  isPrivmsg,
  liveLine,
  parsed,
  range,
  sentAt,
  writeChatterino,
  writeJustlog,
  writeRaw,
  writeRecentMessages,
  writeTwitchDownloader,
} from '../support/foreign-sources.js';

let root: string;
const sources: Array<{ format: Format; path: string; has: (i: number) => boolean }> = [];

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ca-foreign-'));
  await writeJustlog(path.join(root, 'justlog'), range(0, 500), { gzip: true });
  await writeRaw(path.join(root, 'raw', 'nymn.log'), [
    ...range(400, 600).map((i) => liveLine(fixtureLines[i]!)),
    'PING :tmi.twitch.tv',
    ':someone!someone@someone.tmi.twitch.tv JOIN #nymn',
    ...range(600, 800).map((i) => liveLine(fixtureLines[i]!)),
  ]);
  await writeTwitchDownloader(path.join(root, 'td', 'v2024010601.json.gz'), range(200, 700), { gzip: true });
  await writeChatterino(path.join(root, 'chatterino'), range(300, 800), [
    '[17:20:00] only_here: a line nobody else has',
    '[17:20:01] nymn has been timed out for 10m.',
  ]);
  await writeRecentMessages(path.join(root, 'rm', 'nymn.json'), range(270, 800));
  sources.push(
    { format: 'justlog', path: path.join(root, 'justlog'), has: (i) => i < 500 },
    { format: 'irc', path: path.join(root, 'raw'), has: (i) => i >= 400 },
    { format: 'twitchdownloader', path: path.join(root, 'td'), has: (i) => i >= 200 && i < 700 && isPrivmsg(i) },
    { format: 'chatterino', path: path.join(root, 'chatterino'), has: (i) => i >= 300 && isPrivmsg(i) },
    { format: 'recent-messages', path: path.join(root, 'rm'), has: (i) => i >= 270 },
  );
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function importAll(dest: string, order: number[]): Promise<ForeignSummary[]> {
  await fs.mkdir(dest, { recursive: true });
  const out: ForeignSummary[] = [];
  for (const k of order) out.push(await importForeign(dest, sources[k]!.format, [sources[k]!.path]));
  return out;
}

/** The archive's records; every file canonical. */
async function recordsOf(dest: string): Promise<ChatRecord[]> {
  const files = await readArchiveFiles(dest);
  for (const f of files) expect([f.rel, f.problems, f.nonCanonical]).toEqual([f.rel, [], []]);
  return readArchiveRecords(dest);
}

const formatOf = (receiver: string) => receiver.split('.')[0];

describe('golden imports of other tools, from the real fixture', () => {
  it('detects each format from its files', async () => {
    for (const s of sources) expect((await detectFormat(s.path)).format).toBe(s.format);
    expect((await detectFormat(path.join(root, 'td', 'v2024010601.json.gz'))).format).toBe('twitchdownloader');
    expect((await detectFormat(path.join(root, 'justlog', '62300805'))).format).toBe('justlog');
  });

  it('every message is one record with exactly the receivers of the sources that had it; verbatim fields win', async () => {
    const dest = path.join(root, 'a');
    const sums = await importAll(dest, [0, 1, 2, 3, 4]);
    for (const s of sums) {
      expect(s.problems).toEqual([]);
      expect(s.quarantined).toEqual([]);
      expect(s.receivers).toHaveLength(1);
    }
    expect(sums.map((s) => s.receivers[0]!.id.split('.').pop())).toEqual(['0', '0', 'r0', 'e0', 'h0']);
    expect(sums[0]!.skipped).toEqual({ 'per-user copies of lines the day files hold': 500 });
    expect(sums[1]!.skipped).toEqual({ 'PING lines (not stored, as when recording)': 1 });
    expect(sums[3]!.skipped).toEqual({ 'lines that are no user message (subs, timeouts, notices)': 1 });

    const records = await recordsOf(dest);
    const byId = new Map(records.filter((r) => r.tags?.id).map((r) => [r.tags!.id, r]));
    for (let i = 0; i < fixtureLines.length; i++) {
      const f = parsed(i);
      const expected = sources
        .filter((s) => s.has(i))
        .map((s) => s.format)
        .sort();
      const r = f.tags!.id
        ? byId.get(f.tags!.id)
        : records.find((x) => x.command === f.command && x.time === sentAt(i));
      expect(r, `line ${i}`).toBeDefined();
      expect(Object.keys(r!.receivers).map(formatOf).sort(), `line ${i}`).toEqual(expected);
      // the verbatim line's fields and exact time, whoever else had it
      const { historical: _h, 'rm-received-ts': _r, 'rm-deleted': _d, ...tags } = f.tags!;
      expect(r!.tags).toEqual(tags);
      expect([r!.time, r!.time_range]).toEqual([sentAt(i), 0]);
    }
    // the service's mark on messages deleted since (lines 278 and 289) goes, as its other tags do
    expect([278, 289].every(deletedLater)).toBe(true);
    const join = records.filter((r) => r.command === 'JOIN');
    expect(join).toHaveLength(1);
    // between the exact lines around it, 45 s earlier for a JOIN's late delivery
    expect(join[0]!.time).toBeCloseTo(sentAt(599) - 45, 6);
    expect(join[0]!.time + join[0]!.time_range).toBeCloseTo(sentAt(600), 6);
    const onlyChatterino = records.filter((r) => isReconstructed(r.receivers));
    expect(onlyChatterino.map((r) => [r.sender, r.params[1], r.tags])).toEqual([
      ['only_here', 'a line nobody else has', null],
    ]);
    // 17:20:00 CET is 16:20:00 UTC; the estimate spans 5 s either side of that second
    expect([onlyChatterino[0]!.time, onlyChatterino[0]!.time_range]).toEqual([
      Date.UTC(2024, 0, 6, 16, 20, 0) / 1000 - 5,
      11,
    ]);
    expect(records).toHaveLength(800 + 1 + 1);
  });

  it('any order of imports gives byte-identical archives; importing again changes nothing', async () => {
    const a = path.join(root, 'a');
    const b = path.join(root, 'b');
    await importAll(b, [4, 3, 2, 1, 0]);
    const digest = treeDigest(await snapshotTree(a));
    expect(treeDigest(await snapshotTree(b))).toBe(digest);
    const again = await importAll(a, [2, 0, 3, 4, 1]);
    for (const s of again) {
      expect(s.newObservations).toBe(0);
      expect(s.copied).toBe(0);
      expect(s.merge.filesWritten).toBe(0);
    }
    expect(treeDigest(await snapshotTree(a))).toBe(digest);
  });

  it('TwitchDownloader comments alone rebuild the fields Twitch sent: id, user, colour, badges, emotes, time', async () => {
    const dest = path.join(root, 'td-only');
    await fs.mkdir(dest);
    await importForeign(dest, 'twitchdownloader', [sources[2]!.path]);
    const byId = new Map((await recordsOf(dest)).map((r) => [r.tags!.id, r]));
    const pick = ['id', 'user-id', 'display-name', 'color', 'badges', 'emotes', 'room-id', 'tmi-sent-ts'];
    let emotes = 0;
    for (const i of range(200, 700).filter(isPrivmsg)) {
      const f = parsed(i);
      const r = byId.get(f.tags!.id)!;
      expect(isReconstructed(r.receivers)).toBe(true);
      expect([r.sender, r.user, r.host, r.params[0]]).toEqual([f.sender, f.user, f.host, f.params[0]]);
      // Twitch lists emote ids in an order of its own; TwitchDownloader keeps only positions
      const norm = (k: string, v: unknown) =>
        k === 'emotes' ? String(v).split('/').sort().join('/') : String(v).trim();
      for (const k of pick) expect(norm(k, r.tags![k]), `line ${i} ${k}`).toBe(norm(k, f.tags![k]));
      if (f.tags!.emotes) emotes++;
    }
    expect(emotes).toBeGreaterThan(50);
  });

  it('justlog per-user files fill the days whose day file is missing', async () => {
    const src = path.join(root, 'justlog-users-only');
    await writeJustlog(src, range(0, 100), { days: false });
    const dest = path.join(root, 'c');
    await fs.mkdir(dest);
    const s = await importForeign(dest, 'justlog', [src]);
    expect(s.linesImported).toBe(100);
    expect(s.problems).toEqual([]);
    expect(await recordsOf(dest)).toHaveLength(100);
  });
});
