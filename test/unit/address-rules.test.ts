import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { refusedAddress } from '../../app/images/address-rules.js';

const v4 = (a: number, b: number, c: number, d: number) => `${a}.${b}.${c}.${d}`;
const octet = fc.integer({ min: 0, max: 255 });
/** An IPv4 address inside `base/bits`. */
const inRange = (base: [number, number, number, number], bits: number) =>
  fc.integer({ min: 0, max: 2 ** (32 - bits) - 1 }).map((offset) => {
    const n = ((((base[0] << 24) | (base[1] << 16) | (base[2] << 8) | base[3]) >>> 0) + offset) >>> 0;
    return v4(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
  });
const mapped = (ip: string) => `::ffff:${ip}`;
const hexMapped = (ip: string) => {
  const [a, b, c, d] = ip.split('.').map(Number) as [number, number, number, number];
  return `::ffff:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
};
const nat64 = (ip: string) => `64:ff9b::${ip}`;
const sixToFour = (ip: string) => {
  const [a, b, c, d] = ip.split('.').map(Number) as [number, number, number, number];
  return `2002:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}::1`;
};

const REFUSED_V4: Array<[string, [number, number, number, number], number, RegExp]> = [
  ['10/8', [10, 0, 0, 0], 8, /private/],
  ['172.16/12', [172, 16, 0, 0], 12, /private/],
  ['192.168/16', [192, 168, 0, 0], 16, /private/],
  ['127/8', [127, 0, 0, 0], 8, /loopback/],
  ['169.254/16', [169, 254, 0, 0], 16, /link-local/],
  ['100.64/10', [100, 64, 0, 0], 10, /carrier-grade NAT/],
  ['0/8', [0, 0, 0, 0], 8, /unspecified/],
  ['224/4', [224, 0, 0, 0], 4, /multicast/],
];

describe('address rules (safe fetch)', () => {
  for (const [name, base, bits, words] of REFUSED_V4)
    it(`refuses every address of ${name}, also IPv4-mapped, NAT64 and 6to4`, () => {
      fc.assert(
        fc.property(inRange(base, bits), (ip) => {
          for (const form of [ip, mapped(ip), hexMapped(ip), nat64(ip), sixToFour(ip)])
            expect(refusedAddress(form), form).toMatch(words);
        }),
        { numRuns: 200 },
      );
    });

  it('refuses IPv6 loopback, unspecified, link-local fe80::/10, unique local fc00::/7, multicast', () => {
    const hex = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
    fc.assert(
      fc.property(hex, hex, fc.integer({ min: 0, max: 0x3f }), fc.integer({ min: 0, max: 0x1ff }), (a, b, ll, ul) => {
        expect(refusedAddress(`fe${(0x80 + ll).toString(16)}::${a}:${b}`)).toMatch(/link-local/);
        expect(refusedAddress(`f${(0xc00 + ul).toString(16)}::${a}:${b}`)).toMatch(/unique local/);
        expect(refusedAddress(`ff02::${a}`)).toMatch(/multicast/);
      }),
    );
    expect(refusedAddress('::1')).toMatch(/loopback/);
    expect(refusedAddress('[::1]')).toMatch(/loopback/);
    expect(refusedAddress('::')).toMatch(/unspecified/);
    expect(refusedAddress('255.255.255.255')).toMatch(/broadcast/);
    expect(refusedAddress('fe80::1%eth0')).toMatch(/link-local/);
  });

  it('allows public unicast addresses, and the IPv6 forms that lead to them', () => {
    const publicV4 = fc
      .tuple(octet, octet, octet, octet)
      .map(([a, b, c, d]) => v4(a, b, c, d))
      .filter((ip) => {
        const [a, b] = ip.split('.').map(Number) as [number, number];
        // Leave out every special range (the ones above, and the reserved/documentation ones ipaddr.js knows).
        return (
          a >= 1 &&
          a < 224 &&
          ![10, 127, 0].includes(a) &&
          !(a === 172 && b >= 16 && b < 32) &&
          !(a === 192 && (b === 168 || b === 0 || b === 88)) &&
          !(a === 169 && b === 254) &&
          !(a === 100 && b >= 64 && b < 128) &&
          !(a === 198 && (b === 18 || b === 19 || b === 51)) &&
          !(a === 203 && b === 0)
        );
      });
    fc.assert(
      fc.property(publicV4, (ip) => {
        expect(refusedAddress(ip), ip).toBeNull();
        expect(refusedAddress(mapped(ip)), mapped(ip)).toBeNull();
        expect(refusedAddress(nat64(ip)), nat64(ip)).toBeNull();
      }),
    );
    expect(refusedAddress('2606:4700:4700::1111')).toBeNull();
    expect(refusedAddress('8.8.8.8')).toBeNull();
  });

  it('allows loopback only when asked to (tests), and nothing else with it', () => {
    expect(refusedAddress('127.0.0.1', { allowLoopback: true })).toBeNull();
    expect(refusedAddress('::1', { allowLoopback: true })).toBeNull();
    expect(refusedAddress('::ffff:127.0.0.1', { allowLoopback: true })).toBeNull();
    expect(refusedAddress('10.0.0.1', { allowLoopback: true })).toMatch(/private/);
    expect(refusedAddress('169.254.169.254', { allowLoopback: true })).toMatch(/link-local/);
  });

  it('refuses what is not an address', () => {
    expect(refusedAddress('example.com')).toBe('not an IP address');
    expect(refusedAddress('')).toBe('not an IP address');
  });
});
