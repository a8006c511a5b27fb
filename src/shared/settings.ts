// The app's settings: one schema shared by the settings repo (main), IPC and the window.
// Stored files carry a version; older files are upgraded step by step by a ladder of pure functions
// (conf's own migrations are known to be unreliable, so the ladder is ours and table-tested).
import { z } from 'zod';
import { EXECUTION_PROVIDERS, PRECISIONS } from './engine-options.js';
import {
  ACCELERATOR_HINT,
  LISTEN_ADDRESS_HINT,
  SPEAK_MODES,
  SPEECH_STARTS,
  isAccelerator,
  listenHost,
} from './settings-values.js';
import { CLONE_MODES, MAX_PRESETS, presetNameProblem } from './voice-presets.js';
import { speechServerUrlProblem } from './speech-server-url.js';

export { SPEAK_MODES, isAccelerator };

export const SETTINGS_VERSION = 5;

/** One saved voice; the CLI, the daemon and the window check names with the same rule. */
export const VoicePresetSchema = z
  .object({
    name: z.string().superRefine((name, ctx) => {
      const problem = presetNameProblem(name);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    instruct: z.string().max(4000, 'at most 4000 characters').default(''),
    language: z.string().min(1).max(40).default('auto'),
    speaker: z.string().min(1).max(64).nullable().default(null),
    seed: z.number().int().min(0).max(0xffff_ffff).nullable().default(null),
    clone: z.lazy(() => StoredCloneSchema).optional(),
  })
  .strict();

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A cloned voice as stored (decision 0033): its vector and codes base64-encoded, little-endian. */
export const StoredCloneSchema = z
  .object({
    mode: z.enum(CLONE_MODES),
    model: z.string().min(1).max(200),
    seconds: z.number().min(0).max(60),
    text: z.string().min(1).max(4000).nullable(),
    locked: z.boolean(),
    // up to 4096 float32 (a 1.7B talker has 2048) and 30 s of 16-code frames
    vector: z.string().min(8).max(22_000).regex(BASE64, 'not base64'),
    codes: z.string().min(4).max(22_000).regex(BASE64, 'not base64').nullable(),
    design: z
      .object({
        instruct: z.string().max(4000),
        language: z.string().min(1).max(40),
        seed: z.number().int().min(0).max(0xffff_ffff),
        sentence: z.string().min(1).max(1000),
      })
      .strict()
      .nullable(),
  })
  .strict()
  .refine((c) => (c.mode === 'in_context') === (c.codes !== null && c.text !== null), {
    message: 'in_context needs codes and text; x_vector has neither',
  })
  .refine((c) => c.locked === (c.design !== null), { message: 'a locked voice keeps its design, others none' });

/** The fields, each with its own default, so one bad field never costs the user the others. */
export const settingsFields = {
  /** Reads the clipboard aloud. "" = no global shortcut (use the CLI binding instead). */
  hotkey: z
    .string()
    .max(100, 'at most 100 characters')
    .refine((s) => s === '' || isAccelerator(s), { message: ACCELERATOR_HINT })
    .default('CommandOrControl+Alt+S'),
  /** null = the installed model the daemon finds by itself (data dir, Q3TTS_MODEL_DIR). */
  modelDir: z.string().min(1).max(4096, 'at most 4096 characters').nullable().default(null),
  modelVariant: z.enum(PRECISIONS).default('int4'),
  /** The default voice, described in words (VoiceDesign). "" = the model's neutral voice. */
  instruct: z.string().max(4000, 'at most 4000 characters').default(''),
  language: z.string().min(1).max(40).default('auto'),
  /** CustomVoice preset; null for models without speakers. */
  speaker: z.string().min(1).max(64).nullable().default(null),
  executionProvider: z.enum(EXECUTION_PROVIDERS).default('auto'),
  /** null = the system's default output. */
  outputDevice: z.string().min(1).max(256, 'at most 256 characters').nullable().default(null),
  startAtLogin: z.boolean().default(false),
  /** interrupt: new speech cuts off what is playing; queue: it waits its turn. */
  speakMode: z.enum(SPEAK_MODES).default('interrupt'),
  /** smooth: no pauses inside a sentence; asap: start at the first audio, even if it then pauses (docs/decisions/0014-playback-start-rule.md). */
  speechStart: z.enum(SPEECH_STARTS).default('smooth'),
  /** Linux: the hotkey reads the highlighted text (primary selection) before the clipboard. */
  primarySelection: z.boolean().default(false),
  /** The OpenAI-compatible HTTP door, "[HOST:]PORT"; null = closed (docs/doors.md). Beyond loopback it needs the token. */
  httpDoor: listenAddress().nullable().default(null),
  /** The Wyoming door (Home Assistant), "[HOST:]PORT"; null = closed. */
  wyomingDoor: listenAddress().nullable().default(null),
  /** Saved voices (presets), shared with the CLI and the doors through the daemon (decision 0026). */
  voices: z
    .array(z.lazy(() => VoicePresetSchema))
    .max(MAX_PRESETS, `at most ${MAX_PRESETS} saved voices`)
    .refine((list) => new Set(list.map((p) => p.name.toLowerCase())).size === list.length, {
      message: 'two saved voices have the same name',
    })
    .default([]),
  /** The saved voice the hotkey and the window use; null = the instruct, language and speaker above. */
  defaultVoice: z.string().min(1).max(40).nullable().default(null),
  /** Speaking rate the window and the hotkey use, 0.5–2 (pitch kept). */
  rate: z.number().min(0.5, 'at least 0.5').max(2, 'at most 2').default(1),
  /** Volume in percent the window and the hotkey use, 0–100. */
  volume: z.number().min(0, 'at least 0').max(100, 'at most 100').default(100),
  /** "Use a speech server": the remote engine's URL (vLLM-Omni, another q3tts); null = the local model. Its token is kept apart, 0600 (decision 0031). */
  speechServer: z
    .string()
    .superRefine((url, ctx) => {
      const problem = speechServerUrlProblem(url);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .nullable()
    .default(null),
  /** While the speech server fails, the installed local model speaks (when there is one). */
  speechServerFailover: z.boolean().default(true),
};

function listenAddress() {
  return z
    .string()
    .max(300, 'at most 300 characters')
    .refine((s) => listenHost(s) !== null, { message: LISTEN_ADDRESS_HINT });
}

export const SettingsSchema = z.object({ version: z.literal(SETTINGS_VERSION), ...settingsFields }).strict();
export type Settings = z.infer<typeof SettingsSchema>;
export type SettingsField = keyof typeof settingsFields;

/**
 * What the user may change (everything but the version), without the defaults: zod 4 applies a
 * default even inside .partial(), which would turn a one-field patch into "everything else reset".
 */
const patchFields = Object.fromEntries(
  Object.entries(settingsFields).map(([key, schema]) => [key, schema.unwrap()]),
) as {
  [K in SettingsField]: ReturnType<(typeof settingsFields)[K]['unwrap']>;
};
export const SettingsPatchSchema = z.object(patchFields).partial().strict();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

export const DEFAULT_SETTINGS: Settings = SettingsSchema.parse({ version: SETTINGS_VERSION });

type Raw = Record<string, unknown>;

/**
 * One upgrade step per version: STEPS[n] turns a version-n object into a version-(n+1) object.
 * v1 (q3tts 0.0.x) stored the voice as "voice" and the speak mode as a boolean "interrupt".
 * v3 added the front doors (httpDoor, wyomingDoor), closed unless the user opens them.
 * v4 added saved voices (voices, defaultVoice), the rate and volume defaults, and the speech server (none).
 * v5 let a saved voice hold a clone (voices[].clone, optional): nothing to change in a v4 file.
 */
const STEPS: Record<number, (from: Raw) => Raw> = {
  1: ({ voice, interrupt, ...rest }) => ({
    ...rest,
    ...(voice !== undefined ? { instruct: voice } : {}),
    ...(interrupt !== undefined ? { speakMode: interrupt === false ? 'queue' : 'interrupt' } : {}),
    version: 2,
  }),
  2: (from) => ({ ...from, httpDoor: null, wyomingDoor: null, version: 3 }),
  3: (from) => ({
    ...from,
    voices: [],
    defaultVoice: null,
    rate: 1,
    volume: 100,
    speechServer: null,
    speechServerFailover: true,
    version: 4,
  }),
  4: (from) => ({ ...from, version: 5 }),
};

export interface MigrationResult {
  settings: Settings;
  /** The version the input claimed (1 when it had none). */
  from: number;
  /** Fields that were invalid or unknown and were reset to defaults or dropped. */
  reset: string[];
  /** True when the stored object differs from `settings` and should be rewritten. */
  changed: boolean;
}

export class SettingsVersionError extends Error {
  constructor(readonly found: unknown) {
    super(`settings version ${String(found)} is not one this q3tts knows (newest: ${SETTINGS_VERSION})`);
    this.name = 'SettingsVersionError';
  }
}

/**
 * Upgrades any stored settings object to the current version and validates it field by field:
 * an invalid field falls back to its default and is reported; unknown fields are dropped and reported.
 * Throws SettingsVersionError for a version from the future (or not a version at all).
 */
export function migrateSettings(stored: unknown): MigrationResult {
  const input: Raw = isPlainObject(stored) ? stored : {};
  const rawVersion = input.version ?? 1; // files from before versioning count as v1
  if (
    typeof rawVersion !== 'number' ||
    !Number.isInteger(rawVersion) ||
    rawVersion < 1 ||
    rawVersion > SETTINGS_VERSION
  ) {
    throw new SettingsVersionError(rawVersion);
  }
  let current: Raw = { ...input };
  for (let v = rawVersion; v < SETTINGS_VERSION; v++) {
    const step = STEPS[v];
    if (!step) throw new Error(`no settings upgrade step from version ${v}`);
    current = step(current);
  }
  const reset: string[] = [];
  // One broken saved voice (a hand edit) costs that voice, not all of them.
  if (Array.isArray(current.voices)) {
    const kept: unknown[] = [];
    const names = new Set<string>();
    current.voices.forEach((entry, i) => {
      const parsed = VoicePresetSchema.safeParse(entry);
      if (parsed.success && !names.has(parsed.data.name.toLowerCase()) && kept.length < MAX_PRESETS) {
        names.add(parsed.data.name.toLowerCase());
        kept.push(parsed.data);
      } else reset.push(`voices[${i}]`);
    });
    current = { ...current, voices: kept };
  }
  const settings: Raw = { version: SETTINGS_VERSION };
  for (const [key, schema] of Object.entries(settingsFields)) {
    const parsed = (schema as z.ZodType).safeParse(current[key]);
    if (parsed.success) settings[key] = parsed.data;
    else {
      settings[key] = DEFAULT_SETTINGS[key as SettingsField];
      reset.push(key);
    }
  }
  for (const key of Object.keys(current)) if (key !== 'version' && !(key in settingsFields)) reset.push(key);
  const result = SettingsSchema.parse(settings);
  return { settings: result, from: rawVersion, reset, changed: !sameJson(input, result) };
}

/** Applies a user's change; throws a ZodError naming the bad field. */
export function applySettingsPatch(current: Settings, patch: unknown): Settings {
  return SettingsSchema.parse({ ...current, ...SettingsPatchSchema.parse(patch) });
}

function isPlainObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sameJson(a: Raw, b: Raw): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) return false;
  return true;
}
