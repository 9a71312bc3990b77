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

export interface ParsedBatch {
  records: ChatRecord[];
  observations: Observation[];
  /** Lines that are not valid records (1-based line numbers). */
  problems: LineProblem[];
  /** Why the bytes are not canonical (BOM, CRLF, order, ...); empty when they are. */
  nonCanonical: string[];
  /** The bytes hash to `expectedHash` (when one was given). */
  hashMatches: boolean;
}

/** Files above this size are not batch files (a minute of the busiest channel is a few MB). */
export const MAX_BATCH_BYTES = 512 * 1024 * 1024;

const BOM = '\uFEFF';
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseBatch(bytes: Uint8Array, expectedHash?: string, keepRecords = true): ParsedBatch {
  const out: ParsedBatch = { records: [], observations: [], problems: [], nonCanonical: [], hashMatches: true };
  if (expectedHash !== undefined) out.hashMatches = contentHash(bytes) === expectedHash;
  if (bytes.length === 0) {
    out.problems.push({ line: 0, reason: 'empty file' });
    return out;
  }
  if (!isUtf8(bytes)) return parseInvalidUtf8(bytes, out, keepRecords);
  parseText(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), out, keepRecords);
  return out;
}

function parseText(text: string, out: ParsedBatch, keepRecords: boolean, lineOffset = 0): void {
  if (text.startsWith(BOM)) {
    text = text.slice(1);
    out.nonCanonical.push('starts with a UTF-8 byte order mark');
  }
  if (!text.endsWith('\n')) out.nonCanonical.push('no final newline (truncated?)');
  const raw = text.split('\n');
  if (raw[raw.length - 1] === '') raw.pop();
  let prev: EncodedLine | undefined;
  let crlf = false;
  for (let i = 0; i < raw.length; i++) {
    let s = raw[i]!;
    if (s.endsWith('\r')) {
      s = s.slice(0, -1);
      crlf = true;
    }
    const lineNo = lineOffset + i + 1;
    if (s.trim() === '') {
      out.problems.push({ line: lineNo, reason: 'blank line' });
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(s);
    } catch (e) {
      const last = i === raw.length - 1 && !text.endsWith('\n');
      out.problems.push({ line: lineNo, reason: last ? 'truncated last line (invalid JSON)' : `invalid JSON: ${(e as Error).message.slice(0, 120)}` });
      continue;
    }
    const v = validateRecord(value);
    if (!v.ok) {
      out.problems.push({ line: lineNo, reason: v.reason });
      continue;
    }
    const { line, observations } = observe(v.record, s);
    if (keepRecords) out.records.push(v.record);
    for (const o of observations) out.observations.push(o);
    const cur: EncodedLine = { time: v.record.time, timeRange: v.record.time_range, line };
    if (line !== s) noteOnce(out, 'a line is not in canonical form');
    if (prev && compareLines(prev, cur) >= 0) noteOnce(out, compareLines(prev, cur) === 0 ? 'a line appears twice' : 'lines are not in canonical order');
    prev = cur;
  }
  if (crlf) out.nonCanonical.push('CRLF line ends');
}

/** Invalid UTF-8 somewhere: decode line by line so the valid lines still count. */
function parseInvalidUtf8(bytes: Uint8Array, out: ParsedBatch, keepRecords: boolean): ParsedBatch {
  let startLine = 0;
  let start = 0;
  const good: string[] = [];
  let goodFrom = 0;
  const flush = () => {
    if (good.length) parseText(good.join('\n') + '\n', out, keepRecords, goodFrom);
    good.length = 0;
  };
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0x0a) continue;
    if (i === bytes.length && start === i) break;
    try {
      const s = utf8.decode(bytes.subarray(start, i));
      if (!good.length) goodFrom = startLine;
      good.push(s);
    } catch {
      flush();
      out.problems.push({ line: startLine + 1, reason: 'not valid UTF-8 text' });
    }
    startLine++;
    start = i + 1;
  }
  flush();
  return out;
}

function noteOnce(out: ParsedBatch, reason: string): void {
  if (!out.nonCanonical.includes(reason)) out.nonCanonical.push(reason);
}

/** Reads and parses one batch file; I/O errors are thrown with the file's path in the message. */
export async function readBatchFile(path: string, expectedHash?: string, keepRecords = true): Promise<ParsedBatch & { bytes: number }> {
  const st = await fs.lstat(path);
  if (!st.isFile()) throw new Error(`${path}: not a regular file`);
  if (st.size > MAX_BATCH_BYTES) {
    return { records: [], observations: [], problems: [{ line: 0, reason: `file is ${st.size} bytes, larger than any batch file can be` }], nonCanonical: [], hashMatches: false, bytes: st.size };
  }
  const bytes = await fs.readFile(path);
  return { ...parseBatch(bytes, expectedHash, keepRecords), bytes: bytes.length };
}

/** A parse with nothing wrong at all: valid, canonical, name matches content. */
export const isClean = (p: ParsedBatch) => p.problems.length === 0 && p.nonCanonical.length === 0 && p.hashMatches;
