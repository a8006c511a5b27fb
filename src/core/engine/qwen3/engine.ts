// The Qwen3-TTS engine: ties the model, prompt, sampler, talker loop and streaming vocoder into the
// daemon's Engine interface. Long text is spoken segment after segment, each segment's audio streamed
// as it is made, with the voice settings kept and per-segment seeds derived from the request's seed.
import { randomInt } from 'node:crypto';
import path from 'node:path';
import {
  SAMPLE_RATE,
  type Engine,
  type EngineInfo,
  type SamplingOptions,
  type SynthesisEvent,
  type SynthesisRequest,
  type VoiceClone,
} from '../../../shared/engine.js';
import { abortError, EngineError } from '../errors.js';
import { cloneVoice } from './clone.js';
import type { GenerationDefaults, Qwen3Config } from './config.js';
import { invalidRequest } from './errors.js';
import {
  frameBudget,
  generateFrames,
  type BudgetOptions,
  type GenerationResult,
  type GenerationSettings,
} from './generate.js';
import type { Qwen3ModelOptions } from './load.js';
import { Qwen3Model, SAMPLES_PER_FRAME } from './model.js';
import { DEFAULT_PREFIX_CACHE_BYTES, PrefixCache } from './prefix-cache.js';
import {
  assistantTemplate,
  instructSupported,
  instructTemplate,
  planPrefill,
  refTextTemplate,
  resolveVoice,
  splitRefIds,
  splitTargetIds,
  supportedLanguages,
  type ClonePrompt,
  type TextLayout,
} from './prompt.js';
import { deriveSeed, Rng } from './sampler.js';
import { DEFAULT_MAX_SEGMENT_TOKENS, tokenSegments } from './segment-tokens.js';
import { decodeChunked, DEFAULT_CHUNK_PLAN, VocoderStream, type ChunkPlan } from './vocoder-stream.js';

export interface Qwen3EngineOptions extends Qwen3ModelOptions {
  /** Streaming chunk plan (first chunk, largest chunk, left context), in frames. */
  stream?: Partial<ChunkPlan>;
  /** Segment size for long text (units: characters, CJK counted twice). Default 300. */
  maxSegmentUnits?: number;
  /** Hard cap on a segment's text tokens, whatever the text (default 256): bounds the talker's prefill. */
  maxSegmentTokens?: number;
  /** Runaway guard scaling. */
  budget?: BudgetOptions;
  /** Where warnings go (runaway guard hits); default console.warn. */
  log?: (message: string) => void;
  /** Frames before EOS may end a segment (default 2, as the official config); benchmarks set it high to run a fixed length. */
  minNewTokens?: number;
  /** Byte budget of the per-voice prefix cache (prefix-cache.ts); 0 turns it off. Default 64 MiB. */
  prefixCacheBytes?: number;
  /** Text layout for cloned voices (Base); default streaming, the official default. */
  cloneLayout?: TextLayout;
}

/** Frames per call when decoding saved codes (the official chunked_decode size). */
const DECODE_CHUNK_FRAMES = 300;

/**
 * Instruct tokens allowed (4000 characters of prose are ~900). With the segment cap this bounds the
 * prefill at MAX_INSTRUCT_TOKENS + maxSegmentTokens + 11 rows whatever the request (docs/decisions/0015-segment-token-cap.md).
 */
export const MAX_INSTRUCT_TOKENS = 1024;

/** Codec frames from outside (saved codes, a clone's reference): each `groups` integers within the codebooks. */
function checkFrames(c: Qwen3Config, frames: readonly unknown[], what: string): void {
  const groups = c.talker.codeGroups;
  const vocab = c.cp.vocab;
  frames.forEach((f, t) => {
    if (!Array.isArray(f) || f.length !== groups || f.some((x) => !Number.isInteger(x) || x < 0 || x >= vocab))
      throw invalidRequest(`${what} ${t} must be ${groups} integers in 0..${vocab - 1}`);
  });
}

/** Reference frames a clone may bring (30 s): each is a prompt row in every segment (decision 0035). */
export const MAX_REF_FRAMES = 375;

/** Request sampling over the model's generate_config; doSample applies to the code predictor too. */
export function resolveSampling(defaults: GenerationDefaults, overrides: Partial<SamplingOptions>): GenerationSettings {
  const s = {
    doSample: defaults.doSample,
    temperature: defaults.temperature,
    topK: defaults.topK,
    topP: defaults.topP,
    repetitionPenalty: defaults.repetitionPenalty,
    maxNewTokens: defaults.maxNewTokens,
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!(key in s)) throw invalidRequest(`unknown sampling option '${key}'`);
    (s as Record<string, unknown>)[key] = value;
  }
  if (typeof s.doSample !== 'boolean') throw invalidRequest('sampling.doSample must be true or false');
  if (!(s.temperature > 0) || !Number.isFinite(s.temperature))
    throw invalidRequest(`sampling.temperature must be > 0 (got ${s.temperature})`);
  if (!Number.isInteger(s.topK) || s.topK < 0)
    throw invalidRequest(`sampling.topK must be an integer ≥ 0 (got ${s.topK})`);
  if (!(s.topP > 0 && s.topP <= 1)) throw invalidRequest(`sampling.topP must be in (0, 1] (got ${s.topP})`);
  if (!(s.repetitionPenalty > 0) || !Number.isFinite(s.repetitionPenalty))
    throw invalidRequest(`sampling.repetitionPenalty must be > 0 (got ${s.repetitionPenalty})`);
  if (!Number.isInteger(s.maxNewTokens) || s.maxNewTokens < 1)
    throw invalidRequest(`sampling.maxNewTokens must be an integer ≥ 1 (got ${s.maxNewTokens})`);
  return {
    talker: {
      doSample: s.doSample,
      temperature: s.temperature,
      topK: s.topK,
      topP: s.topP,
      repetitionPenalty: s.repetitionPenalty,
    },
    sub: {
      doSample: s.doSample && defaults.subDoSample,
      temperature: defaults.subTemperature,
      topK: defaults.subTopK,
      topP: defaults.subTopP,
    },
    maxNewTokens: s.maxNewTokens,
    frameBudget: Infinity,
  };
}

export class Qwen3Engine implements Engine {
  readonly info: EngineInfo;
  private readonly plan: ChunkPlan;
  private readonly log: (message: string) => void;
  /** The talker cache over each recent voice's prompt prefix; absent when turned off. */
  readonly prefixes: PrefixCache | undefined;
  /** A cloned voice from 24 kHz mono audio (clone.ts): present on Base models only, as info.supportsClone says. */
  readonly cloneVoice?: (audio: Float32Array, refText: string | null, signal: AbortSignal) => Promise<VoiceClone>;

  constructor(
    readonly model: Qwen3Model,
    private readonly options: Qwen3EngineOptions = {},
  ) {
    const c = model.config;
    this.info = {
      engine: 'qwen3-tts',
      model: `${c.modelId ?? path.basename(path.resolve(model.dir))} (${model.precision})`,
      sampleRate: SAMPLE_RATE,
      languages: supportedLanguages(c),
      speakers: Object.keys(c.raw.spk_id),
      supportsInstruct: instructSupported(c),
      ...(model.encoders ? { supportsClone: true } : {}),
    };
    this.plan = { ...DEFAULT_CHUNK_PLAN, ...options.stream };
    this.log = options.log ?? ((m) => console.warn(`q3tts qwen3: ${m}`));
    // Say which provider 'auto' chose when it had a choice to make.
    if (model.executionProvider !== 'cpu' || model.providerNotes.length > 0) {
      this.log(
        `execution provider ${model.executionProvider}${model.providerNotes.map((n) => `; skipped ${n}`).join('')}`,
      );
    }
    const { encoders } = model;
    if (encoders) {
      const identity = c.modelId ?? path.basename(path.resolve(model.dir));
      this.cloneVoice = (audio, refText, signal) => cloneVoice(encoders, audio, refText, identity, signal);
    }
    const prefixBytes = options.prefixCacheBytes ?? DEFAULT_PREFIX_CACHE_BYTES;
    this.prefixes = prefixBytes > 0 ? new PrefixCache(prefixBytes) : undefined;
  }

  async *synthesize(request: SynthesisRequest, signal: AbortSignal): AsyncGenerator<SynthesisEvent> {
    const started = performance.now();
    const { model } = this;
    const c = model.config;
    const voice = resolveVoice(c, request.language, request.speaker);
    const base = resolveSampling(c.generation, request.sampling);
    const instruct = request.instruct?.trim();
    const instructIds = instruct && instructSupported(c) ? model.tokenizer.encode(instructTemplate(instruct)) : null;
    if (instructIds && instructIds.length > MAX_INSTRUCT_TOKENS)
      throw invalidRequest(`instruct is too long: ${instructIds.length} tokens (the limit is ${MAX_INSTRUCT_TOKENS})`);
    const clone = this.clonePrompt(request.clone ?? null);
    let role: number[] = [];
    const encodeSegment = (segment: string): number[] => {
      const target = splitTargetIds(model.tokenizer.encode(assistantTemplate(segment)), c.ids.imStart, c.ids.imEnd);
      role = target.role;
      return target.text;
    };
    const segments = tokenSegments(request.text, encodeSegment, {
      ...(this.options.maxSegmentUnits === undefined ? {} : { maxUnits: this.options.maxSegmentUnits }),
      maxTokens: this.options.maxSegmentTokens ?? DEFAULT_MAX_SEGMENT_TOKENS,
    });
    if (segments.length === 0) throw new EngineError('E_TEXT_EMPTY', 'text is empty');
    const seed = request.seed ?? randomInt(0, 2 ** 32);

    const stream = new VocoderStream((frames) => model.vocode(frames), this.plan);
    let firstAudioMs = -1;
    let frames = 0;
    let samples = 0;
    let truncated = false;

    type Chunk = Awaited<ReturnType<VocoderStream['flush']>>;
    const emit = function* (chunk: Chunk): Generator<SynthesisEvent> {
      if (!chunk) return;
      yield { type: 'codes', frames: chunk.frames.map((f) => [...f]) };
      if (firstAudioMs < 0) firstAudioMs = performance.now() - started;
      samples += chunk.samples.length;
      yield { type: 'audio', samples: chunk.samples, next: stream.nextChunkFrames * SAMPLES_PER_FRAME };
    };
    // With the vocoder in a worker, a chunk decodes while the next frames are generated (one in flight,
    // so chunks stay in order and memory stays bounded). The first chunk is awaited at once: first audio
    // as early as possible.
    const flight: { current: { done: boolean; chunk: Promise<Chunk> } | null } = { current: null };
    const settle = async function* (): AsyncGenerator<SynthesisEvent> {
      const pending = flight.current;
      if (!pending) return;
      flight.current = null;
      yield* emit(await pending.chunk);
    };
    const startChunk = async function* (): AsyncGenerator<SynthesisEvent> {
      if (signal.aborted) throw abortError();
      yield* settle();
      if (!stream.ready) return; // the chunk that came out let the next one grow: wait for its frames
      const chunk = stream.flush();
      if (!model.vocoderOverlaps || firstAudioMs < 0) return yield* emit(await chunk);
      const entry = { done: false, chunk };
      chunk.then(
        () => (entry.done = true),
        () => (entry.done = true),
      );
      flight.current = entry;
    };

    for (let i = 0; i < segments.length && frames < base.maxNewTokens; i++) {
      const plan = planPrefill(c, { role, text: segments[i]!.ids }, instructIds, voice, {
        clone,
        ...(clone && this.options.cloneLayout ? { layout: this.options.cloneLayout } : {}),
      });
      // Each segment is decoded after the clip's frames, as the official wrapper decodes reference ‖ generated.
      if (clone?.reference) stream.setContext(clone.reference.codes);
      const settings: GenerationSettings = {
        ...base,
        maxNewTokens: base.maxNewTokens - frames,
        frameBudget: frameBudget(plan.textTokens, this.options.budget),
        ...(this.options.minNewTokens === undefined ? {} : { minNewTokens: this.options.minNewTokens }),
      };
      yield { type: 'segment', index: i, count: segments.length, tokens: plan.textTokens };
      const result: GenerationResult = { frames: 0, stop: 'running', truncated: false, prefillLength: 0 };
      try {
        for await (const frame of generateFrames(
          model,
          plan,
          settings,
          new Rng(deriveSeed(seed, i)),
          signal,
          result,
          this.prefixes,
        )) {
          stream.push(frame);
          frames++;
          if (flight.current?.done) yield* settle();
          if (stream.ready) yield* startChunk();
        }
        yield* settle();
        if (signal.aborted) throw abortError();
        yield* emit(await stream.flush()); // end of segment: play what is left before the next prefill
        yield { type: 'segment_end', index: i };
      } finally {
        // an abort or error mid-chunk: let the worker's answer land nowhere, quietly
        flight.current?.chunk.catch(() => undefined);
        flight.current = null;
      }
      if (result.truncated) {
        truncated = true;
        this.log(
          `runaway guard: segment ${i + 1}/${segments.length} (${plan.textTokens} text tokens) hit its budget of ${settings.frameBudget} frames without EOS; cut short`,
        );
      }
    }

    const audioSeconds = samples / SAMPLE_RATE;
    const wall = (performance.now() - started) / 1000;
    yield {
      type: 'stats',
      stats: {
        timeToFirstAudioMs: firstAudioMs < 0 ? wall * 1000 : firstAudioMs,
        realTimeFactor: audioSeconds > 0 ? wall / audioSeconds : 0,
        audioSeconds,
        frames,
        truncated,
      },
    };
  }

  /**
   * Checks a request's clone against the model: a Base model speaks only cloned voices (the official wrapper
   * refuses a request without a reference), and a clone only fits a Base model of its hidden size.
   */
  private clonePrompt(clone: VoiceClone | null): ClonePrompt | null {
    const c = this.model.config;
    if (c.type !== 'base') {
      if (clone) throw invalidRequest(`a cloned voice needs a Base model; this is a ${c.type} model`);
      return null;
    }
    if (!clone)
      throw invalidRequest('a Base model has no voice of its own: speak with a cloned voice (a reference clip)');
    const H = c.talker.hidden;
    const vector = clone.speakerVector;
    if (!(vector instanceof Float32Array) || vector.length !== H)
      throw invalidRequest(
        `the clone's speaker vector has ${vector?.length ?? 0} values; this model needs ${H} (was it made by another model size?)`,
      );
    if (!vector.every(Number.isFinite)) throw invalidRequest("the clone's speaker vector holds non-finite values");
    if (clone.refCodes === null) return { speakerVector: vector, reference: null };

    const codes = clone.refCodes;
    if (!Array.isArray(codes) || codes.length === 0) throw invalidRequest("the clone's reference has no frames");
    if (codes.length > MAX_REF_FRAMES)
      throw invalidRequest(
        `the clone's reference is too long: ${codes.length} frames (the limit is ${MAX_REF_FRAMES}, 30 s)`,
      );
    checkFrames(c, codes, 'reference frame');
    const refText = clone.refText;
    if (typeof refText !== 'string' || refText.trim() === '')
      throw invalidRequest('a clone with reference frames needs the transcript of its clip (refText)');
    // tokenized as given, like the official wrapper (no trimming)
    const textIds = splitRefIds(this.model.tokenizer.encode(refTextTemplate(refText)), c.ids.imStart, c.ids.imEnd);
    if (textIds.length > MAX_INSTRUCT_TOKENS)
      throw invalidRequest(
        `the clone's transcript is too long: ${textIds.length} tokens (the limit is ${MAX_INSTRUCT_TOKENS})`,
      );
    return { speakerVector: vector, reference: { textIds, codes } };
  }

  async *decode(frames: number[][], signal: AbortSignal): AsyncGenerator<Float32Array> {
    checkFrames(this.model.config, frames, 'frame');
    yield* decodeChunked(
      (fr) => this.model.vocode(fr),
      frames,
      DECODE_CHUNK_FRAMES,
      this.plan.leftContextFrames,
      signal,
    );
  }

  async dispose(): Promise<void> {
    this.prefixes?.clear();
    await this.model.dispose();
  }
}

/** Loads a model directory (docs/model-layout.md) as an Engine. */
export async function loadQwen3Engine(modelDir: string, options: Qwen3EngineOptions = {}): Promise<Qwen3Engine> {
  const model = await Qwen3Model.load(modelDir, options);
  return new Qwen3Engine(model, options);
}

export { SAMPLES_PER_FRAME };
