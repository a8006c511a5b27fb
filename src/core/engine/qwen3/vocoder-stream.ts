// Streaming codec decode (qwen3-tts.md §7): frames are decoded in chunks as they arrive, each
// chunk with up to `leftContextFrames` earlier frames in front whose samples are then dropped. The codec
// is causal, so with enough context the stream equals a one-shot decode. A small first chunk gets sound
// out early; later chunks grow to amortise the context cost.
import { abortError } from '../errors.js';
import { SAMPLES_PER_FRAME } from './model.js';

export interface ChunkPlan {
  /** Frames in the first chunk (fast first audio). */
  firstChunkFrames: number;
  /** Largest chunk; chunk sizes double from the first up to this. */
  chunkFrames: number;
  /** Frames of left context decoded in front of each chunk (official: 25; ≥ 72 + conv field is exact). */
  leftContextFrames: number;
}

/**
 * 4 frames first (sound after ~0.3 s of speech is made), again 4, then doubling to 48: each later chunk decodes
 * 25 frames of context for 48 new ones, 1.5× the work per frame instead of 2× at 24 (the faster of the two caps
 * measured at full size; BENCHMARKS.md, Engine). By the time chunks are that big, playback has audio buffered.
 * The first size comes twice so that, faster than real time, each chunk lands while the audio before it still
 * plays with the first chunk's generation time to spare (4, 8, 16… would land exactly as it runs out at RTF 0.5:
 * docs/decisions/0014-playback-start-rule.md).
 */
export const DEFAULT_CHUNK_PLAN: Readonly<ChunkPlan> = { firstChunkFrames: 4, chunkFrames: 48, leftContextFrames: 25 };

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

  constructor(
    private readonly vocode: Vocode,
    readonly plan: ChunkPlan = DEFAULT_CHUNK_PLAN,
  ) {}

  push(frame: readonly number[]): void {
    this.frames.push(frame);
  }

  get pending(): number {
    return this.frames.length - this.decoded;
  }

  /** Frames in the next planned chunk. */
  get nextChunkFrames(): number {
    return chunkSize(this.plan, this.chunkIndex);
  }

  /** Whether enough frames wait for the next planned chunk. */
  get ready(): boolean {
    return this.pending >= chunkSize(this.plan, this.chunkIndex);
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
    this.chunkIndex++;
    // Only the context of the next chunk is needed from here on.
    const keep = this.plan.leftContextFrames;
    if (this.decoded > keep * 4 && this.decoded > 256) {
      const drop = this.decoded - keep;
      this.frames.splice(0, drop);
      this.decoded -= drop;
    }
    return this.vocode(window).then((wave) => ({
      frames,
      samples: wave.subarray(w.dropSamples, w.dropSamples + (end - start) * SAMPLES_PER_FRAME),
    }));
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
