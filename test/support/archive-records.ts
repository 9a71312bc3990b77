/**
 * Reading an archive under test, with the archive's own reader: every batch file, or every
 * record. The archive's files are everything below its folder but its own top-level state
 * and quarantine (dot folders) and our temporaries of unfinished writes.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isOwnTemporary } from '../../app/archive/layout.js';
import { lineProblemsText, readBatchFile, type ParsedBatch } from '../../app/archive/read.js';
import type { ChatRecord } from '../../app/archive/record.js';

export interface ArchiveFile extends ParsedBatch {
  /** Path below the archive folder. */
  rel: string;
}

/** Every file of the archive in path order, parsed (records, observations, problems, canonical form). */
export async function readArchiveFiles(segments: string): Promise<ArchiveFile[]> {
  const rels: string[] = [];
  const walk = async (dir: string) => {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // nothing recorded yet
      throw e;
    }
    for (const e of entries) {
      if (dir === segments && e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (!isOwnTemporary(e.name)) rels.push(path.relative(segments, p));
    }
  };
  await walk(segments);
  rels.sort();
  return Promise.all(rels.map(async (rel) => ({ rel, ...(await readBatchFile(path.join(segments, rel))) })));
}

/** Every record of the archive, file by file; a line that is not a record fails the caller. */
export async function readArchiveRecords(segments: string): Promise<ChatRecord[]> {
  const out: ChatRecord[] = [];
  for (const f of await readArchiveFiles(segments)) {
    if (f.problems.length)
      throw new Error(`${f.rel} holds lines that are not records:\n${lineProblemsText(f.problems)}`);
    out.push(...f.records);
  }
  return out;
}
