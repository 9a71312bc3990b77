/** Writing records as batch files. */
import path from 'node:path';
import type { ChatRecord } from './record.js';
import { contentHash, encodeBatch } from './encode.js';
import { batchFileName, hourDir, hourStart, minuteStart } from './layout.js';
import { writeFileAtomic } from './atomic.js';

export interface WrittenFile {
  path: string;
  /** False when a file with the same name (hence the same bytes) was already there. */
  created: boolean;
  records: number;
  bytes: number;
}

/** Groups records by batch time (the minute of `time`) and writes one canonical file per minute. */
export async function writeRecords(
  segments: string,
  channel: string,
  records: Iterable<ChatRecord>,
): Promise<WrittenFile[]> {
  const byMinute = new Map<number, ChatRecord[]>();
  for (const r of records) {
    const m = minuteStart(r.time);
    let list = byMinute.get(m);
    if (!list) byMinute.set(m, (list = []));
    list.push(r);
  }
  const out: WrittenFile[] = [];
  for (const [minute, list] of [...byMinute].sort((a, b) => a[0] - b[0])) {
    out.push(await writeBatch(hourDir(segments, channel, hourStart(minute)), minute, list));
  }
  return out;
}

/** Writes one batch file for `batchTime` into `dir`; every record must belong to that minute. */
export async function writeBatch(dir: string, batchTime: number, records: ChatRecord[]): Promise<WrittenFile> {
  return writeBatchBytes(dir, batchTime, encodeBatch(records), records.length);
}

/** Writes already encoded batch bytes under their content-addressed name, atomically. */
export async function writeBatchBytes(
  dir: string,
  batchTime: number,
  bytes: Buffer,
  records: number,
): Promise<WrittenFile> {
  const p = path.join(dir, batchFileName(batchTime, contentHash(bytes)));
  return { path: p, created: await writeFileAtomic(p, bytes), records, bytes: bytes.length };
}
