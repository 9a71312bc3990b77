import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { mkdir, readFile, writeFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { IpcMain, WebContents, WebFrameMain } from 'electron';
import { methodNames, type ApiEvent } from '../../app/service/contract.js';
import { ArchiveService } from '../../app/service/service.js';
import { registerIpc } from '../../main/ipc.js';
import { EVENT_CHANNEL, invokeChannel } from '../../main/ipc-channels.js';
import { isTrustedSender } from '../../main/security.js';
import { safeStorageSecrets } from '../../main/secrets.js';
import { ERROR_CODES, hostileArgs, snapshotTree } from '../support/hostile-args.js';
import { tempDir, writeShapedChannel } from '../support/service-archive.js';
import { png } from '../support/fake-images.js';
import { readImageFile } from '../../app/service/static-files.js';

// The preload and window modules import electron at runtime: a fake stands in (no Electron binary here).
const fake = vi.hoisted(() => ({
  exposed: {} as Record<string, unknown>,
  invoked: [] as Array<[string, unknown]>,
  listeners: new Map<string, (...a: unknown[]) => void>(),
  protocolHandler: null as null | ((req: Request) => Promise<Response>),
}));
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (fake.exposed[key] = api) },
  ipcRenderer: {
    invoke: async (channel: string, args: unknown) => {
      fake.invoked.push([channel, args]);
      return { ok: true, value: channel };
    },
    on: (channel: string, l: (...a: unknown[]) => void) => fake.listeners.set(channel, l),
    removeListener: (channel: string) => fake.listeners.delete(channel),
  },
  BrowserWindow: class {},
}));

/** A fake ipcMain that keeps the handlers so tests can invoke them like Electron would. */
function fakeIpcMain() {
  const handlers = new Map<string, (event: unknown, args: unknown) => unknown>();
  const ipcMain = {
    handle: (ch: string, fn: (event: unknown, args: unknown) => unknown) => handlers.set(ch, fn),
    removeHandler: (ch: string) => handlers.delete(ch),
  } as unknown as IpcMain;
  return { ipcMain, handlers };
}

function fakeContents(url = 'app://archive/index.html') {
  const sent: Array<[string, unknown]> = [];
  const mainFrame = { url, parent: null } as unknown as WebFrameMain;
  const contents = {
    mainFrame,
    isDestroyed: () => false,
    send: (ch: string, e: unknown) => sent.push([ch, e]),
  } as unknown as WebContents;
  return { contents, mainFrame, sent };
}

let dir: string;
let cleanup: () => Promise<void>;
let service: ArchiveService;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('ca-ipc-'));
  service = await ArchiveService.create({
    segmentsDir: path.join(dir, 'segments'),
    settingsFile: path.join(dir, 'settings.json'),
    mergeIntervalMs: 0,
  });
  await writeShapedChannel(service.segmentsDir, 'nymn');
  await service.scanned();
});
afterAll(async () => {
  await service.close();
  await cleanup();
});

describe('IPC handlers', () => {
  it('registers one handler per contract method and answers the trusted top frame', async () => {
    const { ipcMain, handlers } = fakeIpcMain();
    const { contents, mainFrame } = fakeContents();
    const unregister = registerIpc(ipcMain, service, () => contents);
    expect([...handlers.keys()].sort()).toEqual(methodNames.map(invokeChannel).sort());
    const r = await handlers.get(invokeChannel('listChannels'))!({ senderFrame: mainFrame }, {});
    expect(r).toMatchObject({ ok: true, value: [{ channel: 'nymn' }] });
    unregister();
    expect(handlers.size).toBe(0);
  });

  it('refuses a subframe, another window, a foreign page, and a missing frame', async () => {
    const { ipcMain, handlers } = fakeIpcMain();
    const { contents, mainFrame } = fakeContents();
    registerIpc(ipcMain, service, () => contents);
    const subframe = { url: 'app://archive/index.html', parent: mainFrame } as unknown as WebFrameMain;
    const other = fakeContents().mainFrame;
    const foreign = fakeContents('https://evil.example/').mainFrame;
    const call = handlers.get(invokeChannel('listChannels'))!;
    for (const senderFrame of [subframe, other, foreign, null]) {
      expect(await call({ senderFrame }, {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    // The same frame object after navigating away from the app is refused too.
    const navigated = { ...fakeContents('https://evil.example/') };
    expect(isTrustedSender(navigated.mainFrame, () => contents)).toBe(false);
    expect(isTrustedSender(mainFrame, () => null)).toBe(false);
  });

  it('logs every refused call with the method and where it came from, never its arguments', async () => {
    const { ipcMain, handlers } = fakeIpcMain();
    const { contents, mainFrame } = fakeContents();
    const lines: string[] = [];
    registerIpc(
      ipcMain,
      service,
      () => contents,
      (l) => lines.push(l),
    );
    const foreign = fakeContents('https://evil.example/page?session=secret').mainFrame;
    const subframe = { url: 'app://archive/index.html', parent: mainFrame } as unknown as WebFrameMain;
    await handlers.get(invokeChannel('setToken'))!({ senderFrame: foreign }, { token: 'oauth:hidden' });
    await handlers.get(invokeChannel('listChannels'))!({ senderFrame: subframe }, {});
    await handlers.get(invokeChannel('listChannels'))!({ senderFrame: null }, {});
    await handlers.get(invokeChannel('listChannels'))!({ senderFrame: mainFrame }, {});
    expect(lines).toEqual([
      `chat-archiver: refused ${invokeChannel('setToken')} from a page at https://evil.example`,
      `chat-archiver: refused ${invokeChannel('listChannels')} from a subframe at app://archive`,
      `chat-archiver: refused ${invokeChannel('listChannels')} from a frame that is gone`,
    ]);
  });

  it('validates arguments: unknown fields, bad channels, non-finite times', async () => {
    const { ipcMain, handlers } = fakeIpcMain();
    const { contents, mainFrame } = fakeContents();
    registerIpc(ipcMain, service, () => contents);
    const summary = handlers.get(invokeChannel('summary'))!;
    const base = { channel: 'nymn', from: 0, to: 3600, resolution: 'hour' };
    expect(await summary({ senderFrame: mainFrame }, base)).toMatchObject({ ok: true });
    for (const bad of [
      { ...base, extra: 1 },
      { ...base, channel: 'Nymn' },
      { ...base, from: Infinity },
      { ...base, to: '3600' },
      'nymn',
      null,
    ])
      expect(await summary({ senderFrame: mainFrame }, bad)).toMatchObject({
        ok: false,
        error: { code: 'invalid_argument' },
      });
  });

  it('forwards service events to the window', async () => {
    const { ipcMain } = fakeIpcMain();
    const { contents, sent } = fakeContents();
    const unregister = registerIpc(ipcMain, service, () => contents);
    await service.api.createSampleArchive({});
    expect(sent.some(([ch, e]) => ch === EVENT_CHANNEL && (e as ApiEvent).type === 'archiveChanged')).toBe(true);
    unregister();
  });

  it('survives fuzzing of every method with hostile arguments and writes nothing outside the archive', async () => {
    const { ipcMain, handlers } = fakeIpcMain();
    const { contents, mainFrame } = fakeContents();
    registerIpc(ipcMain, service, () => contents);
    const outside = path.join(dir, 'outside');
    await mkdir(outside, { recursive: true });
    await writeFile(path.join(outside, 'keep.txt'), 'keep');
    const before = await snapshotTree(outside);
    await fc.assert(
      fc.asyncProperty(hostileArgs(outside), async ({ method, args }) => {
        const r = (await handlers.get(invokeChannel(method))!({ senderFrame: mainFrame }, args)) as {
          ok: boolean;
          error?: { code: string };
        };
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) expect(ERROR_CODES.filter((c) => c !== 'internal')).toContain(r.error!.code);
      }),
      { numRuns: 300 },
    );
    expect(await snapshotTree(outside)).toBe(before);
  });
});

describe('preload', () => {
  it('exposes exactly the contract methods and onEvent as window.archive, never ipcRenderer', async () => {
    await import('../../main/preload.js');
    const api = fake.exposed.archive as Record<string, (a?: unknown) => unknown>;
    expect(Object.keys(fake.exposed)).toEqual(['archive']);
    expect(Object.keys(api).sort()).toEqual([...methodNames, 'onEvent'].sort());
    expect(Object.values(api).every((v) => typeof v === 'function')).toBe(true);
    expect(await api.listChannels!({})).toEqual({ ok: true, value: invokeChannel('listChannels') });
    expect(fake.invoked).toEqual([[invokeChannel('listChannels'), {}]]);
    const got: unknown[] = [];
    const off = api.onEvent!((e: unknown) => got.push(e)) as () => void;
    fake.listeners.get(EVENT_CHANNEL)!({ sender: 'hidden' }, { type: 'index' });
    expect(got).toEqual([{ type: 'index' }]);
    off();
    expect(fake.listeners.has(EVENT_CHANNEL)).toBe(false);
  });
});

describe('app:// protocol', () => {
  it('serves the renderer with the CSP and refuses paths outside it', async () => {
    const { registerAppProtocol } = await import('../../main/window.js');
    const root = path.join(dir, 'renderer');
    await mkdir(root, { recursive: true });
    await writeFile(path.join(root, 'index.html'), '<!doctype html>');
    const segments = path.join(dir, 'segments');
    await mkdir(path.join(segments, 'emotes', '25'), { recursive: true });
    await writeFile(path.join(segments, 'emotes', '25', 'dark-1.0'), png(4, [1, 2, 3]));
    await writeFile(path.join(segments, 'emotes', '25', 'light-1.0'), '<svg onload="alert(1)"/>');
    let handler: ((r: Request) => Promise<Response>) | null = null;
    registerAppProtocol(
      { handle: (_s: string, h: (r: Request) => Promise<Response>) => (handler = h) } as never,
      root,
      (p) => readImageFile(segments, p),
    );
    const ok = await handler!(new Request('app://archive/index.html'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect((await handler!(new Request('app://archive/..%2fsettings.json'))).status).not.toBe(200);
    expect((await handler!(new Request('app://elsewhere/index.html'))).status).toBe(404);
    // The archive's images: served by their sniffed type, never anything else.
    const img = await handler!(new Request('app://archive/images/emotes/25/dark-1.0'));
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    expect(img.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect((await handler!(new Request('app://archive/images/emotes/25/light-1.0'))).status).toBe(404);
    expect((await handler!(new Request('app://archive/images/emotes/..%2f..%2fsegments/x'))).status).toBe(404);
  });
});

describe('token storage', () => {
  const fakeSafeStorage = (backend: string) =>
    ({
      isAsyncEncryptionAvailable: async () => true,
      getSelectedStorageBackend: () => backend,
      encryptStringAsync: async (s: string) => Buffer.from(`enc:${s}`),
      decryptStringAsync: async (b: Buffer) => ({ result: b.toString().slice(4), shouldReEncrypt: false }),
    }) as never;

  it('keeps the token encrypted with a real keychain backend', async () => {
    const d = path.join(dir, 'keychain');
    const store = await safeStorageSecrets(fakeSafeStorage('gnome_libsecret'), d, 'linux');
    expect(store.persistent).toBe(true);
    await store.set('oauth:secret');
    expect((await readFile(path.join(d, 'token.bin'))).toString()).toBe('enc:oauth:secret');
    const again = await safeStorageSecrets(fakeSafeStorage('gnome_libsecret'), d, 'linux');
    expect(await again.get()).toBe('oauth:secret');
  });

  it('refuses the Linux basic_text backend: memory only, nothing written', async () => {
    const d = path.join(dir, 'plain');
    const store = await safeStorageSecrets(fakeSafeStorage('basic_text'), d, 'linux');
    expect(store.persistent).toBe(false);
    await store.set('oauth:secret');
    expect(await store.get()).toBe('oauth:secret');
    await expect(readdir(d)).rejects.toThrow();
  });
});
