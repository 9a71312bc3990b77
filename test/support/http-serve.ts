/** Starts the service and its HTTP server over a temp archive; every test stops what it starts. */
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { ArchiveService } from '../../app/service/service.js';
import { startHttpServer, type RunningServer } from '../../app/service/http-server.js';
import { tempDir } from './service-archive.js';

export interface Served {
  dir: string;
  segments: string;
  service: ArchiveService;
  server: RunningServer;
  stop: () => Promise<void>;
}

export async function serveTemp(opts: { token?: string; renderer?: boolean } = {}): Promise<Served> {
  const t = await tempDir('ca-http-');
  const segments = path.join(t.dir, 'segments');
  const rendererDir = path.join(t.dir, 'renderer');
  await mkdir(path.join(rendererDir, 'assets'), { recursive: true });
  await writeFile(
    path.join(rendererDir, 'index.html'),
    '<!doctype html><title>Chat Archiver</title><script type="module" src="/assets/app.js"></script>',
  );
  await writeFile(path.join(rendererDir, 'assets', 'app.js'), 'console.log("app")');
  const service = await ArchiveService.create({
    segmentsDir: segments,
    settingsFile: path.join(t.dir, 'settings.json'),
    mergeIntervalMs: 0,
  });
  const server = await startHttpServer({
    service,
    host: '127.0.0.1',
    port: 0,
    token: opts.token ?? null,
    rendererDir: opts.renderer === false ? null : rendererDir,
  });
  return {
    dir: t.dir,
    segments,
    service,
    server,
    stop: async () => {
      await server.close();
      await service.close();
      await t.cleanup();
    },
  };
}

/** A raw request (the path is sent exactly as given, unlike fetch, which normalizes `..`). */
export function rawRequest(
  url: string,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}
