/** What every command shares: exit codes, --json output, progress on stderr, Ctrl-C to cancel. */
import { readFileSync, statSync } from 'node:fs';
import { SingleBar, Presets } from 'cli-progress';
import { z } from 'zod';
import { channelName } from '../service/contract.js';
import { normalizeChannel } from '../rules.js';

export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_USAGE = 2;

/** A mistake in the command line: one line, exit 2. */
export class UsageError extends Error {}

/** A file or folder that cannot be read or written: one line, exit 1 (like any error with an errno code). */
export class IoError extends Error {}

/** Errors of the file system and network carry a code like ENOENT: they are no bug of ours, so no stack trace. */
export const isIoError = (e: unknown) =>
  e instanceof IoError ||
  (e instanceof Error &&
    typeof (e as NodeJS.ErrnoException).code === 'string' &&
    /^E[A-Z]+$/.test((e as NodeJS.ErrnoException).code!));

export interface Reporter {
  json: boolean;
  /** Prints the command's result: one JSON object with --json, text otherwise. */
  result(summary: object, text: string): void;
  progress(label: string, done: number, total: number, detail?: string): void;
  done(): void;
  warn(message: string): void;
}

export function reporter(json: boolean): Reporter {
  const tty = process.stderr.isTTY === true;
  let bar: SingleBar | undefined;
  let last = 0;
  return {
    json,
    result(summary, text) {
      this.done();
      if (json) process.stdout.write(JSON.stringify(summary) + '\n');
      else process.stdout.write(text.endsWith('\n') ? text : text + '\n');
    },
    progress(label, done, total, detail = '') {
      if (total === 0) return;
      if (tty) {
        if (!bar) {
          bar = new SingleBar(
            {
              format: `${label} [{bar}] {value}/{total} {detail}`,
              hideCursor: true,
              clearOnComplete: true,
              stream: process.stderr,
            },
            Presets.shades_classic,
          );
          bar.start(total, done, { detail });
        }
        bar.setTotal(total);
        bar.update(done, { detail });
      } else if (Date.now() - last > 2000 || done === total) {
        last = Date.now();
        process.stderr.write(`${label}: ${done}/${total} ${detail}\n`);
      }
    },
    done() {
      bar?.stop();
      bar = undefined;
    },
    warn(message) {
      this.done();
      process.stderr.write(message + '\n');
    },
  };
}

/** An AbortSignal that fires on the first Ctrl-C / SIGTERM; a second one exits at once. */
export function interruptSignal(): AbortSignal {
  const ac = new AbortController();
  const onSig = () => {
    if (ac.signal.aborted) process.exit(130);
    process.stderr.write('\ncancelling (again to force)...\n');
    ac.abort();
  };
  process.on('SIGINT', onSig);
  process.on('SIGTERM', onSig);
  return ac.signal;
}

export const isAbort = (e: unknown) =>
  e instanceof Error && (e.name === 'AbortError' || (e as { code?: string }).code === 'ABORT_ERR');

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Commands that read an archive need it to exist; a typo should not look like an empty archive. */
export function requireFolder(dir: string): void {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`${dir}: no such folder`);
    throw new IoError(`${dir}: ${(e as Error).message}`);
  }
  if (!isDir) throw new UsageError(`${dir}: not a folder`);
}

/** A command-line value checked with the API contract's schema: one rule and one message for every door. */
export function option<T>(schema: z.ZodType<T>, value: unknown, flag: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new UsageError(`invalid ${flag} ${JSON.stringify(value)}: ${r.error.issues[0]?.message ?? 'not valid'}`);
}

const SECONDS = 'a number of seconds greater than 0';
const PORT = 'a TCP port, 0 to 65535 (0 picks a free one)';
/** Numbers as commander hands them over: text. */
export const seconds = z.coerce.number({ error: SECONDS }).positive({ error: SECONDS });
export const port = z.coerce
  .number({ error: PORT })
  .int({ error: PORT })
  .min(0, { error: PORT })
  .max(65535, { error: PORT });

/** `--channel` as users type it (`#Name` too). */
export const channelOption = (typed: string, flag = '--channel') => option(channelName, normalizeChannel(typed), flag);

/** A secret from a file named on the command line (never the secret itself in argv, where `ps` shows it). */
export function readTokenFile(file: string, flag = '--token-file'): string {
  let token: string;
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new IoError(`cannot read ${flag}: ${(e as Error).message}`);
  }
  if (!token) throw new UsageError(`${flag} ${file} is empty`);
  return token;
}
