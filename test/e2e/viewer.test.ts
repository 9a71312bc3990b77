/**
 * The viewer in Chromium against `serve` on an archive of the real #nymn fixture as two
 * nodes recorded it: browsing, provenance chips, range bars, moderation, filters,
 * details, keyboard. Every test ends with no console error and no failed request.
 */
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { clickBucket, screenshotBoth } from '../support/browser.js';
import { pagePerTest, viewerSession } from '../support/viewer-session.js';
import { ALICE, BOB, CHANNEL, DAY, HOUR16, JOINERS, TIMED_OUT, writeMainArchive } from '../support/viewer-archive.js';

const s = viewerSession('viewer', (dir) => writeMainArchive(path.join(dir, 'segments')));
const open = pagePerTest(s);

async function page(hash = '', opts?: Parameters<typeof open>[1]) {
  return (await open(hash, opts)).page;
}

const rows = (p: Awaited<ReturnType<typeof page>>) => p.locator('.message-scroll [role=option] .msg');
const title = (p: Awaited<ReturnType<typeof page>>) => p.locator('.messages-title h2');

describe('viewer', () => {
  test('browse to a day, open a minute: two receivers on a JOIN, with its range bar', async () => {
    const p = await page();
    await expect.poll(() => p.getByRole('button', { name: /^nymn \d[\d.,k]* records/ }).count()).toBe(1);
    await p.getByLabel('Go to date').fill('2024-01-06');
    // Seven and a half minutes of chat open at the hour's zoom, which fits them; the day shows them in context.
    await p.getByRole('button', { name: 'Hour', pressed: true }).waitFor();
    await p.getByRole('button', { name: 'Day' }).click();
    await p.getByRole('button', { name: 'Day', pressed: true }).waitFor();
    await p.locator('.activity svg').waitFor();
    await screenshotBoth(p, 'day');

    // JOINs start ~45 s before they were sent: joiner_two (sent 16:21:30) lists in minute 16:20.
    await clickBucket(p, HOUR16 + 20 * 60, DAY, 86400);
    await expect.poll(() => title(p).textContent()).toBe('2024-01-06 16:20–16:21 UTC');
    await p.getByLabel('Command kind').selectOption('joins');
    await expect.poll(() => rows(p).count()).toBe(1);
    const join = rows(p)
      .filter({ hasText: JOINERS[1]! })
      .filter({ has: p.locator('.command', { hasText: 'joined' }) });
    await join.waitFor();
    const chips = join.locator('.chip');
    expect(await chips.count()).toBe(2);
    expect(await chips.evaluateAll((els) => els.map((e) => e.getAttribute('data-receiver')).sort())).toEqual(
      [ALICE, BOB].sort(),
    );
    // The hover text tells each receiver's own range.
    expect(await chips.first().getAttribute('title')).toMatch(/own range \d\d:\d\d:\d\d–\d\d:\d\d:\d\d \(55 s\)/);
    expect(await join.locator('.time').textContent()).toMatch(/^16:20:4\d–16:21:3\d/);
    const bar = await join.locator('.range-fill').boundingBox();
    const track = await join.locator('.range-bar').boundingBox();
    expect(bar!.width).toBeGreaterThan(track!.width * 0.8);
    // An exact PRIVMSG shows milliseconds and no bar; its chips show receive delays.
    await p.getByLabel('Command kind').selectOption('messages');
    await expect.poll(() => rows(p).filter({ hasText: JOINERS[1]! }).count()).toBe(0);
    const msg = rows(p)
      .filter({ has: p.locator('.command', { hasText: 'message' }) })
      .first();
    expect(await msg.locator('.time').textContent()).toMatch(/^16:20:\d\d\.\d{3}$/);
    expect(await msg.locator('.range-bar').count()).toBe(0);
    expect(await msg.locator('.chip').allTextContents()).toEqual([
      expect.stringMatching(/^alice-laptop \+0\.\d\d s$/),
      expect.stringMatching(/^bob-pc \+0\.\d\d s$/),
    ]);

    // Details of the JOIN: both receivers with their own ranges.
    await p.getByLabel('Command kind').selectOption('joins');
    await join.click();
    const details = p.getByRole('complementary', { name: 'Record details' });
    await details.locator('table.receivers tbody tr').nth(1).waitFor();
    expect(await details.locator('table.receivers tbody tr').count()).toBe(2);
    expect(await details.locator('table.receivers').textContent()).toContain(ALICE);
    expect(await details.locator('.irc-line pre').textContent()).toMatch(
      new RegExp(`^:${JOINERS[1]}!${JOINERS[1]}@${JOINERS[1]}\\.tmi\\.twitch\\.tv JOIN #${CHANNEL}$`),
    );
    await screenshotBoth(p, 'minute-details');
  });

  test('coverage: a lane per node, the minute nobody recorded, zoom to hour and week', async () => {
    const p = await page();
    // Alice's connection dropped at 16:25 and came back as a new one; bob stopped at 16:24.
    await p.getByRole('button', { name: 'alice-laptop: 2 connections, 1 gap' }).waitFor();
    expect(await p.getByRole('button', { name: 'bob-pc: 1 connection, 0 gaps' }).count()).toBe(1);
    await p.getByRole('button', { name: 'Hour', pressed: true }).waitFor();
    await expect.poll(() => title(p).textContent()).toBe('2024-01-06 16:00–17:00 UTC');
    // 16:25 is a hole: hovering it says so, and the nobody-recorded lane has a mark there.
    const box = (await p.locator('.activity').boundingBox())!;
    await p.mouse.move(box.x + (25.5 / 60) * box.width, box.y + box.height / 2);
    await expect
      .poll(() => p.locator('.readout').textContent())
      .toMatch(/^16:25 UTC: no records, nobody recorded 1 min 00 s of it$/);
    const hole = p.getByRole('button', {
      name: /^Hole, nobody recorded: 2024-01-06 16:2[45]:\d\d–16:26:\d\d UTC, 1 min \d\d s$/,
    });
    const mark = (await hole.boundingBox())!;
    expect(Math.abs(mark.x + mark.width / 2 - (box.x + (25.5 / 60) * box.width))).toBeLessThan(box.width / 60);
    // Dragging across minutes selects them.
    const y = box.y + box.height / 2;
    await p.mouse.move(box.x + (20.5 / 60) * box.width, y);
    await p.mouse.down();
    await p.mouse.move(box.x + (22 / 60) * box.width, y, { steps: 4 });
    await p.mouse.move(box.x + (23.5 / 60) * box.width, y, { steps: 4 });
    await p.mouse.up();
    await expect.poll(() => title(p).textContent()).toBe('2024-01-06 16:20–16:24 UTC');
    // Expanding a node shows its connections, by number, with how each ended.
    await p.getByRole('button', { name: 'alice-laptop: 2 connections, 1 gap' }).click();
    await p
      .getByRole('group', { name: new RegExp(`^alice-laptop #0 \\(${ALICE.replace(/\./g, '\\.')}\\): `) })
      .waitFor();
    await screenshotBoth(p, 'hour');
    await p.getByRole('button', { name: 'Week' }).click();
    await p.getByRole('button', { name: 'Show Sat 2024-01-06' }).waitFor();
    await screenshotBoth(p, 'week');
    await p.getByRole('button', { name: 'Show Sat 2024-01-06' }).click();
    await p.getByRole('button', { name: 'Day', pressed: true }).waitFor();
  });

  test('a CLEARCHAT strikes through the targeted user’s earlier messages, linked both ways', async () => {
    const p = await page(`#${CHANNEL}/hour/${HOUR16}/${HOUR16}-${HOUR16 + 3600}`);
    await p.getByLabel('Filter by user').fill(TIMED_OUT.user);
    await expect.poll(() => rows(p).count()).toBe(TIMED_OUT.earlier + TIMED_OUT.later);
    await expect.poll(() => rows(p).and(p.locator('.removed')).count()).toBe(TIMED_OUT.earlier);
    // The later message is not struck.
    expect(await rows(p).last().getAttribute('class')).not.toContain('removed');
    await screenshotBoth(p, 'moderation-struck');

    // From a struck message to the CLEARCHAT that removed it.
    await rows(p)
      .first()
      .getByText(/timed out 3 min at 16:22:34/)
      .click();
    const details = p.getByRole('complementary', { name: 'Record details' });
    await expect.poll(() => details.locator('h2').textContent()).toBe('CLEARCHAT');
    expect(await details.textContent()).toContain(`Struck through ${TIMED_OUT.earlier} messages`);

    // And back: the CLEARCHAT row links to its targets.
    await p.getByRole('button', { name: 'Clear filters' }).click();
    await p.getByLabel('Command kind').selectOption('moderation');
    const clear = rows(p).filter({ hasText: `${TIMED_OUT.user} timed out` });
    await clear.getByText(`${TIMED_OUT.earlier} struck ↑`).click();
    await expect.poll(() => details.locator('h2').textContent()).toBe('PRIVMSG');
    await expect
      .poll(async () => (await details.textContent()) ?? '')
      .toMatch(/Removed by CLEARCHAT at 16:22:34 \(timeout 3 min\)/);
    // Without the filter hiding it, the list scrolls to the struck message and marks it.
    await p.getByLabel('Command kind').selectOption('');
    const active = p.locator('.row-active .msg');
    await expect
      .poll(async () => (await active.count()) && (await active.locator('.time').textContent()))
      .toBe('16:22:33.853');
    expect(await active.getAttribute('class')).toContain('removed');
    await screenshotBoth(p, 'moderation-jump');
  });

  test('filter by command kind, user and text; `/` focuses the text filter', async () => {
    const p = await page(`#${CHANNEL}/hour/${HOUR16}/${HOUR16}-${HOUR16 + 3600}`);
    await rows(p).first().waitFor();
    const total = Number((await p.locator('.messages-title .muted').textContent())!.replace(/\D/g, ''));
    expect(total).toBeGreaterThan(500);

    await p.getByLabel('Command kind').selectOption('joins');
    await expect.poll(() => rows(p).count()).toBe(JOINERS.length);
    await p.getByLabel('Command kind').selectOption('');

    await p.getByLabel('Filter by user').fill('mon_dieud');
    await expect
      .poll(async () => new Set(await rows(p).locator('.name').allTextContents()))
      .toEqual(new Set(['mon_dieud']));
    expect(await p.locator('.messages-title .muted').textContent()).toMatch(/^\d+ matching records?$/);
    await p.getByLabel('Filter by user').fill('');

    await p.locator('body').click({ position: { x: 5, y: 5 } });
    await p.keyboard.press('/');
    expect(await p.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Filter by text');
    await p.keyboard.type('WaterIceSaltAyy');
    await expect
      .poll(async () => {
        const texts = await rows(p).locator('.text').allTextContents();
        return texts.length > 0 && texts.every((t) => t.toLowerCase().includes('watericesaltayy'));
      })
      .toBe(true);
    await screenshotBoth(p, 'filtered');
  });

  test('keyboard: arrows move by minutes, page keys by hours, Enter opens details', async () => {
    const p = await page(`#${CHANNEL}/day/${DAY}/${HOUR16 + 20 * 60}-${HOUR16 + 21 * 60}`);
    await expect.poll(() => title(p).textContent()).toBe('2024-01-06 16:20–16:21 UTC');
    await p.locator('body').press('ArrowRight');
    await expect.poll(() => title(p).textContent()).toBe('2024-01-06 16:21–16:22 UTC');
    await p.locator('body').press('ArrowLeft');
    await p.locator('body').press('ArrowLeft');
    await expect.poll(() => title(p).textContent()).toBe('2024-01-06 16:19–16:20 UTC');
    await p.locator('body').press('PageUp');
    await expect.poll(() => title(p).textContent()).toBe('2024-01-06 15:19–15:20 UTC');
    await p.getByText('Nothing recorded in this span').waitFor();
    await p.locator('body').press('PageDown');
    await expect.poll(() => title(p).textContent()).toBe('2024-01-06 16:19–16:20 UTC');
    // In the list: down arrow selects rows, Enter opens the details.
    await rows(p).first().waitFor();
    await p.getByRole('listbox', { name: 'Messages of the selected span' }).focus();
    await p.keyboard.press('ArrowDown');
    await p.keyboard.press('ArrowDown');
    await p.keyboard.press('Escape');
    expect(await p.getByRole('complementary', { name: 'Record details' }).count()).toBe(0);
    await p.getByRole('listbox', { name: 'Messages of the selected span' }).focus();
    await p.keyboard.press('Enter');
    await p.getByRole('complementary', { name: 'Record details' }).locator('.irc-line pre').waitFor();
    await p.getByRole('button', { name: 'Copy the IRC line' }).click();
    await p.getByRole('button', { name: 'Copy the IRC line' }).filter({ hasText: 'Copied' }).waitFor();
    const copied = await p.evaluate(() => navigator.clipboard.readText());
    expect(copied).toMatch(/ PRIVMSG #nymn :/);
  });

  test('reading: plain words for kinds; times in UTC, local time or an offset from a chosen start', async () => {
    const p = await page(`#/c/${CHANNEL}/${HOUR16 + 22 * 60 + 30}-${HOUR16 + 22 * 60 + 40}`, {
      timezoneId: 'Asia/Kolkata',
    });
    const first = rows(p).first();
    await first.waitFor();
    expect(await first.locator('.time').textContent()).toBe('16:22:30.299');
    const kinds = new Set(await rows(p).locator('.command').allTextContents());
    expect(kinds).toEqual(new Set(['message', 'timeout']));
    expect(await rows(p).locator('.command', { hasText: 'timeout' }).getAttribute('title')).toBe('CLEARCHAT');
    await p.getByLabel('Times in').selectOption('local');
    await expect.poll(() => first.locator('.time').textContent()).toBe('21:52:30.299');
    await p.getByLabel('Times in').selectOption('offset');
    await p.getByRole('button', { name: 'Start at selection' }).click();
    await expect.poll(() => first.locator('.time').textContent()).toBe('+0:00:00.299');
    await p.getByLabel('Offset start (UTC)').fill('2024-01-06T16:00:00');
    await expect.poll(() => first.locator('.time').textContent()).toBe('+0:22:30.299');
    await p.getByLabel('Times in').selectOption('utc');
  });

  test('every control has an accessible name', async () => {
    const p = await page(`#${CHANNEL}/day/${DAY}/${HOUR16 + 20 * 60}-${HOUR16 + 21 * 60}`);
    await rows(p).first().waitFor();
    await rows(p).first().click();
    await p.locator('.irc-line pre').waitFor();
    const unnamed = await p.evaluate(() => {
      const bad: string[] = [];
      for (const el of document.querySelectorAll<HTMLElement>(
        'button, input, select, [role=listbox], [role=option], a[href]',
      )) {
        const labelled =
          el.getAttribute('aria-label') ||
          el.getAttribute('aria-labelledby') ||
          (el as HTMLInputElement).labels?.length;
        const text = (el.textContent ?? '').trim();
        if (!labelled && !text && !el.getAttribute('title')) bad.push(el.outerHTML.slice(0, 120));
      }
      return bad;
    });
    expect(unnamed).toEqual([]);
  });
});
