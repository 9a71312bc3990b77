/**
 * A Syncthing we run ourselves, one per home folder: keys made on first use, network
 * options written into its config before it starts, the API key handed over in the
 * environment (never in argv, which other local users can read), stopped by its PID.
 *
 * It never outlives us: on Linux it gets a parent-death signal (setpriv), everywhere a
 * normal exit of ours stops it, and a PID file lets the next start stop one that a killed
 * process of ours left behind.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { X509Certificate, createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { writeFileAtomic } from '../archive/atomic.js';
import { patchConfigXml, listenAddressesOf } from './config-xml.js';
import { deviceIdFromDigest } from './device-id.js';
import type { NetworkOptions } from './folder-config.js';
import { SyncthingError, SyncthingRest } from './rest.js';

/** The Syncthing binary: `$SYNCTHING`, else `syncthing` on the PATH. */
export const syncthingBinary = (env: NodeJS.ProcessEnv = process.env) => env.SYNCTHING || 'syncthing';

/** Written while a managed Syncthing runs, so `sync status` (another process) can reach it. Owner-only: it holds the API key. */
export const RUN_FILE = 'chat-archiver-run.json';

export interface RunInfo {
  pid: number;
  /** host:port of the REST API. */
  gui: string;
  apiKey: string;
  segments: string;
}

const CERT = 'cert.pem';
const CONFIG = 'config.xml';

function run(binary: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(binary, args, { encoding: 'utf8', env: quietEnv(), timeout: 60_000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new SyncthingError(
      code === 'ENOENT'
        ? `Syncthing is not installed (no "${binary}" on the PATH): install it (Debian/Ubuntu: apt install syncthing) or set SYNCTHING to its path`
        : `could not run ${binary}: ${r.error.message}`,
    );
  }
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/**
 * STMONITORED: without it Syncthing runs a monitor process that forks the real one (even
 * with --no-restart); with it there is one process, so the PID we stop and the one the
 * parent-death signal reaches is the one holding the ports and the database.
 */
function quietEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, STNODEFAULTFOLDER: '1', STNOUPGRADE: '1', STNORESTART: '1', STMONITORED: '1', ...extra };
}

/** The device ID of a home's certificate, or null when it has none yet. */
export function homeDeviceId(home: string): string | null {
  const cert = path.join(home, CERT);
  if (!existsSync(cert)) return null;
  const raw = new X509Certificate(readFileSync(cert)).raw;
  return deviceIdFromDigest(createHash('sha256').update(raw).digest());
}

/** Makes the home's keys and config on first use; returns this node's device ID. */
export async function ensureIdentity(home: string, binary = syncthingBinary()): Promise<string> {
  await fs.mkdir(home, { recursive: true, mode: 0o700 });
  if (!existsSync(path.join(home, CERT)) || !existsSync(path.join(home, CONFIG))) {
    const r = run(binary, ['generate', `--home=${home}`, '--skip-port-probing', '--no-default-folder']);
    if (!r.ok) throw new SyncthingError(`syncthing generate failed: ${lastLines(r.out)}`);
  }
  const id = homeDeviceId(home);
  if (!id) throw new SyncthingError(`${home}: Syncthing made no certificate`);
  return id;
}

/** The listen addresses the home's config holds (empty or `default` when never set). */
export async function configuredListen(home: string): Promise<string[]> {
  try {
    return listenAddressesOf(await fs.readFile(path.join(home, CONFIG), 'utf8')).filter((a) => a !== 'default');
  } catch {
    return [];
  }
}

export interface StartOptions extends NetworkOptions {
  home: string;
  /** The synced archive (recorded in the run file for `sync status`). */
  segments: string;
  /** host:port for the REST API; port 0 picks a free one. Loopback only: the API controls the node. */
  gui: string;
  binary?: string;
  /** Syncthing's log lines, for callers that show or keep them. */
  onLog?: (line: string) => void;
}

const GUI_LINE = /GUI and API listening on (\S+)/;
const KEEP_LOG_LINES = 40;
const START_TIMEOUT_MS = 60_000;

export class ManagedSyncthing {
  readonly rest: SyncthingRest;
  readonly #child: ChildProcess;
  readonly #home: string;
  readonly #log: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #stopping = false;

  private constructor(
    child: ChildProcess,
    rest: SyncthingRest,
    home: string,
    log: string[],
    exited: ManagedSyncthing['exited'],
  ) {
    this.#child = child;
    this.rest = rest;
    this.#home = home;
    this.#log = log;
    this.exited = exited;
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** True once we asked it to stop (an exit before that is a crash). */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** The last lines Syncthing logged (for error messages). */
  logTail(): string {
    return this.#log.join('\n');
  }

  static async start(o: StartOptions): Promise<ManagedSyncthing> {
    const binary = o.binary ?? syncthingBinary();
    await ensureIdentity(o.home, binary);
    await stopLeftover(o.home);
    const configFile = path.join(o.home, CONFIG);
    await writeFileAtomic(
      configFile,
      Buffer.from(patchConfigXml(await fs.readFile(configFile, 'utf8'), o)),
      true,
      0o600,
    );
    const apiKey = randomBytes(24).toString('base64url');
    const args = [
      'serve',
      `--home=${o.home}`,
      '--no-browser',
      '--no-restart',
      `--gui-address=${o.gui}`,
      '--logflags=0',
    ];
    // Linux: the kernel stops Syncthing if we die without a chance to stop it ourselves.
    const guarded = process.platform === 'linux' && existsSync('/usr/bin/setpriv');
    const child = spawn(
      guarded ? '/usr/bin/setpriv' : binary,
      guarded ? ['--pdeathsig', 'TERM', '--', binary, ...args] : args,
      {
        env: quietEnv({ STGUIAPIKEY: apiKey }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const log: string[] = [];
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    let gui: string | null = null;
    const guiFound = new Promise<string>((resolve) => {
      const onData = (chunk: string) => {
        for (const line of chunk.split('\n')) {
          if (!line.trim()) continue;
          log.push(line);
          if (log.length > KEEP_LOG_LINES) log.shift();
          o.onLog?.(line);
          const m = GUI_LINE.exec(line);
          if (m && !gui) resolve((gui = m[1]!));
        }
      };
      child.stdout!.setEncoding('utf8').on('data', onData);
      child.stderr!.setEncoding('utf8').on('data', onData);
    });
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), START_TIMEOUT_MS).unref());
    const first = await Promise.race([guiFound, exited, spawnError, timeout]);
    if (typeof first !== 'string' || first === 'timeout') {
      if (first === 'timeout') await killAndWait(child, exited, 5000);
      const why =
        first instanceof Error
          ? (first as NodeJS.ErrnoException).code === 'ENOENT'
            ? `Syncthing is not installed (no "${binary}" on the PATH): install it (Debian/Ubuntu: apt install syncthing) or set SYNCTHING to its path`
            : first.message
          : first === 'timeout'
            ? 'it did not start its API within a minute'
            : `it exited (${first.code ?? first.signal})`;
      throw new SyncthingError(`Syncthing could not start for ${o.home}: ${why}\n${lastLines(log.join('\n'))}`.trim());
    }
    const rest = new SyncthingRest(`http://${first}`, apiKey);
    const node = new ManagedSyncthing(child, rest, o.home, log, exited);
    const info: RunInfo = { pid: child.pid!, gui: first, apiKey, segments: o.segments };
    await writeFileAtomic(path.join(o.home, RUN_FILE), Buffer.from(JSON.stringify(info)), true, 0o600);
    running.add(node);
    void exited.then(() => {
      running.delete(node);
      void fs.rm(path.join(o.home, RUN_FILE), { force: true });
    });
    // The API listens a moment before it answers; wait for the first good answer.
    for (let i = 0; ; i++) {
      try {
        await rest.systemStatus();
        break;
      } catch (e) {
        if (i >= 50 || child.exitCode !== null) {
          await node.stop();
          throw e;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return node;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    this.#stopping = true;
    await killAndWait(this.#child, this.exited, graceMs);
    await fs.rm(path.join(this.#home, RUN_FILE), { force: true });
  }
}

async function killAndWait(child: ChildProcess, exited: Promise<unknown>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}

/** Managed instances of this process: stopped when it exits, whatever the reason. */
const running = new Set<ManagedSyncthing>();
process.once('exit', () => {
  for (const n of running) {
    try {
      process.kill(n.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A Syncthing on this home left by a killed process of ours (its run file names the PID): stopped first. */
async function stopLeftover(home: string): Promise<void> {
  let info: RunInfo;
  try {
    info = JSON.parse(await fs.readFile(path.join(home, RUN_FILE), 'utf8')) as RunInfo;
  } catch {
    return;
  }
  if (Number.isInteger(info.pid) && info.pid > 1 && isSyncthingOf(info.pid, home)) {
    try {
      process.kill(info.pid, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 100 && isAlive(info.pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(info.pid)) process.kill(info.pid, 'SIGKILL');
  }
  await fs.rm(path.join(home, RUN_FILE), { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Only a process that is Syncthing serving this very home may be stopped by PID (PIDs are reused). */
function isSyncthingOf(pid: number, home: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.some((a) => /syncthing/.test(a)) && argv.includes(`--home=${home}`);
  } catch {
    // No /proc (macOS, Windows): a PID from our own run file that is alive is taken as ours.
    return process.platform !== 'linux';
  }
}

/** Reads the run file of a home whose Syncthing we started (in this or another process); null when none runs. */
export async function runningInfo(home: string): Promise<RunInfo | null> {
  try {
    const info = JSON.parse(await fs.readFile(path.join(home, RUN_FILE), 'utf8')) as RunInfo;
    if (typeof info.gui !== 'string' || typeof info.apiKey !== 'string' || !isAlive(info.pid)) return null;
    return info;
  } catch {
    return null;
  }
}

function lastLines(text: string, n = 6): string {
  return text.trim().split('\n').slice(-n).join('\n');
}
