// The voices every door offers, from what the loaded model has: its preset speakers (CustomVoice), the user's
// saved voices (presets, decision 0026), plus "default" — the model's own voice, shaped by an instruction on
// VoiceDesign models. OpenAI's built-in voice names are accepted as "default" so clients written for OpenAI work
// unchanged.
import type { EngineInfo } from '../../shared/engine.js';
import type { Request } from '../../shared/protocol.js';
import { findPreset, type VoicePreset } from '../../shared/voice-presets.js';
import type { DaemonCore } from '../daemon/core.js';

export const DEFAULT_VOICE = 'default';
export const OPENAI_VOICE_NAMES = [
  'alloy',
  'ash',
  'ballad',
  'coral',
  'echo',
  'fable',
  'nova',
  'onyx',
  'sage',
  'shimmer',
  'verse',
] as const;

/** The names a client may pick: the preset speakers, the saved voices, then "default". */
export function voiceNames(info: Pick<EngineInfo, 'speakers'>, saved: readonly VoicePreset[] = []): string[] {
  return [...info.speakers, ...saved.map((p) => p.name), DEFAULT_VOICE];
}

/**
 * What a voice name stands for: a saved voice (its name, for the request's "voice"), a speaker, or the default
 * voice (speaker null); or why it is none of them. A saved voice wins over a speaker and an OpenAI name.
 */
export function resolveVoice(
  info: Pick<EngineInfo, 'speakers'>,
  name: string | null | undefined,
  saved: readonly VoicePreset[] = [],
): { speaker: string | null; preset?: string } | { error: string } {
  const wanted = (name ?? '').trim();
  if (!wanted || wanted.toLowerCase() === DEFAULT_VOICE) return { speaker: null };
  const preset = findPreset(saved, wanted);
  if (preset) return { speaker: null, preset: preset.name };
  if ((OPENAI_VOICE_NAMES as readonly string[]).includes(wanted.toLowerCase())) return { speaker: null };
  const speaker = info.speakers.find((s) => s.toLowerCase() === wanted.toLowerCase());
  if (speaker) return { speaker };
  return { error: `unknown voice '${wanted}' (this model has: ${voiceNames(info, saved).join(', ')})` };
}

/** The request fields a resolved voice adds to a generate request. */
export function voiceFields(voice: { speaker: string | null; preset?: string }): Partial<Request> {
  return voice.preset ? { voice: voice.preset } : voice.speaker ? { speaker: voice.speaker } : {};
}

/** The saved voices, as the daemon reads them; none when the settings file cannot be read (the door still speaks). */
export async function savedVoices(
  core: Pick<DaemonCore, 'request'>,
  log?: (m: string) => void,
): Promise<VoicePreset[]> {
  const answer = await core.request({ action: 'voices_list' });
  if (answer.status === 'ok') return answer.voices;
  log?.(`saved voices are not available: ${answer.message}`);
  return [];
}
