// Playback scheduling: the engine's audio goes into a buffer at once (generation never waits for the
// device), and a writer moves it to the sink segment by segment, holding each segment back until the
// start rule says it will not run dry (start-rule.ts). Whatever holds back, it is only ever between
// segments, where a pause sounds like one.
import type { AudioSink } from '../audio/sink.js';
import { mayStart, type StartPolicy } from './start-rule.js';

export interface SegmentTiming {
  index: number;
  wallSeconds: number;
  audioSeconds: number;
  tokens: number | null;
}

export interface SchedulerOptions {
  sampleRate: number;
  policy: StartPolicy;
  signal: AbortSignal;
  /** Resolves at once, or when playback is resumed. */
  unpaused(signal: AbortSignal): Promise<void>;
  /** The model's running real-time factor, undefined before it was measured. */
  priorRtf: number | undefined;
  /** Predicted seconds of audio for a segment of `tokens` text tokens (null: the engine did not say). */
  predict(tokens: number | null): number;
  /** Each generated segment's figures (they refine the estimates). */
  record?(timing: SegmentTiming): void;
  /** A segment is held back (preparing) or starts playing (speaking). */
  onPhase?(phase: 'preparing' | 'speaking', segment: { index: number; count: number }): void;
  now?(): number;
}

interface Segment {
  index: number;
  tokens: number | null;
  predicted: number;
  chunks: Float32Array[];
  /** Seconds generated so far. */
  generated: number;
  ended: boolean;
  startedAt: number;
}

/** Chunk size assumed when the engine does not announce its next one (Qwen3-TTS's first chunk: 4 frames). */
const FIRST_CHUNK_SECONDS = 0.32;

export class PlaybackScheduler {
  private readonly segments: Segment[] = [];
  private count = 1;
  private finished = false;
  private largestChunk = FIRST_CHUNK_SECONDS;
  /** The engine's next chunk as it announced it (seconds), else the largest seen. */
  private nextChunk: number | undefined;
  /** performance.now() (ms) at which everything written so far will have played (a real-time device). */
  private aheadUntil = 0;
  private wake: (() => void) | undefined;
  private readonly now: () => number;

  constructor(private readonly o: SchedulerOptions) {
    this.now = o.now ?? (() => performance.now());
    o.signal.addEventListener('abort', () => this.changed(), { once: true });
  }

  /** Generation of segment `index` (of `count`) begins; `tokens` is its length in text tokens, if known. */
  segment(index: number, count: number, tokens: number | null): void {
    this.closeSegment();
    this.count = count;
    this.segments.push({
      index,
      tokens,
      predicted: this.o.predict(tokens),
      chunks: [],
      generated: 0,
      ended: false,
      startedAt: this.now(),
    });
    this.changed();
  }

  /** Audio as generated; `next` = samples in the engine's next chunk, if it said. */
  audio(samples: Float32Array, next?: number): void {
    if (this.segments.length === 0 || this.segments.at(-1)!.ended)
      this.segment(this.segments.length, Math.max(this.count, this.segments.length + 1), null);
    const seg = this.segments.at(-1)!;
    const seconds = samples.length / this.o.sampleRate;
    seg.chunks.push(samples);
    seg.generated += seconds;
    this.largestChunk = Math.max(this.largestChunk, seconds);
    this.nextChunk = next === undefined ? undefined : next / this.o.sampleRate;
    this.changed();
  }

  /** The current segment is completely generated. */
  segmentEnd(): void {
    this.closeSegment();
    this.changed();
  }

  /** Generation is over (successfully or not): play out what there is. */
  end(): void {
    this.closeSegment();
    this.finished = true;
    this.changed();
  }

  /** Writes every segment into the sink as the policy allows; resolves when all is written (or aborted). */
  async run(sink: AudioSink): Promise<void> {
    const { signal } = this.o;
    for (let k = 0; !signal.aborted; k++) {
      while (!signal.aborted && k >= this.segments.length && !this.finished) await this.next();
      const seg = this.segments[k];
      if (!seg || signal.aborted) return;
      let held = false;
      while (!signal.aborted && !this.ready(seg)) {
        // generated but held back: say so once (not while nothing is generated yet)
        if (!held && seg.generated > 0) {
          held = true;
          this.o.onPhase?.('preparing', { index: seg.index, count: this.count });
        }
        await this.next();
      }
      if (signal.aborted) return;
      this.o.onPhase?.('speaking', { index: seg.index, count: this.count });
      for (let i = 0; !signal.aborted;) {
        const chunk = seg.chunks[i];
        if (chunk) {
          seg.chunks[i++] = EMPTY; // played: let it go
          await this.o.unpaused(signal);
          if (signal.aborted) return;
          await sink.write(chunk);
          this.aheadUntil = Math.max(this.now(), this.aheadUntil) + (chunk.length / this.o.sampleRate) * 1000;
        } else if (seg.ended) break;
        else await this.next();
      }
    }
  }

  /** Whether segment `seg` may start now. */
  private ready(seg: Segment): boolean {
    return mayStart({
      policy: this.o.policy,
      generated: seg.generated,
      ended: seg.ended || this.finished,
      predicted: seg.predicted,
      ahead: Math.max(0, this.aheadUntil - this.now()) / 1000,
      rtf: this.rtf(seg),
      chunk: this.nextChunk ?? this.largestChunk,
    });
  }

  /** The speed to plan with: what this segment shows so far, never below what the model usually does. */
  private rtf(seg: Segment): number {
    const live = seg.generated > 0 ? (this.now() - seg.startedAt) / 1000 / seg.generated : undefined;
    if (live === undefined) return this.o.priorRtf ?? 1;
    return Math.max(live, this.o.priorRtf ?? live);
  }

  private closeSegment(): void {
    const seg = this.segments.at(-1);
    if (!seg || seg.ended) return;
    seg.ended = true;
    if (seg.generated > 0 && !this.o.signal.aborted) {
      this.o.record?.({
        index: seg.index,
        wallSeconds: (this.now() - seg.startedAt) / 1000,
        audioSeconds: seg.generated,
        tokens: seg.tokens,
      });
    }
  }

  private next(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  private changed(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

const EMPTY = new Float32Array(0);
