/**
 * Sandboxed preload (bundled to CommonJS): exposes only the typed ArchiveApi as
 * `window.archive`, one function per contract method, never ipcRenderer itself.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { apiMethods } from '../app/service/api-proxy.js';
import type { ApiEvent, ArchiveApi, Result } from '../app/service/contract.js';
import { EVENT_CHANNEL, invokeChannel } from './ipc-channels.js';

const api: ArchiveApi = {
  ...apiMethods((method, args): Promise<Result<unknown>> =>
    ipcRenderer.invoke(invokeChannel(method), args).catch((e: unknown) => ({
      ok: false,
      error: { code: 'unavailable', message: `the app's main process did not answer: ${String(e)}` },
    })),
  ),
  onEvent: (listener) => {
    // The listener never sees the IpcRendererEvent (it holds the sender object).
    const handler = (_e: IpcRendererEvent, event: ApiEvent) => listener(event);
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => void ipcRenderer.removeListener(EVENT_CHANNEL, handler);
  },
};

contextBridge.exposeInMainWorld('archive', api);
