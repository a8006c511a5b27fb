// Saved voices for the window and the tray: saved and removed through the daemon (which keeps them in the
// settings file, decision 0026), or with the same store in this process while no daemon is up; then the settings
// are read again so the tray and the window see the new list at once.
import type { BridgeResult } from '../../shared/bridge.js';
import { DEFAULT_MAX_FRAME_BYTES, type Answer, type Request } from '../../shared/protocol.js';
import type { Settings } from '../../shared/settings.js';
import { findPreset, type VoicePreset } from '../../shared/voice-presets.js';
import { answerPresetAction } from '../../core/voices/actions.js';
import { VoicePresetStore } from '../../core/voices/store.js';
import type { SpeechService } from './speech.js';
import { errorMessage } from '../../shared/errors.js';

/** The clip travels in one protocol frame, beside the name and the words (which the schema keeps under 8 KiB). */
const MAX_CLIP_BASE64 = DEFAULT_MAX_FRAME_BYTES - 16 * 1024;
const NO_ENGINE = 'The speech engine is not running, and cloning needs it: wait for it to start, then try again.';

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

  /**
   * Clones a voice from a clip (WAV bytes) and saves it under the name: the daemon's engine does it, on a Base
   * model (voices_clone), so there is no in-process fallback.
   */
  async clone(clip: {
    name: string;
    wav: Uint8Array;
    text: string | null;
    language: string;
  }): Promise<BridgeResult<{ voice: VoicePreset; voices: VoicePreset[] }>> {
    const text = clip.text?.trim() || null; // blank: the speaker vector only
    const audio = Buffer.from(clip.wav.buffer, clip.wav.byteOffset, clip.wav.byteLength).toString('base64');
    if (audio.length > MAX_CLIP_BASE64)
      return {
        ok: false,
        code: 'E_INVALID',
        message: `The clip is too large to send (${Math.round(clip.wav.byteLength / 1024)} KiB): at most 10 s of 24 kHz mono 16-bit WAV (469 KiB).`,
      };
    return this.askEngine({
      action: 'voices_clone',
      name: clip.name,
      audio_base64: audio,
      text,
      language: clip.language,
    });
  }

  /** Locks a designed saved voice: it reads a sentence (VoiceDesign) that becomes its clone reference (Base). */
  async lock(voice: {
    name: string;
    sentence?: string | undefined;
  }): Promise<BridgeResult<{ voice: VoicePreset; voices: VoicePreset[] }>> {
    return this.askEngine({
      action: 'voices_lock',
      name: voice.name,
      ...(voice.sentence ? { sentence: voice.sentence } : {}),
    });
  }

  /** A voices action only the daemon's engine can answer; then the settings are read again. */
  private async askEngine(request: Request): Promise<BridgeResult<{ voice: VoicePreset; voices: VoicePreset[] }>> {
    const speech = this.deps.speech();
    if (!speech) return { ok: false, code: 'E_DAEMON_GONE', message: NO_ENGINE };
    let answer: Answer;
    try {
      answer = await speech.request(request);
    } catch (err) {
      return { ok: false, code: 'E_DAEMON_GONE', message: `${NO_ENGINE} (${errorMessage(err)})` };
    }
    if (answer.status === 'error') return { ok: false, code: answer.code, message: answer.message };
    const { voice } = answer as unknown as { voice: VoicePreset };
    return { ok: true, voice, voices: this.deps.reloadSettings().voices };
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
