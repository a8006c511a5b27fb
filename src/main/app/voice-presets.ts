// Saved voices for the window and the tray: saved and removed through the daemon (which keeps them in the
// settings file, decision 0026), or with the same store in this process while no daemon is up; then the settings
// are read again so the tray and the window see the new list at once.
import type { BridgeResult } from '../../shared/bridge.js';
import type { Answer, Request } from '../../shared/protocol.js';
import type { Settings } from '../../shared/settings.js';
import { findPreset, type VoicePreset } from '../../shared/voice-presets.js';
import { answerPresetAction } from '../../core/voices/actions.js';
import { VoicePresetStore } from '../../core/voices/store.js';
import type { SpeechService } from './speech.js';

export interface VoicePresetsDeps {
  /** The speech service, when one is up. */
  speech(): SpeechService | null;
  /** The settings file (the store used when no daemon answers). */
  settingsFile: string;
  /** Re-reads the settings file (the repo tells its listeners: tray, window). */
  reloadSettings(): Settings;
}

export class VoicePresets {
  constructor(private readonly deps: VoicePresetsDeps) {}

  async save(voice: {
    name: string;
    instruct: string;
    language: string;
    speaker: string | null;
  }): Promise<BridgeResult<{ voice: VoicePreset; replaced: boolean; voices: VoicePreset[] }>> {
    // A voice saved from the window keeps its seed when it replaces one of the same name.
    const settings = this.deps.reloadSettings();
    const seed = findPreset(settings.voices, voice.name)?.seed ?? null;
    const answer = await this.ask({ action: 'voices_save', ...voice, seed });
    if (answer.status === 'error') return { ok: false, code: answer.code, message: answer.message };
    const saved = answer as unknown as { voice: VoicePreset; replaced: boolean };
    return { ok: true, voice: saved.voice, replaced: saved.replaced, voices: this.deps.reloadSettings().voices };
  }

  async remove(name: string): Promise<BridgeResult<{ voices: VoicePreset[] }>> {
    const answer = await this.ask({ action: 'voices_remove', name });
    if (answer.status === 'error') return { ok: false, code: answer.code, message: answer.message };
    return { ok: true, voices: this.deps.reloadSettings().voices };
  }

  private async ask(request: Request): Promise<Answer> {
    const speech = this.deps.speech();
    if (speech) {
      try {
        return await speech.request(request);
      } catch {
        // the daemon went away: the file is still there
      }
    }
    return answerPresetAction(new VoicePresetStore(this.deps.settingsFile), request);
  }
}

/** The voice the hotkey and a new window use: the default saved voice when it still exists, else the fields. */
export function defaultVoiceOf(s: Settings): {
  instruct: string;
  language: string;
  speaker: string | null;
  voice: string | null;
} {
  const preset = s.defaultVoice ? findPreset(s.voices, s.defaultVoice) : undefined;
  if (preset)
    return { instruct: preset.instruct, language: preset.language, speaker: preset.speaker, voice: preset.name };
  return { instruct: s.instruct, language: s.language, speaker: s.speaker, voice: null };
}
