/** Random and hostile arguments for every API method (fuzzing both transports). */
import fc from 'fast-check';
import { methodNames, type MethodName } from '../../app/service/contract.js';

/** Values that have broken path handling, parsers and validators elsewhere. */
export function hostileValue(outside: string): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom<unknown>(
      '..',
      '../..',
      '../../outside',
      `${outside}`,
      `${outside}/secret.json`,
      '/etc/passwd',
      'C:\\Windows\\System32',
      '\\\\server\\share',
      'a\0b',
      '\0',
      '',
      'x'.repeat(1024 * 1024),
      '%2e%2e%2f',
      'nymn/../../..',
      '2024-01-06T16/../../../outside#0',
      '__proto__',
      'constructor',
      -1,
      0,
      1e308,
      -1e308,
      Number.MAX_SAFE_INTEGER,
      0.5,
      null,
      true,
      false,
      [],
      {},
      { __proto__: { polluted: true } },
      [[[[[[[[[[]]]]]]]]]],
    ),
    fc.string({ maxLength: 40 }),
    fc.double(),
    fc.integer(),
    fc.anything({ maxDepth: 3 }),
  );
}

/** Plausible argument objects with some fields replaced by hostile values, some extra fields. */
const FIELDS = [
  'channel',
  'from',
  'to',
  'resolution',
  'offset',
  'limit',
  'key',
  'channels',
  'sources',
  'importId',
  'token',
  'segmentsDir',
  'nodeName',
  'server',
  'filter',
  'login',
];

export function hostileArgs(outside: string): fc.Arbitrary<{ method: MethodName; args: unknown }> {
  const v = hostileValue(outside);
  const obj = fc.dictionary(
    fc.constantFrom(...FIELDS, 'extra', '__proto__'),
    fc.oneof(v, fc.array(v, { maxLength: 3 })),
    { maxKeys: 5 },
  );
  const base = fc.record({
    channel: fc.constantFrom('nymn', 'NYMN', '../nymn', 'a'.repeat(26)),
    from: fc.constantFrom(1704556800, -5, 1e20),
    to: fc.constantFrom(1704560400, 0),
    resolution: fc.constantFrom('minute', 'hour', 'day', 'second'),
    offset: fc.constantFrom(0, -1, 0.5),
    limit: fc.constantFrom(10, 0, 1e9),
  });
  const args = fc.oneof(
    v,
    obj,
    fc.tuple(base, obj).map(([a, b]) => ({ ...a, ...b })),
  );
  return fc.record({ method: fc.constantFrom(...methodNames), args });
}

export const ERROR_CODES = ['invalid_argument', 'not_found', 'forbidden', 'io', 'busy', 'unavailable', 'internal'];

/** Every file under `dir` with its bytes and mtime: equal snapshots mean nothing was written there. */
export async function snapshotTree(dir: string): Promise<string> {
  const { promises: fs } = await import('node:fs');
  const path = await import('node:path');
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of (await fs.readdir(d, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        out.push(`${p}/`);
        await walk(p);
      } else {
        const st = await fs.stat(p);
        out.push(`${p} ${st.mtimeMs} ${(await fs.readFile(p)).toString('base64')}`);
      }
    }
  };
  await walk(dir);
  return out.join('\n');
}
