/**
 * `chat-archiver sync id|run|status`: this node's Syncthing identity, a node that syncs
 * the archive with its peers and merges whatever arrives, and the state of a running one.
 */
import type { Command } from 'commander';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseDeviceId } from '../sync/device-id.js';
import { DEFAULT_TIMING, type Timing } from '../sync/folder-config.js';
import { ManagedSyncthing, configuredListen, ensureIdentity, homeDeviceId, runningInfo } from '../sync/managed.js';
import { SyncNode, type NodeStatus, type Peer } from '../sync/node.js';
import { SyncthingError, SyncthingRest } from '../sync/rest.js';
import { ArrivalWatch } from '../sync/arrivals.js';
import { mergeArrivals } from '../sync/arrival-merge.js';
import { defaultListen } from '../sync/ports.js';
import { SYNC_ADDRESS, breaks } from '../rules.js';
import { defaultSegmentsDir, userDataDir } from '../service/paths.js';
import { isLoopback } from '../service/http-server.js';
import { EXIT_OK, EXIT_PROBLEMS, UsageError, interruptSignal, isAbort, plural, reporter } from './output.js';

const defaultHome = () => path.join(userDataDir(), 'syncthing');

interface RunOptions {
  segments: string;
  home: string;
  listen?: string;
  gui: string;
  peer: string[];
  discovery: boolean;
  scanDelay: string;
  rescan: string;
  json?: boolean;
}

export function register(program: Command): void {
  const sync = program
    .command('sync')
    .description('replicate the archive with other nodes through Syncthing, merging whatever arrives');

  sync
    .command('id')
    .description("this node's Syncthing device ID (made on first use); give it to your peers")
    .option('--home <dir>', "Syncthing's home folder (keys, config, database)", defaultHome())
    .option('--json', 'print {"deviceId": …}')
    .action((o: { home: string; json?: boolean }) =>
      plainly(async () => {
        const deviceId = await ensureIdentity(path.resolve(o.home));
        reporter(!!o.json).result({ deviceId }, deviceId);
      }),
    );

  sync
    .command('run')
    .description('run Syncthing on the archive and merge what arrives, until Ctrl-C / SIGTERM (then both stop)')
    .option('--segments <dir>', 'the archive to share', defaultSegmentsDir())
    .option('--home <dir>', "Syncthing's home folder (keys, config, database)", defaultHome())
    .option(
      '--listen <address>',
      'where peers reach this node, tcp://HOST:PORT (default: as last time, else port 22000 or a free one)',
    )
    .option('--gui <host:port>', "Syncthing's API on this machine (port 0: a free one)", '127.0.0.1:0')
    .option(
      '--peer <id[@address]>',
      'a peer: its device ID and, unless discovery finds it, tcp://HOST:PORT (repeat for more)',
      collect,
      [],
    )
    .option('--no-discovery', 'no global or LAN discovery, relays or NAT traversal: peers only at the addresses given')
    .option(
      '--scan-delay <seconds>',
      'how long Syncthing gathers changes on disk before announcing them',
      String(DEFAULT_TIMING.watchDelayS),
    )
    .option(
      '--rescan <seconds>',
      'full rescan interval, behind the file watcher',
      String(DEFAULT_TIMING.rescanIntervalS),
    )
    .option('--json', 'print events as JSON lines on stdout (started, merged, stopped)')
    .action((o: RunOptions) => plainly(() => runNode(o)));

  sync
    .command('status')
    .description('peers, folder state, completion and errors of the node running on --home')
    .option('--home <dir>', "Syncthing's home folder", defaultHome())
    .option('--json', 'print one JSON object')
    .action((o: { home: string; json?: boolean }) => plainly(() => status(o)));
}

async function status(o: { home: string; json?: boolean }): Promise<void> {
  const home = path.resolve(o.home);
  const out = reporter(!!o.json);
  const info = await runningInfo(home);
  if (!info) {
    const deviceId = homeDeviceId(home);
    out.result(
      { running: false, deviceId },
      `not running${deviceId ? ` (device ${deviceId})` : ''}: start it with chat-archiver sync run --home ${home}`,
    );
    process.exitCode = EXIT_PROBLEMS;
    return;
  }
  const status = await new SyncNode(new SyncthingRest(`http://${info.gui}`, info.apiKey)).status();
  const problems =
    (status.folder?.errors.length ?? 0) + status.peers.filter((p) => p.error).length + status.listenErrors.length;
  out.result({ running: true, segments: info.segments, ...status }, statusText(info.segments, status));
  process.exitCode = problems ? EXIT_PROBLEMS : EXIT_OK;
}

/** Syncthing's failures (not installed, not answering, a refused key) and I/O errors are one line and exit 1, no stack. */
async function plainly(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof SyncthingError) && typeof (e as NodeJS.ErrnoException).code !== 'string') throw e;
    process.stderr.write(`chat-archiver: ${(e as Error).message}\n`);
    process.exitCode = EXIT_PROBLEMS;
  }
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

function seconds(v: string, flag: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > 86400)
    throw new UsageError(`${flag} takes whole seconds ${min}..86400, not "${v}"`);
  return n;
}

function address(v: string, flag: string): string {
  const why = breaks(SYNC_ADDRESS, v);
  if (why) throw new UsageError(`invalid ${flag} ${why}`);
  return v;
}

/** `ID` or `ID@tcp://HOST:PORT`. */
export function parsePeer(v: string): Peer {
  const at = v.indexOf('@');
  const idPart = at < 0 ? v : v.slice(0, at);
  const id = parseDeviceId(idPart);
  if (!id.ok) throw new UsageError(`invalid --peer ${JSON.stringify(v)}: ${id.reason}`);
  const addresses = at < 0 ? ['dynamic'] : [address(v.slice(at + 1), '--peer address')];
  return { deviceId: id.id, addresses };
}

function guiAddress(v: string): string {
  const m = /^(\[[0-9A-Fa-f:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(v);
  if (!m || Number(m[2]) > 65535) throw new UsageError(`invalid --gui ${JSON.stringify(v)}: give HOST:PORT`);
  if (!isLoopback(m[1]!))
    throw new UsageError(`--gui ${v}: Syncthing's API controls this node; it stays on this machine (127.0.0.1)`);
  return v;
}

async function runNode(o: RunOptions): Promise<void> {
  const home = path.resolve(o.home);
  const segments = path.resolve(o.segments);
  const peers = o.peer.map(parsePeer);
  const gui = guiAddress(o.gui);
  const timing: Timing = {
    watchDelayS: seconds(o.scanDelay, '--scan-delay', 1),
    rescanIntervalS: seconds(o.rescan, '--rescan', 1),
  };
  if (o.listen !== undefined) address(o.listen, '--listen');
  const out = reporter(!!o.json);
  const event = (e: object) => o.json && process.stdout.write(JSON.stringify(e) + '\n');
  await fs.mkdir(segments, { recursive: true });
  await ensureIdentity(home);
  const listen = [o.listen ?? (await configuredListen(home))[0] ?? (await defaultListen())];

  // Ctrl-C / SIGTERM stop both; a second one exits at once (Syncthing goes with us).
  const stop = interruptSignal();

  const syncthing = await ManagedSyncthing.start({ home, segments, gui, listen, discovery: o.discovery });
  let code = EXIT_OK;
  let watch: ArrivalWatch | null = null;
  try {
    const node = new SyncNode(syncthing.rest);
    await node.setUp({ segments, timing, network: { listen, discovery: o.discovery } });
    for (const p of peers) await node.addPeer(p);
    const status = await node.status();
    process.stderr.write(
      `syncing ${segments} as ${status.deviceId}, listening on ${status.listening.join(', ') || listen.join(', ')}; ` +
        `${plural(status.peers.length, 'peer')}; Syncthing API on ${syncthing.rest.base} (Ctrl-C to stop)\n`,
    );
    event({
      type: 'started',
      deviceId: status.deviceId,
      listening: status.listening,
      gui: syncthing.rest.base,
      syncthingPid: syncthing.pid,
      pid: process.pid,
    });
    watch = new ArrivalWatch(syncthing.rest, {
      onArrivals: async (a) => {
        try {
          const s = await mergeArrivals(segments, a, stop);
          if (s.filesWritten + s.filesRemoved + s.problems.length + s.quarantined.length === 0) return;
          event({
            type: 'merged',
            hours: s.hoursMerged,
            written: s.filesWritten,
            removed: s.filesRemoved,
            quarantined: s.quarantined.length,
            problems: s.problems,
          });
          if (!o.json)
            process.stderr.write(
              `merged ${plural(s.hoursMerged, 'hour')}: wrote ${s.filesWritten}, removed ${s.filesRemoved}` +
                s.problems.map((p) => `\n  problem: ${p.path}: ${p.reason}`).join('') +
                s.quarantined.map((q) => `\n  quarantined ${q.path}: ${q.reason.replace(/\n/g, '; ')}`).join('') +
                '\n',
            );
        } catch (e) {
          if (!isAbort(e)) out.warn(`merge failed: ${(e as Error).message}`);
        }
      },
      onError: (m) => m && out.warn(`Syncthing: ${m}`),
    });
    watch.start();
    const crashed = syncthing.exited.then((x) => x);
    const result = await Promise.race([
      new Promise<'stop'>((resolve) =>
        stop.aborted ? resolve('stop') : stop.addEventListener('abort', () => resolve('stop'), { once: true }),
      ),
      crashed,
    ]);
    if (result !== 'stop') {
      out.warn(`Syncthing stopped unexpectedly (${result.code ?? result.signal}):\n${syncthing.logTail()}`);
      code = EXIT_PROBLEMS;
    }
  } catch (e) {
    out.warn(`sync failed: ${(e as Error).message}`);
    code = EXIT_PROBLEMS;
  } finally {
    await watch?.stop();
    await syncthing.stop();
  }
  event({ type: 'stopped' });
  process.stderr.write('stopped\n');
  process.exitCode = code;
}

function statusText(segments: string, s: NodeStatus): string {
  const lines = [
    `${s.deviceId} syncing ${segments}, listening on ${s.listening.join(', ') || '(nothing)'}`,
    ...s.listenErrors.map((e) => `  error: ${e}`),
  ];
  if (s.folder)
    lines.push(
      `folder: ${s.folder.state}, ${s.folder.completion.toFixed(1)} % complete, ${plural(s.folder.needFiles, 'file')} still to come`,
      ...s.folder.errors.map((e) => `  error: ${e.path}: ${e.error}`),
    );
  if (!s.peers.length) lines.push('no peers yet: add one with --peer ID@tcp://HOST:PORT');
  for (const p of s.peers)
    lines.push(
      `peer ${p.name || p.deviceId.slice(0, 7)} (${p.deviceId}): ${p.connected ? `connected at ${p.address}` : 'not connected'}` +
        (p.completion !== null ? `, ${p.completion.toFixed(1)} % in sync` : '') +
        (p.lastSeen ? `, last seen ${new Date(p.lastSeen * 1000).toISOString()}` : '') +
        (p.error ? `\n  error: ${p.error}` : ''),
    );
  for (const p of s.pending)
    lines.push(`device ${p.deviceId} (${p.name || p.address}) wants to connect: add it as a peer to share`);
  if (s.arriving.length) lines.push(`still arriving: ${s.arriving.length} hour(s)`);
  return lines.join('\n');
}
