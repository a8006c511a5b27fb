// Settings on disk: load, upgrade, validate, save, and tell listeners. Runs on plain `conf` so it is
// tested in Node; the Electron side only swaps in electron-store (same class underneath) for the file.
import Conf from 'conf';
import { existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import { applySettingsPatch, migrateSettings, type Settings } from '../../shared/settings.js';

/** The part of conf (and electron-store, a subclass) the repo uses. */
export interface SettingsFile {
  readonly path: string;
  store: Record<string, unknown>;
  /** conf dispatches 'change' after its own writes and, with `watch`, after outside edits. */
  readonly events: EventTarget;
}

export interface StoreOptions {
  cwd: string;
  configName: string;
  watch: boolean;
}

export interface SettingsRepoOptions {
  /** Directory of the settings file (Electron: app.getPath('userData')). */
  cwd: string;
  configName?: string;
  /** Pick up edits made to the file by hand (Settings → open in editor). */
  watch?: boolean;
  /** How to open the file; default plain conf. */
  openStore?: (options: StoreOptions) => SettingsFile;
  now?: () => Date;
}

export interface SettingsRepo {
  readonly path: string;
  get(): Settings;
  /** Validates and saves a change; throws (ZodError) without saving when the patch is invalid. */
  update(patch: unknown): Settings;
  /** Called after every effective change, ours or the file's; returns an unsubscribe. */
  onChange(cb: (settings: Settings, previous: Settings) => void): () => void;
  /** Re-reads the file (after an outside edit, or "Reload handlers"); keeps the current settings if it is unusable. */
  reload(): Settings;
  /** User-facing notices from loading (corrupt file kept aside, fields reset); shown once. */
  takeNotices(): string[];
}

export const openPlainConf = (o: StoreOptions): SettingsFile =>
  new Conf<Record<string, unknown>>({
    cwd: o.cwd,
    configName: o.configName,
    watch: o.watch,
    clearInvalidConfig: false,
  });

export function openSettingsRepo(options: SettingsRepoOptions): SettingsRepo {
  const storeOptions: StoreOptions = {
    cwd: options.cwd,
    configName: options.configName ?? 'settings',
    watch: options.watch ?? false,
  };
  const open = options.openStore ?? openPlainConf;
  const now = options.now ?? (() => new Date());
  let notices: string[] = [];
  const filePath = path.resolve(storeOptions.cwd, `${storeOptions.configName}.json`);

  // A file we cannot read or use is renamed, never deleted: the user may want to recover it.
  const keepAside = (why: string) => {
    const stamp = now().toISOString().replace(/[:.]/g, '-');
    const aside = path.join(storeOptions.cwd, `${storeOptions.configName}.corrupt-${stamp}.json`);
    if (existsSync(filePath)) renameSync(filePath, aside);
    notices.push(`Settings file was unusable (${why}); kept it as ${aside} and started from defaults.`);
  };

  let file: SettingsFile;
  let stored: unknown;
  try {
    file = open(storeOptions);
    stored = file.store;
  } catch (err) {
    keepAside(firstLine(err));
    file = open(storeOptions);
    stored = {};
  }

  let migrated: ReturnType<typeof migrateSettings>;
  try {
    migrated = migrateSettings(stored);
  } catch (err) {
    keepAside(firstLine(err));
    migrated = migrateSettings({});
  }
  if (migrated.reset.length)
    notices.push(`Some settings were invalid and were reset to their defaults: ${migrated.reset.join(', ')}.`);
  let current = migrated.settings;
  if (migrated.changed || !existsSync(filePath)) file.store = { ...current };

  const listeners = new Set<(s: Settings, prev: Settings) => void>();
  let writing = false;
  const publish = (next: Settings) => {
    const previous = current;
    current = next;
    if (JSON.stringify(previous) === JSON.stringify(next)) return;
    for (const cb of listeners) cb(next, previous);
  };

  const latestOnDisk = (): Settings | undefined => {
    try {
      return migrateSettings(file.store).settings;
    } catch {
      return undefined; // unreadable now: the change applies to what we have
    }
  };

  const reload = (): Settings => {
    let raw: unknown;
    try {
      raw = file.store;
    } catch (err) {
      notices.push(`The settings file is not valid JSON (${firstLine(err)}); keeping the previous settings.`);
      return current;
    }
    try {
      const result = migrateSettings(raw);
      if (result.reset.length)
        notices.push(`Some edited settings were invalid and were reset: ${result.reset.join(', ')}.`);
      publish(result.settings);
    } catch (err) {
      notices.push(`The edited settings were not applied: ${firstLine(err)}.`);
    }
    return current;
  };
  // conf reports our own writes too; update() publishes those itself. Not onDidAnyChange: its listener
  // reads the file unguarded, and a hand-edited file with a syntax error would throw out of an event.
  file.events.addEventListener('change', () => {
    if (!writing) reload();
  });

  return {
    path: file.path,
    get: () => current,
    update(patch) {
      // The daemon writes saved voices into this file too (decision 0026): change what is on disk now, not
      // what was read earlier, so neither writer undoes the other's change.
      const next = applySettingsPatch(latestOnDisk() ?? current, patch);
      writing = true;
      try {
        file.store = { ...next };
      } finally {
        writing = false;
      }
      publish(next);
      return next;
    },
    reload,
    onChange(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    takeNotices() {
      const out = notices;
      notices = [];
      return out;
    },
  };
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}
