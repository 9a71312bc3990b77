/**
 * From an empty archive to live recording, all through the viewer: the empty state, the
 * settings pointing at the fake chat server, starting a channel, live connection status,
 * the replayed fixture arriving as messages, stopping.
 */
import { afterAll, expect, test } from 'vitest';
import { openPage, screenshotBoth } from '../support/browser.js';
import { FakeTwitch, fixtureLines, liveLine } from '../support/fake-twitch.js';
import { viewerSession } from '../support/viewer-session.js';

let twitch: FakeTwitch;
const s = viewerSession('recording', async () => {
  twitch = await FakeTwitch.start();
});
afterAll(() => twitch?.close());

test('empty archive → settings → record a channel: status and messages arrive', async () => {
  const { page: p, problems, close } = await openPage(s.browser, s.serve.url);
  // The empty state offers both ways to start.
  await p.getByRole('heading', { name: 'The archive is empty' }).waitFor();
  expect(await p.getByRole('button', { name: 'Open the sample archive' }).count()).toBe(1);
  await screenshotBoth(p, 'empty');

  // Settings: this node's name and the (fake) chat server; no history service in this test.
  await p.getByRole('button', { name: 'Settings' }).click();
  const settings = p.getByRole('dialog', { name: 'Settings' });
  await settings.getByLabel('Node name').fill('e2e-node');
  await settings.getByLabel('Chat server').fill(twitch.url);
  await settings.getByLabel(/Fill gaps/).uncheck();
  // Images would come from the public CDNs: tests talk only to 127.0.0.1.
  await settings.getByLabel(/Store emote and badge images/).uncheck();
  await screenshotBoth(p, 'settings');
  await settings.getByRole('button', { name: 'Save' }).click();
  await settings.getByText('Saved.').waitFor();
  await settings.getByRole('button', { name: 'Close', exact: true }).click();

  await p.getByRole('button', { name: 'Record a channel' }).click();
  const panel = p.getByRole('dialog', { name: 'Recording' });
  // Plain words for a bad name, before anything is sent.
  await panel.getByLabel('Channel to record').fill('not a channel!');
  await panel.getByRole('button', { name: 'Start recording' }).click();
  await panel.getByRole('alert').filter({ hasText: 'Twitch channel names are 1–25 characters' }).waitFor();
  await panel.getByLabel('Channel to record').fill('nymn');
  await panel.getByRole('button', { name: 'Start recording' }).click();
  await twitch.waitForJoined('nymn', 1, 20_000);
  const item = panel.getByRole('listitem', { name: 'Channel nymn' });
  await item.locator('tr[data-state=connected]').waitFor({ timeout: 20_000 });
  expect(await item.locator('tbody td.mono').first().textContent()).toMatch(/^e2e-node\.[A-Za-z0-9]{5}\.\d+$/);

  // The fixture's lines carry 2024 server times: their batches are due at once.
  await twitch.replay('nymn', fixtureLines());
  await expect.poll(() => item.locator('tbody tr td').nth(3).textContent(), { timeout: 20_000 }).toMatch(/UTC$/);
  // The latest lines show at once, newest first, with this node's receiver chip.
  const latest = item.getByRole('region', { name: 'Latest lines of nymn' });
  await expect.poll(() => latest.locator('.msg').count(), { timeout: 20_000 }).toBe(30);
  const newest = fixtureLines()
    .map(liveLine)
    .filter((l) => / PRIVMSG #nymn :/.test(l))
    .at(-1)!;
  expect(await latest.locator('.msg .text').first().textContent()).toBe(
    newest.slice(newest.indexOf(' PRIVMSG #nymn :') + 16),
  );
  expect(await latest.locator('.chip').first().getAttribute('data-receiver')).toMatch(/^e2e-node\./);
  await screenshotBoth(p, 'recording');
  await panel.getByRole('button', { name: 'Close Recording' }).click();

  // The sidebar shows it live, and the records reach the archive and the viewer.
  await p.getByRole('region', { name: 'Recording status' }).getByText('live').waitFor();
  await p.getByRole('button', { name: /^nymn: \d[\d,]* records/ }).waitFor({ timeout: 60_000 });
  await p.locator('.message-scroll [role=option] .msg').first().waitFor({ timeout: 30_000 });
  const chip = await p.locator('.message-scroll .chip').first().getAttribute('data-receiver');
  expect(chip).toMatch(/^e2e-node\./);
  await screenshotBoth(p, 'recorded');

  // Stop.
  await p.getByRole('button', { name: 'Record…' }).click();
  await panel.getByRole('button', { name: 'Stop recording nymn' }).click();
  // A stopped channel leaves the list (the service keeps no stopped entries).
  await panel.getByText('Not recording any channel').waitFor({ timeout: 20_000 });
  await panel.getByRole('button', { name: 'Close Recording' }).click();
  await p.getByRole('region', { name: 'Recording status' }).getByText('Not recording.').waitFor();
  expect(problems).toEqual([]);
  await close();
});
