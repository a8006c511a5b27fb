// The settings repo on electron-store: the file lives in Electron's userData directory, or in Q3TTS_CONFIG_DIR.
import { app } from 'electron';
import ElectronStore from 'electron-store';
import { openSettingsRepo, type SettingsFile, type SettingsRepo } from '../app/settings-repo.js';

export function openElectronSettings(): SettingsRepo {
  return openSettingsRepo({
    // userData is the per-user config directory (~/.config/q3tts, …); Q3TTS_CONFIG_DIR moves the settings alone.
    cwd: process.env.Q3TTS_CONFIG_DIR || app.getPath('userData'),
    watch: true, // hand edits of the file apply without a restart
    openStore: (o): SettingsFile =>
      new ElectronStore<Record<string, unknown>>({
        name: o.configName,
        cwd: o.cwd,
        watch: o.watch,
        clearInvalidConfig: false,
      }),
  });
}
