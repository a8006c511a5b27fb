// The contract between the daemon and any speech engine. Plain data only: it crosses process boundaries
// (the engine runs in its own process so that onnxruntime's blocking run() never stalls the daemon).

/** Every engine speaks 24 kHz mono float PCM in [-1, 1] (Qwen3-TTS's codec rate). */
export const SAMPLE_RATE = 24_000;

export interface SamplingOptions {
  /** false = greedy (argmax), for reproducible tests. */
  doSample: boolean;
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  /** Hard cap on generated codec frames (12.5 frames per second of audio). */
  maxNewTokens: number;
}

export interface SynthesisRequest {
  text: string;
  /** A language name such as "English", or "auto". Case-insensitive. */
  language: string;
  /** VoiceDesign: the voice described in words. null = the model's neutral voice. */
  instruct: string | null;
  /** CustomVoice preset speaker; null for VoiceDesign. */
  speaker: string | null;
  /** Same seed + same request = same audio. null = random. */
  seed: number | null;
  /** Per-request overrides of the model's generation defaults. */
  sampling: Partial<SamplingOptions>;
  /** A cloned voice to speak with (Base models); absent or null = no clone. */
  clone?: VoiceClone | null;
}

/**
 * A voice cloned from a reference clip (Qwen3-TTS Base, docs/qwen3-tts.md): the speaker encoder's vector, and
 * for in-context mode the clip's codec frames with its transcript. Plain data: it crosses process boundaries
 * and is stored with the saved voices.
 */
export interface VoiceClone {
  /** Speaker-encoder output: as many floats as the Base talker's hidden size (1024 for 0.6B). */
  speakerVector: Float32Array;
  /** In-context mode: the reference clip's codec frames ([F][16] ints); null = x-vector-only mode. */
  refCodes: number[][] | null;
  /** What the reference clip says; required with refCodes, null otherwise. */
  refText: string | null;
  /** Identity of the model that made it (a speaker vector fits only the model family/size it came from). */
  model: string;
}

export interface SynthesisStats {
  /** Milliseconds from the request to the first audio chunk. */
  timeToFirstAudioMs: number;
  /** Synthesis wall time divided by audio duration (lower is faster; < 1 is faster than real time). */
  realTimeFactor: number;
  audioSeconds: number;
  frames: number;
  /** True when the runaway guard (frame budget) cut generation short. */
  truncated: boolean;
}

/**
 * What synthesize() yields, in order: audio (and codes) as they are made, then one stats event. Engines that
 * speak long text in segments frame each segment's audio with `segment` and `segment_end` (playback holds
 * back only between segments: docs/decisions/0014-playback-start-rule.md).
 */
export type SynthesisEvent =
  | { type: 'segment'; index: number; count: number; tokens: number }
  | { type: 'segment_end'; index: number }
  /** `next`: samples in the engine's next audio chunk, when it knows (playback plans with it). */
  | { type: 'audio'; samples: Float32Array; next?: number }
  | { type: 'codes'; frames: number[][] }
  | { type: 'stats'; stats: SynthesisStats };

export interface EngineInfo {
  /** Engine family, e.g. "qwen3-tts" or "tone" (the deterministic test engine). */
  engine: string;
  /** Model identity, e.g. "Qwen3-TTS-1.7B-VoiceDesign (int4)". */
  model: string;
  sampleRate: number;
  languages: string[];
  speakers: string[];
  /** Whether instruct (a voice described in words) is honoured. */
  supportsInstruct: boolean;
  /** Whether the engine speaks cloned voices (request.clone) and makes them (cloneVoice); absent = no. */
  supportsClone?: boolean;
}

export interface Engine {
  readonly info: EngineInfo;
  /** Streams speech as it is generated. Aborting the signal ends the stream between two model steps. */
  synthesize(request: SynthesisRequest, signal: AbortSignal): AsyncIterable<SynthesisEvent>;
  /**
   * Makes a cloned voice from a reference clip: 24 kHz mono float samples, with its transcript for in-context
   * mode (null: x-vector only). Only engines with supportsClone have it.
   */
  cloneVoice?(audio: Float32Array, refText: string | null, signal: AbortSignal): Promise<VoiceClone>;
  /** Turns saved codec frames ([[16 ints], ...]) back into audio, where the engine has a codec. */
  decode?(frames: number[][], signal: AbortSignal): AsyncIterable<Float32Array>;
  /** Asks again what the engine serves, where that lives elsewhere (a speech server); false if it cannot say. */
  refreshInfo?(): Promise<boolean>;
  /** A change users should hear of once (a speech server failed over to the local model, or came back); then cleared. */
  takeNotice?(): string | undefined;
  dispose(): Promise<void>;
}
