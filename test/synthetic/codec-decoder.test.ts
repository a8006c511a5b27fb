// The real-size vocoder's structure at small widths: exact output length, finite and varied samples, causal.
import path from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCodecDecoder, SAMPLES_PER_FRAME, TEST_CODEC_DECODER_DIMS } from './codec-decoder.js';
import { tmpDir } from './helpers.js';
import { Rng } from './rng.js';

const tmp = tmpDir('q3tts-codec-');
let session: ort.InferenceSession;

beforeAll(async () => {
  buildCodecDecoder(new Rng(3), TEST_CODEC_DECODER_DIMS).save(tmp.dir, 'vocoder');
  session = await ort.InferenceSession.create(path.join(tmp.dir, 'vocoder.onnx'), {
    intraOpNumThreads: 1,
    logSeverityLevel: 4,
  });
});
afterAll(async () => {
  await session.release();
  tmp.remove();
});

const frames = (T: number) =>
  Array.from({ length: T }, (_, t) => Array.from({ length: 16 }, (_, g) => (t * 389 + g * 1201 + 17) % 2048));

async function decode(fr: number[][]): Promise<Float32Array> {
  const T = fr.length;
  const codes = new BigInt64Array(16 * T);
  fr.forEach((f, t) => f.forEach((c, g) => (codes[g * T + t] = BigInt(c))));
  const out = await session.run({ codes: new ort.Tensor('int64', codes, [1, 16, T]) });
  return out.waveform!.data as Float32Array;
}

describe('codec decoder (vocoder stack of qwen3-tts.md §1.3)', () => {
  it.each([2, 3, 7])('turns %i frames into exactly T·1920 finite, varied samples inside ±1', async (T) => {
    const wave = await decode(frames(T));
    expect(wave.length).toBe(T * SAMPLES_PER_FRAME);
    let sum = 0;
    let sq = 0;
    let clipped = 0;
    for (const v of wave) {
      expect(Number.isFinite(v)).toBe(true);
      sum += v;
      sq += v * v;
      if (Math.abs(v) >= 1) clipped++;
    }
    const rms = Math.sqrt(sq / wave.length - (sum / wave.length) ** 2);
    expect(rms).toBeGreaterThan(1e-4); // not constant
    expect(clipped / wave.length).toBeLessThan(0.05); // the clip is not what shapes the output
  });

  it('is causal: appending frames leaves the earlier samples unchanged', async () => {
    const all = frames(9);
    const short = await decode(all.slice(0, 5));
    const long = await decode(all);
    let diff = 0;
    for (let i = 0; i < short.length; i++) diff = Math.max(diff, Math.abs(short[i]! - long[i]!));
    expect(diff).toBeLessThan(1e-4);
    // and the appended frames do change what follows
    const changed = await decode([...all.slice(0, 5), ...frames(4).map((f) => f.map((c) => (c + 1000) % 2048))]);
    let later = 0;
    for (let i = short.length; i < long.length; i++) later = Math.max(later, Math.abs(changed[i]! - long[i]!));
    expect(later).toBeGreaterThan(1e-3);
  });

  it('depends on every codebook', async () => {
    const base = frames(4);
    const ref = await decode(base);
    for (const g of [0, 7, 15]) {
      const edited = base.map((f) => f.map((c, i) => (i === g ? (c + 513) % 2048 : c)));
      const wave = await decode(edited);
      let d = 0;
      for (let i = 0; i < wave.length; i++) d = Math.max(d, Math.abs(wave[i]! - ref[i]!));
      expect(d, `codebook ${g}`).toBeGreaterThan(1e-4);
    }
  });
});
