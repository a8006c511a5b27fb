// Start at login: login items on macOS and Windows, an XDG autostart file on Linux.
import { app } from 'electron';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { autostartEntry, autostartFile, autostartTarget } from '../app/autostart.js';

export function applyStartAtLogin(enabled: boolean): void {
  if (process.platform === 'darwin' || process.platform === 'win32') {
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
