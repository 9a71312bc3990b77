/**
 * The archive's files as a peer's `pull` sees them (read-only): hours with a digest of
 * their file names (names carry content hashes, so an unchanged digest means nothing new),
 * the names of some hours, and one file's bytes. Only names that are batch file names in
 * a channel's hour folder can be asked for; links and anything else are never served.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { hourDir, listBatchFiles, listHours, parseBatchFileName } from '../archive/layout.js';
import { digestNames } from '../archive/merge.js';
import { MAX_BATCH_BYTES } from '../archive/read.js';
import type { ArchiveHour, ArchiveHourFiles } from './contract.js';

export async function archiveHours(segments: string, channel: string): Promise<ArchiveHour[]> {
  const out: ArchiveHour[] = [];
  for (const hour of (await listHours(segments, channel)).hours) {
    const { files } = await listBatchFiles(hourDir(segments, channel, hour), hour);
    if (files.length) out.push({ hour, files: files.length, digest: digestNames(files.map((f) => f.name)) });
  }
  return out;
}

export async function archiveFiles(segments: string, channel: string, hours: number[]): Promise<ArchiveHourFiles[]> {
  const out: ArchiveHourFiles[] = [];
  for (const hour of hours) {
    const { files } = await listBatchFiles(hourDir(segments, channel, hour), hour);
    out.push({ hour, files: files.map((f) => f.name) });
  }
  return out;
}

/** The file's bytes, base64; null when there is no such batch file (merged away since it was listed). */
export async function archiveFile(
  segments: string,
  channel: string,
  hour: number,
  name: string,
): Promise<{ bytes: string } | null> {
  if (!parseBatchFileName(name)) return null;
  const p = path.join(hourDir(segments, channel, hour), name);
  const st = await fs.lstat(p).catch(() => null);
  if (!st?.isFile() || st.size > MAX_BATCH_BYTES) return null;
  const bytes = await fs.readFile(p).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
  return bytes ? { bytes: bytes.toString('base64') } : null;
}
