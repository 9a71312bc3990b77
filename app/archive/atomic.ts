/** Atomic file writes (SPEC §5): temporary name, fsync, rename, fsync of the folder. */
import { promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { TEMP_PREFIX } from './layout.js';

/** Test hook: lets tests inject a write failure (e.g. ENOSPC) without a real full disk. */
export const writeHooks: { beforeWrite?: (target: string) => void } = {};

/**
 * Writes `bytes` to `target` so that readers see either nothing or the whole file.
 * The temporary name starts with a dot and our prefix, which readers and sync tools skip.
 * Returns false (and writes nothing) when `target` already exists and `overwrite` is off:
 * batch file names carry their content hash, so an existing file already holds these bytes.
 * `mode` applies from the first byte (0o600 for secrets: never readable by others, not even briefly).
 */
export async function writeFileAtomic(
  target: string,
  bytes: Uint8Array,
  overwrite = false,
  mode = 0o666,
): Promise<boolean> {
  const dir = path.dirname(target);
  if (!overwrite && (await exists(target))) return false;
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `${TEMP_PREFIX}${randomBytes(6).toString('hex')}.tmp`);
  let fh: fs.FileHandle | undefined;
  try {
    writeHooks.beforeWrite?.(target);
    fh = await fs.open(tmp, 'wx', mode);
    await fh.writeFile(bytes);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await fs.rename(tmp, target);
  } catch (e) {
    await fh?.close().catch(() => {});
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
  await syncDir(dir);
  return true;
}

export async function syncDir(dir: string): Promise<void> {
  // Directory fsync makes the rename durable; not supported on every platform (Windows).
  const fh = await fs.open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => {});
  await fh.close();
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}
