/** Quarantine: bad input is kept, with the reason beside it, instead of being lost or deleted. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic.js';

export const QUARANTINE_DIR = '.quarantine';

export interface Quarantined {
  /** Where the file came from. */
  path: string;
  reason: string;
  /** Where its copy is kept; null when it could not be read at all. */
  copy: string | null;
}

/**
 * Copies `source` to `<archive>/.quarantine/<batch>/<rel>` and writes `<rel>.reason.txt`.
 * The copy is taken from `bytes` when the caller already read them (the file may be gone now).
 */
export async function quarantine(
  archive: string,
  batch: string,
  rel: string,
  source: string,
  reason: string,
  bytes?: Uint8Array,
): Promise<Quarantined> {
  const safeRel =
    rel
      .split(/[\\/]+/)
      .filter((p) => p && p !== '.' && p !== '..')
      .join(path.sep) || 'file';
  const target = path.join(archive, QUARANTINE_DIR, batch, safeRel);
  let copy: string | null = target;
  try {
    const data = bytes ?? (await fs.readFile(source));
    await writeFileAtomic(target, data, true);
  } catch {
    copy = null;
  }
  await writeFileAtomic(`${target}.reason.txt`, Buffer.from(`${source}\n${reason}\n`), true);
  return { path: source, reason, copy };
}

export const newBatchId = (kind: string) =>
  `${kind}-${new Date().toISOString().replace(/[:.]/g, '-')}-${Math.random().toString(36).slice(2, 8)}`;
