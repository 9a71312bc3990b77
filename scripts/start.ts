/**
 * `npm start`: builds the app and opens the desktop window. Where Electron cannot start
 * (binary not downloaded, no display) it says so in one line and serves the same UI with
 * `serve` on 127.0.0.1 instead, printing the URL.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { serve } from '../app/cli/serve.js';
import { defaultSegmentsDir } from '../app/service/paths.js';

const root = path.resolve(import.meta.dirname, '..');

/** The Electron binary, found the way the electron package does, without loading it. */
function electronBinary(): { path: string } | { reason: string } {
  const pkg = path.join(root, 'node_modules', 'electron');
  const pathTxt = path.join(pkg, 'path.txt');
  if (!existsSync(pathTxt)) return { reason: 'the Electron binary is not installed (it needs a download)' };
  const bin = path.join(pkg, 'dist', readFileSync(pathTxt, 'utf8').trim());
  if (!existsSync(bin)) return { reason: `the Electron binary is missing (${bin})` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return { reason: 'there is no display' };
  return { path: bin };
}

const built = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
  { cwd: root, stdio: 'inherit' },
);
if (built.status !== 0) process.exit(built.status ?? 1);

const electron = electronBinary();
if ('path' in electron) {
  const child = spawn(electron.path, [root], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  const segments = process.env.CHAT_ARCHIVER_SEGMENTS ?? defaultSegmentsDir();
  const port = Number(process.env.PORT ?? 8417);
  process.stdout.write(
    `chat-archiver: Electron cannot start here (${electron.reason}); serving the same UI in your browser instead\n`,
  );
  const running = await serve({ segments, port, host: '127.0.0.1' });
  process.stdout.write(`chat-archiver: open ${running.url} (archive: ${segments}; Ctrl+C stops)\n`);
  const stop = async () => {
    await running.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
