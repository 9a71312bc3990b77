/**
 * What every browser test file needs around its tests: a temp folder its `setup` fills,
 * the built renderer, `serve` on `<dir>/segments`, and Chromium; all stopped afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPage, type WatchedPage } from './browser.js';
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

/**
 * One watched page per test at a time: `open(hash, opts)` opens the viewer of `session`;
 * after each test it is closed and must have seen no console error and no failed request
 * (a reload's cut event stream, like a close's, is not one).
 */
export function pagePerTest(
  session: ViewerSession,
): (hash?: string, opts?: Parameters<typeof openPage>[2]) => Promise<WatchedPage> {
  let current: WatchedPage | null = null;
  afterEach(async () => {
    const problems = (current?.problems ?? []).filter((x) => !/\/api\/events net::ERR_ABORTED/.test(x));
    await current?.close();
    current = null;
    expect(problems).toEqual([]);
  });
  return async (hash = '', opts) => (current = await openPage(session.browser, `${session.serve.url}/${hash}`, opts));
}
