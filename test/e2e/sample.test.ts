/** First run in the browser: the empty archive's "Open the sample archive" leads straight to its messages. */
import { expect, test } from 'vitest';
import { openPage } from '../support/browser.js';
import { viewerSession } from '../support/viewer-session.js';

const s = viewerSession('sample');

test('the empty archive opens the sample archive', async () => {
  const { page: p, problems, close } = await openPage(s.browser, s.serve.url, { colorScheme: 'dark' });
  await p.getByRole('button', { name: 'Open the sample archive' }).click();
  await p.getByRole('button', { name: /^nymn 800 records/ }).waitFor({ timeout: 30_000 });
  await expect.poll(() => p.locator('.messages-title h2').textContent()).toBe('2024-01-06 16:00–17:00 UTC');
  await p.locator('.message-scroll [role=option] .msg').first().waitFor();
  // The fixture's timeouts strike through their targets here too.
  await p.getByLabel('Filter by user').fill('e7om');
  await expect.poll(() => p.locator('.msg.removed').count()).toBe(3);
  expect(problems).toEqual([]);
  await close();
});
