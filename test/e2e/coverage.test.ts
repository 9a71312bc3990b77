/**
 * Coverage in the viewer, in Chromium: lanes drawn from the recorded spans to the second,
 * a 20-second hole visible and clickable at a day's zoom, holes in red across the lanes,
 * the gaps list biggest first, next/previous gap and recording, the default zoom fitting
 * the data, and every jump a history entry that Back undoes.
 */
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { screenshotBoth, type WatchedPage } from '../support/browser.js';
import { pagePerTest, viewerSession } from '../support/viewer-session.js';
import { GAP_CHANNEL, GAP_T0, HOLE, writeGapArchive } from '../support/viewer-archive.js';

const s = viewerSession('coverage', (dir) => writeGapArchive(path.join(dir, 'segments')));
const page = pagePerTest(s);

const title = (p: WatchedPage['page']) => p.locator('.messages-title h2');

describe('coverage', () => {
  test('the default zoom fits the data; lanes per node; a 20-second hole is a clickable mark at day zoom', async () => {
    const p = (await page(`#/c/${GAP_CHANNEL}`)).page;
    // An hour of data opens at the hour's zoom.
    await p.getByRole('button', { name: 'Hour', pressed: true }).waitFor();
    await p.getByRole('button', { name: /^alice-laptop: 2 connections, 1 gap$/ }).waitFor();
    await p.getByRole('button', { name: /^bob-pc: 3 connections, 2 gaps$/ }).waitFor();
    await screenshotBoth(p, 'coverage-hour');

    await p.getByRole('button', { name: 'Day' }).click();
    await p.getByRole('button', { name: 'Day', pressed: true }).waitFor();
    const mark = p.getByRole('button', {
      name: /^Hole, nobody recorded: 2024-01-06 16:20:(09|10)–16:20:3\d UTC, 2\d s$/,
    });
    await mark.waitFor();
    // 20 s of a day is a quarter of a pixel; the mark is drawn at least 4 px wide and its target 24 px.
    const fill = await p.locator('.lane-holes .mark-fill').first().boundingBox();
    expect(fill!.width).toBeGreaterThanOrEqual(4);
    const target = await mark.boundingBox();
    expect(target!.width).toBeGreaterThanOrEqual(24);
    const activity = (await p.locator('.activity').boundingBox())!;
    const centre = fill!.x + fill!.width / 2;
    const dayStart = GAP_T0 - 16 * 3600;
    expect(Math.abs(centre - (activity.x + ((HOLE.from + 10 - dayStart) / 86400) * activity.width))).toBeLessThan(2);
    // The hole is red across the lanes: one band over the whole timeline.
    const band = (await p.locator('.hole-band').first().boundingBox())!;
    const lanes = (await p.locator('.timeline-grid').boundingBox())!;
    expect(band.height).toBeGreaterThan(lanes.height * 0.8);
    await screenshotBoth(p, 'coverage-day-hole');

    const before = await p.evaluate(() => history.length);
    await mark.click();
    await expect.poll(() => title(p).textContent()).toBe('2024-01-06 16:19–16:22 UTC');
    await p.getByRole('button', { name: 'Hour', pressed: true }).waitFor();
    expect(await p.evaluate(() => history.length)).toBe(before + 1);
    expect(await p.evaluate(() => location.hash)).toBe(
      `#/c/${GAP_CHANNEL}/${GAP_T0 + 19 * 60}-${GAP_T0 + 22 * 60}?z=hour`,
    );
    // Back returns to the day, within the app.
    await p.goBack();
    await p.getByRole('button', { name: 'Day', pressed: true }).waitFor();
    await p.goForward();
    await p.getByRole('button', { name: 'Hour', pressed: true }).waitFor();
  });

  test('the gaps list, biggest first, and next/previous gap and recording', async () => {
    const p = (await page(`#/c/${GAP_CHANNEL}/${GAP_T0}-${GAP_T0 + 60}`)).page;
    await p.getByRole('button', { name: 'Gaps (4)' }).click();
    const items = p.getByRole('list', { name: 'Gaps and holes, biggest first' }).getByRole('button');
    await expect
      .poll(() => items.allTextContents())
      .toEqual([
        expect.stringMatching(/^1 min 0\d s bob-pc 2024-01-06 16:(39|40):\d\d–16:41:0\d UTC$/),
        expect.stringMatching(/^40 s alice-laptop 2024-01-06 16:20:00–16:20:40 UTC$/),
        expect.stringMatching(/^2\d s nobody recorded 2024-01-06 16:20:(09|10)–16:20:3\d UTC$/),
        expect.stringMatching(/^2\d s bob-pc 2024-01-06 16:20:(09|10)–16:20:3\d UTC$/),
      ]);
    await screenshotBoth(p, 'coverage-gaps-list');
    // The span with a minute on either side (bob's edges are his last and first lines around it).
    await items.first().click();
    await expect.poll(() => title(p).textContent()).toBe('2024-01-06 16:38–16:43 UTC');

    // Gap by gap from before the start: alice's at 16:20:00, the hole at 16:20:10 (bob's starts with it), bob's at 16:40.
    await p.getByRole('button', { name: 'Previous gap' }).click();
    await p.getByRole('button', { name: 'Previous gap' }).click();
    await expect.poll(() => title(p).textContent()).toBe('2024-01-06 16:19–16:22 UTC');
    await p.locator('body').press('PageUp');
    await expect.poll(() => title(p).textContent()).toBe('2024-01-06 15:19–15:22 UTC');
    await p.getByRole('button', { name: 'Next gap' }).click();
    await expect.poll(() => p.locator('.readout').textContent()).toMatch(/^16:19–16:22 UTC/);
    await p.getByRole('button', { name: 'Next gap' }).click();
    await expect.poll(() => p.evaluate(() => location.hash)).toContain(`${GAP_T0 + 19 * 60}-${GAP_T0 + 22 * 60}`);
    await p.getByRole('button', { name: 'Next gap' }).click();
    await expect.poll(() => title(p).textContent()).toBe('2024-01-06 16:38–16:43 UTC');
    // No gap after the last: nothing moves.
    await p.getByRole('button', { name: 'Next gap' }).click();
    await expect.poll(() => title(p).textContent()).toBe('2024-01-06 16:38–16:43 UTC');
    await p.getByRole('button', { name: 'Previous recording start' }).click();
    await expect.poll(() => title(p).textContent()).toBe('2024-01-06 16:19–16:22 UTC');
    await p.getByRole('button', { name: 'Previous recording start' }).click();
    await expect.poll(() => title(p).textContent()).toBe('2024-01-06 15:59–16:01 UTC');
    // Each jump was a history entry.
    await p.goBack();
    await expect.poll(() => title(p).textContent()).toBe('2024-01-06 16:19–16:22 UTC');
  });
});
