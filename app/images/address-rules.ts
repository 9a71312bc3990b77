/**
 * Which network addresses a fetch of a URL taken from data (a chat message, a third-party
 * API's answer) may connect to: public unicast only. Pure, so every range is property-tested.
 * Addresses that carry an IPv4 address inside an IPv6 one (IPv4-mapped, NAT64, 6to4) are
 * judged by the IPv4 address they lead to.
 */
import ipaddr from 'ipaddr.js';

export interface AddressPolicy {
  /** Tests only: 127.0.0.0/8 and ::1 are allowed. */
  allowLoopback?: boolean;
}

const WORDS: Record<string, string> = {
  private: 'a private address',
  uniqueLocal: 'a private (unique local) address',
  loopback: 'a loopback address',
  linkLocal: 'a link-local address',
  carrierGradeNat: 'a carrier-grade NAT address',
  unspecified: 'the unspecified address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
};

/** NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses lead to the IPv4 address inside them. */
function embeddedIPv4(a: ipaddr.IPv6): ipaddr.IPv4 | null {
  const range = a.range();
  const p = a.parts;
  const v4 = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  if (range === 'ipv4Mapped' || range === 'rfc6145') return v4(p[6]!, p[7]!);
  if (range === 'rfc6052' && p[0] === 0x64 && p[1] === 0xff9b && p[2] === 0) return v4(p[6]!, p[7]!);
  if (range === '6to4') return v4(p[1]!, p[2]!);
  return null;
}

/** null when the address may be connected to; else why not, in words ("a private address"). */
export function refusedAddress(address: string, policy: AddressPolicy = {}): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address.replace(/^\[|\]$/g, ''));
  } catch {
    return 'not an IP address';
  }
  if (parsed.kind() === 'ipv6') parsed = embeddedIPv4(parsed as ipaddr.IPv6) ?? parsed;
  const range = parsed.range();
  if (range === 'unicast') return null;
  if (range === 'loopback' && policy.allowLoopback) return null;
  return WORDS[range] ?? `a reserved address (${range})`;
}
