// Playback scheduling: the engine's audio goes into a buffer at once (generation never waits for the
// device), and a writer moves it to the sink segment by segment, holding each segment back until the
// start rule says it will not run dry (start-rule.ts). Whatever holds back, it is only ever between
// segments, where a pause sounds like one. A listener may step between segments (sentences) with next
// and back: played audio is kept (up to a bound) so back replays it (decision 0030).
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
  /** next/back moved the playhead to `index` (count or more: the job ends); generation may follow it. */
  onJump?(index: number): void;
  /** A fresh sink after a jump dropped the old one's queued audio (without it the same sink is reused). */
  reopen?(): Promise<AudioSink>;
  /** Whether a segment without audio behind the playhead can still be generated again (for back). */
  canRegenerate?(): boolean;
  /**
   * Move on to the next segment only when the one written is nearly heard (within AUDIBLE_LEAD_SECONDS), so the
   * playhead, the phase events and next/back follow what the listener hears, not how far the device's buffer reaches.
   */
  followAudible?: boolean;
  /** Samples of played segments kept for back (default KEEP_SAMPLES); the oldest go first. */
  keepSamples?: number;
  now?(): number;
}

/** Played audio kept for back: 16 Mi float samples (64 MiB, ~11 minutes at 24 kHz). */
export const KEEP_SAMPLES = 16 * 1024 * 1024;
/** How much of a segment may still be queued in the device when the playhead moves to the next one. */
export const AUDIBLE_LEAD_SECONDS = 0.2;
/** Back restarts the current segment once this much of it has played, else goes to the one before (media players' rule). */
export const RESTART_AFTER_SECONDS = 1.5;

interface Segment {
  index: number;
  tokens: number | null;
  predicted: number;
  chunks: Float32Array[];
  /** Seconds generated so far. */
  generated: number;
  ended: boolean;
  /** Its generation stopped before the end (skipped with next): not playable, generated again if wanted. */
  partial: boolean;
  /** Its audio was let go (the keep bound): generated again if wanted, while generation lasts. */
  dropped: boolean;
  startedAt: number;
}

/** Chunk size assumed when the engine does not announce its next one (Qwen3-TTS's first chunk: 4 frames). */
const FIRST_CHUNK_SECONDS = 0.32;

export class PlaybackScheduler {
  /** By index: a segment may be generated again (after a skip), out of order. */
  private readonly segments: Array<Segment | undefined> = [];
  /** The one being generated. */
  private generating: Segment | undefined;
  private count = 1;
  /** The segment playing, or the next to play. */
  private head = 0;
  /** Where next/back asked to go, until the writer gets there. */
  private jump: number | undefined;
  /** Seconds of the playing segment written to the sink, and whether it has begun. */
  private written = 0;
  private playing = false;
  private sink: AudioSink | undefined;
  /** Audio went into the sink since it was opened (a jump must drop it). */
  private dirty = false;
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
    o.signal.addEventListener(
      'abort',
      () => {
        this.sink?.stop(); // the sink in use, which a jump may have replaced
        this.changed();
      },
      { once: true },
    );
  }

  /** Generation of segment `index` (of `count`) begins; `tokens` is its length in text tokens, if known. */
  segment(index: number, count: number, tokens: number | null): void {
    this.closeSegment();
    this.count = count;
    const seg: Segment = {
      index,
      tokens,
      predicted: this.o.predict(tokens),
      chunks: [],
      generated: 0,
      ended: false,
      partial: false,
      dropped: false,
      startedAt: this.now(),
    };
    this.segments[index] = seg;
    this.generating = seg;
    this.changed();
  }

  /** Audio as generated; `next` = samples in the engine's next chunk, if it said. */
  audio(samples: Float32Array, next?: number): void {
    if (!this.generating || this.generating.ended)
      this.segment(this.segments.length, Math.max(this.count, this.segments.length + 1), null);
    const seg = this.generating!;
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

  /** Generation of the current segment was stopped (the listener skipped it): its audio is not played. */
  segmentAbandoned(): void {
    const seg = this.generating;
    if (!seg || seg.ended) return;
    seg.ended = true;
    seg.partial = true;
    seg.chunks = [];
    this.changed();
  }

  /** The playing segment (or the next to play). */
  get playhead(): number {
    return this.jump ?? this.head;
  }

  /** Whether segment `index` has all its audio (played again without generating). */
  complete(index: number): boolean {
    const seg = this.segments[index];
    return !!seg && seg.ended && !seg.partial && !seg.dropped;
  }

  /** How many segments the text has (as generation announced). */
  get segmentCount(): number {
    return this.count;
  }

  /** Skips the rest of the playing segment. Returns where playback goes (count or more: the end). */
  next(): number {
    return this.jumpTo((this.jump ?? this.head) + 1);
  }

  /**
   * Back, as media players do: the segment before, unless the playing one has played for more than
   * RESTART_AFTER_SECONDS (then it starts again), or it is the first one, or the one before cannot be had any more.
   */
  back(): number {
    const here = this.jump ?? this.head;
    const played = this.jump === undefined && this.playing ? this.playedSeconds() : 0;
    let target = played > RESTART_AFTER_SECONDS ? here : Math.max(0, here - 1);
    if (target < here && !this.complete(target) && !(this.o.canRegenerate?.() ?? false)) target = here;
    return this.jumpTo(target);
  }

  private jumpTo(index: number): number {
    this.jump = index;
    if (this.dirty) this.sink?.stop(); // silence now, even inside a long write; the writer opens a fresh sink
    this.o.onJump?.(index);
    this.changed();
    return index;
  }

  /** Seconds of the playing segment that have reached the listener (written, less what the device still holds). */
  private playedSeconds(): number {
    return Math.max(0, this.written - Math.max(0, this.aheadUntil - this.now()) / 1000);
  }

  /** Generation is over (successfully or not): play out what there is. */
  end(): void {
    this.closeSegment();
    this.finished = true;
    this.changed();
  }

  /**
   * Writes every segment into the sink as the policy allows, following next/back; resolves when all is
   * written (or aborted) with the sink it ended on (a jump replaces it).
   */
  async run(sink: AudioSink): Promise<AudioSink> {
    const { signal } = this.o;
    this.sink = sink;
    for (let k = 0; !signal.aborted;) {
      if (this.jump !== undefined) {
        k = this.jump;
        this.jump = undefined;
        this.head = k;
        this.playing = false;
        this.written = 0;
        if (this.dirty) {
          sink = await this.fresh(sink);
          this.dirty = false;
        }
        continue;
      }
      if (k >= this.count && this.finished) return sink;
      while (!signal.aborted && this.jump === undefined && !this.playable(k) && !(this.finished && !this.pending(k)))
        await this.change();
      if (this.jump !== undefined) continue;
      const seg = this.segments[k];
      if (!seg || signal.aborted || !this.playable(k)) return sink;
      let held = false;
      while (!signal.aborted && this.jump === undefined && !this.ready(seg)) {
        // generated but held back: say so once (not while nothing is generated yet)
        if (!held && seg.generated > 0) {
          held = true;
          this.o.onPhase?.('preparing', { index: seg.index, count: this.count });
        }
        await this.change();
      }
      if (signal.aborted) return sink;
      if (this.jump !== undefined) continue;
      // Ready (judged with what the device still holds), but written only once the one before is nearly heard.
      if (this.o.followAudible && !sink.clockless && k !== this.head) await this.nearlyHeard();
      if (signal.aborted) return sink;
      if (this.jump !== undefined) continue;
      this.head = k;
      this.playing = true;
      this.written = 0;
      this.o.onPhase?.('speaking', { index: seg.index, count: this.count });
      for (let i = 0; !signal.aborted && this.jump === undefined;) {
        const chunk = seg.chunks[i];
        if (chunk) {
          i++;
          await Promise.race([this.o.unpaused(signal), this.jumped()]);
          if (signal.aborted || this.jump !== undefined) break;
          this.dirty = true;
          await sink.write(chunk);
          this.written += chunk.length / this.o.sampleRate;
          this.aheadUntil = Math.max(this.now(), this.aheadUntil) + (chunk.length / this.o.sampleRate) * 1000;
        } else if (seg.ended) break;
        else await this.change();
      }
      if (signal.aborted) return sink;
      if (this.jump === undefined) {
        k++;
        this.keepWithinBound(this.head); // the one just written may still be heard: kept with those after it
      }
    }
    return sink;
  }

  /** Waits until what was written is heard but for AUDIBLE_LEAD_SECONDS (or a jump, or the end). */
  private async nearlyHeard(): Promise<void> {
    for (;;) {
      const wait = this.aheadUntil - this.now() - AUDIBLE_LEAD_SECONDS * 1000;
      if (wait <= 0 || this.jump !== undefined || this.o.signal.aborted) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise((r) => (timer = setTimeout(r, wait))), this.jumped()]);
      clearTimeout(timer);
    }
  }

  /** Segment k can be played: it exists, it was not cut short or let go. */
  private playable(k: number): boolean {
    const seg = this.segments[k];
    return !!seg && !seg.partial && !seg.dropped;
  }

  /** Whether segment k may still come (generation goes on, or it would be generated again). */
  private pending(k: number): boolean {
    return k < this.count && !this.finished;
  }

  /** A fresh sink in place of one holding audio a jump left behind. */
  private async fresh(old: AudioSink): Promise<AudioSink> {
    old.stop();
    await old.close().catch(() => undefined);
    this.aheadUntil = 0;
    if (!this.o.reopen) {
      this.sink = old;
      return old;
    }
    const sink = await this.o.reopen();
    this.sink = sink;
    if (this.o.signal.aborted) sink.stop();
    return sink;
  }

  /** Resolves when next/back asks the writer to move. */
  private jumped(): Promise<void> {
    if (this.jump !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () =>
        this.jump !== undefined || this.o.signal.aborted ? resolve() : void this.jumpWaiters.add(check);
      this.jumpWaiters.add(check);
    });
  }

  private readonly jumpWaiters = new Set<() => void>();

  /** Lets go of the oldest played audio beyond the bound, counting back from the one before `head`. */
  private keepWithinBound(head: number): void {
    const bound = this.o.keepSamples ?? KEEP_SAMPLES;
    let kept = 0;
    for (let i = head - 1; i >= 0; i--) {
      const seg = this.segments[i];
      if (!seg || seg.dropped || seg.partial) continue;
      const samples = seg.chunks.reduce((n, c) => n + c.length, 0);
      if (kept + samples > bound) {
        seg.chunks = [];
        seg.dropped = true;
      } else kept += samples;
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
    const seg = this.generating;
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

  /** Resolves at the next change (audio, a segment, a jump, the end). */
  private change(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  private changed(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
    const waiters = [...this.jumpWaiters];
    this.jumpWaiters.clear();
    for (const w of waiters) w();
  }
}
