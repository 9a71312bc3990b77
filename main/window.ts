/** The one BrowserWindow and the app:// protocol it loads the renderer from. */
import { BrowserWindow, type Protocol } from 'electron';
import { IMAGES_PREFIX, readRendererFile, type StaticFile } from '../app/service/static-files.js';
import { APP_HOST, APP_ORIGIN } from './security.js';

/**
 * Serves the built renderer under app://archive/ with the same CSP and path check as `serve`,
 * and the archive's emote and badge images under app://archive/images/ (`images` reads them).
 */
export function registerAppProtocol(
  protocol: Protocol,
  rendererDir: string,
  images: (pathname: string) => Promise<StaticFile>,
): void {
  protocol.handle('app', async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST || request.method !== 'GET') return new Response('not found', { status: 404 });
    const f = url.pathname.startsWith(IMAGES_PREFIX)
      ? await images(url.pathname)
      : await readRendererFile(rendererDir, url.pathname);
    return f.ok
      ? new Response(new Uint8Array(f.bytes), { headers: f.headers })
      : new Response(f.message, { status: f.status });
  });
}

export function createWindow(preload: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    title: 'Chat Archiver',
    show: false,
    // Electron's security checklist, spelled out (and visible to electronegativity).
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}
