// Saved voices (presets): a name for a voice description, its language, and optionally a speaker and a seed.
// Zod-free, so the window bundles the same name rule the daemon and the settings schema enforce.

export interface VoicePreset {
  name: string;
  /** The voice in words (VoiceDesign); "" = the model's neutral voice. */
  instruct: string;
  /** A language the model knows, or "auto". */
  language: string;
  /** CustomVoice preset speaker; null for models without speakers. */
  speaker: string | null;
  /** The sampling seed that makes the voice come out the same each time; null = a new one each time. */
  seed: number | null;
  /** A cloned (or locked) voice: spoken from its reference clip on a Base model; it wins over instruct. */
  clone?: VoiceCloneSummary | undefined;
}

/** in_context: the clip's codes and transcript are in every prompt; x_vector: only its speaker vector. */
export const CLONE_MODES = ['in_context', 'x_vector'] as const;
export type CloneMode = (typeof CLONE_MODES)[number];

/** What listings show of a cloned voice (never the vector and codes: kilobytes each). */
export interface VoiceCloneSummary {
  mode: CloneMode;
  /** The Base model that made it (a speaker vector fits only that model family and size). */
  model: string;
  /** Length of the reference clip. */
  seconds: number;
  /** What the clip says (in_context), else null. */
  text: string | null;
  /** Made by `voices lock` from a designed voice (its description and seed are kept with it). */
  locked: boolean;
}

/** A cloned voice as the settings file keeps it (decision 0033). */
export interface StoredVoiceClone extends VoiceCloneSummary {
  /** The speaker vector: base64 of little-endian float32. */
  vector: string;
  /** in_context: the reference codec frames, base64 of little-endian int16, 16 per frame; else null. */
  codes: string | null;
  /** A locked voice's design: what spoke the reference sentence (so it can be locked again). */
  design: LockedDesign | null;
}

export interface LockedDesign {
  instruct: string;
  language: string;
  seed: number;
  sentence: string;
}

/** The kind a listing shows: described in words, cloned from a clip, or a design locked into a clone. */
export function presetKind(p: VoicePreset): 'designed' | 'cloned' | 'locked' {
  return p.clone ? (p.clone.locked ? 'locked' : 'cloned') : 'designed';
}

/** A preset as listings show it: the clone summarised. */
export function presetSummary(p: VoicePreset): VoicePreset {
  if (!p.clone) return p;
  const { mode, model, seconds, text, locked } = p.clone;
  return { ...p, clone: { mode, model, seconds, text, locked } };
}

export const MAX_PRESET_NAME = 40;
/** More would be a list nobody can pick from in a tray menu. */
export const MAX_PRESETS = 100;
/** "default" already names the model's own voice at every door. */
export const RESERVED_PRESET_NAMES = ['default'];

export const PRESET_NAME_HINT = `1 to ${MAX_PRESET_NAME} letters, digits, spaces, '.', '_' or '-', starting and ending with a letter or digit`;

const NAME = /^[\p{L}\p{N}](?:[\p{L}\p{N} ._-]*[\p{L}\p{N}])?$/u;

/** Why `name` cannot name a preset, or null when it can. */
export function presetNameProblem(name: string): string | null {
  if (name.length > MAX_PRESET_NAME || !NAME.test(name) || /\s{2}/.test(name))
    return `'${name.slice(0, 60)}' is not a voice name (${PRESET_NAME_HINT})`;
  if (RESERVED_PRESET_NAMES.includes(name.toLowerCase()))
    return `'${name}' is reserved (it names the model's own voice)`;
  return null;
}

/** The preset called `name` (names match case-insensitively). */
export function findPreset<P extends VoicePreset>(presets: readonly P[], name: string): P | undefined {
  const wanted = name.trim().toLowerCase();
  return presets.find((p) => p.name.toLowerCase() === wanted);
}

/** "unknown voice 'x' (saved voices: a, b)" — the one wording for every front end. */
export function unknownPresetMessage(presets: readonly VoicePreset[], name: string): string {
  return `unknown voice '${name}' (${presets.length ? `saved voices: ${presets.map((p) => p.name).join(', ')}` : 'no voices are saved; save one with: q3tts voices save NAME -i "…"'})`;
}
