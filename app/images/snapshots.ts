/**
 * Snapshots of emote and badge sets (issue 11 item 2): the set a channel (or everyone) had
 * when it was seen. Sets change over time, so every distinct one is kept, content-addressed
 * like batch files (`<seen time>-<SHA-256 of the bytes>.json`, canonical JSON); a set equal
 * to the newest snapshot adds nothing. Two nodes that saw the same set write two names for
 * the same content: both stay (each says when it was seen), nothing needs merging.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { canonicalJson, contentHash } from '../archive/encode.js';
import { writeFileAtomic } from '../archive/atomic.js';
import { parseSnapshotFileName, snapshotDir, snapshotFileName, type SetSource } from './layout.js';

export interface SnapshotFile {
  path: string;
  seenAt: number;
  hash: string;
}

/** A source's snapshots for a channel (or the global ones), oldest first; other names are ignored. */
export async function listSnapshots(
  segments: string,
  source: SetSource,
  channel: string | null,
): Promise<SnapshotFile[]> {
  const dir = snapshotDir(segments, source, channel);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const out: SnapshotFile[] = [];
  for (const name of names) {
    const p = parseSnapshotFileName(name);
    if (p) out.push({ path: path.join(dir, name), ...p });
  }
  return out.sort((a, b) => a.seenAt - b.seenAt || (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
}

/** Writes `content` as a snapshot seen at `seenAt` unless the newest snapshot holds the same bytes. */
export async function writeSnapshot(
  segments: string,
  source: SetSource,
  channel: string | null,
  content: object,
  seenAt: number,
): Promise<{ path: string; written: boolean }> {
  const bytes = Buffer.from(canonicalJson(content) + '\n');
  const hash = contentHash(bytes);
  const newest = (await listSnapshots(segments, source, channel)).at(-1);
  if (newest?.hash === hash) return { path: newest.path, written: false };
  const p = path.join(snapshotDir(segments, source, channel), snapshotFileName(seenAt, hash));
  return { path: p, written: await writeFileAtomic(p, bytes) };
}

/**
 * The snapshot in effect at `at`: the newest seen at or before it, else (for chat older
 * than every snapshot) the oldest one, the best guess there is.
 */
export function snapshotAt(snapshots: SnapshotFile[], at: number): SnapshotFile | null {
  let pick: SnapshotFile | null = null;
  for (const s of snapshots) if (s.seenAt <= at) pick = s;
  return pick ?? snapshots[0] ?? null;
}
