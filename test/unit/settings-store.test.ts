import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { settingsSchema, type Settings } from '../../app/service/contract.js';
import { SettingsStore, changeSettings, defaultSettings } from '../../app/service/settings-store.js';
import { tempDir } from '../support/service-archive.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const base = defaultSettings('/archive');

describe('changeSettings', () => {
  it('refuses moving a fixed archive and a relative folder', () => {
    expect(changeSettings(base, { segmentsDir: '/elsewhere' }, false)).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(changeSettings(base, { segmentsDir: 'relative' }, true)).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', path: 'relative' },
    });
  });

  it('resolves a moved folder; the same folder written differently is no move', () => {
    expect(changeSettings(base, { segmentsDir: '/x/../new/' }, true)).toMatchObject({
      ok: true,
      value: { moved: true, recorderChanged: true, next: { segmentsDir: '/new' } },
    });
    expect(changeSettings(base, { segmentsDir: '/archive/' }, true)).toMatchObject({
      ok: true,
      value: { moved: false, recorderChanged: false },
    });
  });

  it('needs a new recorder exactly when the node name, server, login or image settings change', () => {
    const patch = fc.record(
      {
        nodeName: fc.constantFrom(base.nodeName, 'other-node'),
        server: fc.constantFrom(base.server, 'ws://127.0.0.1:1'),
        login: fc.constantFrom<Settings['login']>(
          { mode: 'anonymous' },
          { mode: 'token', username: 'someone' },
          { mode: 'token', username: 'else' },
        ),
        historyGapFilling: fc.boolean(),
        keepRecordingInTray: fc.boolean(),
        fetchImages: fc.boolean(),
        fetchMedia: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(patch, (p) => {
        const r = changeSettings(base, p, false);
        if (!r.ok) throw new Error(r.error.message);
        const next = { ...base, ...p };
        expect(r.value.next).toEqual(next);
        expect(r.value.moved).toBe(false);
        expect(r.value.recorderChanged).toBe(
          next.nodeName !== base.nodeName ||
            next.server !== base.server ||
            JSON.stringify(next.login) !== JSON.stringify(base.login) ||
            next.fetchImages !== base.fetchImages ||
            next.fetchMedia !== base.fetchMedia,
        );
      }),
    );
  });
});

describe('SettingsStore', () => {
  it('starts from valid defaults, saves every change and loads it again', async () => {
    const t = await tempDir('ca-settings-');
    cleanups.push(t.cleanup);
    const file = path.join(t.dir, 'conf', 'settings.json');
    const store = await SettingsStore.load(file, '/archive', false);
    expect(settingsSchema.safeParse(store.current).success).toBe(true);
    await store.save({ ...store.current, nodeName: 'saved-node', historyGapFilling: false });
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toMatchObject({ nodeName: 'saved-node' });
    const again = await SettingsStore.load(file, '/archive', false);
    expect(again.current).toMatchObject({ nodeName: 'saved-node', historyGapFilling: false });
  });

  it("takes the caller's folder over the saved one unless the archive may move", async () => {
    const t = await tempDir('ca-settings-');
    cleanups.push(t.cleanup);
    const file = path.join(t.dir, 'settings.json');
    await fs.writeFile(file, JSON.stringify({ segmentsDir: '/saved' }));
    expect((await SettingsStore.load(file, '/given', false)).current.segmentsDir).toBe('/given');
    expect((await SettingsStore.load(file, '/given', true)).current.segmentsDir).toBe('/saved');
  });

  it('keeps settings in memory without a file', async () => {
    const store = await SettingsStore.load(null, '/archive', false);
    await store.save({ ...store.current, nodeName: 'memory' });
    expect(store.current.nodeName).toBe('memory');
  });

  describe('a settings file that cannot be used', () => {
    const setup = async (content: string) => {
      const t = await tempDir('ca-settings-');
      cleanups.push(t.cleanup);
      const file = path.join(t.dir, 'settings.json');
      await fs.writeFile(file, content);
      const store = await SettingsStore.load(file, '/archive', true);
      const aside = (await fs.readdir(t.dir)).filter((n) => n.startsWith('settings.json.invalid-'));
      return { dir: t.dir, file, store, aside };
    };

    it('is kept aside, byte for byte; its valid settings stay in use and are saved; the problem is reported', async () => {
      const content = JSON.stringify({
        segmentsDir: '/mine',
        nodeName: 'bad.name',
        historyGapFilling: false,
        extra: 1,
      });
      const { dir, file, store, aside } = await setup(content);
      expect(aside).toHaveLength(1);
      expect(aside[0]).toMatch(/^settings\.json\.invalid-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
      expect(await fs.readFile(path.join(dir, aside[0]!), 'utf8')).toBe(content);
      expect(store.current).toMatchObject({ segmentsDir: '/mine', historyGapFilling: false });
      expect(store.current.nodeName).toBe(defaultSettings('/x').nodeName);
      expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual(store.current);
      expect(store.problem).toContain('settings.json cannot be used: "nodeName": node names are');
      expect(store.problem).toContain('"extra": not a setting');
      expect(store.problem).toContain(`kept as ${aside[0]}; the others are in use`);
      // Saving is the user's answer: the problem is no longer news.
      await store.save({ ...store.current, nodeName: 'good-name' });
      expect(store.problem).toBeNull();
      expect(await fs.readdir(dir)).toHaveLength(2);
    });

    it('that is not JSON is kept aside too, and the defaults are used', async () => {
      const { store, aside } = await setup('{"nodeName": "half');
      expect(aside).toHaveLength(1);
      expect(store.current).toEqual(defaultSettings('/archive'));
      expect(store.problem).toMatch(/^settings\.json cannot be used: not JSON .*; the defaults are in use$/);
    });

    it('a valid file is no problem and stays as it is', async () => {
      const content = JSON.stringify({ nodeName: 'fine' });
      const { file, store, aside } = await setup(content);
      expect(aside).toEqual([]);
      expect(store.problem).toBeNull();
      expect(await fs.readFile(file, 'utf8')).toBe(content);
    });
  });
});
