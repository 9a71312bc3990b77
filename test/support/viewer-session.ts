/**
 * What every browser test file needs around its tests: a temp folder its `setup` fills,
 * the built renderer, `serve` on `<dir>/segments`, and Chromium; all stopped afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { ensureRendererBuilt } from './renderer-build.js';
import { startServe, type ServeProcess } from './serve-process.js';

export interface ViewerSession {
  dir: string;
  serve: ServeProcess;
  browser: Browser;
}

/** Registers the suite's beforeAll/afterAll; the returned object is filled in by beforeAll. */
export function viewerSession(
  name: string,
  setup?: (dir: string) => Promise<unknown>,
  timeout = 120_000,
): ViewerSession {
  const s = {} as ViewerSession;
  beforeAll(async () => {
    s.dir = await mkdtemp(path.join(os.tmpdir(), `ca-${name}-`));
    await setup?.(s.dir);
    await ensureRendererBuilt();
    s.serve = await startServe(path.join(s.dir, 'segments'));
    s.browser = await launchBrowser();
  }, timeout);
  afterAll(async () => {
    await s.browser?.close();
    await s.serve?.stop();
    if (s.dir) await rm(s.dir, { recursive: true, force: true });
  });
  return s;
}
