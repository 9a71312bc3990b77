/** The tray icon that keeps recording alive after the window closes (only when the user chose so). */
import { Menu, Tray, nativeImage } from 'electron';

export function createTray(iconPath: string, actions: { show(): void; quit(): void }): Tray {
  const tray = new Tray(nativeImage.createFromPath(iconPath).resize({ width: 16, height: 16 }));
  tray.setToolTip('Chat Archiver: recording');
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Show Chat Archiver', click: () => actions.show() },
      { type: 'separator' },
      { label: 'Stop Recording and Quit', click: () => actions.quit() },
    ]),
  );
  tray.on('click', () => actions.show());
  return tray;
}
