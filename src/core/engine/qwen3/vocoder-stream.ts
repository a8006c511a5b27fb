// Streaming codec decode (qwen3-tts.md §7): frames are decoded in chunks as they arrive, each
// chunk with up to `leftContextFrames` earlier frames in front whose samples are then dropped. The codec
// is causal, so with enough context the stream equals a one-shot decode. A small first chunk gets sound
// out early; later chunks grow to amortise the context cost.
import { abortError } from '../errors.js';
import { SAMPLE_RATE } from '../../../shared/engine.js';
import { grownChunkFrames } from './chunk-growth.js';
import { SAMPLES_PER_FRAME } from './model.js';

export interface ChunkPlan {
  /** Frames in the first chunk (fast first audio). */
  firstChunkFrames: number;
  /** Largest chunk; chunk sizes double from the first up to this. */
  chunkFrames: number;
  /** Frames of left context decoded in front of each chunk (official: 25; ≥ 72 + conv field is exact). */
  leftContextFrames: number;
  /**
   * Largest chunk once the listener has audio in hand (chunk-growth.ts): past `chunkFrames`, chunks double up
   * to this while the audio already handed out covers making them. `chunkFrames` (or absent) turns it off.
   */
  bufferedChunkFrames?: number;
}

/**
 * 4 frames first (sound after ~0.3 s of speech is made), again 4, then doubling to 48: each later chunk decodes
 * 25 frames of context for 48 new ones, 1.5× the work per frame instead of 2× at 24 (the faster of the two caps
 * measured at full size; BENCHMARKS.md, Engine). By the time chunks are that big, playback has audio buffered.
 * The first size comes twice so that, faster than real time, each chunk lands while the audio before it still
 * plays with the first chunk's generation time to spare (4, 8, 16… would land exactly as it runs out at RTF 0.5:
 * docs/decisions/0014-playback-start-rule.md).
 */
export const DEFAULT_CHUNK_PLAN: Readonly<ChunkPlan> = {
  firstChunkFrames: 4,
  chunkFrames: 48,
  leftContextFrames: 25,
  bufferedChunkFrames: 96,
};

export interface ChunkWindow {
  /** First frame given to the vocoder. */
  from: number;
  /** One past the last frame. */
  to: number;
  /** Context frames in front of `start`. */
  ctx: number;
  /** Leading samples of the vocoder output to drop (ctx · 1920). */
  dropSamples: number;
}

/** The window that decodes frames [start, end): ctx = min(leftContext, start) frames of context. */
export function chunkWindow(start: number, end: number, leftContext: number): ChunkWindow {
  const ctx = Math.min(leftContext, start);
  return { from: start - ctx, to: end, ctx, dropSamples: ctx * SAMPLES_PER_FRAME };
}

/** Size of chunk number `index` (0-based) under a plan: first, first, then doubling up to the largest. */
export function chunkSize(plan: ChunkPlan, index: number): number {
  return Math.min(plan.chunkFrames, plan.firstChunkFrames * 2 ** Math.min(Math.max(index - 1, 0), 20));
}

export type Vocode = (frames: readonly (readonly number[])[]) => Promise<Float32Array>;

/** Decodes one window and trims its context: exactly (end - start) · 1920 samples. */
export async function decodeWindow(
  vocode: Vocode,
  frames: readonly (readonly number[])[],
  start: number,
  end: number,
  leftContext: number,
): Promise<Float32Array> {
  const w = chunkWindow(start, end, leftContext);
  const wave = await vocode(frames.slice(w.from, w.to));
  return wave.subarray(w.dropSamples, w.dropSamples + (end - start) * SAMPLES_PER_FRAME);
}

/** Accumulates frames and decodes them in planned chunks. */
export class VocoderStream {
  private readonly frames: (readonly number[])[] = [];
  private decoded = 0;
  private chunkIndex = 0;
  /** The next chunk's size when grown past the plan (set as the chunk before it comes out). */
  private grown: number | undefined;
  private readonly startedAt: number;
  private firstAudioAt: number | undefined;
  private producedSamples = 0;

  /** `now` (ms) is the clock the growth rule reads; tests give it their own. */
  constructor(
    private readonly vocode: Vocode,
    readonly plan: ChunkPlan = DEFAULT_CHUNK_PLAN,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = now();
  }

  push(frame: readonly number[]): void {
    this.frames.push(frame);
  }

  /**
   * Makes `frames` the left context of what comes next, as if already decoded (a Base clone's reference: the
   * official wrapper decodes reference ‖ generated and cuts the reference's share). Only between chunks.
   */
  setContext(frames: readonly (readonly number[])[]): void {
    if (this.pending !== 0) throw new Error('setContext with frames still pending');
    this.frames.length = 0;
    this.frames.push(...frames);
    this.decoded = this.frames.length;
  }

  get pending(): number {
    return this.frames.length - this.decoded;
  }

  /** Frames in the next chunk: the plan's, or more once the listener has audio in hand. */
  get nextChunkFrames(): number {
    return this.grown ?? chunkSize(this.plan, this.chunkIndex);
  }

  /** Whether enough frames wait for the next chunk. */
  get ready(): boolean {
    return this.pending >= this.nextChunkFrames;
  }

  /**
   * Decodes every pending frame (call when ready, or at the end of a segment). The frames are claimed at
   * once, so generation may go on pushing while this chunk decodes; chunks resolve in call order.
   */
  flush(): Promise<{ frames: (readonly number[])[]; samples: Float32Array } | null> {
    const start = this.decoded;
    const end = this.frames.length;
    if (end === start) return Promise.resolve(null);
    const w = chunkWindow(start, end, this.plan.leftContextFrames);
    const window = this.frames.slice(w.from, w.to);
    const frames = this.frames.slice(start, end);
    this.decoded = end;
    const index = ++this.chunkIndex;
    this.grown = undefined;
    // Only the context of the next chunk is needed from here on.
    const keep = this.plan.leftContextFrames;
    if (this.decoded > keep * 4 && this.decoded > 256) {
      const drop = this.decoded - keep;
      this.frames.splice(0, drop);
      this.decoded -= drop;
    }
    return this.vocode(window).then((wave) => {
      this.chunkOut(index, (end - start) * SAMPLES_PER_FRAME);
      return { frames, samples: wave.subarray(w.dropSamples, w.dropSamples + (end - start) * SAMPLES_PER_FRAME) };
    });
  }

  /** A chunk's audio is out: the chunk after it (`index`, unless already under way) may grow. */
  private chunkOut(index: number, samples: number): void {
    const t = this.now();
    this.firstAudioAt ??= t;
    this.producedSamples += samples;
    if (index !== this.chunkIndex) return;
    const planned = chunkSize(this.plan, index);
    const size = grownChunkFrames(planned, this.plan.chunkFrames, this.plan.bufferedChunkFrames ?? 0, {
      producedSeconds: this.producedSamples / SAMPLE_RATE,
      sinceFirstAudio: (t - this.firstAudioAt) / 1000,
      sinceStart: (t - this.startedAt) / 1000,
    });
    this.grown = size === planned ? undefined : size;
  }
}

/** Decodes saved frames in chunks with left context (for Engine.decode); yields audio per chunk. */
export async function* decodeChunked(
  vocode: Vocode,
  frames: readonly (readonly number[])[],
  chunkFrames: number,
  leftContext: number,
  signal?: AbortSignal,
): AsyncGenerator<Float32Array> {
  for (let start = 0; start < frames.length; start += chunkFrames) {
    if (signal?.aborted) throw abortError();
    const end = Math.min(frames.length, start + chunkFrames);
    yield await decodeWindow(vocode, frames, start, end, leftContext);
  }
}
