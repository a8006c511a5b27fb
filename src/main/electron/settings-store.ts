// The settings repo on electron-store: the file lives in Electron's userData directory.
import { app, shell } from 'electron';
import ElectronStore from 'electron-store';
import { openSettingsRepo, type SettingsFile, type SettingsRepo } from '../app/settings-repo.js';

export function openElectronSettings(): SettingsRepo {
  return openSettingsRepo({
    cwd: app.getPath('userData'),
    watch: true, // hand edits (Settings… opens the file) apply without a restart
    openStore: (o): SettingsFile => new ElectronStore<Record<string, unknown>>({ name: o.configName, cwd: o.cwd, watch: o.watch, clearInvalidConfig: false }),
  });
}

/** "Settings…": the JSON file in the user's editor; changes are picked up by the watcher. */
export async function openSettingsFile(repo: SettingsRepo): Promise<void> {
  const error = await shell.openPath(repo.path);
  if (error) throw new Error(error);
}
