// Prompt construction (qwen3-tts.md §5): pure functions from token ids to a plan of prefill rows.
// Each row is a text-track term (TP of a text id) plus a codec-track term (CE of a codec id); embedding
// them is text-projection.ts / generate.ts's job, so everything here is table-testable.
import type { Qwen3Config } from './config.js';
import { invalidRequest } from './errors.js';

export function assistantTemplate(text: string): string {
  return `<|im_start|>assistant\n${text}<|im_end|>\n<|im_start|>assistant\n`;
}

export function instructTemplate(instruct: string): string {
  return `<|im_start|>user\n${instruct}<|im_end|>\n`;
}

export interface TargetIds {
  /** `<|im_start|>assistant\n`: input_ids[0:3]. */
  role: number[];
  /** The text's own tokens: input_ids[3:L-5]. */
  text: number[];
}

/**
 * Slices the ids of assistantTemplate(text) exactly as the official code does (the whole template is
 * tokenized at once, then cut), checking the fixed prefix and suffix.
 */
export function splitTargetIds(ids: readonly number[], imStart: number, imEnd: number): TargetIds {
  const L = ids.length;
  const ok =
    L >= 8 &&
    ids[0] === imStart &&
    ids[L - 5] === imEnd &&
    ids[L - 3] === imStart &&
    ids[L - 1] === ids[2] &&
    ids[1] === ids[L - 2];
  if (!ok)
    throw new Error(
      `assistant template tokenized unexpectedly: [${ids.slice(0, 4).join(',')} … ${ids.slice(-5).join(',')}]`,
    );
  return { role: ids.slice(0, 3), text: ids.slice(3, L - 5) };
}

export interface VoiceChoice {
  /** Lower-case language key of codec_language_id, or null for `auto`. */
  language: string | null;
  /** Lower-case speaker key of spk_id (CustomVoice), or null. */
  speaker: string | null;
}

/** Resolves a request's language ("English", "auto", …) and speaker against the model's config. */
export function resolveVoice(config: Qwen3Config, language: string, speaker: string | null): VoiceChoice {
  const lang = language.trim().toLowerCase();
  let langKey: string | null = null;
  if (lang !== 'auto' && lang !== '') {
    if (config.languageIds[lang] === undefined || lang.includes('dialect')) {
      throw invalidRequest(
        `unknown language '${language}' (this model knows: ${supportedLanguages(config).join(', ')})`,
      );
    }
    langKey = lang;
  }
  let spk: string | null = null;
  if (config.type === 'custom_voice') {
    const names = Object.keys(config.speakerIds);
    if (speaker === null || speaker.trim() === '')
      throw invalidRequest(`this CustomVoice model needs a speaker (one of: ${names.join(', ')})`);
    spk = speaker.trim().toLowerCase();
    if (config.speakerIds[spk] === undefined)
      throw invalidRequest(`unknown speaker '${speaker}' (this model has: ${names.join(', ')})`);
  } else if (speaker !== null && speaker.trim() !== '') {
    throw invalidRequest(`this ${config.type} model has no preset speakers (got speaker '${speaker}')`);
  }
  return { language: langKey, speaker: spk };
}

/** User-facing language names: codec_language_id keys without dialects, capitalized, plus "Auto". */
export function supportedLanguages(config: Qwen3Config): string[] {
  const names = Object.keys(config.languageIds)
    .filter((k) => !k.includes('dialect'))
    .map((k) => k.charAt(0).toUpperCase() + k.slice(1))
    .sort();
  return ['Auto', ...names];
}

/** Whether the model honours instruct (0.6B CustomVoice drops it; Base has none). */
export function instructSupported(config: Qwen3Config): boolean {
  if (config.type === 'voice_design') return true;
  if (config.type === 'custom_voice') return config.size !== '0b6';
  return false;
}

/**
 * The think block of the codec track (qwen3-tts.md §5.3 step 3), with the CustomVoice dialect rule: a dialect
 * speaker speaking Chinese (or auto) uses its dialect's language id.
 */
export function codecThinkIds(config: Qwen3Config, voice: VoiceChoice): number[] {
  const { ids } = config;
  let lang = voice.language;
  if (voice.speaker !== null && (lang === null || lang === 'chinese')) {
    const dialect = config.speakerDialect[voice.speaker];
    if (typeof dialect === 'string') lang = dialect;
  }
  if (lang === null) return [ids.codecNothink, ids.codecThinkBos, ids.codecThinkEos];
  return [ids.codecThink, ids.codecThinkBos, config.languageIds[lang]!, ids.codecThinkEos];
}

/** One prefill position: TP(textId) (or nothing) + CE(codecId) (or nothing). */
export interface PrefillRow {
  textId: number | null;
  codecId: number | null;
}

export interface PrefillPlan {
  rows: PrefillRow[];
  /** Text ids whose TP is added to the talker input after each generated frame (non-streaming: [tts_pad]). */
  trailing: number[];
  /** Number of the text's own tokens (N), for the frame budget. */
  textTokens: number;
  /** Leading rows that depend only on the voice (instruct, role, think block, speaker): the cacheable prefix. */
  voiceRows: number;
}

/**
 * The non-streaming prefill (qwen3-tts.md §5.3): [instruct] ‖ role ‖ think block (+ speaker) ‖ text+eos over codec_pad
 * ‖ pad over codec_bos. Length M+N+10 with a language, M+N+9 with auto (+1 with a speaker).
 */
export function planPrefill(
  config: Qwen3Config,
  target: TargetIds,
  instructIds: readonly number[] | null,
  voice: VoiceChoice,
): PrefillPlan {
  const { ids } = config;
  const rows: PrefillRow[] = [];
  for (const id of instructIds ?? []) rows.push({ textId: id, codecId: null });
  for (const id of target.role) rows.push({ textId: id, codecId: null });
  const codecInput = [...codecThinkIds(config, voice)];
  if (voice.speaker !== null) codecInput.push(config.speakerIds[voice.speaker]!);
  codecInput.push(ids.codecPad, ids.codecBos);
  const C = codecInput.length;
  for (let j = 0; j < C - 1; j++) rows.push({ textId: j < C - 2 ? ids.ttsPad : ids.ttsBos, codecId: codecInput[j]! });
  const voiceRows = rows.length;
  for (const id of target.text) rows.push({ textId: id, codecId: ids.codecPad });
  rows.push({ textId: ids.ttsEos, codecId: ids.codecPad });
  rows.push({ textId: ids.ttsPad, codecId: ids.codecBos });
  return { rows, trailing: [ids.ttsPad], textTokens: target.text.length, voiceRows };
}
