/** The pure rules of replication: device IDs, our ignore block, the config edit, paths and events to hours, timeline runs. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deviceIdFromDigest, parseDeviceId } from '../../app/sync/device-id.js';
import { FOLDER_ID, OUR_IGNORES, hourOfPath, withOurIgnores } from '../../app/sync/folder-config.js';
import { listenAddressesOf, patchConfigXml } from '../../app/sync/config-xml.js';
import { hoursOfEvent } from '../../app/sync/arrivals.js';
import { hourRuns } from '../../renderer/timeline/lanes.js';
import { arrivingHours, normalizeDeviceId } from '../../renderer/sync/words.js';

const digest = fc.uint8Array({ minLength: 32, maxLength: 32 });
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

describe('device IDs', () => {
  it('a real Syncthing ID is accepted as it is, lower case and without dashes', () => {
    const real = 'R22QX6C-YWJKLV3-NT3CXUE-FWTJA63-C42ZTSU-3AY4WWF-3SPNZZS-FGEW6AO';
    expect(parseDeviceId(real)).toEqual({ ok: true, id: real });
    expect(parseDeviceId(` ${real.replace(/-/g, '').toLowerCase()} `)).toEqual({ ok: true, id: real });
    expect(parseDeviceId('not an id').ok).toBe(false);
  });

  it('every ID made from a digest parses back to itself, also in the 52-character form without checks', () => {
    fc.assert(
      fc.property(digest, (d) => {
        const id = deviceIdFromDigest(d);
        expect(parseDeviceId(id)).toEqual({ ok: true, id });
        const bare = id.replace(/-/g, '');
        const noChecks = [0, 1, 2, 3].map((i) => bare.slice(i * 14, i * 14 + 13)).join('');
        expect(parseDeviceId(noChecks)).toEqual({ ok: true, id });
      }),
    );
  });

  it('any single mistyped character is caught by the check characters', () => {
    fc.assert(
      fc.property(digest, fc.nat(55), fc.nat(31), (d, pos, k) => {
        const bare = deviceIdFromDigest(d).replace(/-/g, '');
        const c = B32[(B32.indexOf(bare[pos]!) + 1 + (k % 31)) % 32]!;
        const typo = bare.slice(0, pos) + c + bare.slice(pos + 1);
        expect(parseDeviceId(typo).ok).toBe(false);
      }),
    );
  });

  it('the panel normalizes pasted IDs before sending them', () => {
    expect(normalizeDeviceId('r22qx6cywjklv3nt3cxuefwtja63c42ztsu3ay4wwf3spnzzsfgew6ao')).toBe(
      'R22QX6C-YWJKLV3-NT3CXUE-FWTJA63-C42ZTSU-3AY4WWF-3SPNZZS-FGEW6AO',
    );
  });
});

describe('ignore patterns', () => {
  const line = fc.string({ maxLength: 20 }).filter((s) => !s.includes('\n'));
  it('ours come first, exactly once; every other line is kept in order; applying twice changes nothing', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), (user) => {
        const once = withOurIgnores(user);
        expect(withOurIgnores(once)).toEqual(once);
        expect(once.slice(1, 1 + OUR_IGNORES.length)).toEqual(OUR_IGNORES);
        expect(once.slice(OUR_IGNORES.length + 2)).toEqual(user.filter((l) => !l.startsWith('// chat-archiver:')));
      }),
    );
  });

  it('covers our state, quarantine and temporaries', () => {
    expect(OUR_IGNORES).toEqual(['/.chat-archiver', '/.quarantine', '(?d).chat-archiver-*.tmp']);
  });
});

describe("a managed home's config.xml", () => {
  const xml = `<configuration version="36">
    <device id="X"><address>dynamic</address></device>
    <options>
        <listenAddress>default</listenAddress>
        <globalAnnounceServer>default</globalAnnounceServer>
        <globalAnnounceEnabled>true</globalAnnounceEnabled>
        <relaysEnabled>true</relaysEnabled>
        <urAccepted>0</urAccepted>
    </options>
    <defaults><folder id=""><paused>false</paused></folder></defaults>
</configuration>
`;
  it('gets our listen addresses and network options, keeps the rest, and a second edit changes nothing', () => {
    const once = patchConfigXml(xml, { listen: ['tcp://127.0.0.1:22001', 'quic://[::1]:1&2'], discovery: false });
    expect(listenAddressesOf(once)).toEqual(['tcp://127.0.0.1:22001', 'quic://[::1]:1&2']);
    expect(once).toContain('<globalAnnounceEnabled>false</globalAnnounceEnabled>');
    expect(once).toContain('<localAnnounceEnabled>false</localAnnounceEnabled>');
    expect(once).toContain('<relaysEnabled>false</relaysEnabled>');
    expect(once).toContain('<natEnabled>false</natEnabled>');
    expect(once).toContain('<urAccepted>-1</urAccepted>');
    expect(once).toContain('<crashReportingEnabled>false</crashReportingEnabled>');
    expect(once).toContain('<globalAnnounceServer>default</globalAnnounceServer>');
    expect(once).toContain('<defaults><folder id=""><paused>false</paused></folder></defaults>');
    expect(once.match(/<relaysEnabled>/g)).toHaveLength(1);
    expect(patchConfigXml(once, { listen: ['tcp://127.0.0.1:22001', 'quic://[::1]:1&2'], discovery: false })).toBe(
      once,
    );
    expect(patchConfigXml(once, { listen: ['tcp://0.0.0.0:22000'], discovery: true })).toContain(
      '<globalAnnounceEnabled>true</globalAnnounceEnabled>',
    );
  });

  it('refuses a config without options instead of guessing', () => {
    expect(() => patchConfigXml('<configuration/>', { listen: [], discovery: false })).toThrow(/options/);
  });
});

describe('paths and events to hours', () => {
  const H = 1704556800;
  it('takes files and folders of an hour, nothing else', () => {
    expect(hourOfPath('nymn/chat/2024-01-06T16/00.00-x.json')).toEqual({ channel: 'nymn', hour: H });
    expect(hourOfPath('nymn/chat/2024-01-06T16')).toEqual({ channel: 'nymn', hour: H });
    expect(hourOfPath('nymn\\chat\\2024-01-06T16\\a')).toEqual({ channel: 'nymn', hour: H });
    for (const p of [
      'nymn/chat',
      'NYMN/chat/2024-01-06T16/a',
      'nymn/video/2024-01-06T16/a',
      'nymn/chat/2024-13-06T16/a',
      '.stversions/x/y/z',
      'a/chat/2024-01-06T16/b/c',
    ])
      expect(hourOfPath(p), p).toBeNull();
  });

  it('reads ItemFinished and LocalIndexUpdated of our folder only', () => {
    const item = (folder: string, p: string) => ({
      id: 1,
      type: 'ItemFinished',
      data: { folder, item: p, action: 'update' },
    });
    expect(hoursOfEvent(item(FOLDER_ID, 'a/chat/2024-01-06T16/x.json'))).toEqual([{ channel: 'a', hour: H }]);
    expect(hoursOfEvent(item('other', 'a/chat/2024-01-06T16/x.json'))).toEqual([]);
    expect(
      hoursOfEvent({
        id: 2,
        type: 'LocalIndexUpdated',
        data: { folder: FOLDER_ID, filenames: ['a/chat/2024-01-06T16/x', 'b/chat/2024-01-06T17/y', 7, '.stfolder'] },
      }),
    ).toEqual([
      { channel: 'a', hour: H },
      { channel: 'b', hour: H + 3600 },
    ]);
    expect(hoursOfEvent({ id: 3, type: 'ItemFinished', data: null })).toEqual([]);
  });

  it('marks the buckets of arriving hours on the timeline, clipped to the span', () => {
    // Day view: minute buckets from H - 3600; hours H and H + 7200 (a gap between them).
    expect(hourRuns([H, H + 7200], H - 3600, 60, 24 * 60)).toEqual([
      [60, 120],
      [180, 240],
    ]);
    // Week view: hour buckets; an hour before the span is not drawn.
    expect(hourRuns([H - 7200, H], H, 3600, 168)).toEqual([[0, 1]]);
    const status = {
      arriving: [
        { channel: 'a', hour: H },
        { channel: 'b', hour: H + 3600 },
      ],
    } as Parameters<typeof arrivingHours>[0];
    expect(arrivingHours(status, 'b')).toEqual([H + 3600]);
    expect(arrivingHours(null, 'b')).toEqual([]);
  });
});
