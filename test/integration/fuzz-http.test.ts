import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ERROR_CODES, hostileArgs, snapshotTree } from '../support/hostile-args.js';
import { serveTemp, type Served } from '../support/http-serve.js';
import { writeShapedChannel } from '../support/service-archive.js';

let s: Served;
let outside: string;
let before: string;

beforeAll(async () => {
  s = await serveTemp();
  await writeShapedChannel(s.segments, 'nymn');
  // A folder next to the archive that no call may write to (an import may read it: it is a source).
  outside = path.join(s.dir, 'outside');
  await mkdir(path.join(outside, 'nymn', 'chat'), { recursive: true });
  await writeFile(path.join(outside, 'secret.json'), '{"secret":true}\n');
  before = await snapshotTree(outside);
});
afterAll(async () => s.stop());

describe('fuzzing every API method over HTTP', () => {
  it('answers hostile arguments with a typed result, never a crash, and writes nothing outside the archive', async () => {
    await fc.assert(
      fc.asyncProperty(hostileArgs(outside), async ({ method, args }) => {
        const res = await fetch(new URL(`api/${method}`, s.server.url), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(args) ?? 'null',
        });
        const body = (await res.json()) as { ok: boolean; error?: { code: string; message: string } };
        expect(typeof body.ok).toBe('boolean');
        if (!body.ok) {
          expect(ERROR_CODES).toContain(body.error!.code);
          // 'internal' would mean an exception escaped the validation: a bug, even if caught.
          expect(body.error!.code, body.error!.message).not.toBe('internal');
          expect(body.error!.message.length).toBeLessThan(2000);
        }
      }),
      { numRuns: 400 },
    );
    const alive = await fetch(new URL('api/listChannels', s.server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(((await alive.json()) as { ok: boolean }).ok).toBe(true);
    expect(await snapshotTree(outside)).toBe(before);
  });
});
