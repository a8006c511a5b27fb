// The voices every door offers, from what the loaded model has: its preset speakers (CustomVoice), plus
// "default" — the model's own voice, shaped by an instruction on VoiceDesign models. OpenAI's built-in voice
// names are accepted as "default" so clients written for OpenAI work unchanged.
import type { EngineInfo } from '../../shared/engine.js';

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

/** The names a client may pick: the preset speakers, then "default". */
export function voiceNames(info: Pick<EngineInfo, 'speakers'>): string[] {
  return [...info.speakers, DEFAULT_VOICE];
}

/** The speaker a voice name stands for (null = the default voice), or why it is not one. */
export function resolveVoice(
  info: Pick<EngineInfo, 'speakers'>,
  name: string | null | undefined,
): { speaker: string | null } | { error: string } {
  const wanted = (name ?? '').trim();
  if (
    !wanted ||
    wanted.toLowerCase() === DEFAULT_VOICE ||
    (OPENAI_VOICE_NAMES as readonly string[]).includes(wanted.toLowerCase())
  )
    return { speaker: null };
  const speaker = info.speakers.find((s) => s.toLowerCase() === wanted.toLowerCase());
  if (speaker) return { speaker };
  return { error: `unknown voice '${wanted}' (this model has: ${voiceNames(info).join(', ')})` };
}
