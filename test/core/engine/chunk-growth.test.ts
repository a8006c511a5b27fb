// Chunks past the plan's cap while the listener has audio in hand (chunk-growth.ts): the rule's arithmetic, and a
// stream on a simulated clock (generation and vocoder costs charged to it, a listener playing in real time from
// the first audio) showing when chunks grow and that no chunk then arrives after the listener ran out.
import { describe, expect, it } from 'vitest';
import { bufferedAtLeast, grownChunkFrames, GROWTH_MARGINS } from '../../../src/core/engine/qwen3/chunk-growth.js';
import { DEFAULT_CHUNK_PLAN, VocoderStream, type ChunkPlan } from '../../../src/core/engine/qwen3/vocoder-stream.js';

const progress = (producedSeconds: number, sinceFirstAudio: number, sinceStart: number) => ({
  producedSeconds,
  sinceFirstAudio,
  sinceStart,
});

describe('grownChunkFrames', () => {
  it('keeps the plan below its cap, and when growth is off', () => {
    const lots = progress(100, 1, 2);
    expect(grownChunkFrames(32, 48, 192, lots)).toBe(32);
    expect(grownChunkFrames(48, 48, 48, lots)).toBe(48);
    expect(grownChunkFrames(48, 48, 0, lots)).toBe(48);
    expect(grownChunkFrames(48, 48, 192, progress(0, 0, 0))).toBe(48);
  });

  it('doubles past the cap as far as the audio in hand covers making the chunk, with margins', () => {
    // 10 s produced in 5 s (RTF 0.5, pessimised to 0.75), 3 s of it playable so far: 7 s in hand.
    const p = progress(10, 3, 5);
    expect(bufferedAtLeast(p)).toBe(7);
    const rtf = 0.5 * (1 + GROWTH_MARGINS.rtf);
    const cost = (frames: number) => frames * 0.08 * rtf + GROWTH_MARGINS.seconds;
    expect(cost(96)).toBeLessThanOrEqual(7);
    expect(cost(192)).toBeGreaterThan(7);
    expect(grownChunkFrames(48, 48, 192, p)).toBe(96);
    expect(grownChunkFrames(48, 48, 96, p)).toBe(96);
    // the same speed with more in hand reaches the largest; never past it
    expect(grownChunkFrames(48, 48, 192, progress(30, 8, 15))).toBe(192);
    expect(grownChunkFrames(48, 48, 384, progress(30, 8, 15))).toBe(192); // 384 would need 23.5 s of the 22
    expect(grownChunkFrames(48, 48, 384, progress(30, 4, 15))).toBe(384); // … and fits in 26
  });

  it('falls back to the cap when the lead runs low, and never grows slower than real time', () => {
    expect(grownChunkFrames(48, 48, 192, progress(10, 8, 9))).toBe(48); // 2 s in hand: not enough for 96
    expect(grownChunkFrames(48, 48, 192, progress(10, 2, 15))).toBe(48); // RTF 1.5
    expect(grownChunkFrames(48, 48, 192, progress(10, 0, 12))).toBe(48); // held back, but slower than real time
  });
});

/**
 * A stream on a simulated clock: each frame costs `frameMs` of generation, each vocoder run `vocoderMs(window)`;
 * the engine's inline order (generate until ready, decode, hand out). A listener plays from the first audio in
 * real time; returns the chunk sizes and the worst shortfall (ms the listener waited inside the stream).
 */
async function simulate(plan: ChunkPlan, frames: number, frameMs: (t: number) => number) {
  let clock = 0;
  const vocoderMs = (window: number) => 20 + 1.2 * window;
  const stream = new VocoderStream(
    async (w) => {
      clock += vocoderMs(w.length);
      return new Float32Array(w.length * 1920);
    },
    plan,
    () => clock,
  );
  const sizes: number[] = [];
  let firstAudio = -1;
  let played = 0; // ms of audio the listener has, counted from firstAudio
  let worstGap = 0;
  const out = (n: number) => {
    if (firstAudio < 0) firstAudio = clock;
    worstGap = Math.max(worstGap, clock - (firstAudio + played));
    played += n * 80;
    sizes.push(n);
  };
  for (let t = 0; t < frames; t++) {
    clock += frameMs(t);
    stream.push([t]);
    if (stream.ready) out((await stream.flush())!.frames.length);
  }
  const last = await stream.flush();
  if (last) out(last.frames.length);
  return { sizes, worstGap };
}

describe('VocoderStream with growth', () => {
  const noGrowth: ChunkPlan = { ...DEFAULT_CHUNK_PLAN, bufferedChunkFrames: DEFAULT_CHUNK_PLAN.chunkFrames };
  const upTo192: ChunkPlan = { ...DEFAULT_CHUNK_PLAN, bufferedChunkFrames: 192 };

  it('grows past 48 when generation runs ahead of real time, with no chunk arriving late', async () => {
    const fast = await simulate(upTo192, 1200, () => 30);
    expect(fast.sizes.slice(0, 6)).toEqual([4, 4, 8, 16, 32, 48]); // first audio unchanged
    expect(Math.max(...fast.sizes)).toBe(192);
    expect(fast.worstGap).toBe(0);
    expect(fast.sizes.reduce((a, b) => a + b, 0)).toBe(1200);
    // the same frames with today's plan: never past 48; with the default, up to its 96
    expect(Math.max(...(await simulate(noGrowth, 1200, () => 30)).sizes)).toBe(48);
    expect(DEFAULT_CHUNK_PLAN.bufferedChunkFrames).toBe(96);
    const byDefault = await simulate(DEFAULT_CHUNK_PLAN, 1200, () => 30);
    expect(Math.max(...byDefault.sizes)).toBe(96);
    expect(byDefault.worstGap).toBe(0);
  });

  it.each([40, 55, 65, 72])(
    'adds no underrun where the plan without growth had none (%i ms a frame)',
    async (frameMs) => {
      const grown = await simulate(upTo192, 1200, () => frameMs);
      const today = await simulate(noGrowth, 1200, () => frameMs);
      // the first chunks underrun alike when the start is not held (asap); past them, growth adds none
      expect(grown.worstGap).toBeLessThanOrEqual(today.worstGap);
    },
  );

  it('backs down to 48 when the lead runs low, and runs dry no sooner than the plan without growth', async () => {
    // ahead of real time for 500 frames, then slower than real time (95 ms a frame) until the lead is spent
    const speed = (t: number) => (t < 500 ? 30 : 95);
    const grown = await simulate(upTo192, 2500, speed);
    const today = await simulate(noGrowth, 2500, speed);
    console.log(`slowdown: grown sizes ${grown.sizes.join(',')}; gaps ${grown.worstGap} vs ${today.worstGap} ms`);
    expect(Math.max(...grown.sizes)).toBe(192);
    expect(grown.sizes.slice(-3).every((n) => n <= 48)).toBe(true);
    expect(grown.worstGap).toBeLessThanOrEqual(today.worstGap);
  });

  it('never grows slower than real time', async () => {
    const slow = await simulate(upTo192, 400, () => 100);
    expect(Math.max(...slow.sizes)).toBe(48);
  });

  it('announces the grown size as the next chunk before its frames are claimed', async () => {
    const clock = 0;
    const stream = new VocoderStream(
      async (w) => new Float32Array(w.length * 1920),
      { firstChunkFrames: 2, chunkFrames: 4, leftContextFrames: 1, bufferedChunkFrames: 16 },
      () => clock, // no time passes: everything handed out is still in hand
    );
    const sizes: number[] = [];
    const announced: number[] = [];
    for (let t = 0; t < 60; t++) {
      stream.push([t]);
      if (stream.ready) {
        sizes.push((await stream.flush())!.frames.length);
        announced.push(stream.nextChunkFrames);
      }
    }
    // 0.64 s handed out after the third chunk and no time passed: the fourth grows to the largest at once
    expect(sizes).toEqual([2, 2, 4, 16, 16, 16]);
    expect(announced.slice(0, -1)).toEqual(sizes.slice(1));
  });
});
