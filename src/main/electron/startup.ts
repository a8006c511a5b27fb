// What the platform must know about the app before and right after `ready`: its identity, the Chromium
// features it needs (docs/decisions/0012-app-identity-and-login.md), and an application menu without
// developer tools (docs/decisions/0011-tray-per-platform.md).
import { app, Menu, type MenuItemConstructorOptions } from 'electron';
import { APP_ID, DESKTOP_NAME } from './identity.js';

/** Must run before `ready`. */
export function identifyApp(platform: NodeJS.Platform, chromiumFeatures: string[]): void {
  // Linux: the portal and notifications find the app by its .desktop file.
  if (platform === 'linux') app.setDesktopName(DESKTOP_NAME);
  // Windows: without the installer shortcut's id, notifications (the app's error channel) may not show.
  if (platform === 'win32') app.setAppUserModelId(APP_ID);
  // One switch with every feature: Chromium honours only the last --enable-features.
  if (chromiumFeatures.length) app.commandLine.appendSwitch('enable-features', chromiumFeatures.join(','));
}

/**
 * The default menu has View → Toggle Developer Tools, reachable with Alt on Windows and Linux. There the
 * window needs no menu at all; macOS needs one for Cmd+Q, Cmd+W and the editing keys (Cmd+C, Cmd+V…).
 */
export function applicationMenu(platform: NodeJS.Platform): MenuItemConstructorOptions[] | null {
  return platform === 'darwin'
    ? [{ role: 'appMenu' }, { role: 'fileMenu' }, { role: 'editMenu' }, { role: 'windowMenu' }]
    : null;
}

export function installApplicationMenu(platform: NodeJS.Platform): void {
  const template = applicationMenu(platform);
  Menu.setApplicationMenu(template ? Menu.buildFromTemplate(template) : null);
}
