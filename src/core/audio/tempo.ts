// Speaking rate without a pitch change: WSOLA (waveform-similarity overlap-add), streaming. Each output frame is
// the input frame near its nominal place (input advances `speed` times faster than output) whose start best
// continues the previous frame, found by cross-correlation, so periods line up and nothing chirps or echoes.
// Pure and incremental: push() what the engine makes, get what is final, flush() at the end.
import type { AudioSink } from './sink.js';

/** 40 ms frames at 24 kHz, overlapped by half with a Hann window (which then sums to exactly 1). */
const FRAME = 960;
const HOP = FRAME / 2;
/** How far (samples) a frame may move from its nominal place to line up: ±10 ms, a period of 100 Hz. */
const SEEK = 240;

export const MIN_SPEED = 0.25;
export const MAX_SPEED = 4;

const WINDOW = Float32Array.from({ length: FRAME }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / FRAME));

export class TempoStretcher {
  private input = new Float32Array(0);
  /** Where `input[0]` sits in the whole input stream (samples dropped from the front so far). */
  private inputBase = 0;
  private output = new Float32Array(FRAME);
  /** Whole-stream output position of `output[0]`. */
  private outputBase = 0;
  private frame = 0;
  /** Whole-stream input position of the previous frame's start (its natural continuation follows at +HOP). */
  private previous = -1;
  private flushed = false;

  constructor(readonly speed: number) {
    if (!(speed >= MIN_SPEED && speed <= MAX_SPEED))
      throw new RangeError(`speed must be between ${MIN_SPEED} and ${MAX_SPEED}, got ${speed}`);
  }

  /** Audio in; the output that is final so far out (possibly empty). */
  push(samples: Float32Array): Float32Array {
    if (this.speed === 1) return samples;
    this.append(samples);
    return this.run(false);
  }

  /** The rest of the output, once the input has ended. */
  flush(): Float32Array {
    if (this.speed === 1 || this.flushed) return new Float32Array(0);
    this.flushed = true;
    const inputEnd = this.inputBase + this.input.length;
    this.append(new Float32Array(FRAME + 2 * SEEK)); // silence, so the last frames have input to read
    const tail = this.run(true, inputEnd);
    // The output stands for the input up to inputEnd: cut the padding's share.
    const keep = Math.max(0, Math.round(inputEnd / this.speed) - (this.outputBase - tail.length));
    return tail.subarray(0, Math.min(tail.length, keep));
  }

  private append(samples: Float32Array): void {
    const joined = new Float32Array(this.input.length + samples.length);
    joined.set(this.input);
    joined.set(samples, this.input.length);
    this.input = joined;
  }

  private run(final: boolean, inputEnd = Infinity): Float32Array {
    const done: Float32Array[] = [];
    for (;;) {
      const nominal = Math.round(this.frame * HOP * this.speed);
      if (final && nominal >= inputEnd) break;
      const lo = Math.max(0, nominal - SEEK);
      const hi = nominal + SEEK;
      if (hi + FRAME > this.inputBase + this.input.length) break; // wait for more input
      const start = this.previous < 0 ? nominal : this.bestStart(lo, hi);
      // overlap-add the chosen frame at this frame's output place
      const at = this.frame * HOP - this.outputBase;
      const from = start - this.inputBase;
      for (let i = 0; i < FRAME; i++) this.output[at + i]! += this.input[from + i]! * WINDOW[i]!;
      this.previous = start;
      this.frame++;
      // samples before the next frame's start are final
      done.push(this.output.slice(0, HOP));
      this.output.copyWithin(0, HOP);
      this.output.fill(0, FRAME - HOP);
      this.outputBase += HOP;
      this.dropInputBefore(Math.min(this.previous + HOP, Math.round(this.frame * HOP * this.speed) - SEEK));
    }
    if (final) {
      done.push(this.output.slice(0, HOP)); // the last frame's second half
      this.outputBase += HOP;
    }
    const total = done.reduce((n, d) => n + d.length, 0);
    const out = new Float32Array(total);
    let k = 0;
    for (const d of done) out.set(d, (k += d.length) - d.length);
    return out;
  }

  /** The start in [lo, hi] whose overlap best matches the previous frame's natural continuation. */
  private bestStart(lo: number, hi: number): number {
    const natural = this.previous + HOP - this.inputBase;
    let best = lo;
    let bestScore = -Infinity;
    for (let s = lo; s <= hi; s++) {
      const from = s - this.inputBase;
      let score = 0;
      for (let i = 0; i < HOP; i += 2) score += this.input[from + i]! * this.input[natural + i]!;
      if (score > bestScore) {
        bestScore = score;
        best = s;
      }
    }
    return best;
  }

  private dropInputBefore(position: number): void {
    const drop = Math.max(0, position - this.inputBase);
    if (drop < 4 * FRAME) return; // copy rarely
    this.input = this.input.slice(drop);
    this.inputBase += drop;
  }
}

/** A sink that plays at `speed` (pitch kept): the stretch happens on the way in, the rest is flushed at drain. */
export function withSpeed(sink: AudioSink, speed: number | undefined): AudioSink {
  if (speed === undefined || speed === 1) return sink;
  const tempo = new TempoStretcher(speed);
  return {
    open: (format) => sink.open(format),
    write: async (pcm) => {
      const out = tempo.push(pcm);
      if (out.length) await sink.write(out);
    },
    drain: async () => {
      const rest = tempo.flush();
      if (rest.length) await sink.write(rest);
      await sink.drain();
    },
    stop: () => sink.stop(),
    close: () => sink.close(),
  };
}
