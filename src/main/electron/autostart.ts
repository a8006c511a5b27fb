// Start at login: login items on macOS and Windows, an XDG autostart file on Linux; and whether this
// launch is one of those (then the app starts in the tray). Rules: docs/decisions/0012-app-identity-and-login.md.
import { app } from 'electron';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { autostartEntry, autostartFile, autostartTarget } from '../app/autostart.js';

export function applyStartAtLogin(enabled: boolean, platform: NodeJS.Platform = process.platform): void {
  if (platform === 'darwin') {
    // macOS login items take no arguments: openedAtLogin() asks macOS instead of looking for --hidden.
    app.setLoginItemSettings({ openAtLogin: enabled });
    return;
  }
  if (platform === 'win32') {
    app.setLoginItemSettings({ openAtLogin: enabled, args: ['--hidden'] });
    return;
  }
  const file = autostartFile(process.env, os.homedir());
  if (!enabled) {
    rmSync(file, { force: true });
    return;
  }
  const target = autostartTarget(process.execPath, process.env, app.isPackaged ? null : app.getAppPath());
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, autostartEntry(target));
}

/** macOS says itself whether it launched the app as a login item; elsewhere our entries pass --hidden. */
export function openedAtLogin(platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin;
}
