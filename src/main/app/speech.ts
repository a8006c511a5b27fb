// The port between the app and whatever speaks: the daemon core in this process, or a `q3tts serve`
// daemon the app attached to. The controller, tray and window know only this interface.
import type { DoorInfo, RemoteStatus } from '../../shared/actions.js';
import type { RunStats, SlowNotice, Voices } from '../../shared/bridge.js';
import type { Answer, EventMessage, Request } from '../../shared/protocol.js';
import type { SpeechSource } from '../../shared/sources.js';

export interface SpeakCommand {
  text: string;
  /** null = the model's neutral voice. */
  instruct: string | null;
  language: string;
  speaker: string | null;
  /** Cut off what is playing (settings: speakMode) instead of queueing. */
  interrupt: boolean;
  /** Start at the first audio even if a slow machine then pauses mid-sentence (settings: speechStart). */
  asap?: boolean;
  /** Strip Markdown, code and URLs first (clipboard text). */
  clean: boolean;
  /** Write a WAV file here instead of playing. */
  output?: string;
  /** Which front end asks (recorded in the daemon's history). */
  source?: SpeechSource;
  /** A saved voice by name: fills in what the fields above leave out, and its seed (decision 0026). */
  voice?: string | null;
  /** Speaking rate 0.5–2 and volume 0–100 (Settings' defaults, the window's sliders). */
  rate?: number;
  volume?: number;
}

export interface SpeakOutcome {
  stats: RunStats | null;
  warning: string | null;
  output: string | null;
}

export type SpeechProgress =
  | { type: 'queued'; position: number }
  | { type: 'started' }
  | { type: 'progress'; audioSeconds: number }
  /** A sentence starts playing: its 1-based index, of how many, and its UTF-16 range in the text sent. */
  | ({ type: 'sentence' } & SentencePlace);

/** Where the utterance is: the sentence being read and its place in the text (for the window's highlight). */
export interface SentencePlace {
  sentence: number;
  sentences: number;
  start: number;
  end: number;
}

/** Playback controls (tray, window): hold and carry on, skip a sentence, hear the previous one again. */
export type PlaybackControl = 'pause' | 'resume' | 'next' | 'back';

export type EngineState = 'loading' | 'idle' | 'speaking' | 'error';

export interface SpeechSnapshot {
  state: EngineState;
  engine: string | null;
  model: string | null;
  error: string | null;
  last: RunStats | null;
  /** The daemon's open front doors (status' `doors`). */
  doors?: DoorInfo[];
  /** The daemon measured this model persistently slower than real time. */
  slow?: SlowNotice | null;
  /** The remote engine's speech server (status' `remote`). */
  remote?: RemoteStatus | null;
  /** Playback is held (pause); state stays speaking. */
  paused?: boolean;
}

/** A failure with the daemon's protocol code (E_CANCELLED, E_NO_MODEL, E_TEXT_EMPTY, ...). */
export class SpeechError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SpeechError';
  }
}

export interface SpeechService {
  /** 'host': this app owns the daemon; 'attached': it drives somebody else's `q3tts serve`. */
  readonly mode: 'host' | 'attached';
  /** Resolves when the utterance has finished; rejects with SpeechError. */
  speak(command: SpeakCommand, onProgress?: (p: SpeechProgress) => void): Promise<SpeakOutcome>;
  /** Cancels everything playing and queued; resolves with how many were cancelled. */
  stop(): Promise<number>;
  /** pause, resume, next or back on what is playing (nothing playing: nothing happens). */
  control(action: PlaybackControl): Promise<void>;
  voices(): Promise<Voices>;
  snapshot(): Promise<SpeechSnapshot>;
  /** Called when the state may have changed (read snapshot() again). Returns an unsubscribe. */
  onChange(listener: () => void): () => void;
  /**
   * Any other protocol request (the model manager's actions), answered as the daemon answers it: error
   * answers resolve; only an unreachable daemon rejects (SpeechError E_DAEMON_GONE).
   */
  request(request: Request, onEvent?: (event: EventMessage) => void): Promise<Answer>;
  /** Re-imports the daemon's request handlers; with model, loads the model again too. */
  reload(options: { model: boolean }): Promise<void>;
  close(): Promise<void>;
}
