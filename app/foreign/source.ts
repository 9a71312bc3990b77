/**
 * What every reader of another tool's files gives the import: the source split into units (one
 * receiver each), and for each unit a stream of timed records, problems and skipped lines.
 */
import type { IrcFields } from '../archive/record.js';
import type { Stray } from '../archive/layout.js';

export const FORMATS = ['justlog', 'irc', 'twitchdownloader', 'chatterino', 'recent-messages'] as const;
export type Format = (typeof FORMATS)[number];

/** One receiver's files, in time order. */
export interface Unit {
  /** What it is, for messages: the source path and, where it has several, the part. */
  label: string;
  files: UnitFile[];
  /** The channel the files are about when they say it (Chatterino file names); else each line says it. */
  channel: string | null;
}

export interface UnitFile {
  path: string;
  /** Relative to the source, for messages and quarantine. */
  rel: string;
  size: number;
}

export type Item =
  | {
      kind: 'record';
      file: number;
      /** 1-based line, or the position in a JSON list. */
      at: number;
      channel: string;
      fields: IrcFields;
      time: number;
      range: number;
      received: number;
    }
  /** `at`: the line; `where`, when the file is no list of lines (a JSON file's comment N). */
  | { kind: 'problem'; file: number; at: number | null; where?: string; reason: string }
  /** Lines that are fine but hold nothing to import (PING, a Chatterino system line, a per-user copy). */
  | { kind: 'skip'; file: number; what: string };

export interface ReadContext {
  /** `--channel`: where the source does not say the channel, this is it. */
  channel?: string;
  /** `--timezone`: an IANA zone or a UTC offset, for Chatterino logs whose header does not place theirs. */
  timezone?: string;
  onBytes: (n: number) => void;
  signal?: AbortSignal;
}

export interface Enumerated {
  units: Unit[];
  strays: Stray[];
  problems: Array<{ path: string; reason: string }>;
}

export interface Reader {
  format: Format;
  /** The last part of the receiver ids it gives (README "Merge laws for reconstructions"). */
  counter: '0' | 'h0' | 'r0' | 'e0';
  enumerate(src: string, ctx: ReadContext): Promise<Enumerated>;
  read(unit: Unit, ctx: ReadContext): AsyncIterable<Item>;
  /** What identifies a unit's content (for its receiver id): its first line, or its first bytes. */
  fingerprint: 'first-line' | 'head';
}

/** Items of a unit in file order: `perFile` reads one file. */
export async function* eachFile(
  unit: Unit,
  perFile: (f: UnitFile, index: number) => AsyncIterable<Item>,
  signal?: AbortSignal,
): AsyncGenerator<Item> {
  for (let i = 0; i < unit.files.length; i++) {
    signal?.throwIfAborted();
    yield* perFile(unit.files[i]!, i);
  }
}
