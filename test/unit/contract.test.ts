import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { methodNames, methods } from '../../app/service/contract.js';
import { parseArgs, isInside } from '../../app/service/validate.js';
import { HttpArchiveClient } from '../../app/service/http-client.js';
import { unrecordedRuns, summarize } from '../../app/service/overview.js';
import { ChannelIndex, summarizeBatch } from '../../app/service/index-cache.js';
import { parseRecordKey } from '../../app/service/record-query.js';
import { ircLine } from '../../app/service/irc-line.js';
import { checkServeOptions, isLoopback } from '../../app/service/http-server.js';
import { parseIrcLine } from '../../app/archive/irc-parse.js';
import { sampleRecords } from '../../app/service/sample.js';
import { defaultSegmentsDir } from '../../app/service/paths.js';
import { encodeRecord } from '../../app/archive/encode.js';
import { chatRecord, T0 } from '../support/service-archive.js';

describe('the contract', () => {
  it('rejects unknown fields, bad channel names and non-finite times for every ranged method', () => {
    const ok = { channel: 'nymn', from: 0, to: 60, resolution: 'minute' };
    expect(parseArgs('summary', ok).ok).toBe(true);
    for (const bad of [
      { ...ok, x: 1 },
      { ...ok, channel: 'Nymn' },
      { ...ok, channel: 'a'.repeat(26) },
      { ...ok, channel: '../x' },
      { ...ok, from: Number.NaN },
      { ...ok, to: Infinity },
      { ...ok, from: -1 },
    ])
      expect(parseArgs('summary', bad)).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
  });

  it('takes paths only where a method takes one, and never with a NUL byte', () => {
    const withPath = methodNames.filter((m) => {
      const shape = (methods[m].args as unknown as { shape?: Record<string, unknown> }).shape ?? {};
      return 'sources' in shape || 'segmentsDir' in shape;
    });
    expect(withPath.sort()).toEqual(['importStart', 'setSettings']);
    expect(parseArgs('importStart', { sources: ['/a\0b'] }).ok).toBe(false);
    expect(parseArgs('listChannels', { path: '/etc' }).ok).toBe(false);
  });

  it('gives every method a result for any input: never throws', () => {
    fc.assert(
      fc.property(fc.constantFrom(...methodNames), fc.anything(), (m, args) => {
        const r = parseArgs(m, args);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
  });

  it('builds the HTTP client with every method from the contract', () => {
    const client = new HttpArchiveClient({ baseUrl: 'http://127.0.0.1:1', EventSource: null });
    for (const m of methodNames) expect(typeof client[m]).toBe('function');
    expect(typeof client.onEvent).toBe('function');
  });
});

describe('overview queries', () => {
  const T = 1704556800;
  it('finds the unrecorded runs between recorded minutes only, clipped to the range', () => {
    const minutes = [T, T + 60, T + 300, T + 360, T + 1200];
    expect(unrecordedRuns(minutes, T, T + 3600)).toEqual([
      [T + 120, T + 300],
      [T + 420, T + 1200],
    ]);
    expect(unrecordedRuns(minutes, T + 180, T + 240)).toEqual([[T + 180, T + 240]]);
    expect(unrecordedRuns(minutes, T - 3600, T)).toEqual([]);
    expect(unrecordedRuns([], T, T + 60)).toEqual([]);
  });

  it('agrees with a brute-force minute count for any set of files and any range', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 300 }), { maxLength: 40 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 400 }),
        fc.constantFrom('minute', 'hour', 'day' as const),
        (ms, a, len, res) => {
          const ci = new ChannelIndex();
          const files = ms.map((m) => ({
            rel: `x/${m}`,
            name: String(m),
            minute: T + m * 60,
            summary: { records: m % 3, byCommand: { PRIVMSG: m % 3 }, receivers: { r: m % 3 }, problems: 0 },
          }));
          for (let h = 0; h < 6; h++)
            ci.setHour(
              T + h * 3600,
              files.filter((f) => Math.floor((f.minute - T) / 3600) === h),
            );
          const from = T + a * 60;
          const to = from + len * 60;
          const s = summarize('c', ci, from, to, res);
          if (!s.ok) throw new Error(s.message);
          const total = s.summary.buckets.reduce((n, b) => n + b.records, 0);
          const first = s.summary.buckets[0]?.start ?? from;
          expect(total).toBe(
            files
              .filter((f) => f.minute >= Math.max(first, Math.floor(from / 60) * 60) && f.minute < to)
              .reduce((n, f) => n + f.summary.records, 0),
          );
          // No unrecorded minute is recorded.
          for (const [u0, u1] of s.summary.unrecorded)
            expect(files.some((f) => f.minute >= u0 && f.minute < u1)).toBe(false);
        },
      ),
    );
  });

  it('summarizes a batch file as the archive reader reads it: lines that are not valid records are problems', () => {
    const privmsg = chatRecord(T0, 'a', 'hi');
    privmsg.receivers.b = T0 + 1;
    privmsg.receiver_ranges.b = [T0, 0];
    const join = chatRecord(T0 + 1, 'a', '', 'JOIN');
    const lines = [
      encodeRecord(privmsg),
      encodeRecord(join),
      'not json',
      '{"x":1}',
      '{"command":"PRIVMSG","receivers":{"a":1}}',
    ];
    const s = summarizeBatch(Buffer.from(lines.join('\n') + '\n'));
    expect(s).toEqual({ records: 2, byCommand: { PRIVMSG: 1, JOIN: 1 }, receivers: { a: 2, b: 1 }, problems: 3 });
    expect(summarizeBatch({ tooLarge: 1e12 })).toMatchObject({ records: 0, problems: 1 });
  });
});

describe('record keys, IRC lines and paths', () => {
  it('parses only well-formed record keys', () => {
    const name = `19.00-${'A'.repeat(43)}.json`;
    expect(parseRecordKey(`2024-01-06T16/${name}#3`)).toEqual({ hour: '2024-01-06T16', name, line: 3 });
    for (const bad of [
      `2024-01-06T16/../${name}#3`,
      `2024-13-06T16/${name}#3`,
      `2024-01-06T16/${name}`,
      `/etc/passwd#1`,
      `2024-01-06T16/${name}#-1`,
    ])
      expect(parseRecordKey(bad)).toBeNull();
  });

  it('rebuilds IRC lines that parse back to the same fields (real fixture)', async () => {
    const data = (await import('../../app/service/sample/recentmessages-nymn.json', { with: { type: 'json' } }))
      .default as { messages: string[] };
    for (const r of sampleRecords(data.messages)) {
      const back = parseIrcLine(ircLine(r));
      expect(back).toEqual({
        command: r.command,
        params: r.params,
        sender: r.sender,
        user: r.user,
        host: r.host,
        tags: r.tags,
      });
    }
  });

  it('knows inside from outside', () => {
    expect(isInside('/a/b', '/a/b/c')).toBe(true);
    expect(isInside('/a/b', '/a/b')).toBe(true);
    expect(isInside('/a/b', '/a/b/../c')).toBe(false);
    expect(isInside('/a/b', '/a/bc')).toBe(false);
  });

  it('serves only loopback without a token', () => {
    expect(isLoopback('127.0.0.1') && isLoopback('::1') && isLoopback('localhost') && isLoopback('[::1]')).toBe(true);
    expect(isLoopback('0.0.0.0') || isLoopback('192.168.1.2') || isLoopback('localhost.evil.com')).toBe(false);
    expect(checkServeOptions({ host: '0.0.0.0' })).toMatch(/--token/);
    expect(checkServeOptions({ host: '0.0.0.0', token: 'short' })).toMatch(/16/);
    expect(checkServeOptions({ host: '0.0.0.0', token: 'x'.repeat(16) })).toBeNull();
    expect(checkServeOptions({ host: '127.0.0.1' })).toBeNull();
  });

  it('puts the default archive in the user data folder', () => {
    expect(defaultSegmentsDir({ XDG_DATA_HOME: '/d' }, 'linux')).toBe('/d/chat-archiver/segments');
    expect(defaultSegmentsDir({ APPDATA: 'C:\\U' }, 'win32')).toMatch(/chat-archiver.segments$/);
  });
});
