/** Finding a source's files: a file is itself; a folder is walked (links are never followed, dot entries skipped). */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Enumerated, Unit, UnitFile } from './source.js';

export interface Found extends Omit<Enumerated, 'units'> {
  files: UnitFile[];
  /** The source is a single file. */
  single: boolean;
}

/** Every regular file under `src` (depth-first, names sorted), or `src` itself when it is a file. */
export async function findFiles(src: string, maxDepth = 8): Promise<Found> {
  const out: Found = { files: [], strays: [], problems: [], single: false };
  const st = await fs.lstat(src).catch((e: NodeJS.ErrnoException) => e);
  if (st instanceof Error) {
    out.problems.push({
      path: src,
      reason: st.code === 'ENOENT' ? 'does not exist' : `cannot read: ${st.message}`,
    });
    return out;
  }
  if (st.isFile()) {
    out.single = true;
    out.files.push({ path: src, rel: path.basename(src), size: st.size });
    return out;
  }
  if (!st.isDirectory()) {
    out.problems.push({ path: src, reason: 'is neither a file nor a folder' });
    return out;
  }
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    } catch (e) {
      out.problems.push({ path: dir, reason: `cannot read folder: ${(e as Error).message}` });
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.isSymbolicLink()) out.strays.push({ path: p, reason: 'symbolic link, not followed' });
      else if (e.isDirectory()) {
        if (depth < maxDepth) await walk(p, depth + 1);
        else out.strays.push({ path: p, reason: 'nested too deep, not read' });
      } else if (e.isFile()) {
        const size = (await fs.stat(p).catch(() => null))?.size ?? 0;
        out.files.push({ path: p, rel: path.relative(src, p), size });
      } else out.strays.push({ path: p, reason: 'not a regular file' });
    }
  };
  await walk(src, 0);
  return out;
}

/** JSON sources (TwitchDownloader, recent-messages): every `.json` / `.json.gz` file is a unit of its own. */
export async function jsonFileUnits(src: string): Promise<Enumerated> {
  const found = await findFiles(src);
  const units: Unit[] = [];
  for (const f of found.files) {
    if (found.single || /\.json(?:\.gz)?$/i.test(f.rel)) units.push({ label: f.path, files: [f], channel: null });
    else found.strays.push({ path: f.path, reason: 'not a .json or .json.gz file' });
  }
  if (!units.length && !found.problems.length) found.problems.push({ path: src, reason: 'holds no .json files' });
  return { units, strays: found.strays, problems: found.problems };
}
