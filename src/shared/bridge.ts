// The exact shape of `window.q3tts`, the only thing the sandboxed window can call. Plain data in and
// out (it crosses the context bridge and IPC); failures come back as values, never as thrown errors,
// so the window can show the daemon's own message instead of Electron's "Error invoking remote method".
import type { Settings, SettingsPatch } from './settings.js';

export type AppState = 'loading' | 'ready' | 'speaking' | 'error' | 'no-model';

export interface RunStats {
  /** Milliseconds from the request to the first audio. */
  timeToFirstAudioMs: number;
  /** Synthesis time / audio duration (< 1 is faster than real time). */
  realTimeFactor: number;
  audioSeconds: number;
}

export interface AppStatus {
  state: AppState;
  /** What went wrong (error, no-model), or what is happening (loading). */
  message: string | null;
  engine: string | null;
  model: string | null;
  /** True when the app drives a `q3tts serve` daemon it did not start. */
  attached: boolean;
  /** Figures of the last finished utterance. */
  last: RunStats | null;
  /** Seconds of audio made so far for the utterance being spoken. */
  progressSeconds: number | null;
  /** Set when the machine speaks persistently slower than real time: the figures and what helps. */
  slow?: SlowNotice | null;
}

export interface SlowNotice {
  /** Measured real-time factor (generation seconds per second of speech). */
  rtf: number;
  /** Seconds a typical sentence is prepared before it plays. */
  waitSeconds: number;
  /** One sentence for the user: why speech waits, and what would make it faster. */
  advice: string;
}

export interface Voices {
  engine: string;
  model: string;
  languages: string[];
  /** Preset speakers (CustomVoice models); empty for VoiceDesign. */
  speakers: string[];
  supportsInstruct: boolean;
}

export interface SpeakParams {
  text: string;
  /** The voice in words; "" = the model's neutral voice. */
  instruct: string;
  /** A language the model knows, or "auto". */
  language: string;
  speaker: string | null;
}

/** Defaults the window starts from (a read-only view of the settings). */
export interface WindowDefaults {
  instruct: string;
  language: string;
  speaker: string | null;
}

/** The settings as the Settings view edits them. */
export interface SettingsSnapshot {
  settings: Settings;
  /** Where they are stored (shown to the user). */
  file: string;
  /** Main's process.platform: some settings exist only on some systems (primary selection: Linux). */
  platform: string;
}

/** The window's views; main asks for one with onShowView (tray "Settings…", "Download a model…"). */
export type WindowView = 'speak' | 'settings' | 'models';

export type Precision = 'int4' | 'fp32';

/** One catalog model and precision, or a folder installed by hand (title null). */
export interface ModelInfo {
  name: string;
  precision: Precision | null;
  folder: string;
  title: string | null;
  sizeClass: string | null;
  installed: boolean;
  active: boolean;
  /** Installed: bytes on disk; available: the catalog's estimate (approx), null when unknown. */
  bytes: number | null;
  approx: boolean;
  /** Bytes an interrupted download left to resume. */
  partialBytes: number | null;
}

/** A download running in the daemon (or in the app while no daemon runs). */
export interface PullProgress {
  folder: string;
  doneBytes: number;
  totalBytes: number | null;
  speedBps: number;
  etaS: number | null;
}

export interface ModelsSnapshot {
  models: ModelInfo[];
  /** Folder name of the active model. */
  active: string | null;
  /** Q3TTS_MODEL_DIR: when set it wins over the active model. */
  override: string | null;
  /** Where models are installed. */
  root: string;
  /** Free bytes on the disk holding root; null when it cannot be read. */
  freeBytes: number | null;
  pulls: PullProgress[];
}

export interface PullParams {
  name: string;
  precision: Precision;
  /** Make it the active model (and load it) once downloaded. */
  activate: boolean;
}

/** Why a download failed, for the window's wording; the message has the details. */
export type PullFailure = 'network' | 'auth' | 'not-found' | 'disk' | 'checksum' | 'cancelled' | 'busy' | 'other';
export type PullError = BridgeError & { reason: PullFailure };
export type PullOutcome = { ok: true; folder: string; active: boolean; warning: string | null } | PullError;

/** Pushed while a download runs (onModelEvent); folder says which. */
export type ModelEvent =
  | { type: 'plan'; folder: string; files: number; totalBytes: number; haveBytes: number; freeBytes: number }
  | { type: 'progress'; folder: string; doneBytes: number; totalBytes: number; speedBps: number; etaS: number | null; filesDone: number; filesTotal: number }
  /** Resumed, retried, restarted or re-fetched a file: shown as a passing note. */
  | { type: 'note'; folder: string; message: string }
  | { type: 'installed'; folder: string; totalBytes: number; downloadedBytes: number; seconds: number }
  /** The download ended (and, when asked, the model was made active): the same outcome pullModel resolves with. */
  | { type: 'finished'; folder: string; outcome: PullOutcome };

export type BridgeError = { ok: false; code: string; message: string };
/** A rejected settings change: the message per field ("hotkey": "not a valid shortcut …"). */
export type SettingsError = BridgeError & { fields: Record<string, string> };
export type BridgeResult<T> = ({ ok: true } & T) | BridgeError;

export interface Q3ttsBridge {
  /** Speaks and resolves when the utterance has finished (or was stopped: code E_CANCELLED). */
  speak(params: SpeakParams): Promise<BridgeResult<{ stats: RunStats | null; warning: string | null }>>;
  /** Silences the current utterance and drops the queued ones. */
  stop(): Promise<BridgeResult<{ cancelled: number }>>;
  /** Asks main for a file name (save dialog), then synthesises into it. path null = the user cancelled. */
  saveWav(params: SpeakParams): Promise<BridgeResult<{ path: string | null; stats: RunStats | null }>>;
  getStatus(): Promise<AppStatus>;
  getVoices(): Promise<BridgeResult<{ voices: Voices }>>;
  getDefaults(): Promise<WindowDefaults>;
  getSettings(): Promise<SettingsSnapshot>;
  /** Validates and saves the changed fields; nothing is saved when any field is invalid. */
  setSettings(patch: SettingsPatch): Promise<({ ok: true } & SettingsSnapshot) | SettingsError>;
  /** Status pushes from main; returns the unsubscribe. */
  onStatus(listener: (status: AppStatus) => void): () => void;
  /** Settings changed (saved here, or the file was edited); returns the unsubscribe. */
  onSettings(listener: (settings: Settings) => void): () => void;
  /** Main wants a view shown (tray "Settings…" on an open window); returns the unsubscribe. */
  onShowView(listener: (view: WindowView) => void): () => void;
  /** Installed and available models, running downloads, free disk space. */
  listModels(): Promise<BridgeResult<{ models: ModelsSnapshot }>>;
  /** Downloads (or resumes) a model; resolves when it is installed (and active, with activate), failed or was cancelled. */
  pullModel(params: PullParams): Promise<PullOutcome>;
  /** Stops a running download; what it fetched stays for the next pullModel to resume. */
  cancelPull(params: { name: string; precision: Precision }): Promise<BridgeResult<{ cancelled: number }>>;
  /** Makes an installed model the active one; the engine loads it. */
  useModel(params: { name: string; precision: Precision | null }): Promise<BridgeResult<{ active: string; warning: string | null }>>;
  /** Deletes an installed model that is not the one in use. */
  removeModel(params: { name: string; precision: Precision | null }): Promise<BridgeResult<{ removed: string; bytes: number }>>;
  /** Download progress pushed by main; returns the unsubscribe. */
  onModelEvent(listener: (event: ModelEvent) => void): () => void;
}

export const BRIDGE_KEYS = [
  'speak',
  'stop',
  'saveWav',
  'getStatus',
  'getVoices',
  'getDefaults',
  'getSettings',
  'setSettings',
  'listModels',
  'pullModel',
  'cancelPull',
  'useModel',
  'removeModel',
  'onStatus',
  'onSettings',
  'onShowView',
  'onModelEvent',
] as const satisfies ReadonlyArray<keyof Q3ttsBridge>;
