// Prompt construction (qwen3-tts.md §5): pure functions from token ids to a plan of prefill rows.
// Each row is a text-track term (TP of a text id) plus a codec-track term (CE of a codec id, or for Base a
// speaker vector or a reference frame); embedding them is text-projection.ts / generate.ts's job, so
// everything here is table-testable.
import type { Qwen3Config } from './config.js';
import { invalidRequest } from './errors.js';

export function assistantTemplate(text: string): string {
  return `<|im_start|>assistant\n${text}<|im_end|>\n<|im_start|>assistant\n`;
}

export function instructTemplate(instruct: string): string {
  return `<|im_start|>user\n${instruct}<|im_end|>\n`;
}

/** Base in-context mode: the reference clip's transcript, sliced [3, L-2) (qwen3-tts.md §5.4). */
export function refTextTemplate(refText: string): string {
  return `<|im_start|>assistant\n${refText}<|im_end|>\n`;
}

/** The transcript's own ids from refTextTemplate's, checking the fixed frame as splitTargetIds does. */
export function splitRefIds(ids: readonly number[], imStart: number, imEnd: number): number[] {
  const L = ids.length;
  if (!(L >= 5 && ids[0] === imStart && ids[L - 2] === imEnd && ids[L - 1] === ids[2]))
    throw new Error(
      `reference text template tokenized unexpectedly: [${ids.slice(0, 4).join(',')} … ${ids.slice(-2).join(',')}]`,
    );
  return ids.slice(3, L - 2);
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

/**
 * One prefill position: TP(textId) (or nothing) + a codec-track term: CE(codecId), or (Base) the clone's speaker
 * vector, or a reference frame's 16 codes summed as a generated frame's are (CE(code 0) + Σ CPE(k, code k+1)).
 */
export interface PrefillRow {
  textId: number | null;
  codecId: number | null;
  speakerVector?: Float32Array;
  refFrame?: readonly number[];
}

export interface PrefillPlan {
  rows: PrefillRow[];
  /** Text ids whose TP is added to the talker input after each generated frame (then tts_pad for good). */
  trailing: number[];
  /** Number of the text's own tokens (N), for the frame budget. */
  textTokens: number;
  /** Leading rows that depend only on the voice (instruct, role, think block, speaker): the cacheable prefix. */
  voiceRows: number;
}

/**
 * How the text enters the prompt (qwen3-tts.md §5.3/§5.4). non_streaming: all of it in the prefill, over codec_pad
 * (VoiceDesign and CustomVoice wrappers). streaming: one token per generated frame, as trailing text (Base default).
 */
export type TextLayout = 'non_streaming' | 'streaming';

/** A cloned voice as the prompt needs it: the speaker vector, and for in-context mode the reference. */
export interface ClonePrompt {
  speakerVector: Float32Array;
  /** In-context mode: ref_ids[3:-2] of the transcript and the clip's codec frames ([F][16]); null = x-vector only. */
  reference: { textIds: readonly number[]; codes: readonly (readonly number[])[] } | null;
}

export interface PromptOptions {
  /** Default: streaming for Base, non_streaming otherwise (the official wrappers' defaults). */
  layout?: TextLayout;
  /** Base: the voice to speak with. */
  clone?: ClonePrompt | null;
}

/** The official default text layout of a model type. */
export function defaultLayout(config: Qwen3Config): TextLayout {
  return config.type === 'base' ? 'streaming' : 'non_streaming';
}

/**
 * The prefill (qwen3-tts.md §5.3, §5.4): [instruct] ‖ role ‖ think block (+ speaker row) ‖ the text part. The text
 * part is, non-streaming: text+eos over codec_pad ‖ pad over codec_bos (length M+N+10 with a language, M+N+9 with
 * auto, +1 with a speaker); streaming: first text token over codec_bos, the rest trailing; in-context (a clone with
 * a reference): the reference transcript and text laid against codec_bos and the reference frames.
 */
export function planPrefill(
  config: Qwen3Config,
  target: TargetIds,
  instructIds: readonly number[] | null,
  voice: VoiceChoice,
  options: PromptOptions = {},
): PrefillPlan {
  const { ids } = config;
  const layout = options.layout ?? defaultLayout(config);
  const clone = options.clone ?? null;
  const rows: PrefillRow[] = [];
  for (const id of instructIds ?? []) rows.push({ textId: id, codecId: null });
  for (const id of target.role) rows.push({ textId: id, codecId: null });
  // Think block, speaker (a CustomVoice id or a clone's vector), codec_pad; the last is paired with tts_bos.
  const think: PrefillRow[] = codecThinkIds(config, voice).map((id) => ({ textId: ids.ttsPad, codecId: id }));
  if (voice.speaker !== null) think.push({ textId: ids.ttsPad, codecId: config.speakerIds[voice.speaker]! });
  if (clone) think.push({ textId: ids.ttsPad, codecId: null, speakerVector: clone.speakerVector });
  think.push({ textId: ids.ttsBos, codecId: ids.codecPad });
  rows.push(...think);
  const voiceRows = rows.length;
  const textTokens = target.text.length;

  if (clone?.reference) {
    const { rows: icl, trailing, voiceOnly } = inContextRows(config, clone.reference, target.text, layout);
    rows.push(...icl);
    return { rows, trailing, textTokens, voiceRows: voiceRows + voiceOnly };
  }
  if (layout === 'streaming') {
    // With no text, the first "text" token is <|im_end|>, as slicing the template gives.
    const [first = ids.imEnd, ...rest] = target.text;
    rows.push({ textId: first, codecId: ids.codecBos });
    return { rows, trailing: [...rest, ids.ttsEos], textTokens, voiceRows };
  }
  for (const id of target.text) rows.push({ textId: id, codecId: ids.codecPad });
  rows.push({ textId: ids.ttsEos, codecId: ids.codecPad });
  rows.push({ textId: ids.ttsPad, codecId: ids.codecBos });
  return { rows, trailing: [ids.ttsPad], textTokens, voiceRows };
}

/**
 * Base in-context rows (qwen3-tts.md §5.4): text block = reference transcript ‖ text ‖ tts_eos (T1 ids), codec block =
 * codec_bos ‖ the reference frames (T2 rows). `voiceOnly`: how many leading rows hold only the reference (cacheable).
 */
function inContextRows(
  config: Qwen3Config,
  reference: NonNullable<ClonePrompt['reference']>,
  text: readonly number[],
  layout: TextLayout,
): { rows: PrefillRow[]; trailing: number[]; voiceOnly: number } {
  const { ids } = config;
  const textBlock = [...reference.textIds, ...text, ids.ttsEos];
  const codecBlock: PrefillRow[] = [
    { textId: null, codecId: ids.codecBos },
    ...reference.codes.map((frame) => ({ textId: null, codecId: null, refFrame: frame })),
  ];
  const R = reference.textIds.length;
  if (layout === 'non_streaming') {
    const rows: PrefillRow[] = textBlock.map((id) => ({ textId: id, codecId: ids.codecPad }));
    for (const row of codecBlock) rows.push({ ...row, textId: ids.ttsPad });
    return { rows, trailing: [ids.ttsPad], voiceOnly: R };
  }
  const T2 = codecBlock.length;
  const rows = codecBlock.map((row, j) => ({ ...row, textId: textBlock[j] ?? ids.ttsPad }));
  const trailing = textBlock.length > T2 ? textBlock.slice(T2) : [ids.ttsPad];
  return { rows, trailing, voiceOnly: Math.min(R, T2) };
}
