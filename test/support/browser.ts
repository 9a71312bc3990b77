/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser), and pages
 * that record every console error, page error and failed request, so each test can
 * assert there were none.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const SCREENSHOTS = path.resolve(import.meta.dirname, '../e2e/screenshots');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

export interface WatchedPage {
  page: Page;
  /** Console errors, uncaught errors, failed requests and HTTP errors seen so far. */
  problems: string[];
  close: () => Promise<void>;
}

export async function openPage(
  browser: Browser,
  url: string,
  opts: { colorScheme?: 'light' | 'dark'; width?: number; height?: number; timezoneId?: string } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    colorScheme: opts.colorScheme ?? 'light',
    viewport: { width: opts.width ?? 1400, height: opts.height ?? 900 },
    permissions: ['clipboard-read', 'clipboard-write'],
    ...(opts.timezoneId ? { timezoneId: opts.timezoneId } : {}),
  });
  const page = await context.newPage();
  const problems: string[] = [];
  let closing = false;
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // The event stream is cut when the page closes, and the viewer itself cancels requests it no longer
    // needs (a superseded page of records, an emote image scrolled away): ERR_ABORTED is not a failure.
    if (!closing && r.failure()?.errorText !== 'net::ERR_ABORTED')
      problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  await page.goto(url);
  return {
    page,
    problems,
    close: async () => {
      closing = true;
      await context.close();
    },
  };
}

/** Clicks the activity chart in the middle of the bucket starting at `t` (visible span from `from`, buckets of `bucket` s). */
export async function clickBucket(page: Page, t: number, from: number, span: number, bucket = 60): Promise<void> {
  const box = await page.locator('.activity').boundingBox();
  if (!box) throw new Error('no activity chart');
  const x = box.x + (((t - from) / bucket + 0.5) / (span / bucket)) * box.width;
  await page.mouse.click(x, box.y + box.height / 2);
}

/** Saves `<name>-<scheme>.png` for review (the folder is git-ignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const scheme = (await page.evaluate(() =>
    matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light',
  )) as string;
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${scheme}.png`) });
}

/** Takes the screenshot in both themes, leaving the page in light. */
export async function screenshotBoth(page: Page, name: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.waitForTimeout(50);
    await screenshot(page, name);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
