import { describe, expect, it } from 'vitest';
import { FrameChunker, floatToInt16, floatToS16le, int16Bytes } from '../../../src/core/audio/pcm.js';

describe('floatToInt16', () => {
  it.each([
    [0, 0],
    [1, 32767],
    [-1, -32767],
    [0.5, 16384], // 16383.5 rounds up
    [-0.5, -16383], // -16383.5 rounds up too (Math.round)
    [1 / 32767, 1],
    [1e-6, 0],
    [2, 32767],
    [-2, -32767],
    [Infinity, 32767],
    [-Infinity, -32767],
    [NaN, 0],
  ])('%s → %s', (x, expected) => {
    expect(Array.from(floatToInt16(Float32Array.of(x)))).toEqual([expected]);
  });

  it('keeps order and length', () => {
    expect(Array.from(floatToInt16(Float32Array.of(0.25, -0.25, 0, 1.5)))).toEqual([8192, -8192, 0, 32767]);
    expect(floatToInt16(new Float32Array(0))).toHaveLength(0);
  });
});

describe('int16Bytes / floatToS16le', () => {
  it('writes little-endian two-byte samples', () => {
    expect(int16Bytes(Int16Array.of(1, -1, 256, -32768, 32767)).toString('hex')).toBe('0100ffff00010080ff7f');
  });
  it('converts floats straight to s16le', () => {
    expect(floatToS16le(Float32Array.of(1, -1, 0, NaN)).toString('hex')).toBe('ff7f0180' + '0000' + '0000');
  });
});

describe('FrameChunker', () => {
  const run = (frameSize: number, pieces: number[]) => {
    const c = new FrameChunker(frameSize);
    let next = 1;
    const frames: number[][] = [];
    for (const n of pieces) {
      const piece = Int16Array.from({ length: n }, () => next++);
      for (const f of c.push(piece)) frames.push(Array.from(f));
    }
    const rest = c.flush();
    return { frames, rest: rest ? Array.from(rest) : undefined };
  };

  it.each([
    { frameSize: 3, pieces: [3], frames: [[1, 2, 3]], rest: undefined },
    { frameSize: 3, pieces: [2, 2], frames: [[1, 2, 3]], rest: [4] },
    {
      frameSize: 3,
      pieces: [7],
      frames: [
        [1, 2, 3],
        [4, 5, 6],
      ],
      rest: [7],
    },
    { frameSize: 4, pieces: [1, 1, 1, 1, 1], frames: [[1, 2, 3, 4]], rest: [5] },
    {
      frameSize: 2,
      pieces: [0, 5, 0],
      frames: [
        [1, 2],
        [3, 4],
      ],
      rest: [5],
    },
    { frameSize: 5, pieces: [], frames: [], rest: undefined },
  ])('frame $frameSize, pieces $pieces', ({ frameSize, pieces, frames, rest }) => {
    expect(run(frameSize, pieces)).toEqual({ frames, rest });
  });

  it('frames are independent copies, and clear() forgets the remainder', () => {
    const c = new FrameChunker(2);
    const input = Int16Array.of(1, 2, 3);
    const [frame] = c.push(input);
    input[0] = 99;
    expect(Array.from(frame!)).toEqual([1, 2]);
    c.clear();
    expect(c.flush()).toBeUndefined();
    expect(Array.from(c.push(Int16Array.of(7, 8))[0]!)).toEqual([7, 8]);
  });

  it('rejects a frame size that is not a positive integer', () => {
    expect(() => new FrameChunker(0)).toThrow(RangeError);
    expect(() => new FrameChunker(2.5)).toThrow(RangeError);
  });
});
