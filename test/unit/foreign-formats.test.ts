/** The pure parts of the readers of other tools' files: time zones, .NET times, raw line timing, Chatterino stamps. */
import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixedZone, toUtc, userZone } from '../../app/foreign/zone.js';
import { parseDotnetTime } from '../../app/foreign/twitchdownloader.js';
import { RawTimer, rawLine } from '../../app/foreign/raw-lines.js';
import { chatterino } from '../../app/foreign/chatterino.js';
import type { Item } from '../../app/foreign/source.js';

const local = (h: number, m = 0, s = 0, d = 6, mo = 0) => Date.UTC(2024, mo, d, h, m, s);

describe('time zones of local-time logs', () => {
  it('places abbreviations and offsets Qt writes, and refuses ambiguous ones', () => {
    expect(fixedZone('CET')).toEqual({ offset: 60 });
    expect(fixedZone('UTC+05:30')).toEqual({ offset: 330 });
    expect(fixedZone('GMT-3')).toEqual({ offset: -180 });
    expect(fixedZone('CST')).toBeNull();
    expect(fixedZone('IST')).toBeNull();
    expect(fixedZone('+15:00')).toBeNull();
  });

  it('follows DST in an IANA zone given by the user', () => {
    const berlin = userZone('Europe/Berlin')!;
    expect(toUtc(local(17), berlin)).toBe(local(16)); // January: UTC+1
    expect(toUtc(local(17, 0, 0, 6, 6), berlin)).toBe(local(15, 0, 0, 6, 6)); // July: UTC+2
    expect(userZone('Not/AZone')).toBeNull();
  });
});

describe('TwitchDownloader times', () => {
  it('reads .NET round-trip times, UTC without a zone', () => {
    expect(parseDotnetTime('2024-01-06T16:20:00Z')).toBe(local(16, 20) / 1000);
    expect(parseDotnetTime('2024-01-06T16:20:00.1234567Z')).toBe(local(16, 20) / 1000 + 0.123457);
    expect(parseDotnetTime('2024-01-06T17:20:00.5+01:00')).toBe(local(16, 20) / 1000 + 0.5);
    expect(parseDotnetTime('2024-01-06T16:20:00')).toBe(local(16, 20) / 1000);
    expect(parseDotnetTime('2024-13-06T16:20:00Z')).toBeNull();
    expect(parseDotnetTime(12)).toBeNull();
  });
});

describe('raw lines without a server time', () => {
  const kept = (text: string) => {
    const v = rawLine(text);
    if (!('fields' in v)) throw new Error(JSON.stringify(v));
    return { file: 0, at: 1, channel: v.channel, fields: v.fields, received: v.received };
  };
  const msg = (ts: number) => kept(`@id=x${ts};tmi-sent-ts=${ts} :a!a@a.tmi.twitch.tv PRIVMSG #c :hi`);
  const join = kept(':b!b@b.tmi.twitch.tv JOIN #c');

  it('lie between the exact lines around them; JOIN 45 s earlier; two in one gap keep apart', () => {
    const t = new RawTimer();
    expect(t.line(msg(1000_000))).toHaveLength(1);
    expect(t.line(join)).toEqual([]);
    expect(t.line(join)).toEqual([]);
    const out = t.line(msg(1004_000)) as Array<Extract<Item, { kind: 'record' }>>;
    expect(out.map((r) => [r.time, r.range])).toEqual([
      [1000 - 45, 49],
      [1000 - 45, 49],
      [1004, 0],
    ]);
    expect(out[0]!.received).toBeLessThan(out[1]!.received);
    expect(out[1]!.received).toBeLessThan(1004);
  });

  it('without any exact line around, are a problem, unless the source knew when it got them', () => {
    const t = new RawTimer();
    t.line(join);
    expect(t.end()).toMatchObject([{ kind: 'problem', reason: expect.stringMatching(/^no time/) }]);
    const h = rawLine('@rm-received-ts=5000;historical=1 :b!b@b.tmi.twitch.tv JOIN #c', true);
    expect(h).toMatchObject({ received: 5, fields: { tags: {} } });
  });

  it("are kept by the recorder's rules", () => {
    expect(rawLine('PING :tmi.twitch.tv')).toEqual({ skip: 'PING lines (not stored, as when recording)' });
    expect(rawLine(':x 001 me :Welcome')).toMatchObject({ skip: expect.stringMatching(/^001/) });
    expect(rawLine(':prefix-only')).toEqual({ problem: 'not an IRC line' });
  });
});

describe('Chatterino timestamp formats', () => {
  it('reads 24 h, AM/PM, milliseconds and minutes, each with its resolution', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ca-chatterino-'));
    try {
      const file = path.join(dir, 'nymn-2024-01-06.log');
      await fs.writeFile(
        file,
        [
          '# Start logging at 2024-01-06 17:00:00 UTC',
          '[17:00:01] a: one',
          '[5:00:02 PM] 日本 b: two',
          '[17:00:03.250] c: three',
          '[17:01] d: four',
          '[25:00:00] e: five',
        ].join('\n'),
      );
      const items: Item[] = [];
      for await (const i of chatterino.read(
        { label: file, files: [{ path: file, rel: 'x', size: 0 }], channel: 'nymn' },
        { onBytes: () => {} },
      ))
        items.push(i);
      const at = local(17) / 1000;
      expect(items.map((i) => (i.kind === 'record' ? [i.time - at, i.range] : i.kind))).toEqual([
        [1 - 5, 11],
        [2 - 5, 11],
        [3.25 - 5, 10.001],
        [60 - 5, 70],
        'problem',
      ]);
      const second = items[1] as Extract<Item, { kind: 'record' }>;
      expect(second.fields).toMatchObject({ sender: 'b', tags: { 'display-name': '日本' } });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
