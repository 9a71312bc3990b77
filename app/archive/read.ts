/**
 * The one reader of batch files. Every module that reads one (merge, import, verify, the
 * index, the record queries) reads it here, with one leniency policy: each line is decoded
 * (UTF-8), parsed (JSON) and validated (SPEC §3); a line that fails is a problem named by
 * its line number, and the file's other lines are still read. `parseBatch` adds what the
 * merge needs: observations and the canonical-form checks.
 */
import { promises as fs } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import type { ChatRecord } from './record.js';
import { validateRecord } from './record.js';
import { compareLines, contentHash, type EncodedLine } from './encode.js';
import { observe, type Observation } from './observation.js';

export interface LineProblem {
  /** 1-based; 0 for the whole file. */
  line: number;
  reason: string;
}

/** A line problem as people read it. */
export const lineProblemText = (p: LineProblem) => (p.line ? `line ${p.line}: ${p.reason}` : p.reason);
/** A file's line problems, one a line. */
export const lineProblemsText = (problems: LineProblem[]) => problems.map(lineProblemText).join('\n');

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

/** One valid record of a file: its 1-based line number, and where its line is in the file's bytes. */
export interface RecordLine {
  record: ChatRecord;
  line: number;
  /** The line as read (without its line end). */
  text: string;
  bytes: Buffer;
  from: number;
  to: number;
}

/** How a file's bytes are laid out, apart from its lines (the canonical form has none of these). */
export interface BatchForm {
  bom: boolean;
  noFinalNewline: boolean;
  crlf: boolean;
}

/**
 * Reads every line of a batch file's bytes: `onRecord` gets each valid record as it is
 * read; the result holds the problems and the file's form. Lines are decoded one at a
 * time: a file-sized string would be a large object that outlives its use until a full
 * collection, and a big import reads hundreds of files.
 */
export function readRecords(
  bytes: Uint8Array,
  onRecord: (r: RecordLine) => void,
): { problems: LineProblem[]; form: BatchForm } {
  const problems: LineProblem[] = [];
  const form: BatchForm = { bom: false, noFinalNewline: false, crlf: false };
  if (bytes.length === 0) {
    problems.push({ line: 0, reason: 'empty file' });
    return { problems, form };
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const valid = isUtf8(buf);
  let start = 0;
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
    start = 3;
    form.bom = true;
  }
  form.noFinalNewline = buf[buf.length - 1] !== 0x0a;
  for (let lineNo = 1; start < buf.length; lineNo++) {
    let end = buf.indexOf(0x0a, start);
    const last = end < 0;
    if (last) end = buf.length;
    let stop = end;
    if (stop > start && buf[stop - 1] === 0x0d) {
      stop--;
      form.crlf = true;
    }
    const from = start;
    start = end + 1;
    let s: string;
    if (valid) s = buf.toString('utf8', from, stop);
    else {
      try {
        s = utf8.decode(buf.subarray(from, stop));
      } catch {
        problems.push({ line: lineNo, reason: 'not valid UTF-8 text' });
        continue;
      }
    }
    if (s.trim() === '') {
      problems.push({ line: lineNo, reason: 'blank line' });
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(s);
    } catch (e) {
      problems.push({
        line: lineNo,
        reason: last ? 'truncated last line (invalid JSON)' : `invalid JSON: ${(e as Error).message.slice(0, 120)}`,
      });
      continue;
    }
    const v = validateRecord(value);
    if (!v.ok) {
      problems.push({ line: lineNo, reason: v.reason });
      continue;
    }
    onRecord({ record: v.record, line: lineNo, text: s, bytes: buf, from, to: stop });
  }
  return { problems, form };
}

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
  let prev: EncodedLine | undefined;
  const lines: string[] = [];
  const read = readRecords(bytes, ({ record, text, bytes: buf, from, to }) => {
    const { line, observations } = observe(record, { text, bytes: buf.toString('latin1', from, to) });
    if (keep === true) out.records.push(record);
    if (typeof keep === 'function') for (const o of observations) keep(o);
    else for (const o of observations) out.observations.push(o);
    out.observed += observations.length;
    const cur: EncodedLine = { time: record.time, timeRange: record.time_range, line };
    if (line !== text) noteOnce(lines, 'a line is not in canonical form');
    if (prev && compareLines(prev, cur) >= 0)
      noteOnce(lines, compareLines(prev, cur) === 0 ? 'a line appears twice' : 'lines are not in canonical order');
    prev = cur;
  });
  out.problems = read.problems;
  const { bom, noFinalNewline, crlf } = read.form;
  out.nonCanonical = [
    ...(bom ? ['starts with a UTF-8 byte order mark'] : []),
    ...(noFinalNewline ? ['no final newline (truncated?)'] : []),
    ...lines,
    ...(crlf ? ['CRLF line ends'] : []),
  ];
  return out;
}

function noteOnce(notes: string[], reason: string): void {
  if (!notes.includes(reason)) notes.push(reason);
}

/** A batch file's bytes, or its size when it is too large to be one. */
export type Loaded = Buffer | { tooLarge: number };

/** A batch file's bytes, or why it cannot be one; I/O errors are thrown (with their code). */
export async function loadBatchBytes(path: string): Promise<Loaded> {
  const st = await fs.lstat(path);
  if (!st.isFile()) throw new Error(`${path}: not a regular file`);
  if (st.size > MAX_BATCH_BYTES) return { tooLarge: st.size };
  return fs.readFile(path);
}

const tooLarge = (size: number): LineProblem => ({
  line: 0,
  reason: `file is ${size} bytes, larger than any batch file can be`,
});

/** `readRecords` over a loaded file: one too large to be a batch file is one problem. */
export function readLoaded(loaded: Loaded, onRecord: (r: RecordLine) => void): ReturnType<typeof readRecords> {
  if (Buffer.isBuffer(loaded)) return readRecords(loaded, onRecord);
  return { problems: [tooLarge(loaded.tooLarge)], form: { bom: false, noFinalNewline: false, crlf: false } };
}

export function parseLoaded(loaded: Loaded, expectedHash?: string, keep: Keep = true): ParsedBatch & { bytes: number } {
  if (!Buffer.isBuffer(loaded))
    return {
      records: [],
      observations: [],
      observed: 0,
      problems: [tooLarge(loaded.tooLarge)],
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
): AsyncGenerator<{ path: string; loaded?: Loaded; error?: NodeJS.ErrnoException }> {
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
