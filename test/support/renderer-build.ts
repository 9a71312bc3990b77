/**
 * Builds the viewer (out/renderer) for browser tests when its sources are newer than the
 * build. Uses the renderer section of electron.vite.config.ts, so tests run what the app
 * ships, without needing the Electron main process to build. Test files run in parallel
 * workers: a lock directory makes one build and the others wait for it.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { build, type InlineConfig } from 'vite';

const root = path.resolve(import.meta.dirname, '../..');
export const rendererOut = path.join(root, 'out', 'renderer');
const lock = path.join(root, 'out', '.renderer-build.lock');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function sourcesTime(): number {
  const files = ['electron.vite.config.ts', 'app/service/contract.ts', 'app/service/http-client.ts'].map(
    (f) => statSync(path.join(root, f)).mtimeMs,
  );
  return Math.max(newest(path.join(root, 'renderer')), ...files);
}

function upToDate(): boolean {
  const index = path.join(rendererOut, 'index.html');
  return existsSync(index) && statSync(index).mtimeMs >= sourcesTime();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function ensureRendererBuilt(): Promise<void> {
  mkdirSync(path.dirname(lock), { recursive: true });
  for (let waited = 0; ; waited += 250) {
    if (upToDate()) return;
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another worker is building; a lock older than two minutes is from a crashed run.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000)
        rmSync(lock, { recursive: true, force: true });
      await sleep(250);
    }
  }
  try {
    if (upToDate()) return;
    const mod = (await import('../../electron.vite.config.js')) as { default: { renderer: InlineConfig } };
    const renderer = mod.default.renderer;
    // Vitest sets NODE_ENV=test, which would bundle React's development build.
    const env = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({
        ...renderer,
        configFile: false,
        mode: 'production',
        base: './',
        logLevel: 'warn',
        build: { ...renderer.build, emptyOutDir: true },
      });
    } finally {
      process.env.NODE_ENV = env;
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
