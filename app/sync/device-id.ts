/**
 * Syncthing device IDs (pure): what users paste is normalized to Syncthing's own form and
 * its check characters verified, so a mistyped ID is refused here in one line instead of
 * becoming a peer that never connects.
 *
 * Form: base32 (RFC 4648, no padding) of the SHA-256 of the device's certificate, 52
 * characters, split into 4 groups of 13, each followed by a Luhn mod 32 check character as
 * Syncthing computes it (lib/protocol/luhn.go), then written as 8 groups of 7 with dashes.
 */
import { DEVICE_ID } from '../rules.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Syncthing's Luhn mod 32 check character of `s` (factor starts at 1 on the left). */
export function luhn32(s: string): string {
  let factor = 1;
  let sum = 0;
  for (const ch of s) {
    const code = ALPHABET.indexOf(ch);
    if (code < 0) throw new Error(`not a base32 character: ${ch}`);
    let addend = factor * code;
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / 32) + (addend % 32);
    sum += addend;
  }
  return ALPHABET[(32 - (sum % 32)) % 32]!;
}

/** The device ID of a 32-byte certificate digest. */
export function deviceIdFromDigest(digest: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let b32 = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      b32 += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) b32 += ALPHABET[(value << (5 - bits)) & 31];
  return withChecks(b32);
}

function withChecks(b32: string): string {
  let out = '';
  for (let i = 0; i < 4; i++) {
    const group = b32.slice(i * 13, i * 13 + 13);
    out += group + luhn32(group);
  }
  return out.match(/.{7}/g)!.join('-');
}

/**
 * What a user typed, in Syncthing's form, or why it is not a device ID. Case, spaces and
 * dashes do not matter; the 52-character form without check characters is accepted.
 */
export function parseDeviceId(typed: string): { ok: true; id: string } | { ok: false; reason: string } {
  const bare = typed.toUpperCase().replace(/[\s-]/g, '');
  if (!/^[A-Z2-7]+$/.test(bare) || (bare.length !== 56 && bare.length !== 52))
    return { ok: false, reason: DEVICE_ID.message };
  if (bare.length === 52) return { ok: true, id: withChecks(bare) };
  for (let i = 0; i < 4; i++) {
    const group = bare.slice(i * 14, i * 14 + 13);
    if (luhn32(group) !== bare[i * 14 + 13])
      return { ok: false, reason: 'its check characters do not match: a character was mistyped' };
  }
  return { ok: true, id: bare.match(/.{7}/g)!.join('-') };
}
