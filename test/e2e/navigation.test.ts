/**
 * The viewer's URL and history in Chromium: a selected record's permalink survives a
 * reload, issue 10's `#/c/<channel>/<time>/<id>` opens the record, the old hash form is
 * still read, and jumps (to a timeout, through a moderation link) are history entries
 * that Back and Forward move through without leaving the app.
 */
import path from 'node:path';
import { expect, test } from 'vitest';
import type { WatchedPage } from '../support/browser.js';
import { pagePerTest, viewerSession } from '../support/viewer-session.js';
import { CHANNEL, HOUR16, TIMED_OUT, writeMainArchive } from '../support/viewer-archive.js';

const s = viewerSession('navigation', (dir) => writeMainArchive(path.join(dir, 'segments')));
const page = pagePerTest(s);

const details = (p: WatchedPage['page']) => p.getByRole('complementary', { name: 'Record details' });
const title = (p: WatchedPage['page']) => p.locator('.messages-title h2');

test('a selected record is a permalink that survives a reload; issue 10’s form opens it too', async () => {
  const p = (await page(`#/c/${CHANNEL}/${HOUR16 + 20 * 60}-${HOUR16 + 21 * 60}`)).page;
  const row = p.locator('.message-scroll [role=option] .msg').nth(3);
  await row.click();
  await details(p).locator('.irc-line pre').waitFor();
  const line = await details(p).locator('.irc-line pre').textContent();
  const id = /(?:^|;)id=([^; ]+)/.exec(line!)![1]!;
  const hash = await p.evaluate(() => location.hash);
  expect(hash).toMatch(new RegExp(`^#/c/${CHANNEL}/${HOUR16 + 20 * 60}-${HOUR16 + 21 * 60}/\\d+(\\.\\d+)?/${id}$`));
  // Selecting a row replaces the entry (no history clutter).
  const length = await p.evaluate(() => history.length);

  await p.reload();
  await details(p).locator('.irc-line pre').waitFor();
  expect(await details(p).locator('.irc-line pre').textContent()).toBe(line);
  await expect.poll(() => p.locator('.row-active .msg').count()).toBe(1);
  await expect.poll(() => p.locator('.msg[data-selected]').count()).toBe(1);
  expect(await p.evaluate(() => history.length)).toBe(length);

  // The record link alone (issue 10): its minute on its day, the record selected.
  const time = hash.split('/')[4]!;
  await p.goto(`${s.serve.url}/#/c/${CHANNEL}/${time}/${id}`);
  await p.reload();
  await details(p).locator('.irc-line pre').waitFor();
  expect(await details(p).locator('.irc-line pre').textContent()).toBe(line);
  await expect.poll(() => title(p).textContent()).toBe('2024-01-06 16:20–16:21 UTC');
});

test('the old hash form is read and rewritten; jumps are history entries that Back and Forward undo', async () => {
  const p = (await page(`#${CHANNEL}/hour/${HOUR16}/${HOUR16}-${HOUR16 + 3600}`)).page;
  await expect.poll(() => title(p).textContent()).toBe('2024-01-06 16:00–17:00 UTC');
  await p.getByRole('button', { name: 'Hour', pressed: true }).waitFor();
  await expect.poll(() => p.evaluate(() => location.hash)).toBe(`#/c/${CHANNEL}/${HOUR16}-${HOUR16 + 3600}?z=hour`);

  // A jump from a struck message to the timeout that removed it.
  await p.getByLabel('Filter by user').fill(TIMED_OUT.user);
  const first = p.locator('.message-scroll [role=option] .msg').first();
  await first.waitFor();
  const before = await p.evaluate(() => history.length);
  await first.getByText(/timed out 3 min at 16:22:34/).click();
  await expect.poll(() => details(p).locator('h2').textContent()).toBe('CLEARCHAT');
  expect(await p.evaluate(() => history.length)).toBe(before + 1);
  expect(await p.evaluate(() => location.hash)).toMatch(/\/k%3A2024-01-06T16%2F/);

  // Zoom to the day: another entry. Back twice returns to the hour, in the app.
  await p.getByRole('button', { name: 'Day' }).click();
  await p.getByRole('button', { name: 'Day', pressed: true }).waitFor();
  await p.goBack();
  await p.getByRole('button', { name: 'Hour', pressed: true }).waitFor();
  await expect.poll(() => details(p).locator('h2').textContent()).toBe('CLEARCHAT');
  await p.goBack();
  // Back to the list as it was, filter included (the filter is part of the link).
  await expect
    .poll(() => p.evaluate(() => location.hash))
    .toBe(`#/c/${CHANNEL}/${HOUR16}-${HOUR16 + 3600}?z=hour&u=${TIMED_OUT.user}`);
  await expect.poll(() => details(p).count()).toBe(0);
  expect(await p.evaluate(() => location.pathname)).toBe('/');
  await p.goForward();
  await expect.poll(() => details(p).locator('h2').textContent()).toBe('CLEARCHAT');
  // A different day through the date picker, and back.
  await p.getByLabel('Go to date').fill('2024-01-05');
  await expect.poll(() => title(p).textContent()).toMatch(/^2024-01-05 /);
  await p.goBack();
  await expect.poll(() => title(p).textContent()).toMatch(/^2024-01-06 /);
});

test('filters search the whole channel; a hit is a jump to its minute, and Back returns to the search', async () => {
  const p = (await page(`#/c/${CHANNEL}/${HOUR16}-${HOUR16 + 60}`)).page;
  await p.getByLabel('Filter by user').fill(TIMED_OUT.user);
  await p.getByLabel('Whole channel').check();
  await expect.poll(() => title(p).textContent()).toBe('Whole channel');
  const rows = p.locator('.message-scroll [role=option] .msg');
  await expect.poll(() => rows.count()).toBe(TIMED_OUT.earlier + TIMED_OUT.later);
  await expect.poll(() => p.evaluate(() => location.hash)).toMatch(/[?&]u=e7om&all=1$/);
  const hit = rows.last();
  const time = (await hit.locator('.time').textContent())!;
  await hit.click();
  await expect.poll(() => title(p).textContent()).toMatch(new RegExp(`^2024-01-06 ${time.slice(0, 5)}–`));
  await expect.poll(() => p.locator('.row-active .msg .time').textContent()).toBe(time);
  expect(await p.getByLabel('Filter by user').inputValue()).toBe('');
  await p.goBack();
  await expect.poll(() => title(p).textContent()).toBe('Whole channel');
  expect(await p.getByLabel('Filter by user').inputValue()).toBe(TIMED_OUT.user);
  await expect.poll(() => rows.count()).toBe(TIMED_OUT.earlier + TIMED_OUT.later);
});
