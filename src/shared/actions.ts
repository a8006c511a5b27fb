// Per action: the request a client sends and the answer it gets back (docs/protocol.md is the contract).
// The daemon builds its answers with these types and DaemonConnection.request() returns them, so front
// ends read fields without casts. Types only: nothing here reaches the wire or costs a start-up import.
import type { DoorInfo } from './doors.js';
import type { RemoteStatus } from './remote.js';
import type {
  ModelsCancelRequest,
  ModelsListRequest,
  ModelsPullRequest,
  ModelsUseRequest,
  PullStatus,
} from './models.js';
import type { Answer, ErrorAnswer, EventMessage, Request, RequestId } from './protocol.js';
import type { CancelRequest, DecodeRequest, GenerateRequest } from './requests.js';
import type {
  HistoryClearRequest,
  HistoryEntry,
  HistoryReplayRequest,
  HistoryRequest,
  HistorySaveRequest,
} from './history.js';
import type { VoicePreset } from './voice-presets.js';

export type { RemoteStatus };

export type { DoorInfo };

/** What the daemon is doing, as `status`, `pause` and `resume` report it. */
export type DaemonState = 'loading' | 'idle' | 'speaking' | 'paused' | 'error';

/** How one request went: in a `generate` answer, its `done` event and `status.last`. */
export type RunFigures = { audio_seconds: number; frames: number; ttfa_ms: number; rtf: number; truncated: boolean };

/** One entry of the `queue` answer. */
export type QueuedJob = {
  job: number;
  id?: RequestId;
  summary: string;
  state: 'speaking' | 'waiting';
  queuedMs: number;
};

/** One entry of the `models` answer's list. */
export type ModelEntry = {
  /** Catalog name, or the folder name of a model installed by hand. */
  name: string;
  precision: 'int4' | 'fp32' | null;
  folder: string;
  title: string | null;
  repo: string | null;
  variant: string | null;
  size_class: string | null;
  installed: boolean;
  active: boolean;
  /** Installed: bytes on disk; available: the catalog's estimate (null when unknown). */
  bytes: number | null;
  approx: boolean;
  dir: string | null;
  /** Bytes of an interrupted pull waiting to be resumed. */
  partial_bytes: number | null;
};

/** Installed and available models, as `models` (and `q3tts models list`) report them. */
export type ModelsListing = {
  root: string;
  active: string | null;
  /** Set when Q3TTS_MODEL_DIR overrides the active model for the engine. */
  override: string | null;
  models: ModelEntry[];
};

/** The `generate` answer when the request asked not to wait ("wait": false). */
export type Queued = { queued: true; job: number; position: number };

/** The `generate` answer when the speech has been played or saved. */
export type Spoken = { queued?: never; output?: string; codes_out?: string; warning?: string } & Partial<RunFigures>;

/** The fields every request may carry. */
type Common = { id?: RequestId | undefined; v?: number | undefined };

/** Each action's request and the fields of its "ok" answer (besides `status` and `id`). */
export type PlaybackPhase = 'idle' | 'preparing' | 'speaking';

/** rtf null until measured; when slower than real time, the expected wait before speech and what helps. */
export interface SpeedReport {
  rtf: number | null;
  slow: boolean;
  wait_s?: number;
  advice?: string;
}

/**
 * Where next/back left playback: the job at the speakers and the sentence (1-based) that plays now, of how many;
 * `sentence` null when next went past the last sentence (the job ended); `job` null when nothing was speaking.
 */
export type SentenceStep = {
  state: DaemonState;
  job: number | null;
  sentence: number | null;
  sentences: number | null;
};

/** The `sentence` event: a sentence starts playing; `start`/`end` are UTF-16 offsets into the text as sent. */
export type SentenceEvent = {
  event: 'sentence';
  id?: RequestId;
  job: number;
  sentence: number;
  sentences: number;
  start: number;
  end: number;
  /** The sentence (at most 200 code units, "…" when cut). */
  text: string;
};

export interface ActionTypes {
  generate: {
    request: GenerateRequest;
    answer: Queued | Spoken;
  };
  decode: { request: DecodeRequest; answer: { output?: string } };
  status: {
    request: { action: 'status' } & Common;
    answer: {
      v: number;
      pid: number;
      uptime_s: number;
      state: DaemonState;
      engine: string | null;
      model: string | null;
      queue_length: number;
      socket: string | null;
      handlers_version: string;
      engine_loads: number;
      /** The front doors open (HTTP, Wyoming); empty when only the socket is. */
      doors: DoorInfo[];
      /** After a first request. */
      last?: Pick<RunFigures, 'ttfa_ms' | 'rtf' | 'audio_seconds'>;
      /** When the engine failed. */
      error?: string;
      /** speaking if any job plays, else preparing if one is generated but held back (so it never pauses mid-sentence). */
      playback: PlaybackPhase;
      /** The loaded model's measured speed (docs/protocol.md, "status"). */
      speed?: SpeedReport;
      /** With the remote engine: the speech server, and whether it or the local model speaks now. */
      remote?: RemoteStatus;
    };
  };
  cancel: { request: CancelRequest; answer: { cancelled: number } };
  pause: { request: { action: 'pause' } & Common; answer: { state: DaemonState } };
  resume: { request: { action: 'resume' } & Common; answer: { state: DaemonState } };
  queue: { request: { action: 'queue' } & Common; answer: { jobs: QueuedJob[] } };
  stop: { request: { action: 'stop' } & Common; answer: Record<never, never> };
  reload: {
    request: { action: 'reload'; model?: boolean | undefined } & Common;
    answer: { handlers_version: string; engine_loads: number; model?: string; load_ms?: number };
  };
  voices: {
    request: { action: 'voices' } & Common;
    answer: {
      engine: string;
      model: string;
      languages: string[];
      speakers: string[];
      supports_instruct: boolean;
      /** Cloned voices can be made and spoken (a Base model is installed; decision 0033). */
      supports_clone?: boolean;
    };
  };
  ping: { request: { action: 'ping' } & Common; answer: { v: number } };
  models: { request: ModelsListRequest; answer: ModelsListing & { pulls: PullStatus[] } };
  models_pull: {
    request: ModelsPullRequest;
    answer:
      | { started: true; folder: string } // "wait": false
      | {
          started?: never;
          folder: string;
          dir: string;
          total_bytes: number;
          downloaded_bytes: number;
          active: boolean;
        };
  };
  models_cancel: { request: ModelsCancelRequest; answer: { cancelled: number } };
  models_use: {
    request: ModelsUseRequest;
    answer: { active: string; dir: string; engine_loads?: number; warning?: string };
  };
  /** The last 50 utterances, newest first (docs/protocol.md, "History"). */
  history: { request: HistoryRequest; answer: { enabled: boolean; entries: HistoryEntry[] } };
  history_replay: { request: HistoryReplayRequest; answer: Queued | { queued?: never; entry: number } };
  history_save: { request: HistorySaveRequest; answer: { output: string } };
  history_clear: { request: HistoryClearRequest; answer: { cleared: number } };
  /** Saved voices (presets), from the settings file (decision 0026). */
  voices_list: { request: { action: 'voices_list' } & Common; answer: { voices: VoicePreset[] } };
  voices_save: {
    request: {
      action: 'voices_save';
      name: string;
      instruct?: string | undefined;
      language?: string | undefined;
      speaker?: string | null | undefined;
      seed?: number | null | undefined;
    } & Common;
    answer: { voice: VoicePreset; replaced: boolean };
  };
  voices_remove: { request: { action: 'voices_remove'; name: string } & Common; answer: { removed: VoicePreset } };
  next: { request: { action: 'next' } & Common; answer: SentenceStep };
  back: { request: { action: 'back' } & Common; answer: SentenceStep };
  /** Clones a voice from a reference clip into a saved voice (docs/protocol.md, "Cloned voices"). */
  voices_clone: {
    request: {
      action: 'voices_clone';
      name: string;
      /** A file the daemon reads (absolute path; the socket is owner-only). */
      audio_path?: string | undefined;
      /** The file's bytes (WAV, or anything ffmpeg reads), base64. */
      audio_base64?: string | undefined;
      /** What the clip says: in-context mode; none = x-vector only. */
      text?: string | null | undefined;
      language?: string | undefined;
    } & Common;
    answer: { voice: VoicePreset; replaced: boolean };
  };
  /** Locks a saved designed voice: it speaks a reference sentence, which is cloned into the same voice. */
  voices_lock: {
    request: { action: 'voices_lock'; name: string; sentence?: string | undefined } & Common;
    /** warning: the sentence ran past the 10 s a reference may be, so only its speaker vector was kept. */
    answer: { voice: VoicePreset; sentence: string; seed: number; warning?: string };
  };
}

export type TypedAction = keyof ActionTypes;

/** The request of one action (or of any of a union of actions). */
export type RequestOf<A extends TypedAction> = ActionTypes[A]['request'];

/** A success answer with these fields. */
export type Ok<Fields> = { status: 'ok'; id?: RequestId } & Fields;

/** The success answer to an action's request. */
export type OkAnswerOf<A extends TypedAction> = Ok<ActionTypes[A]['answer']>;

/** Every answer to an action's request: success, or an error with its code. */
export type AnswerOf<A extends TypedAction> = OkAnswerOf<A> | ErrorAnswer;

/**
 * Anything that answers protocol requests: a DaemonConnection, the DaemonCore. A well-formed request gets
 * its action's answer type; any other request (forwarded, or deliberately invalid) gets the untyped Answer.
 */
export interface Requester {
  request<A extends TypedAction>(
    request: RequestOf<A> & { action: A },
    onEvent?: (event: EventMessage) => void,
  ): Promise<AnswerOf<A>>;
  request(request: Request, onEvent?: (event: EventMessage) => void): Promise<Answer>;
}
