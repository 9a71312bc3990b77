/**
 * Electron main process: one secure window over the ArchiveService. Recording keeps
 * running in the tray after the window closes only when the user chose that in the
 * settings; quitting always stops recording and writes every open batch first.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, safeStorage, session, shell, type Tray } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArchiveService } from '../app/service/service.js';
import { recordWithRecorder } from '../app/service/recording.js';
import { defaultSegmentsDir } from '../app/service/paths.js';
import { APP_SCHEME, denyPermissions, lockDownContents } from './security.js';
import { registerIpc } from './ipc.js';
import { safeStorageSecrets } from './secrets.js';
import { menuTemplate } from './menu.js';
import { createTray } from './tray.js';
import { createWindow, registerAppProtocol } from './window.js';
import { readImageFile, type StaticFile } from '../app/service/static-files.js';

const NOT_READY: StaticFile = { ok: false, status: 404, message: 'the archive is not open yet' };

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.join(here, '../renderer');
const preload = path.join(here, '../preload/preload.cjs');
const trayIcon = app.isPackaged
  ? path.join(process.resourcesPath, 'icon.png')
  : path.join(here, '../../build/icon.png');

// Must happen before `ready`: app:// behaves like https (secure, standard, fetch allowed).
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
app.enableSandbox();
app.on('web-contents-created', (_e, contents) => lockDownContents(contents));

let win: BrowserWindow | null = null;
let tray: Tray | null = null;
let service: ArchiveService | null = null;
let quitting = false;

if (!app.requestSingleInstanceLock()) app.quit();
else {
  app.on('second-instance', () => showWindow());
  app.whenReady().then(start, (e) => {
    dialog.showErrorBox('Chat Archiver could not start', String(e));
    app.exit(1);
  });
}

async function start(): Promise<void> {
  denyPermissions(session.defaultSession);
  registerAppProtocol(protocol, rendererDir, (pathname) =>
    service ? readImageFile(service.segmentsDir, pathname) : Promise.resolve(NOT_READY),
  );
  const dataDir = app.getPath('userData');
  service = await ArchiveService.create({
    segmentsDir: defaultSegmentsDir(),
    settingsFile: path.join(dataDir, 'settings.json'),
    indexDir: path.join(dataDir, 'index'),
    secrets: await safeStorageSecrets(safeStorage, dataDir),
    recording: recordWithRecorder,
    allowSegmentsChange: true,
    sync: {
      home: path.join(dataDir, 'syncthing'),
      settingsFile: path.join(dataDir, 'sync.json'),
      apiKey: await safeStorageSecrets(safeStorage, dataDir, process.platform, 'syncthing-api-key.bin'),
    },
    pickFolder: async () => {
      const options = { properties: ['openDirectory' as const], title: 'Choose a segments folder to import' };
      const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
  });
  registerIpc(ipcMain, service, () => win?.webContents ?? null);
  const problem = service.settingsProblem;
  if (problem)
    void dialog.showMessageBox({ type: 'warning', message: 'Some settings could not be used', detail: problem });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(
        {
          importFolder: () => void importFromMenu(),
          openArchiveFolder: () => void shell.openPath(service!.segmentsDir),
          about: () => app.showAboutPanel(),
        },
        process.platform,
        !app.isPackaged,
      ),
    ),
  );
  showWindow();
}

function showWindow(): void {
  if (win && !win.isDestroyed()) {
    win.show();
    win.focus();
    return;
  }
  win = createWindow(preload);
  win.on('close', onWindowClose);
  win.on('closed', () => (win = null));
}

/** Hides to the tray instead of closing when recording and the user chose to keep it running. */
function onWindowClose(e: Electron.Event): void {
  if (quitting || !service || !(service.settings.keepRecordingInTray && service.isRecording())) return;
  e.preventDefault();
  win?.hide();
  tray ??= createTray(trayIcon, { show: showWindow, quit: () => app.quit() });
}

async function importFromMenu(): Promise<void> {
  if (!service) return;
  const picked = await service.api.pickFolder({});
  const folder = picked.ok ? picked.value.path : null;
  // Progress reaches the window as import events, like an import started from the UI.
  if (folder) await service.api.importStart({ sources: [folder] });
}

app.on('window-all-closed', () => {
  if (!tray) app.quit();
});

app.on('before-quit', (e) => {
  if (quitting) return;
  quitting = true;
  if (!service) return;
  e.preventDefault();
  // Stop recording (writing open batches), cancel imports, let a running merge finish.
  void service.close().finally(() => {
    tray?.destroy();
    app.quit();
  });
});
