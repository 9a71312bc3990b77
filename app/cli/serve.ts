/** `chat-archiver serve`: the archive API and the built viewer over HTTP. */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArchiveService } from '../service/service.js';
import { startHttpServer, checkServeOptions } from '../service/http-server.js';
import { defaultSegmentsDir } from '../service/paths.js';
import { recordingFactory } from '../service/recording.js';
import { ArchiveMetrics } from '../service/metrics.js';
import { option, port, UsageError } from './output.js';

export interface ServeOptions {
  segments: string;
  port: number;
  host: string;
  token?: string;
  allowWrite?: boolean;
}

/** The project folder (holding out/renderer), from this module in app/cli or dist/app/cli. */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** Starts the service and server; resolves once listening, with a function that stops both. */
export async function serve(o: ServeOptions): Promise<{ url: string; stop: () => Promise<void> }> {
  const refused = checkServeOptions({ host: o.host, token: o.token ?? null });
  if (refused) throw new UsageError(refused);
  const segments = path.resolve(o.segments);
  const metrics = new ArchiveMetrics();
  const service = await ArchiveService.create({
    segmentsDir: segments,
    settingsFile: path.join(segments, '.chat-archiver', 'settings.json'),
    recording: recordingFactory({ metrics }),
    // A served archive is its own node: Syncthing's home sits in its state folder (never synced).
    sync: {
      home: path.join(segments, '.chat-archiver', 'syncthing'),
      settingsFile: path.join(segments, '.chat-archiver', 'sync.json'),
    },
  });
  service.onEvent(metrics.serviceEvent);
  if (service.settingsProblem) process.stderr.write(`chat-archiver: ${service.settingsProblem}\n`);
  const rendererDir = path.join(projectRoot(), 'out', 'renderer');
  let server;
  try {
    server = await startHttpServer({
      service,
      host: o.host,
      port: o.port,
      token: o.token ?? null,
      allowWrite: o.allowWrite,
      rendererDir: existsSync(path.join(rendererDir, 'index.html')) ? rendererDir : null,
      metrics,
    });
  } catch (e) {
    await service.close(); // a port in use: nothing may keep running
    throw e;
  }
  return {
    url: server.url,
    stop: async () => {
      await server.close();
      await service.close();
    },
  };
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the archive viewer and its API over HTTP (loopback only unless --host and --token are given)')
    .option('--segments <dir>', 'the archive folder', defaultSegmentsDir())
    .option('--port <n>', 'TCP port (0 picks a free one)', (v) => option(port, v, '--port'), 8417)
    .option('--host <h>', 'address to listen on', '127.0.0.1')
    .option(
      '--token <t>',
      'required by clients (Authorization: Bearer, or ?token= once in the browser); needed for any non-loopback host',
    )
    .option('--allow-write', 'let a non-loopback server record, import and change settings')
    .action(async (o: { segments: string; port: number; host: string; token?: string; allowWrite?: boolean }) => {
      const token = o.token ?? process.env.CHAT_ARCHIVER_TOKEN;
      const running = await serve({ ...o, token });
      const shown = token ? `${running.url}?token=…` : running.url;
      process.stdout.write(`chat-archiver: serving ${path.resolve(o.segments)} at ${shown}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      process.stdout.write('chat-archiver: stopping (writing open batches)\n');
      await running.stop();
    });
}
