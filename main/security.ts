/**
 * The window's security rules (Electron's checklist): who may call the API, where the
 * window may go (nowhere), what it may ask for (nothing).
 */
import type { Session, WebContents, WebFrameMain } from 'electron';

/** The app's own origin: content comes from this custom protocol, never file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'archive';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export const isAppUrl = (url: string) => {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
};

/**
 * An IPC call is answered only when it comes from the top frame of our window showing
 * our own content: not from an iframe, another window, or a page navigated elsewhere.
 */
export function isTrustedSender(frame: WebFrameMain | null | undefined, trusted: () => WebContents | null): boolean {
  const contents = trusted();
  if (!frame || !contents || contents.isDestroyed()) return false;
  return frame === contents.mainFrame && frame.parent === null && isAppUrl(frame.url);
}

/** Denies new windows, navigation away, webviews; links open nowhere (the app has none to the web). */
export function lockDownContents(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (e, url) => {
    if (!isAppUrl(url)) e.preventDefault();
  });
  contents.on('will-redirect', (e, url) => {
    if (!isAppUrl(url)) e.preventDefault();
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
}

/** The app needs no permission (camera, notifications, clipboard read...): every request is denied. */
export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}
