/**
 * Importing a third node's folder through the viewer (a path field in the browser):
 * progress, the summary's counts, and the coverage lanes gaining the new node and losing
 * the gap it fills.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { openPage, screenshotBoth } from '../support/browser.js';
import { viewerSession } from '../support/viewer-session.js';
import { range, sentAt, writeChatterino } from '../support/foreign-sources.js';
import {
  CHANNEL,
  DAY,
  GAP_MINUTE,
  HOUR16,
  writeBusyHour,
  writeCarolFolder,
  writeMainArchive,
} from '../support/viewer-archive.js';

let carolFiles = 0;
const s = viewerSession('import', async (dir) => {
  await writeMainArchive(path.join(dir, 'segments'));
  await writeChatterino(path.join(dir, 'Logs'), range(0, 40), ['[17:20:00] only_here: a line nobody else has']);
  carolFiles = await writeCarolFolder(path.join(dir, 'carol'));
  // Big enough that an import of it takes seconds, for cancelling.
  await writeBusyHour(path.join(dir, 'big'), CHANNEL, DAY + 10 * 3600, 40_000);
});

const openHour = () => openPage(s.browser, `${s.serve.url}/#${CHANNEL}/hour/${HOUR16}/${HOUR16}-${HOUR16 + 3600}`);

/** Opens the import dialog with `folder` (under the test's folder) typed in; the caller starts it. */
async function importDialog(p: Page, folder: string) {
  await p.getByRole('button', { name: 'Import…' }).click();
  const dialog = p.getByRole('dialog', { name: 'Import' });
  await dialog.getByLabel('File or folder to import').fill(path.join(s.dir, folder));
  return dialog;
}

test('import a second node’s folder: progress, summary, coverage gains its lane', async () => {
  const { page: p, problems, close } = await openHour();
  const gapMinute = (GAP_MINUTE - HOUR16) / 60;
  await p.getByRole('button', { name: /^alice-laptop: / }).waitFor();
  expect(await p.getByRole('button', { name: /^carol-nuc: / }).count()).toBe(0);
  expect(await p.locator('.lane-unrecorded path').getAttribute('d')).toContain(`M${gapMinute} `);

  const dialog = await importDialog(p, 'carol');
  await screenshotBoth(p, 'import-choose');
  await dialog.getByRole('button', { name: 'Start import' }).click();
  const bar = dialog.getByRole('progressbar', { name: 'Import progress' });
  await bar.waitFor();
  await dialog.getByText('Import finished').waitFor({ timeout: 60_000 });
  expect(await bar.getAttribute('value')).toBe(await bar.getAttribute('max'));
  const counts = Object.fromEntries(
    await dialog
      .locator('.import-counts > div')
      .evaluateAll((els) =>
        els.map((e) => [
          e.querySelector('dt')!.textContent,
          Number(e.querySelector('dd')!.textContent!.replace(/,/g, '')),
        ]),
      ),
  ) as Record<string, number>;
  expect(counts['Copied']).toBe(carolFiles);
  expect(counts['Files checked']).toBeGreaterThanOrEqual(carolFiles);
  expect(counts['Already present']).toBe(0);
  expect(counts['Quarantined']).toBe(0);
  expect(counts['New observations']).toBeGreaterThan(0);
  expect(counts['Records merged']).toBeGreaterThan(0);
  await screenshotBoth(p, 'import-summary');
  await dialog.getByRole('button', { name: 'Done' }).click();

  // The new node has its lane; the minute only it recorded is no longer a gap.
  await p.getByRole('button', { name: /^carol-nuc: 1 receiver/ }).waitFor();
  await expect
    .poll(async () => (await p.locator('.lane-unrecorded path').getAttribute('d')) ?? '')
    .not.toContain(`M${gapMinute} `);
  await screenshotBoth(p, 'after-import');
  expect(problems).toEqual([]);
  await close();
});

test('importing the same folder again copies nothing new', async () => {
  const { page: p, problems, close } = await openHour();
  const dialog = await importDialog(p, 'carol');
  await dialog.getByRole('button', { name: 'Start import' }).click();
  await dialog.getByText('Import finished').waitFor({ timeout: 60_000 });
  const text = (await dialog.locator('.import-counts').textContent()) ?? '';
  expect(text).toContain('Copied0');
  expect(text).toContain('New observations0');
  expect(problems).toEqual([]);
  await close();
});

test('a folder that does not exist is refused in plain words', async () => {
  const { page: p, problems, close } = await openHour();
  const dialog = await importDialog(p, 'no-such-folder');
  await dialog.getByRole('button', { name: 'Start import' }).click();
  const alert = dialog.getByRole('alert');
  await alert.first().waitFor({ timeout: 30_000 });
  expect((await alert.first().textContent())?.length).toBeGreaterThan(10);
  // The refusal is an HTTP error status by design; it is the only one allowed here.
  expect(problems.filter((x) => !/importStart|status of 4\d\d/.test(x))).toEqual([]);
  await close();
});

test('a running import can be cancelled', async () => {
  const { page: p, problems, close } = await openHour();
  const dialog = await importDialog(p, 'big');
  await dialog.getByRole('button', { name: 'Start import' }).click();
  await dialog.getByRole('button', { name: 'Cancel import' }).click();
  await dialog.getByText('Import cancelled').waitFor({ timeout: 60_000 });
  expect(await dialog.getByRole('button', { name: 'Cancel import' }).count()).toBe(0);
  await screenshotBoth(p, 'import-cancelled');
  await dialog.getByRole('button', { name: 'Done' }).click();
  expect(problems).toEqual([]);
  await close();
});

test('Chatterino logs: the format is detected before importing; a line only they have shows as reconstructed', async () => {
  const { page: p, problems, close } = await openHour();
  const dialog = await importDialog(p, 'Logs');
  await dialog.getByText(/^Detected: Chatterino logs/).waitFor({ timeout: 30_000 });
  expect(
    await dialog.getByLabel('Receiver name (first part of the new receiver id; default: the format)').count(),
  ).toBe(1);
  await screenshotBoth(p, 'import-detected');
  await dialog.getByRole('button', { name: 'Start import' }).click();
  await dialog.getByText('Import finished').waitFor({ timeout: 60_000 });
  const text = (await dialog.locator('.import-counts').textContent()) ?? '';
  expect(text).toContain('Lines imported41');
  await dialog.getByRole('button', { name: 'Done' }).click();
  const hour = Math.floor(sentAt(0) / 3600) * 3600;
  await p.goto(`${s.serve.url}/#nymn/hour/${hour}/${hour}-${hour + 3600}`);
  // The archive already held these messages: Chatterino's receiver joins them (a dashed chip)...
  await p.locator('.msg .chip-reconstruction').first().waitFor({ timeout: 30_000 });
  await screenshotBoth(p, 'import-folded');
  // ...and the line nobody else had stays, marked reconstructed.
  await p.getByPlaceholder(/^text/).fill('nobody else');
  const marked = p.locator('.msg', { has: p.locator('.reconstructed') });
  await marked.first().waitFor({ timeout: 30_000 });
  await expect.poll(() => p.locator('.msg').count()).toBe(1);
  expect(await marked.locator('.chip-reconstruction').count()).toBe(1);
  await screenshotBoth(p, 'import-reconstructed');
  expect(problems).toEqual([]);
  await close();
});
