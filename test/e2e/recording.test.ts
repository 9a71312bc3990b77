/**
 * From an empty archive to live recording, all through the viewer: the empty state, the
 * settings pointing at the fake chat server, starting a channel, live connection status,
 * the replayed fixture arriving as messages, stopping.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { openPage, screenshotBoth } from '../support/browser.js';
import { FakeTwitch, fixtureLines, liveLine } from '../support/fake-twitch.js';
import { viewerSession } from '../support/viewer-session.js';

let twitch: FakeTwitch;
const s = viewerSession('recording', async () => {
  twitch = await FakeTwitch.start();
});
afterAll(() => twitch?.close());

/** What `serve` saved (it keeps its settings in the archive's state folder). */
const settingsFile = async () =>
  JSON.parse(await readFile(path.join(s.dir, 'segments', '.chat-archiver', 'settings.json'), 'utf8')) as {
    channels: string[];
    recordOnLaunch: boolean;
  };

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
  // Each connection in plain words (node and connection number), its id beside it.
  expect(await item.locator('tbody .mono').first().textContent()).toMatch(/^e2e-node\.[A-Za-z0-9]{5}\.\d+$/);
  expect(await item.locator('tbody td').first().textContent()).toMatch(/^e2e-node #0 e2e-node\./);

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
  await p.getByRole('button', { name: /^nymn \d[\d.,k]* records/ }).waitFor({ timeout: 60_000 });
  await p.locator('.message-scroll [role=option] .msg').first().waitFor({ timeout: 30_000 });
  const chip = await p.locator('.message-scroll .chip').first().getAttribute('data-receiver');
  expect(chip).toMatch(/^e2e-node\./);
  await screenshotBoth(p, 'recorded');

  // Stop: the channel stays in the list, ready to start again; "start on launch" is saved.
  await p.getByRole('button', { name: 'Record…' }).click();
  await panel.getByRole('button', { name: 'Stop recording nymn' }).click();
  await item.locator('.pill', { hasText: /^stopped$/ }).waitFor({ timeout: 20_000 });
  expect(await item.getByRole('button', { name: 'Start recording nymn' }).count()).toBe(1);
  await panel.getByLabel(/Start recording these channels when the app starts/).check();
  await expect.poll(async () => (await settingsFile()).recordOnLaunch).toBe(true);
  expect((await settingsFile()).channels).toEqual(['nymn']);
  await panel.getByRole('button', { name: 'Close Recording' }).click();
  await p.getByRole('region', { name: 'Recording status' }).getByText('Not recording.').waitFor();
  expect(problems).toEqual([]);
  await close();
});

test('the server goes away: red within seconds, a plain reason, a retry countdown; Remove forgets the channel', async () => {
  const { page: p, problems, close } = await openPage(s.browser, s.serve.url);
  await p.getByRole('button', { name: 'Record…' }).click();
  const panel = p.getByRole('dialog', { name: 'Recording' });
  const item = panel.getByRole('listitem', { name: 'Channel nymn' });
  await item.getByRole('button', { name: 'Start recording nymn' }).click();
  await item.locator('tr[data-state=connected]').waitFor({ timeout: 20_000 });
  await panel.getByRole('button', { name: 'Close Recording' }).click();
  const side = p.getByRole('region', { name: 'Recording status' });
  await side.getByText('live').waitFor();

  const cut = Date.now();
  await twitch.close();
  const alert = side.getByRole('alert');
  await alert.waitFor({ timeout: 10_000 });
  expect(Date.now() - cut).toBeLessThan(10_000);
  expect(await alert.textContent()).toMatch(
    /^(connection lost: the connection (was cut|closed without a goodbye)|cannot connect to ws:\/\/127\.0\.0\.1:\d+: the server refused the connection)/,
  );
  expect(await side.locator('li[data-state=error]').count()).toBe(1);
  await side.getByText(/^retrying (in \d+ s|now)$/).waitFor({ timeout: 10_000 });
  expect(await p.locator('body').textContent()).not.toMatch(/ECONN|ENOTFOUND|1006/);
  // The red is red: the sidebar's failing entry uses the error colour.
  const colour = await side.locator('li[data-state=error] strong').evaluate((e) => getComputedStyle(e).color);
  expect(colour).toBe('rgb(179, 38, 30)');
  await screenshotBoth(p, 'recording-failed');

  await p.getByRole('button', { name: 'Record…' }).click();
  await item.getByRole('button', { name: 'Stop recording nymn' }).click();
  await item.getByRole('button', { name: 'Remove nymn from the list' }).click();
  await panel.getByText('No channels yet').waitFor();
  expect((await settingsFile()).channels).toEqual([]);
  expect(problems).toEqual([]);
  await close();
});
