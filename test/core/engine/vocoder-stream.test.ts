// Streaming chunk arithmetic (qwen3-tts.md §7) and the stream's bookkeeping, with a fake vocoder.
import { describe, expect, it } from 'vitest';
import {
  chunkSize,
  chunkWindow,
  DEFAULT_CHUNK_PLAN,
  VocoderStream,
} from '../../../src/core/engine/qwen3/vocoder-stream.js';

describe('chunk plan', () => {
  it('repeats the first chunk, then doubles up to the largest', () => {
    expect(Array.from({ length: 8 }, (_, i) => chunkSize(DEFAULT_CHUNK_PLAN, i))).toEqual([
      4, 4, 8, 16, 32, 48, 48, 48,
    ]);
    expect(
      Array.from({ length: 5 }, (_, i) => chunkSize({ firstChunkFrames: 3, chunkFrames: 10, leftContextFrames: 2 }, i)),
    ).toEqual([3, 3, 6, 10, 10]);
  });

  it.each([
    [0, 4, 25, { from: 0, to: 4, ctx: 0, dropSamples: 0 }],
    [4, 12, 25, { from: 0, to: 12, ctx: 4, dropSamples: 4 * 1920 }],
    [60, 108, 25, { from: 35, to: 108, ctx: 25, dropSamples: 25 * 1920 }],
  ])('window for frames [%i, %i) with %i frames of context', (start, end, ctx, expected) => {
    expect(chunkWindow(start, end, ctx)).toEqual(expected);
  });
});

describe('VocoderStream', () => {
  /** A vocoder that answers when told to, with each frame's first code as its samples. */
  function fakeVocoder() {
    const calls: { frames: number[]; resolve: () => void }[] = [];
    const vocode = (frames: readonly (readonly number[])[]) =>
      new Promise<Float32Array>((resolve) => {
        const wave = new Float32Array(frames.length * 1920);
        frames.forEach((f, i) => wave.fill(f[0]!, i * 1920, (i + 1) * 1920));
        calls.push({ frames: frames.map((f) => f[0]!), resolve: () => resolve(wave) });
      });
    return { calls, vocode };
  }

  it('claims its frames when a flush starts, so frames pushed meanwhile go to the next chunk', async () => {
    const fake = fakeVocoder();
    const s = new VocoderStream(fake.vocode, { firstChunkFrames: 2, chunkFrames: 4, leftContextFrames: 1 });
    s.push([10]);
    s.push([11]);
    expect(s.ready).toBe(true);
    const first = s.flush();
    expect(s.pending).toBe(0);
    s.push([12]);
    expect(s.ready).toBe(false); // the second chunk is 2 frames, like the first
    s.push([13]);
    s.push([14]);
    s.push([15]);
    const second = s.flush();
    expect(fake.calls.map((c) => c.frames)).toEqual([
      [10, 11],
      [11, 12, 13, 14, 15], // one frame of context in front
    ]);
    fake.calls[1]!.resolve();
    fake.calls[0]!.resolve();
    const a = (await first)!;
    const b = (await second)!;
    expect(a.frames.map((f) => f[0])).toEqual([10, 11]);
    expect(b.frames.map((f) => f[0])).toEqual([12, 13, 14, 15]);
    // the context frame's samples are dropped: exactly the chunk's own frames come out
    expect(b.samples.length).toBe(4 * 1920);
    expect([b.samples[0], b.samples[4 * 1920 - 1]]).toEqual([12, 15]);
    expect(await s.flush()).toBeNull();
  });

  it('takes a reference as left context: decoded in front of the next chunk, never handed out (Base clones)', async () => {
    const fake = fakeVocoder();
    const s = new VocoderStream(fake.vocode, { firstChunkFrames: 2, chunkFrames: 4, leftContextFrames: 2 });
    s.setContext([[1], [2], [3]]);
    expect(s.pending).toBe(0);
    s.push([10]);
    s.push([11]);
    const first = s.flush();
    expect(fake.calls.map((c) => c.frames)).toEqual([[2, 3, 10, 11]]); // the last 2 reference frames in front
    fake.calls[0]!.resolve();
    const a = (await first)!;
    expect(a.frames.map((f) => f[0])).toEqual([10, 11]);
    expect([a.samples.length, a.samples[0]]).toEqual([2 * 1920, 10]);
    // a new segment starts again after the reference, not after the last segment's frames
    s.setContext([[5]]);
    s.push([20]);
    void s.flush();
    expect(fake.calls[1]!.frames).toEqual([5, 20]);
    s.push([21]);
    expect(() => s.setContext([[1]])).toThrow(/pending/);
  });
});
