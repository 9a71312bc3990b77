/**
 * Reading other tools' files as streams of lines: plain or gzip (told by the magic bytes, not the
 * name), decoded line by line, so a file of any size costs one chunk of memory. I/O errors are
 * thrown with the file's path; bad bytes are a line's problem, not the file's.
 */
import { createReadStream, promises as fs } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

export interface Line {
  /** 1-based. */
  no: number;
  /** null when the line is not valid UTF-8 or too long. */
  text: string | null;
  tooLong?: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

async function isGzip(path: string): Promise<boolean> {
  const fh = await fs.open(path, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** The file's bytes, decompressed when it is gzip; `onBytes` is told of every chunk read from disk. */
export async function openContent(
  path: string,
  onBytes?: (n: number) => void,
  signal?: AbortSignal,
): Promise<AsyncIterable<Buffer>> {
  const gz = await isGzip(path);
  const file = createReadStream(path, { highWaterMark: 1 << 20, signal });
  if (onBytes) file.on('data', (c: Buffer | string) => onBytes(c.length));
  if (!gz) return file;
  const gunzip = createGunzip();
  file.on('error', (e) => gunzip.destroy(e));
  return file.pipe(gunzip) as Readable;
}

/** Longer than any chat line can be: the rest of such a line is skipped, not held. */
export const MAX_LINE_BYTES = 1 << 20;

/** Lines split on LF (a CR before it is dropped); a final line without LF is a line too. */
export async function* readLines(
  path: string,
  onBytes?: (n: number) => void,
  signal?: AbortSignal,
): AsyncGenerator<Line> {
  let pieces: Buffer[] = [];
  let pending = 0;
  let tooLong = false;
  let no = 0;
  const take = (): Line => {
    no++;
    if (tooLong) {
      tooLong = false;
      return { no, text: null, tooLong: true };
    }
    let b = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
    if (b.length > 0 && b[b.length - 1] === 0x0d) b = b.subarray(0, b.length - 1);
    try {
      return { no, text: utf8.decode(b) };
    } catch {
      return { no, text: null };
    }
  };
  try {
    for await (const chunk of await openContent(path, onBytes, signal)) {
      let start = 0;
      for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
        if (!tooLong) pieces.push(chunk.subarray(start, nl));
        yield take();
        pieces = [];
        pending = 0;
        start = nl + 1;
      }
      if (start < chunk.length && !tooLong) {
        pending += chunk.length - start;
        if (pending > MAX_LINE_BYTES) {
          tooLong = true;
          pieces = [];
        } else pieces.push(chunk.subarray(start));
      }
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.name === 'AbortError') throw e;
    throw new Error(`${path}: ${err.code === 'Z_DATA_ERROR' ? 'damaged gzip data' : err.message}`, { cause: e });
  }
  if (pending > 0 || tooLong) yield take();
}

/** The first `max` bytes of a file's content (decompressed), for fingerprints and format detection. */
export async function headOf(path: string, max: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  const ac = new AbortController();
  try {
    for await (const chunk of await openContent(path, undefined, ac.signal)) {
      parts.push(chunk);
      n += chunk.length;
      if (n >= max) break;
    }
  } catch (e) {
    // A damaged or truncated gzip still has a readable head; anything else is the caller's to report.
    if (parts.length === 0) throw e;
  } finally {
    ac.abort();
  }
  return Buffer.concat(parts).subarray(0, max);
}
