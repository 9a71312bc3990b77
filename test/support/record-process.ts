/** Runs `chat-archiver` commands from source as child processes (tests and benchmark), reading their --json events. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../app/cli/main.ts', import.meta.url));

export interface RecordProcess {
  child: ChildProcess;
  /** --json events printed so far. */
  events: Array<Record<string, unknown>>;
  stderr: () => string;
  waitForEvent(pred: (e: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code once the process ends by itself (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Sends the signal and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * `images`: fetch images as `record` does by default; off unless asked, so that a test never
 * makes the recorder look for the public CDNs (tests talk only to 127.0.0.1).
 */
export function spawnRecorder(args: string[], opts: { images?: boolean } = {}): RecordProcess {
  return spawnCli(['record', '--json', ...(opts.images ? [] : ['--no-images']), ...args]);
}

/** `chat-archiver ARGS` (give it --json for events). */
export function spawnCli(args: string[]): RecordProcess {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.RECORD_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.RECORD_PROF] : []),
      '--import',
      'tsx',
      MAIN,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const events: Array<Record<string, unknown>> = [];
  let err = '';
  let buf = '';
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line) events.push(JSON.parse(line) as Record<string, unknown>);
    }
    for (const w of waiters) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    events,
    stderr: () => err,
    waitForEvent(pred, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const e = events.find(pred);
          if (e) {
            waiters.delete(check);
            clearTimeout(t);
            resolve(e);
          }
        };
        const t = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event; stderr:\n${err}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
