/** Reading batch files: every line validated, problems named by line, canonical form checked. */
import { promises as fs } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import type { ChatRecord } from './record.js';
import { validateRecord } from './record.js';
import { compareLines, contentHash, type EncodedLine } from './encode.js';
import { observe, type Observation } from './observation.js';

export interface LineProblem {
  line: number;
  reason: string;
}

/** `line 3: not JSON`, or the reason alone for a problem of the whole file (line 0). */
export const lineProblem = (p: LineProblem) => (p.line ? `line ${p.line}: ${p.reason}` : p.reason);
export const lineProblems = (ps: LineProblem[]) => ps.map(lineProblem).join('\n');

export interface ParsedBatch {
  records: ChatRecord[];
  observations: Observation[];
  /** Observations read (also when they went to a sink). */
  observed: number;
  /** Lines that are not valid records (1-based line numbers). */
  problems: LineProblem[];
  /** Why the bytes are not canonical (BOM, CRLF, order, ...); empty when they are. */
  nonCanonical: string[];
  /** The bytes hash to `expectedHash` (when one was given). */
  hashMatches: boolean;
}

/** Files above this size are not batch files (a minute of the busiest channel is a few MB). */
export const MAX_BATCH_BYTES = 512 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * What to keep of a parse: `true`, records and observations; `false`, observations only;
 * a function, neither: each observation goes to it as soon as its line is read, so that
 * a big import's duplicates die young instead of piling up in the old generation.
 */
export type Keep = boolean | ((o: Observation) => void);

export function parseBatch(bytes: Uint8Array, expectedHash?: string, keep: Keep = true): ParsedBatch {
  const out: ParsedBatch = {
    records: [],
    observations: [],
    observed: 0,
    problems: [],
    nonCanonical: [],
    hashMatches: true,
  };
  if (expectedHash !== undefined) out.hashMatches = contentHash(bytes) === expectedHash;
  if (bytes.length === 0) {
    out.problems.push({ line: 0, reason: 'empty file' });
    return out;
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Lines are decoded one at a time: a file-sized string would be a large object that
  // outlives its use until a full collection, and a big import reads hundreds of them.
  const valid = isUtf8(buf);
  let start = 0;
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
    start = 3;
    out.nonCanonical.push('starts with a UTF-8 byte order mark');
  }
  const finalNewline = buf[buf.length - 1] === 0x0a;
  if (!finalNewline) out.nonCanonical.push('no final newline (truncated?)');
  let prev: EncodedLine | undefined;
  let crlf = false;
  for (let lineNo = 1; start < buf.length; lineNo++) {
    let end = buf.indexOf(0x0a, start);
    const last = end < 0;
    if (last) end = buf.length;
    let stop = end;
    if (stop > start && buf[stop - 1] === 0x0d) {
      stop--;
      crlf = true;
    }
    const from = start;
    start = end + 1;
    let s: string;
    if (valid) s = buf.toString('utf8', from, stop);
    else {
      try {
        s = utf8.decode(buf.subarray(from, stop));
      } catch {
        out.problems.push({ line: lineNo, reason: 'not valid UTF-8 text' });
        continue;
      }
    }
    if (s.trim() === '') {
      out.problems.push({ line: lineNo, reason: 'blank line' });
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(s);
    } catch (e) {
      out.problems.push({
        line: lineNo,
        reason: last ? 'truncated last line (invalid JSON)' : `invalid JSON: ${(e as Error).message.slice(0, 120)}`,
      });
      continue;
    }
    const v = validateRecord(value);
    if (!v.ok) {
      out.problems.push({ line: lineNo, reason: v.reason });
      continue;
    }
    const { line, observations } = observe(v.record, { text: s, bytes: buf.toString('latin1', from, stop) });
    if (keep === true) out.records.push(v.record);
    if (typeof keep === 'function') for (const o of observations) keep(o);
    else for (const o of observations) out.observations.push(o);
    out.observed += observations.length;
    const cur: EncodedLine = { time: v.record.time, timeRange: v.record.time_range, line };
    if (line !== s) noteOnce(out, 'a line is not in canonical form');
    if (prev && compareLines(prev, cur) >= 0)
      noteOnce(out, compareLines(prev, cur) === 0 ? 'a line appears twice' : 'lines are not in canonical order');
    prev = cur;
  }
  if (crlf) out.nonCanonical.push('CRLF line ends');
  return out;
}

function noteOnce(out: ParsedBatch, reason: string): void {
  if (!out.nonCanonical.includes(reason)) out.nonCanonical.push(reason);
}

/** A batch file's bytes, or why it cannot be one; I/O errors are thrown (with their code). */
export async function loadBatchBytes(path: string): Promise<Buffer | { tooLarge: number }> {
  const st = await fs.lstat(path);
  if (!st.isFile()) throw new Error(`${path}: not a regular file`);
  if (st.size > MAX_BATCH_BYTES) return { tooLarge: st.size };
  return fs.readFile(path);
}

export function parseLoaded(
  loaded: Buffer | { tooLarge: number },
  expectedHash?: string,
  keep: Keep = true,
): ParsedBatch & { bytes: number } {
  if (!Buffer.isBuffer(loaded))
    return {
      records: [],
      observations: [],
      observed: 0,
      problems: [{ line: 0, reason: `file is ${loaded.tooLarge} bytes, larger than any batch file can be` }],
      nonCanonical: [],
      hashMatches: false,
      bytes: loaded.tooLarge,
    };
  return { ...parseBatch(loaded, expectedHash, keep), bytes: loaded.length };
}

/** Reads and parses one batch file; I/O errors are thrown with the file's path in the message. */
export async function readBatchFile(
  path: string,
  expectedHash?: string,
  keep: Keep = true,
): Promise<ParsedBatch & { bytes: number }> {
  return parseLoaded(await loadBatchBytes(path), expectedHash, keep);
}

/**
 * Loads files in order, the next one's read overlapping this one's parse (parsing is
 * CPU-bound, reading waits on the disk). Each item is the bytes or the error it met.
 */
export async function* prefetched(
  paths: string[],
): AsyncGenerator<{ path: string; loaded?: Buffer | { tooLarge: number }; error?: NodeJS.ErrnoException }> {
  const load = (p: string) =>
    loadBatchBytes(p).then(
      (loaded) => ({ path: p, loaded }),
      (error: NodeJS.ErrnoException) => ({ path: p, error }),
    );
  let next = paths.length ? load(paths[0]!) : undefined;
  for (let i = 0; i < paths.length; i++) {
    const current = await next!;
    next = i + 1 < paths.length ? load(paths[i + 1]!) : undefined;
    yield current;
  }
}
