/** The application menu: the usual entries, plus import and the archive folder. */
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  importFolder(): void;
  openArchiveFolder(): void;
  about(): void;
}

export function menuTemplate(
  actions: MenuActions,
  platform: NodeJS.Platform = process.platform,
  dev = false,
): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  return [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        { label: 'Import Folder…', accelerator: 'CmdOrCtrl+I', click: () => actions.importFolder() },
        { label: 'Open Archive Folder', click: () => actions.openArchiveFolder() },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        { role: 'reload' },
        ...(dev ? [{ role: 'toggleDevTools' as const }] : []),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'About Chat Archiver', click: () => actions.about() }] },
  ];
}
