/**
 * Layout and accessibility in Chromium at 1024×700, 1366×768 and 1920×1080, in both
 * themes: screenshots, no two regions (or two controls) overlapping, nothing pushed off
 * screen, one line per message in the compact mode, axe-core (WCAG 2.2 A/AA rules) with
 * no serious or critical violation, and keyboard use with a visible focus that survives
 * filtering and selection.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot } from '../support/browser.js';
import { pagePerTest, viewerSession } from '../support/viewer-session.js';
import { CHANNEL, HOUR16, TIMED_OUT, writeGapArchive, writeMainArchive } from '../support/viewer-archive.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const s = viewerSession('layout', async (dir) => {
  await writeMainArchive(path.join(dir, 'segments'));
  await writeGapArchive(path.join(dir, 'segments'));
});
const page = pagePerTest(s);

const SIZES = [
  [1024, 700],
  [1366, 768],
  [1920, 1080],
] as const;

/** Ten seconds around e7om's timeout (16:22:34): a struck-through message, the CLEARCHAT; details open. */
const RICH = `#/c/${CHANNEL}/${HOUR16 + 22 * 60 + 30}-${HOUR16 + 22 * 60 + 40}`;

type Box = { name: string; x: number; y: number; width: number; height: number };

async function boxes(p: Page, selectors: string[]): Promise<Box[]> {
  const out: Box[] = [];
  for (const sel of selectors) {
    const all = await p.locator(sel).all();
    for (const [i, l] of all.entries()) {
      if (!(await l.isVisible())) continue;
      const b = await l.boundingBox();
      if (b && b.width > 0 && b.height > 0) out.push({ name: `${sel}[${i}]`, ...b });
    }
  }
  return out;
}

const overlap = (a: Box, b: Box) =>
  Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) > 0.5 &&
  Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) > 0.5;

function overlapping(list: Box[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i++)
    for (let j = i + 1; j < list.length; j++)
      if (overlap(list[i]!, list[j]!)) out.push(`${list[i]!.name} × ${list[j]!.name}`);
  return out;
}

/** axe-core's serious and critical violations of the WCAG 2.x A and AA rules (2.2 included). */
async function axeViolations(p: Page): Promise<string[]> {
  // Evaluated rather than added as a script tag: the viewer's CSP rightly refuses inline scripts.
  await p.evaluate(axeSource);
  const result = (await p.evaluate(() =>
    (
      window as unknown as {
        axe: {
          run: (
            ctx: Document,
            o: object,
          ) => Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }>;
        };
      }
    ).axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }),
  )) as { violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.nodes
          .slice(0, 4)
          .map((n) => n.target.join(' '))
          .join(', ')}`,
    );
}

describe('layout', () => {
  for (const [width, height] of SIZES)
    test(`${width}×${height}: regions and controls never overlap, nothing off screen, both themes`, async () => {
      const p = (await page(RICH, { width, height })).page;
      const row = p.locator('.message-scroll [role=option] .msg').filter({ hasText: TIMED_OUT.user }).first();
      await row.click();
      await p.getByRole('complementary', { name: 'Record details' }).locator('.irc-line pre').waitFor();
      await p.getByRole('button', { name: /^Gaps \(/ }).click();
      for (const scheme of ['light', 'dark'] as const) {
        await p.emulateMedia({ colorScheme: scheme });
        await p.waitForTimeout(50);
        await screenshot(p, `layout-${width}x${height}`);
      }
      await p.emulateMedia({ colorScheme: 'light' });
      const REGIONS = ['.sidebar', '.toolbar', '.timeline', '.messages-head', '.message-scroll', '.details'];
      const regions = await boxes(p, REGIONS);
      // Each region on screen once.
      expect(regions.map((r) => r.name.replace(/\[\d+\]$/, ''))).toEqual(REGIONS);
      expect(overlapping(regions)).toEqual([]);
      // Every control of the header rows, side by side without overlap, inside the window.
      const controls = await boxes(p, [
        '.channel-title',
        '.date-nav > *',
        '.toolbar-actions > *',
        '.coverage-head > .readout',
        '.gap-nav > *',
        '.messages-title > *',
        '.reading > *',
        '.filters > *',
      ]);
      expect(overlapping(controls)).toEqual([]);
      for (const c of controls) {
        expect(c.x, c.name).toBeGreaterThanOrEqual(0);
        expect(c.x + c.width, c.name).toBeLessThanOrEqual(width + 0.5);
      }
      // The list's header controls stay inside its column (none hidden under the details panel).
      const head = regions.find((r) => r.name.startsWith('.messages-head'))!;
      for (const c of await boxes(p, [
        '.messages-head .reading > *',
        '.messages-head .filters > *',
        '.messages-title > *',
      ])) {
        expect(c.x, c.name).toBeGreaterThanOrEqual(head.x - 0.5);
        expect(c.x + c.width, c.name).toBeLessThanOrEqual(head.x + head.width + 0.5);
      }
      // The message list keeps a useful height.
      expect(regions.find((r) => r.name.startsWith('.message-scroll'))!.height).toBeGreaterThan(height * 0.25);
    });

  test('compact mode: one line per message', async () => {
    const p = (await page(RICH, { width: 1024, height: 700 })).page;
    const rows = p.locator('.message-scroll [role=option] .msg');
    await rows.first().waitFor();
    const tall = (await rows.first().boundingBox())!.height;
    await p.getByLabel('One line each').check();
    await screenshot(p, 'compact-1024x700');
    await expect.poll(async () => (await rows.first().boundingBox())!.height).toBeLessThan(tall * 0.7);
    const heights = await rows.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
    const line = await rows
      .first()
      .locator('.text')
      .evaluate((e) => parseFloat(getComputedStyle(e).lineHeight));
    for (const h of heights) expect(h).toBeLessThan(line * 1.9);
    await screenshot(p, 'compact-1024x700');
    // Kept for the next visit.
    await p.reload();
    await expect.poll(() => p.getByLabel('One line each').isChecked()).toBe(true);
    await p.getByLabel('One line each').uncheck();
  });

  test('accessibility: no serious axe violation in either theme; keyboard with visible focus through filtering and selection', async () => {
    const p = (await page(RICH, { width: 1366, height: 768 })).page;
    const rows = p.locator('.message-scroll [role=option] .msg');
    await rows.first().waitFor();
    // Struck-through messages and the details panel on screen too.
    await p.locator('.msg.removed').first().click();
    await p.getByRole('complementary', { name: 'Record details' }).locator('.irc-line pre').waitFor();
    await p.getByRole('button', { name: /^Gaps \(/ }).click();
    for (const scheme of ['light', 'dark'] as const) {
      await p.emulateMedia({ colorScheme: scheme });
      await p.waitForTimeout(100);
      expect(await axeViolations(p), scheme).toEqual([]);
    }
    await p.emulateMedia({ colorScheme: 'light' });

    // Keyboard only: Tab reaches the controls, each focus is visible.
    await p.locator('body').click({ position: { x: 5, y: 690 } });
    const seen = new Set<string>();
    for (let i = 0; i < 90; i++) {
      await p.keyboard.press('Tab');
      const f = await p.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const cs = getComputedStyle(el);
        return {
          name: el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 30) ?? el.tagName,
          outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2,
          style: `${cs.outlineStyle} ${cs.outlineWidth} ${el.matches(':focus')}`,
        };
      });
      if (!f) continue;
      seen.add(f.name);
      expect(f.outline, `focus on ${f.name} is visible (${f.style})`).toBe(true);
    }
    for (const name of ['Previous day', 'Next gap', 'Filter by user', 'Messages of the selected span'])
      expect(
        [...seen].some((n) => n.startsWith(name)),
        name,
      ).toBe(true);

    // In the list: arrows select, the focus stays on the list (visible) after a filter narrows it.
    const list = p.getByRole('listbox', { name: 'Messages of the selected span' });
    await list.focus();
    await p.keyboard.press('ArrowDown');
    await p.keyboard.press('ArrowDown');
    const active = await p.locator('.row-active .msg').getAttribute('data-key');
    expect(active).toBeTruthy();
    await p.getByLabel('Command kind').selectOption('messages');
    await list.focus();
    await expect.poll(() => p.locator('.row-active .msg').getAttribute('data-key')).toBe(active);
    expect(
      await list.evaluate((e) => e === document.activeElement && getComputedStyle(e).outlineStyle !== 'none'),
    ).toBe(true);
    await p.keyboard.press('Enter');
    await p.getByRole('complementary', { name: 'Record details' }).waitFor();
    await p.keyboard.press('Escape');
    expect(await p.getByRole('complementary', { name: 'Record details' }).count()).toBe(0);
  });
});
