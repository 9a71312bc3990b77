import type { Command } from 'commander';
import { DEFAULT_HISTORY_URL, DEFAULT_SERVER } from '../record/defaults.js';
import { normalizeLogin } from '../rules.js';
import { loginName, settingsSchema, type ChannelRecording, type Settings } from '../service/contract.js';
import { RecorderWithImages } from '../service/recording.js';
import { defaultSettings } from '../service/settings-store.js';
import { ArchiveMetrics, startMetricsServer } from '../service/metrics.js';
import { isLoopback } from '../service/loopback.js';
import { addImageOptions, imageSettings, type ImageFlags } from './image-options.js';
import { channelOption, EXIT_OK, EXIT_PROBLEMS, IoError, option, readTokenFile, UsageError } from './output.js';

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

/**
 * The flags as the settings the desktop app and `serve` record with: this machine's
 * defaults, each flag checked with the settings schema's rule for its field. The recorder
 * is then made from them the way the service makes it (RecorderWithImages). How images are
 * fetched (sources, third-party sets, media size) is no setting: those flags stay options.
 */
function parseOptions(o: RecordOptions) {
  const channels = [...new Set(o.channel.map((c) => channelOption(c)))];
  const defaults = defaultSettings(o.segments);
  const field = settingsSchema.shape;
  const nodeName = option(field.nodeName, o.name ?? defaults.nodeName, '--name');
  const server = option(field.server, o.server, '--server');
  const username = o.username === undefined ? undefined : option(loginName, normalizeLogin(o.username), '--username');
  if ((o.username === undefined) !== (o.tokenFile === undefined))
    throw new UsageError('--username and --token-file go together');
  const token = o.tokenFile === undefined ? null : readTokenFile(o.tokenFile);
  const historyUrl =
    o.historyUrl === undefined ? defaults.historyUrl : option(field.historyUrl, o.historyUrl, '--history-url');
  const { media, ...images } = imageSettings(o);
  const settings: Settings = {
    ...defaults,
    nodeName,
    server,
    login: username === undefined ? { mode: 'anonymous' } : { mode: 'token', username },
    historyGapFilling: o.history === true || o.historyUrl !== undefined,
    historyUrl,
    fetchImages: o.images,
    fetchMedia: media,
  };
  const listen = o.metrics === undefined ? null : parseListen(o.metrics);
  return { channels, settings, token, images, listen };
}

function statusLine(s: ChannelRecording): string {
  const conns =
    s.connections.map((c) => `${c.receiverId} ${c.state} ${c.linesPerMinute} lines/min`).join(', ') ||
    (s.recording ? 'waiting' : 'stopped');
  return `${s.channel}: ${conns}; ${s.filesWritten} file(s) written${s.lastError ? `; last error: ${s.lastError}` : ''}`;
}

async function record(o: RecordOptions): Promise<void> {
  const { channels, settings, token, images, listen } = parseOptions(o);
  const { nodeName } = settings;
  const out = (event: object) => o.json && process.stdout.write(JSON.stringify(event) + '\n');
  const metrics = listen ? new ArchiveMetrics() : undefined;
  const recorder = new RecorderWithImages(settings, token, {
    metrics,
    images: {
      ...images,
      onProblem: (p) => {
        process.stderr.write(`images: ${p.source} ${p.id}${p.file ? ` ${p.file}` : ''}: ${p.reason}\n`);
        out({ type: 'image', ...p });
      },
      onSetError: (r) => {
        process.stderr.write(`images: ${r.source} ${r.channel ? `#${r.channel}` : 'global'}: ${r.error}\n`);
        out({ type: 'imageSet', source: r.source, channel: r.channel, error: r.error });
      },
    },
  });
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
  recorder.on('status', (status) => {
    out({ type: 'status', channels: status, counters: recorder.counters() });
    for (const s of status) {
      // Errors are shown when they happen, not only with the periodic status.
      if (s.lastError && s.lastError !== lastErrors.get(s.channel))
        process.stderr.write(`${s.channel}: ${s.lastError}\n`);
      lastErrors.set(s.channel, s.lastError);
    }
  });
  recorder.on('filesWritten', (paths) => out({ type: 'filesWritten', paths }));
  recorder.on('unparsable', (u) => {
    process.stderr.write(
      `${u.channel || 'journal'}: unparsable line from ${u.receiverId || 'replay'}: ${JSON.stringify(u.line.slice(0, 300))}\n`,
    );
    out({ type: 'unparsable', ...u });
  });

  const started = await recorder.start(channels);
  if (!started.ok) {
    await metricsServer?.close();
    throw new (started.error.code === 'io' ? IoError : UsageError)(started.error.message);
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
        .then(() => metricsServer?.close())
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
    recorder.on('status', (status) => {
      if (status.length && status.every((s) => !s.recording)) finish(EXIT_PROBLEMS);
    });
  });
}
