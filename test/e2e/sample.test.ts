/** First run in the browser: the empty archive's "Open the sample archive" leads straight to its messages. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPage } from '../support/browser.js';
import { ensureRendererBuilt } from '../support/renderer-build.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';

let dir: string;
let serve: ServeProcess;
let browser: Browser;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ca-sample-'));
  await ensureRendererBuilt();
  serve = await startServe(path.join(dir, 'segments'));
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('the empty archive opens the sample archive', async () => {
  const { page: p, problems, close } = await openPage(browser, serve.url, { colorScheme: 'dark' });
  await p.getByRole('button', { name: 'Open the sample archive' }).click();
  await p.getByRole('button', { name: /^nymn: 800 records/ }).waitFor({ timeout: 30_000 });
  await expect.poll(() => p.locator('.messages-title h2').textContent()).toBe('2024-01-06 16:00–17:00 UTC');
  await p.locator('.message-scroll [role=option] .msg').first().waitFor();
  // The fixture's timeouts strike through their targets here too.
  await p.getByLabel('Filter by user').fill('e7om');
  await expect.poll(() => p.locator('.msg.removed').count()).toBe(3);
  expect(problems).toEqual([]);
  await close();
});
