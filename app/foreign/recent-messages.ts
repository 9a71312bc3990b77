/**
 * `recent-messages`: what the recent-messages service answers (`{"messages": [raw IRC line, ...]}`),
 * saved to a file. Its lines are verbatim with two tags added, `historical` and `rm-received-ts`,
 * removed as the recorder's history receiver removes them (SPEC §8), so they merge with live
 * copies; `rm-received-ts` is the receive time. A file is one receiver (`.h0`, as history fetches are).
 */
import { promises as fs } from 'node:fs';
import { jsonFileUnits } from './files.js';
import { headOf } from './lines.js';
import { RawTimer, rawLine } from './raw-lines.js';
import type { Reader } from './source.js';

/** The service answers a few thousand lines at most; a file far larger is something else. */
const MAX_BYTES = 256 * 1024 * 1024;

export const recentMessages: Reader = {
  format: 'recent-messages',
  counter: 'h0',
  fingerprint: 'head',
  enumerate: jsonFileUnits,
  async *read(unit, ctx) {
    const f = unit.files[0]!;
    const size = (await fs.stat(f.path)).size;
    if (size > MAX_BYTES) {
      yield { kind: 'problem', file: 0, at: null, reason: `${size} bytes: larger than any recent-messages answer` };
      return;
    }
    const bytes = await headOf(f.path, MAX_BYTES);
    ctx.onBytes(size);
    let body: { messages?: unknown; error?: unknown };
    try {
      body = JSON.parse(bytes.toString('utf8')) as typeof body;
    } catch (e) {
      yield { kind: 'problem', file: 0, at: null, reason: `not JSON: ${(e as Error).message.slice(0, 120)}` };
      return;
    }
    if (typeof body !== 'object' || body === null || !Array.isArray(body.messages)) {
      yield { kind: 'problem', file: 0, at: null, reason: 'has no "messages" list: not a recent-messages answer' };
      return;
    }
    if (typeof body.error === 'string' && body.error)
      yield {
        kind: 'problem',
        file: 0,
        at: null,
        reason: `the service answered an error: ${body.error.slice(0, 200)}`,
      };
    const timer = new RawTimer();
    for (let i = 0; i < body.messages.length; i++) {
      const raw: unknown = body.messages[i];
      const at = i + 1;
      if (typeof raw !== 'string') {
        yield { kind: 'problem', file: 0, at, where: `message ${at}`, reason: 'not a string' };
        continue;
      }
      const v = rawLine(raw, true);
      if ('skip' in v) yield { kind: 'skip', file: 0, what: v.skip };
      else if ('problem' in v) yield { kind: 'problem', file: 0, at, where: `message ${at}`, reason: v.problem };
      else yield* timer.line({ file: 0, at, channel: v.channel, fields: v.fields, received: v.received });
    }
    yield* timer.end();
  },
};
