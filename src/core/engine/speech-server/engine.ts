// The "remote" engine: speech made by a speech server (vLLM-Omni serving Qwen3-TTS, or another q3tts's
// HTTP door) through its OpenAI-compatible POST /v1/audio/speech, streamed back as 24 kHz s16le PCM. It
// runs in the daemon's own process (it only waits on a socket), and to the daemon it is an engine like
// any other: the same segments, audio events and stats, so playback, files and doors work unchanged.
import { SAMPLE_RATE } from '../../../shared/engine.js';
import type { Engine, EngineInfo, SynthesisEvent, SynthesisRequest } from '../../../shared/engine.js';
import { abortError } from '../errors.js';
import { splitText, textUnits } from '../qwen3/segment.js';
import { DEFAULT_TIMEOUTS, ServerError, getJson, postStream, type Timeouts } from './http.js';

export interface SpeechServerOptions {
  /** The server's base URL (http or https), without /v1. */
  url: string;
  token?: string | undefined;
  timeouts?: Partial<Timeouts>;
}

export interface SpeechServerEngine extends Engine {
  /** The server's base URL, for messages and status. */
  readonly url: string;
  /** Asks the server again what it serves (model, voices); resolves false when it cannot be reached. */
  refreshInfo(): Promise<boolean>;
}

/** The languages every official Qwen3-TTS checkpoint speaks (vLLM-Omni's speech API docs), for servers that do not list theirs. */
const QWEN3_LANGUAGES = [
  'Auto',
  'Chinese',
  'English',
  'Japanese',
  'Korean',
  'German',
  'French',
  'Russian',
  'Portuguese',
  'Spanish',
  'Italian',
];

/** A retry is safe only before any audio arrived; one more try covers a keep-alive socket the server had closed. */
const ATTEMPTS = 2;
const RETRY_DELAY_MS = 250;

export function createSpeechServerEngine(options: SpeechServerOptions): SpeechServerEngine {
  const base = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`);
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new ServerError('protocol', `the speech server URL must be http:// or https:// (got ${options.url})`);
  const url = base.href.replace(/\/$/, '');
  const timeouts: Timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const call = (signal?: AbortSignal) => ({ token: options.token, timeouts, signal });
  /** The model id the server names in /v1/models (sent back as `model`, which a q3tts door requires). */
  let modelId: string | undefined;
  let info: EngineInfo = describe(url, undefined, undefined);

  async function refreshInfo(): Promise<boolean> {
    try {
      const [models, voices] = await Promise.all([
        getJson(new URL('v1/models', base), call()),
        getJson(new URL('v1/audio/voices', base), call()).catch(() => undefined), // not every server has it
      ]);
      const ids = ((models as { data?: { id?: unknown }[] }).data ?? []).map((m) => m.id);
      modelId = ids.find((id): id is string => typeof id === 'string');
      info = describe(url, modelId, voices as VoicesAnswer | undefined);
      return true;
    } catch {
      return false;
    }
  }

  async function* speakSegment(text: string, request: SynthesisRequest, signal: AbortSignal) {
    const taskType = taskTypeOf(modelId);
    const body = {
      ...(modelId ? { model: modelId } : {}),
      input: text,
      response_format: 'pcm',
      stream_format: 'audio', // raw PCM bytes as they are decoded (not SSE)
      language: request.language.toLowerCase() === 'auto' ? 'Auto' : request.language,
      ...(request.instruct ? { instructions: request.instruct } : {}),
      ...(request.speaker ? { voice: request.speaker } : {}),
      ...(taskType ? { task_type: taskType } : {}),
      ...(request.seed !== null ? { seed: request.seed } : {}),
      ...(request.sampling.maxNewTokens ? { max_new_tokens: request.sampling.maxNewTokens } : {}),
    };
    for (let attempt = 1; ; attempt++) {
      const pcm = new PcmDecoder();
      try {
        for await (const { bytes, headers } of postStream(new URL('v1/audio/speech', base), body, call(signal))) {
          const samples = pcm.push(bytes, headers);
          if (samples.length) yield samples;
        }
        return;
      } catch (err) {
        const retry = attempt < ATTEMPTS && !pcm.started && err instanceof ServerError && err.kind === 'unreachable';
        if (!retry) throw err;
        await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
        if (signal.aborted) throw abortError();
      }
    }
  }

  return {
    url,
    get info() {
      return info;
    },
    refreshInfo,
    async *synthesize(request: SynthesisRequest, signal: AbortSignal): AsyncGenerator<SynthesisEvent> {
      const started = performance.now();
      if (!modelId) await refreshInfo(); // learn the model id (and task type) on first use
      if (signal.aborted) throw abortError();
      const segments = splitText(request.text);
      let firstAudio = -1;
      let samples = 0;
      for (const [index, text] of segments.entries()) {
        // The server tokenizes; ~4 characters a token is the scheduler's estimate of this segment's length.
        yield { type: 'segment', index, count: segments.length, tokens: Math.max(1, Math.round(textUnits(text) / 4)) };
        for await (const chunk of speakSegment(text, request, signal)) {
          if (firstAudio < 0) firstAudio = performance.now() - started;
          samples += chunk.length;
          yield { type: 'audio', samples: chunk };
        }
        yield { type: 'segment_end', index };
      }
      const audioSeconds = samples / SAMPLE_RATE;
      const wall = (performance.now() - started) / 1000;
      yield {
        type: 'stats',
        stats: {
          timeToFirstAudioMs: Math.max(0, firstAudio),
          realTimeFactor: audioSeconds > 0 ? wall / audioSeconds : 0,
          audioSeconds,
          frames: Math.round(audioSeconds * 12.5),
          truncated: false,
        },
      };
    },
    async dispose() {},
  };
}

type VoicesAnswer = {
  voices?: unknown;
  speakers?: unknown;
  languages?: unknown;
  supports_instructions?: unknown;
};

const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;

/**
 * What the daemon reports about the server. A q3tts door says its speakers, languages and whether it honours
 * instructions; vLLM-Omni lists its voices, and its model id tells the rest (Base checkpoints clone voices and
 * ignore instructions).
 */
function describe(url: string, modelId: string | undefined, voices: VoicesAnswer | undefined): EngineInfo {
  const q3tts = voices && Array.isArray(voices.speakers);
  const speakers = (q3tts ? strings(voices.speakers) : strings(voices?.voices)) ?? [];
  const languages = strings(voices?.languages) ?? QWEN3_LANGUAGES;
  const supportsInstruct =
    typeof voices?.supports_instructions === 'boolean' ? voices.supports_instructions : !/base/i.test(modelId ?? '');
  return {
    engine: 'remote',
    model: `${modelId ?? 'speech server'} at ${url}`,
    sampleRate: SAMPLE_RATE,
    languages,
    speakers,
    supportsInstruct,
  };
}

/** vLLM-Omni needs VoiceDesign named explicitly (it assumes CustomVoice); the model id says which kind it serves. */
function taskTypeOf(modelId: string | undefined): string | undefined {
  if (/voice-?design/i.test(modelId ?? '')) return 'VoiceDesign';
  if (/custom-?voice/i.test(modelId ?? '')) return 'CustomVoice';
  return undefined;
}

/** s16le bytes (split anywhere, even inside a sample) → float samples; a WAV answer's header is skipped. */
class PcmDecoder {
  started = false;
  private carry: Buffer = Buffer.alloc(0);
  private header: Buffer | null = null;

  push(bytes: Buffer, headers: Record<string, string | string[] | undefined>): Float32Array {
    if (!this.started) this.check(headers);
    this.started = true;
    let data = this.carry.length ? Buffer.concat([this.carry, bytes]) : bytes;
    if (this.header) {
      data = Buffer.concat([this.header, data]);
      const at = data.indexOf('data');
      if (at < 0 || data.length < at + 8) {
        this.header = data;
        this.carry = Buffer.alloc(0);
        return new Float32Array(0);
      }
      data = data.subarray(at + 8);
      this.header = null;
    }
    const whole = data.length - (data.length % 2);
    this.carry = Buffer.from(data.subarray(whole));
    const out = new Float32Array(whole / 2);
    // 32767, the scale q3tts writes with (audio/pcm.ts): a q3tts server's samples come back bit for bit.
    for (let i = 0; i < out.length; i++) out[i] = data.readInt16LE(i * 2) / 32767;
    return out;
  }

  private check(headers: Record<string, string | string[] | undefined>): void {
    const type = String(headers['content-type'] ?? '').toLowerCase();
    const rate = Number(headers['x-sample-rate'] ?? SAMPLE_RATE);
    if (rate !== SAMPLE_RATE)
      throw new ServerError('protocol', `the server sends ${rate} Hz audio; q3tts plays ${SAMPLE_RATE} Hz`);
    if (/wav/.test(type)) this.header = Buffer.alloc(0);
    else if (type && !/^(audio\/|application\/octet-stream)/.test(type))
      throw new ServerError('protocol', `the server answered ${type.split(';')[0]}, not audio`);
  }
}
