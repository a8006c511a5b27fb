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

/** The window's two views; main asks for one with onShowView (tray "Settings…"). */
export type WindowView = 'speak' | 'settings';

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
}

export const BRIDGE_KEYS = ['speak', 'stop', 'saveWav', 'getStatus', 'getVoices', 'getDefaults', 'getSettings', 'setSettings', 'onStatus', 'onSettings', 'onShowView'] as const satisfies ReadonlyArray<keyof Q3ttsBridge>;
