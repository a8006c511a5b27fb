// The exact shape of `window.q3tts`, the only thing the sandboxed window can call. Plain data in and
// out (it crosses the context bridge and IPC); failures come back as values, never as thrown errors,
// so the window can show the daemon's own message instead of Electron's "Error invoking remote method".

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

export type BridgeError = { ok: false; code: string; message: string };
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
  /** Status pushes from main; returns the unsubscribe. */
  onStatus(listener: (status: AppStatus) => void): () => void;
}

export const BRIDGE_KEYS = ['speak', 'stop', 'saveWav', 'getStatus', 'getVoices', 'getDefaults', 'onStatus'] as const satisfies ReadonlyArray<keyof Q3ttsBridge>;
