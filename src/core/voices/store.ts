// Saved voices on disk, for the daemon: they live in the app's settings file (one source of truth, decision
// 0026), which this reads and writes from plain Node, so `q3tts serve` has them without the app. Every call
// reads the file again (the app may have changed it), and a change is read, applied and written back in one
// synchronous step, replaced atomically (temp file + rename), so a reader never sees half a file.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../../shared/errors.js';
import { configDir } from '../../shared/paths.js';
import { migrateSettings, VoicePresetSchema, type Settings } from '../../shared/settings.js';
import { describeIssues } from '../../shared/requests.js';
import {
  findPreset,
  MAX_PRESETS,
  unknownPresetMessage,
  type StoredVoiceClone,
  type VoicePreset,
} from '../../shared/voice-presets.js';
import { OutputFileError, writeFileAtomicSync } from '../atomic-file.js';
import { currentPathEnv } from '../paths.js';

/** A saved-voice request that cannot be done (bad name, unknown voice, unusable file), with a message for the user. */
export class VoicePresetError extends Error {
  constructor(
    message: string,
    /** E_INVALID: the request; E_INTERNAL: the file. */
    readonly code: 'E_INVALID' | 'E_INTERNAL' = 'E_INVALID',
  ) {
    super(message);
    this.name = 'VoicePresetError';
  }
}

/** The settings file the app uses: Q3TTS_CONFIG_DIR, else the per-user config directory. */
export function defaultSettingsFile(): string {
  return path.join(configDir(currentPathEnv()), 'settings.json');
}

/** A saved voice as the file holds it: a cloned one with its vector and codes. */
export type StoredPreset = VoicePreset & { clone?: StoredVoiceClone | undefined };

/** What voices_save takes: a voice described in words (a clone is made by voices_clone or voices_lock only). */
const SaveSchema = VoicePresetSchema.omit({ clone: true }).strict();

export class VoicePresetStore {
  constructor(readonly file: string = defaultSettingsFile()) {}

  list(): StoredPreset[] {
    return this.read().voices;
  }

  /** The preset called `name`, or a VoicePresetError listing the saved ones. */
  get(name: string): StoredPreset {
    const presets = this.list();
    const found = findPreset(presets, name);
    if (!found) throw new VoicePresetError(unknownPresetMessage(presets, name));
    return found;
  }

  /**
   * Saves (or replaces, by name) a voice described in words; returns it as stored and whether one was
   * replaced. Replacing a cloned voice this way makes it a designed one again.
   */
  save(input: unknown): { voice: VoicePreset; replaced: boolean } {
    const parsed = SaveSchema.safeParse(input);
    if (!parsed.success) throw new VoicePresetError(describeIssues(parsed.error));
    return this.put(parsed.data);
  }

  /** Saves (or replaces, by name) a cloned voice, as voices_clone and voices_lock make them. */
  saveClone(input: StoredPreset): { voice: StoredPreset; replaced: boolean } {
    const parsed = VoicePresetSchema.safeParse(input);
    if (!parsed.success) throw new VoicePresetError(describeIssues(parsed.error));
    return this.put(parsed.data);
  }

  private put(voice: StoredPreset): { voice: StoredPreset; replaced: boolean } {
    let replaced = false;
    this.change((voices) => {
      const at = voices.findIndex((p) => p.name.toLowerCase() === voice.name.toLowerCase());
      replaced = at >= 0;
      if (!replaced && voices.length >= MAX_PRESETS)
        throw new VoicePresetError(`at most ${MAX_PRESETS} voices can be saved; remove one first`);
      return replaced ? voices.map((p, i) => (i === at ? voice : p)) : [...voices, voice];
    });
    return { voice, replaced };
  }

  /** Removes a preset; an unknown name is an error listing the saved ones. */
  remove(name: string): StoredPreset {
    let removed: StoredPreset | undefined;
    this.change((voices) => {
      removed = findPreset(voices, name);
      if (!removed) throw new VoicePresetError(unknownPresetMessage(voices, name));
      return voices.filter((p) => p !== removed);
    });
    return removed!;
  }

  /** The settings as stored (upgraded in memory); no file yet = the defaults. */
  private read(): Settings {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return migrateSettings({}).settings;
      throw new VoicePresetError(`cannot read the settings file ${this.file}: ${errorMessage(err)}`, 'E_INTERNAL');
    }
    try {
      return migrateSettings(JSON.parse(text)).settings;
    } catch (err) {
      // Never overwritten: the app keeps an unusable file aside for the user; the daemon only says so.
      throw new VoicePresetError(
        `the settings file ${this.file} is unusable (${errorMessage(err).split('\n')[0]}); fix it, or start the app once to set it aside`,
        'E_INTERNAL',
      );
    }
  }

  /** Read, change, write back: synchronous, so no other request of this daemon interleaves. */
  private change(edit: (voices: StoredPreset[]) => StoredPreset[]): void {
    const settings = this.read();
    const next = { ...settings, voices: edit(settings.voices) };
    try {
      mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      writeFileAtomicSync(this.file, `${JSON.stringify(next, null, '\t')}\n`, 0o600);
    } catch (err) {
      const why = err instanceof OutputFileError ? err.message : `cannot write ${this.file}: ${errorMessage(err)}`;
      throw new VoicePresetError(`the settings file: ${why}`, 'E_INTERNAL');
    }
  }
}
