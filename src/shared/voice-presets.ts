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
export function findPreset(presets: readonly VoicePreset[], name: string): VoicePreset | undefined {
  const wanted = name.trim().toLowerCase();
  return presets.find((p) => p.name.toLowerCase() === wanted);
}

/** "unknown voice 'x' (saved voices: a, b)" — the one wording for every front end. */
export function unknownPresetMessage(presets: readonly VoicePreset[], name: string): string {
  return `unknown voice '${name}' (${presets.length ? `saved voices: ${presets.map((p) => p.name).join(', ')}` : 'no voices are saved; save one with: q3tts voices save NAME -i "…"'})`;
}
