// The exact shape of `window.q3tts`, the only thing the sandboxed window can call. Plain data in and
// out (it crosses the context bridge and IPC); failures come back as values, never as thrown errors,
// so the window can show the daemon's own message instead of Electron's "Error invoking remote method".
// The methods, their payloads and answers come from the IPC contract (ipc.ts, ipc-schemas.ts); the
// types here are the data that crosses.
import type { RemoteStatus } from './remote.js';
import type { DoorInfo } from './doors.js';
import type { PUSH_CHANNELS, Pushed } from './ipc.js';
import type { IPC_CONTRACT, Invoker, PayloadIn } from './ipc-schemas.js';
import type { Precision } from './engine-options.js';
import type { Settings } from './settings.js';

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
  /** The daemon's open front doors (HTTP, Wyoming) and their addresses; absent or empty when none. */
  doors?: DoorInfo[];
  /** Set when the machine speaks persistently slower than real time: the figures and what helps. */
  slow?: SlowNotice | null;
  /** With the remote engine: the speech server, and whether the local model stands in for it now. */
  remote?: RemoteStatus;
  /** Speaking, but held by pause. */
  paused?: boolean;
  /** The sentence the app's utterance is reading (1-based, of how many) and its UTF-16 range in the text sent. */
  sentence?: { sentence: number; sentences: number; start: number; end: number } | null;
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

export type SpeakParams = PayloadIn<'speak'>;

/** Defaults the window starts from (a read-only view of the settings). */
export interface WindowDefaults {
  instruct: string;
  language: string;
  speaker: string | null;
  /** The sliders' starting points (Settings). */
  rate?: number;
  volume?: number;
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
export type WindowView = 'speak' | 'settings' | 'models' | 'history';

export type { Precision };

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

export type PullParams = PayloadIn<'pullModel'>;

/** Why a download failed, for the window's wording; the message has the details. */
export type PullFailure = 'network' | 'auth' | 'not-found' | 'disk' | 'checksum' | 'cancelled' | 'busy' | 'other';
export type PullError = BridgeError & { reason: PullFailure };
export type PullOutcome = { ok: true; folder: string; active: boolean; warning: string | null } | PullError;

/** Pushed while a download runs (onModelEvent); folder says which. */
export type ModelEvent =
  | { type: 'plan'; folder: string; files: number; totalBytes: number; haveBytes: number; freeBytes: number }
  | {
      type: 'progress';
      folder: string;
      doneBytes: number;
      totalBytes: number;
      speedBps: number;
      etaS: number | null;
      filesDone: number;
      filesTotal: number;
    }
  /** Resumed, retried, restarted or re-fetched a file: shown as a passing note. */
  | { type: 'note'; folder: string; message: string }
  | { type: 'installed'; folder: string; totalBytes: number; downloadedBytes: number; seconds: number }
  /** The download ended (and, when asked, the model was made active): the same outcome pullModel resolves with. */
  | { type: 'finished'; folder: string; outcome: PullOutcome };

export type BridgeError = { ok: false; code: string; message: string };
/** A rejected settings change: the message per field ("hotkey": "not a valid shortcut …"). */
export type SettingsError = BridgeError & { fields: Record<string, string> };
export type BridgeResult<T> = ({ ok: true } & T) | BridgeError;

/** window.q3tts: one method per row of the contract; the on* methods return their unsubscribe. */
export type Q3ttsBridge = { [M in keyof typeof IPC_CONTRACT]: Invoker<M> } & {
  [M in keyof typeof PUSH_CHANNELS]: (listener: (payload: Pushed<M>) => void) => () => void;
};
