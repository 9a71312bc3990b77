/** The one home of the name and address rules: each rule, its message, and what is built from it. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  breaks,
  CHANNEL,
  CHANNEL_NAME,
  NODE_NAME,
  nodeNameFromHost,
  normalizeChannel,
  normalizeLogin,
} from '../../app/rules.js';
import { channelName, nodeName } from '../../app/service/contract.js';
import { parseArgs } from '../../app/service/validate.js';

const parseArgsFor = (method: 'summary' | 'records', range: { from: number; to: number }) =>
  parseArgs(
    method,
    method === 'summary'
      ? { channel: 'nymn', resolution: 'minute', ...range }
      : { channel: 'nymn', offset: 0, limit: 10, ...range },
  );

describe('rules', () => {
  it('makes a valid node name of any host name, and keeps a valid one as it is', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (host) => {
        expect(NODE_NAME.pattern.test(nodeNameFromHost(host))).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(NODE_NAME.pattern), (name) => {
        expect(nodeNameFromHost(name)).toBe(name);
      }),
    );
    expect(nodeNameFromHost('my.host.example')).toBe('my-host-example');
    expect(nodeNameFromHost('')).toBe('node');
  });

  it('says what is wrong in one line naming the value, with the same words as the zod schema', () => {
    expect(breaks(CHANNEL, 'Bad Name')).toBe(`"Bad Name": ${CHANNEL.message}`);
    expect(breaks(CHANNEL, 'good_name')).toBeNull();
    expect(channelName.safeParse('Bad Name').error?.issues[0]?.message).toBe(CHANNEL.message);
    expect(nodeName.safeParse('a.b').error?.issues[0]?.message).toBe(NODE_NAME.message);
  });

  it('normalizes what users type: "#Name" is the channel "name", logins are lower case', () => {
    fc.assert(
      // fast-check cannot generate from the rule's lookahead (the reserved image folders): filtered instead.
      fc.property(
        fc.stringMatching(new RegExp(`^${CHANNEL_NAME}$`)).filter((c) => CHANNEL.pattern.test(c)),
        (c) => {
          expect(normalizeChannel(`#${c.toUpperCase()}`)).toBe(c);
          expect(normalizeChannel(` ${c} `)).toBe(c);
        },
      ),
    );
    expect(normalizeLogin(' SomeOne ')).toBe('someone');
  });

  it('refuses a range whose end is before its start, for every ranged method', () => {
    for (const m of ['summary', 'records'] as const) {
      const r = parseArgsFor(m, { from: 120, to: 60 });
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
      expect(!r.ok && r.error.message).toContain('"to" must not be before "from"');
      expect(parseArgsFor(m, { from: 60, to: 60 }).ok).toBe(true);
    }
  });
});
