// The IPC contract, one row per method the window invokes: the zod schema main validates the payload
// with, and what main answers. The bridge type (bridge.ts), main's handlers and validators
// (main/electron/ipc.ts) all derive from this table; the channel names are in ipc.ts (zod-free, for the
// preload), and the type checker holds both to the same keys.
import { z } from 'zod';
import type {
  AppStatus,
  BridgeResult,
  ModelsSnapshot,
  PullOutcome,
  RunStats,
  SettingsError,
  SettingsSnapshot,
  Voices,
  WindowDefaults,
} from './bridge.js';
import { PRECISIONS } from './engine-options.js';
import type { HistoryEntry } from './history.js';
import type { InvokeMethod } from './ipc.js';
import { MAX_TEXT_CHARS } from './limits.js';
import { SettingsPatchSchema } from './settings.js';
import { MAX_SERVER_TOKEN_CHARS } from './speech-server-url.js';
import { MAX_PRESET_NAME, type VoicePreset } from './voice-presets.js';

export const SpeakParamsSchema = z
  .object({
    text: z.string().max(MAX_TEXT_CHARS),
    /** The voice in words; "" = the model's neutral voice. */
    instruct: z.string().max(4000),
    /** A language the model knows, or "auto". */
    language: z.string().min(1).max(40),
    speaker: z.string().min(1).max(64).nullable(),
    /** The saved voice these fields came from (its seed makes it repeatable); null = none. */
    voice: z.string().min(1).max(MAX_PRESET_NAME).nullable().optional(),
    /** Speaking rate 0.5–2 (the window's slider; default from Settings). */
    rate: z.number().min(0.5).max(2).optional(),
    /** Volume in percent, 0–100. */
    volume: z.number().min(0).max(100).optional(),
  })
  .strict();

/** Saves the window's current voice under a name (through the daemon, into the settings file). */
export const SaveVoiceParamsSchema = z
  .object({
    name: z.string().max(200),
    instruct: z.string().max(4000),
    language: z.string().min(1).max(40),
    speaker: z.string().min(1).max(64).nullable(),
  })
  .strict();
export const RemoveVoiceParamsSchema = z.object({ name: z.string().max(200) }).strict();

// A catalog name, a Hub repository id or an installed folder name: nothing that could be a path or a flag.
const modelName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/, 'not a model name')
  .refine((n) => !n.split('/').some((part) => part === '.' || part === '..'), 'not a model name');
export const PrecisionSchema = z.enum(PRECISIONS);

export const PullParamsSchema = z
  .object({
    name: modelName,
    precision: PrecisionSchema,
    /** Make it the active model (and load it) once downloaded. */
    activate: z.boolean(),
  })
  .strict();
export const CancelPullSchema = z.object({ name: modelName, precision: PrecisionSchema }).strict();
/** An installed model; precision null = a folder name (installed by hand, or already resolved). */
export const ModelRefSchema = z.object({ name: modelName, precision: PrecisionSchema.nullable() }).strict();

/** One history entry, by its number. */
export const HistoryEntryRefSchema = z.object({ entry: z.number().int().min(1) }).strict();
export const HistoryClearSchema = z.object({ entry: z.number().int().min(1).optional() }).strict();

/** The speech server's bearer token (null clears it); never sent back to the window. */
export const ServerTokenParamsSchema = z
  .object({
    token: z
      .string()
      .trim()
      .min(1, 'empty: type the token, or clear it')
      .max(MAX_SERVER_TOKEN_CHARS, `at most ${MAX_SERVER_TOKEN_CHARS} characters`)
      .regex(/^[\x21-\x7e]+$/, 'a bearer token is printable characters without spaces')
      .nullable(),
  })
  .strict();

/** A window clip is at most 10 s of 24 kHz mono 16-bit WAV (469 KiB); the bound leaves room, nothing more. */
export const MAX_CLONE_WAV_BYTES = 2 * 1024 * 1024;
/** Clones a saved voice from a clip the window recorded or picked (and converted: clip.ts). */
export const CloneVoiceParamsSchema = z
  .object({
    name: z.string().max(200),
    /** The clip as a WAV file's bytes (the window sends 24 kHz mono 16-bit). */
    wav: z
      .instanceof(Uint8Array, { message: 'not audio bytes' })
      .refine((b) => b.byteLength >= 44, 'too short to be a WAV file')
      .refine((b) => b.byteLength <= MAX_CLONE_WAV_BYTES, 'at most 2 MiB: a clip of 1 to 10 seconds'),
    /** What the clip says (in-context mode, which holds the voice better); null = the speaker vector only. */
    text: z.string().max(2000).nullable(),
    language: z.string().min(1).max(40),
  })
  .strict();
/** Locks a designed saved voice: it reads a sentence, which becomes its clone reference. */
export const LockVoiceParamsSchema = z
  .object({ name: z.string().max(200), sentence: z.string().min(1).max(1000).optional() })
  .strict();

/** Methods without arguments take none: anything sent along is refused. */
const NO_PAYLOAD = z.undefined();

/** For the type checker only: what a method answers (there is no value at run time). */
const answers = <T>(): T => undefined as T;

export const IPC_CONTRACT = {
  /** Speaks and resolves when the utterance has finished (or was stopped: code E_CANCELLED). */
  speak: {
    payload: SpeakParamsSchema,
    answer: answers<BridgeResult<{ stats: RunStats | null; warning: string | null }>>(),
  },
  /** Silences the current utterance and drops the queued ones. */
  stop: { payload: NO_PAYLOAD, answer: answers<BridgeResult<{ cancelled: number }>>() },
  /** Asks main for a file name (save dialog), then synthesises into it. path null = the user cancelled. */
  saveWav: {
    payload: SpeakParamsSchema,
    answer: answers<BridgeResult<{ path: string | null; stats: RunStats | null }>>(),
  },
  getStatus: { payload: NO_PAYLOAD, answer: answers<AppStatus>() },
  getVoices: { payload: NO_PAYLOAD, answer: answers<BridgeResult<{ voices: Voices }>>() },
  getDefaults: { payload: NO_PAYLOAD, answer: answers<WindowDefaults>() },
  getSettings: { payload: NO_PAYLOAD, answer: answers<SettingsSnapshot>() },
  /** Validates and saves the changed fields (unknown ones, like version, are refused); nothing is saved when any field is invalid. */
  setSettings: { payload: SettingsPatchSchema, answer: answers<({ ok: true } & SettingsSnapshot) | SettingsError>() },
  /** Installed and available models, running downloads, free disk space. */
  listModels: { payload: NO_PAYLOAD, answer: answers<BridgeResult<{ models: ModelsSnapshot }>>() },
  /** Downloads (or resumes) a model; resolves when it is installed (and active, with activate), failed or was cancelled. */
  pullModel: { payload: PullParamsSchema, answer: answers<PullOutcome>() },
  /** Stops a running download; what it fetched stays for the next pullModel to resume. */
  cancelPull: { payload: CancelPullSchema, answer: answers<BridgeResult<{ cancelled: number }>>() },
  /** Makes an installed model the active one; the engine loads it. */
  useModel: { payload: ModelRefSchema, answer: answers<BridgeResult<{ active: string; warning: string | null }>>() },
  /** Deletes an installed model that is not the one in use. */
  removeModel: { payload: ModelRefSchema, answer: answers<BridgeResult<{ removed: string; bytes: number }>>() },
  /** The daemon's last 50 utterances, newest first (enabled false: the history is off). */
  listHistory: { payload: NO_PAYLOAD, answer: answers<BridgeResult<{ enabled: boolean; entries: HistoryEntry[] }>>() },
  /** Plays an entry's audio again (queued like speech); resolves when it has played. */
  replayHistory: { payload: HistoryEntryRefSchema, answer: answers<BridgeResult<object>>() },
  /** Asks main for a file name (save dialog), then writes the entry's audio there. path null = cancelled. */
  saveHistory: { payload: HistoryEntryRefSchema, answer: answers<BridgeResult<{ path: string | null }>>() },
  /** Says an entry's text again in its voice (generated anew). */
  speakHistory: {
    payload: HistoryEntryRefSchema,
    answer: answers<BridgeResult<{ stats: RunStats | null; warning: string | null }>>(),
  },
  /** Forgets one entry (entry given) or all of them. */
  clearHistory: { payload: HistoryClearSchema, answer: answers<BridgeResult<{ cleared: number }>>() },
  /** Saves a voice (replacing one of the same name); answers the saved voices as they are now. */
  saveVoice: {
    payload: SaveVoiceParamsSchema,
    answer: answers<BridgeResult<{ voice: VoicePreset; replaced: boolean; voices: VoicePreset[] }>>(),
  },
  /** Removes a saved voice by name; answers the saved voices left. */
  removeVoice: { payload: RemoveVoiceParamsSchema, answer: answers<BridgeResult<{ voices: VoicePreset[] }>>() },
  /** Pause, resume, the next sentence or the previous one, on what is playing. */
  control: { payload: z.enum(['pause', 'resume', 'next', 'back']), answer: answers<BridgeResult<object>>() },
  /** Whether a speech server token is stored (the token itself never comes back). */
  getServerToken: { payload: NO_PAYLOAD, answer: answers<{ stored: boolean }>() },
  /** Stores (0600, beside the settings file) or clears the speech server's token; a hosted daemon on a server restarts with it. */
  setServerToken: { payload: ServerTokenParamsSchema, answer: answers<BridgeResult<{ stored: boolean }>>() },
  /** Clones a voice from a clip and saves it under the name (through the daemon, on a Base model); answers the saved voices as they are now. */
  cloneVoice: {
    payload: CloneVoiceParamsSchema,
    answer: answers<BridgeResult<{ voice: VoicePreset; voices: VoicePreset[] }>>(),
  },
  /** Locks a designed saved voice (VoiceDesign reads a sentence, Base clones it); answers the saved voices as they are now. */
  lockVoice: {
    payload: LockVoiceParamsSchema,
    answer: answers<BridgeResult<{ voice: VoicePreset; voices: VoicePreset[] }>>(),
  },
} satisfies Record<InvokeMethod, { payload: z.ZodType; answer: unknown }>;

type Contract = typeof IPC_CONTRACT;
/** What the window sends (before validation). */
export type PayloadIn<M extends InvokeMethod> = z.input<Contract[M]['payload']>;
/** What main's handler gets (after validation). */
export type PayloadOut<M extends InvokeMethod> = z.output<Contract[M]['payload']>;
export type Answer<M extends InvokeMethod> = Contract[M]['answer'];
/** The bridge method for one row: no parameter for NO_PAYLOAD, the payload otherwise. */
export type Invoker<M extends InvokeMethod> = Contract[M]['payload'] extends typeof NO_PAYLOAD
  ? () => Promise<Answer<M>>
  : (payload: PayloadIn<M>) => Promise<Answer<M>>;

/**
 * The first message per top-level field, for the window to show next to that field.
 * Issues about the payload as a whole (not an object, unknown fields) go under "".
 */
export function issuesByField(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      fields[''] ??= `unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
      continue;
    }
    const key = issue.path.length ? String(issue.path[0]) : '';
    fields[key] ??= issue.message;
  }
  return fields;
}
