/**
 * Emotes and badges drawn from the archive in Chromium (issue 11 item 5): the real #nymn
 * fixture with its images stored by the image fetchers from the fake servers, served by
 * `serve` under the strict CSP; a missing image falls back to its code; the toggle shows
 * text codes and is remembered.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { openPage, screenshotBoth, type WatchedPage } from '../support/browser.js';
import { viewerSession } from '../support/viewer-session.js';
import { writeSampleArchive } from '../../app/service/sample.js';
import { openImageContext } from '../../app/images/download.js';
import { archiveImages } from '../../app/images/archive-images.js';
import { FakeImageServer, FIXTURE_CLIENT_ID, FIXTURE_TOKEN } from '../support/fake-images.js';

/** An emote of the fixture whose images are taken away, to see the fallback. */
const GONE = 'emotesv2_2ce848d8d4cb42cbb94ba47b9dd8183e';

const s = viewerSession('emotes', async (dir) => {
  const segments = path.join(dir, 'segments');
  await writeSampleArchive(segments);
  const fake = await FakeImageServer.start();
  try {
    const ctx = await openImageContext({ segments, sources: fake.sources, memoryFile: null });
    await archiveImages(ctx, {
      thirdParty: true,
      badges: { token: FIXTURE_TOKEN, clientId: FIXTURE_CLIENT_ID },
      media: false,
    });
  } finally {
    await fake.close();
  }
  fs.rmSync(path.join(segments, 'emotes', GONE), { recursive: true });
});

let open: WatchedPage | null = null;
afterEach(async () => {
  // The one image taken away answers 404 (that is the fallback under test; the browser logs each
  // 404 once more on the console, without its address), and the reload cuts the event stream.
  const all = open?.problems ?? [];
  let gone = all.filter((p) => p.startsWith('HTTP 404') && p.includes(`/images/emotes/${GONE}/`)).length;
  const problems = all.filter(
    (p) =>
      !p.includes(`/images/emotes/${GONE}/`) &&
      !/^request failed: GET \S+\/api\/events net::ERR_ABORTED/.test(p) &&
      !(p.includes('status of 404') && gone-- > 0),
  );
  await open?.close();
  open = null;
  expect(problems).toEqual([]);
});

test('emotes and badges are images from the archive; missing ones and the toggle show text', async () => {
  open = await openPage(s.browser, s.serve.url, { width: 1024, height: 700 });
  const p = open.page;
  await p.getByRole('button', { name: /^nymn 800 records/ }).click();
  await expect.poll(() => p.locator('.messages-title h2').textContent()).toBe('2024-01-06 16:00–17:00 UTC');
  const rows = p.locator('.message-scroll [role=option] .msg');
  await rows.first().waitFor();
  const emotes = p.locator('.message-scroll img.emote');
  await expect.poll(() => emotes.count(), { timeout: 20_000 }).toBeGreaterThan(10);
  // Every drawn image loaded (the CSP allows the archive's own images), Twitch's and 7TV's alike.
  await expect
    .poll(() =>
      emotes.evaluateAll(
        (els) =>
          els.filter((e) => !(e as HTMLImageElement).complete || (e as HTMLImageElement).naturalWidth === 0).length,
      ),
    )
    .toBe(0);
  const alts = await emotes.evaluateAll((els) => els.map((e) => e.getAttribute('alt')));
  expect(alts).toContain('forsenParty');
  expect(alts).toContain('EDM');
  const srcs = await emotes.evaluateAll((els) => els.map((e) => e.getAttribute('src')));
  expect(srcs.some((x) => /^\/images\/emotes\/emotesv2_[0-9a-f]{32}\/light-1\.0$/.test(x ?? ''))).toBe(true);
  expect(srcs.some((x) => /^\/images\/emotes\/7tv\/[0-9a-f]{24}\/1x\.webp$/.test(x ?? ''))).toBe(true);
  await expect.poll(() => p.locator('.message-scroll img.badge-image').count()).toBeGreaterThan(0);
  expect(await p.locator('.message-scroll img.badge-image').first().getAttribute('title')).toMatch(/\(/);
  await screenshotBoth(p, 'emotes');

  // A message whose emote has no image left shows the code instead.
  await p.getByLabel('Filter by text').fill('nymnEDM');
  const gone = rows.filter({ hasText: 'nymnEDM' }).first();
  await gone.waitFor();
  await expect.poll(() => gone.locator('.emote-code').count()).toBeGreaterThan(0);
  expect(await gone.locator(`img[src*="${GONE}"]`).count()).toBe(0);
  await p.getByLabel('Filter by text').fill('');

  // Text codes on request, remembered across a reload.
  await p.getByLabel('Emote images').uncheck();
  await expect.poll(() => emotes.count()).toBe(0);
  await expect.poll(() => rows.filter({ hasText: 'forsenParty EDM forsenParty' }).count()).toBeGreaterThan(0);
  await p.reload();
  await rows.first().waitFor();
  await expect.poll(() => p.getByLabel('Emote images').isChecked()).toBe(false);
  expect(await emotes.count()).toBe(0);
  await p.getByLabel('Emote images').check();
  await expect.poll(() => emotes.count()).toBeGreaterThan(10);
});
