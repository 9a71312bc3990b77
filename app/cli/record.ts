import type { Command } from 'commander';
import os from 'node:os';
import { DEFAULT_HISTORY_URL, DEFAULT_SERVER } from '../record/defaults.js';
import {
  chatServerUrl,
  httpUrl,
  loginName,
  nodeName as nodeNameSchema,
  type ChannelRecording,
} from '../service/contract.js';
import { Recorder } from '../record/recorder.js';
import { observeAll } from '../record/observer.js';
import { LiveImages } from '../images/live.js';
import { ArchiveMetrics, startMetricsServer } from '../service/metrics.js';
import { isLoopback } from '../service/loopback.js';
import { addImageOptions, imageSettings, type ImageFlags } from './image-options.js';
import { channelOption, EXIT_OK, EXIT_PROBLEMS, option, readTokenFile, UsageError } from './output.js';

const STATUS_EVERY_MS = 5000;

interface RecordOptions extends ImageFlags {
  segments: string;
  channel: string[];
  name?: string;
  server: string;
  username?: string;
  tokenFile?: string;
  history?: boolean;
  historyUrl?: string;
  json?: boolean;
  images: boolean;
  metrics?: string;
}

/** Node names become part of receiver ids (`<node>.<slug>.<n>`), so no dots. */
function defaultNodeName(): string {
  return (
    os
      .hostname()
      .replace(/[^A-Za-z0-9_-]/g, '-')
      .slice(0, 64) || 'node'
  );
}

export function register(program: Command): void {
  const cmd = program
    .command('record')
    .description('record Twitch chat into an archive until interrupted (Ctrl-C / SIGTERM flushes everything and exits)')
    .requiredOption('--segments <dir>', 'the archive to record into')
    .requiredOption('--channel <name>', 'a channel to record (repeat for more)', (v: string, prev: string[] = []) => [
      ...prev,
      v,
    ])
    .option('--name <node>', 'node name, part of every receiver id (default: the host name)')
    .option('--server <url>', 'chat server WebSocket URL', DEFAULT_SERVER)
    .option('--username <login>', 'log in as this Twitch user (needs --token-file); anonymous otherwise')
    .option('--token-file <file>', 'file holding the OAuth token for --username')
    .option('--history', `fill gaps from the recent-messages service (${DEFAULT_HISTORY_URL})`)
    .option('--history-url <url>', 'fill gaps from this recent-messages service (implies --history)')
    .option('--no-images', 'do not store emote, badge and third-party emote images while recording')
    .option(
      '--metrics <[host:]port>',
      'serve Prometheus metrics at http://HOST:PORT/metrics (host 127.0.0.1 unless given)',
    )
    .option('--json', 'print machine-readable events on stdout, one JSON object per line');
  addImageOptions(cmd).action((o: RecordOptions) => record(o));
}

/** `9100`, `127.0.0.1:9100`, `[::1]:9100`, `0.0.0.0:9100`. */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--metrics ${JSON.stringify(value)}: expected [HOST:]PORT`);
  return { host: (m[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port };
}

function parseOptions(o: RecordOptions) {
  const channels = [...new Set(o.channel.map((c) => channelOption(c)))];
  const nodeName = option(nodeNameSchema, o.name ?? defaultNodeName(), '--name');
  option(chatServerUrl, o.server, '--server');
  const username = o.username === undefined ? undefined : option(loginName, o.username.toLowerCase(), '--username');
  if ((o.username === undefined) !== (o.tokenFile === undefined))
    throw new UsageError('--username and --token-file go together');
  const token = o.tokenFile === undefined ? undefined : readTokenFile(o.tokenFile);
  if (o.historyUrl !== undefined) option(httpUrl, o.historyUrl, '--history-url');
  const historyUrl = o.historyUrl ?? (o.history ? DEFAULT_HISTORY_URL : undefined);
  const listen = o.metrics === undefined ? null : parseListen(o.metrics);
  return { channels, nodeName, username, token, historyUrl, images: imageSettings(o), listen };
}

function statusLine(s: ChannelRecording): string {
  const conns =
    s.connections.map((c) => `${c.receiverId} ${c.state} ${c.linesPerMinute} lines/min`).join(', ') ||
    (s.recording ? 'waiting' : 'stopped');
  return `${s.channel}: ${conns}; ${s.filesWritten} file(s) written${s.lastError ? `; last error: ${s.lastError}` : ''}`;
}

async function record(o: RecordOptions): Promise<void> {
  const { channels, nodeName, username, token, historyUrl, images, listen } = parseOptions(o);
  const out = (event: object) => o.json && process.stdout.write(JSON.stringify(event) + '\n');
  const metrics = listen ? new ArchiveMetrics() : null;
  const live = o.images
    ? new LiveImages({
        segments: o.segments,
        sources: images.sources,
        allowLoopback: images.allowLoopback,
        thirdParty: images.thirdParty,
        badgeToken: token ? { token, clientId: images.clientId } : null,
        media: images.media,
        mediaMaxBytes: images.mediaMaxBytes,
        onOutcome: metrics?.imageOutcome,
        onProblem: (p) => {
          process.stderr.write(`images: ${p.source} ${p.id}${p.file ? ` ${p.file}` : ''}: ${p.reason}\n`);
          out({ type: 'image', ...p });
        },
        onSetError: (r) => {
          process.stderr.write(`images: ${r.source} ${r.channel ? `#${r.channel}` : 'global'}: ${r.error}\n`);
          out({ type: 'imageSet', source: r.source, channel: r.channel, error: r.error });
        },
      })
    : null;
  const recorder = new Recorder({
    segments: o.segments,
    nodeName,
    server: o.server,
    username,
    token,
    historyUrl,
    observer: observeAll(
      metrics?.observer,
      live && { lineStored: (channel, _r, line) => live.noteLine(channel, line) },
    ),
  });
  if (metrics) {
    metrics.watchRecorder(recorder);
    if (live) metrics.watchImages(() => live.stats());
  }
  let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | null = null;
  if (metrics && listen) {
    try {
      metricsServer = await startMetricsServer(metrics, listen.host, listen.port);
    } catch (e) {
      throw new UsageError(`cannot serve --metrics on ${o.metrics}: ${(e as Error).message}`);
    }
    const open = isLoopback(listen.host) ? '' : ' (not loopback: whoever can reach this address can read them)';
    process.stderr.write(`metrics at ${metricsServer.url}${open}\n`);
    out({ type: 'metrics', url: metricsServer.url });
  }

  const lastErrors = new Map<string, string | null>();
  recorder.on('status', (status: ChannelRecording[]) => {
    out({ type: 'status', channels: status, counters: recorder.counters() });
    for (const s of status) {
      // Errors are shown when they happen, not only with the periodic status.
      if (s.lastError && s.lastError !== lastErrors.get(s.channel))
        process.stderr.write(`${s.channel}: ${s.lastError}\n`);
      lastErrors.set(s.channel, s.lastError);
    }
  });
  recorder.on('filesWritten', (paths: string[]) => out({ type: 'filesWritten', paths }));
  recorder.on('unparsable', (u: { channel: string; receiverId: string; line: string }) => {
    process.stderr.write(
      `${u.channel || 'journal'}: unparsable line from ${u.receiverId || 'replay'}: ${JSON.stringify(u.line.slice(0, 300))}\n`,
    );
    out({ type: 'unparsable', ...u });
  });

  const started = await recorder.start(channels);
  if (!started.ok) {
    await metricsServer?.close();
    throw new UsageError(started.error.message);
  }
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const status = recorder.status();
      if (!o.json) for (const s of status) process.stderr.write(statusLine(s) + '\n');
      if (status.every((s) => !s.recording)) finish(EXIT_PROBLEMS);
    }, STATUS_EVERY_MS);
    let stopping = false;
    const finish = (code: number) => {
      if (stopping) return;
      stopping = true;
      clearInterval(timer);
      void recorder
        .stop()
        .then(() => Promise.all([live?.close(), metricsServer?.close()]))
        .then(() => {
          const counters = recorder.counters();
          out({ type: 'stopped', counters });
          process.stderr.write(`stopped; all batches written\n`);
          process.exitCode = code;
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          resolve();
        });
    };
    const onSignal = () => {
      if (stopping) process.exit(130);
      process.stderr.write('\nstopping: writing open batches (again to force)...\n');
      finish(EXIT_OK);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // Announced once the signals are ours: from then on SIGINT/SIGTERM flush and exit 0.
    process.stderr.write(
      `recording ${channels.map((c) => '#' + c).join(', ')} into ${o.segments} as ${nodeName}.${recorder.slug} (Ctrl-C to stop)\n`,
    );
    out({ type: 'started', node: nodeName, slug: recorder.slug, channels, pid: process.pid });
    // A rejected login stops its channel for good; end instead of idling.
    recorder.on('status', (status: ChannelRecording[]) => {
      if (status.length && status.every((s) => !s.recording)) finish(EXIT_PROBLEMS);
    });
  });
}
