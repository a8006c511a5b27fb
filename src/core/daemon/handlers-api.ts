// The stable contract between the daemon shell and its hot-reloaded handlers module.
// The shell keeps everything with state (engine, queue, audio devices); handlers hold the request logic
// and may be edited while the daemon runs. Only types live here, so handlers bundle no shell code.
import type { Engine, EngineInfo, SynthesisStats, VoiceClone } from '../../shared/engine.js';
import type { Answer, EventMessage, Request } from '../../shared/protocol.js';
import type { AudioSink } from '../audio/sink.js';
import type { SpeechQueue } from './queue.js';
import type { SpeedBook } from '../playback/speed.js';
import type { StartPolicy } from '../playback/start-rule.js';
import type { HistoryRecording, UtteranceInfo } from '../history/store.js';
import type { SentenceControls } from '../playback/speak.js';

export interface HandlerContext {
  /** The loaded engine (throws an EngineError when it is down). */
  engine(): Promise<Engine>;
  engineInfo(): EngineInfo | undefined;
  queue: SpeechQueue;
  /** Resolves at once, or when playback is resumed (or the signal aborts) while the daemon is paused. */
  unpaused(signal: AbortSignal): Promise<void>;
  /** The speakers (throws AudioDeviceError when there is no usable device). */
  openPlayback(): Promise<AudioSink>;
  /**
   * Set when a front door (HTTP, Wyoming) asked for the speech back: audio goes into this per-request stream
   * instead of the speakers, through the same queue, cancel and error paths. Not held by a pause (decision 0017).
   */
  stream?: AudioSink;
  /** The cloned voice this request speaks with (a saved cloned voice, or a door's reference clip). */
  clone?: VoiceClone;
  /** The saved voice the request named, as the user wrote it (kept in the history). */
  savedVoice?: string;
  /** An audio file in the format its extension names, written atomically on close (temp file + rename). */
  openFile(path: string): Promise<AudioSink>;
  /**
   * Rate (0.5–2, pitch kept) and gain (0–1) for one utterance's audio stream. The time-stretcher is WASM the
   * shell loads once (handlers are re-imported on every edit).
   */
  shaper(sampleRate: number, rate: number, gain: number): Promise<AudioShaper>;
  /**
   * Markdown or HTML as text a person would hear (src/core/text/document.ts). Its parsers live in the shell for
   * the same reason as the shaper: bundled into handlers, every edit would load them again, and keep them.
   */
  speakable(text: string): string;
  /** Writes a small file atomically. */
  writeFileAtomic(path: string, data: string): Promise<void>;
  /** What the daemon has measured of its speed (real-time factor, speech per token); kept across restarts. */
  speed: SpeedBook;
  /** The start policy when a request names none (smooth, unless the daemon was told otherwise). */
  startPolicy(): StartPolicy;
  /** Seconds a listener waits before a typical sentence starts on this machine (for messages), if known. */
  expectedWait(engine: Engine): number | undefined;
  /** When the machine is persistently slower than real time: the figures and what helps, for the user. */
  slowNotice(engine: Engine): { rtf: number; wait_s: number; advice: string } | undefined;
  /** A job's playback phase: preparing (generated, held back), speaking, or idle (done). */
  playbackPhase(job: object, phase: 'preparing' | 'speaking' | 'idle'): void;
  /** A job playing sentence by sentence offers its next/back controls (undefined: it no longer plays). */
  controls(job: number, controls: SentenceControls | undefined): void;
  /** Remembers the last request's figures for `status`. */
  recordStats(stats: SynthesisStats): void;
  log(message: string): void;
  /** Starts recording an utterance into the history (undefined when it is off); never fails the speech. */
  history?(info: UtteranceInfo): HistoryRecording | undefined;
}

export type Emit = (event: EventMessage) => void;

/** A stream of audio chunks in, the same audio at another rate and volume out (src/core/audio/stretch.ts). */
export interface AudioShaper {
  process(samples: Float32Array): Float32Array;
  /** What is still held (at a segment's end, or the end); the stream goes on. */
  flush(): Float32Array;
  /** Releases the stream. */
  dispose(): void;
}

export interface HandlersModule {
  /** Answers one request. May emit events first (on the requesting connection). Should not throw. */
  handle(ctx: HandlerContext, request: Request, emit: Emit): Promise<Answer>;
}
