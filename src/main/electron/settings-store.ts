// The settings repo on electron-store: the file lives in Electron's userData directory.
import { app } from 'electron';
import ElectronStore from 'electron-store';
import { openSettingsRepo, type SettingsFile, type SettingsRepo } from '../app/settings-repo.js';

export function openElectronSettings(): SettingsRepo {
  return openSettingsRepo({
    cwd: app.getPath('userData'),
    watch: true, // hand edits of the file apply without a restart
    openStore: (o): SettingsFile => new ElectronStore<Record<string, unknown>>({ name: o.configName, cwd: o.cwd, watch: o.watch, clearInvalidConfig: false }),
  });
}
