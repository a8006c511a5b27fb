// The tempo a request is spoken at: the reader's rate times a door's speed (OpenAI's 0.25–4), one Sonic stream
// (src/core/audio/stretch.ts). Across that whole range the duration follows the tempo and the pitch stays.
import { describe, expect, it } from 'vitest';
import { MAX_TEMPO, MIN_TEMPO, SpeechShaper } from '../../../src/core/audio/stretch.js';

const RATE = 24000;
const sine = (hz: number, seconds: number) =>
  Float32Array.from({ length: Math.round(RATE * seconds) }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / RATE));

/** Streams `input` through one shaper in uneven pieces, as the engine delivers audio. */
async function stretch(input: Float32Array, tempo: number): Promise<Float32Array> {
  const shaper = await SpeechShaper.create(RATE, tempo, 1);
  const parts: Float32Array[] = [];
  for (let at = 0, k = 0; at < input.length; k++) {
    const n = [1920, 700, 3841, 13][k % 4]!;
    parts.push(shaper.process(input.subarray(at, at + n)));
    at += n;
  }
  parts.push(shaper.finish());
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  return out;
}

/** The dominant frequency from upward zero crossings (ignoring the edges). */
function pitch(x: Float32Array): number {
  const a = Math.floor(x.length * 0.1);
  const b = Math.floor(x.length * 0.9);
  let crossings = 0;
  for (let i = a + 1; i < b; i++) if (x[i - 1]! < 0 && x[i]! >= 0) crossings++;
  return (crossings * RATE) / (b - a);
}

describe('tempo across the doors’ speed range (pitch kept)', () => {
  it.each([0.25, 0.5, 0.8, 1.5, 2, 4, MAX_TEMPO])(
    'tempo %f: duration divided by the tempo, pitch unchanged',
    async (tempo) => {
      const input = sine(220, 2);
      const out = await stretch(input, tempo);
      expect(Math.abs(out.length - input.length / tempo) / (input.length / tempo)).toBeLessThan(0.05);
      expect(pitch(out)).toBeGreaterThan(220 * 0.97);
      expect(pitch(out)).toBeLessThan(220 * 1.03);
    },
  );

  it('tempo 1 passes audio through untouched', async () => {
    const input = sine(300, 0.3);
    expect(await stretch(input, 1)).toEqual(input);
  });

  it(`refuses tempos outside ${MIN_TEMPO}–${MAX_TEMPO}`, async () => {
    await expect(SpeechShaper.create(RATE, MIN_TEMPO / 2, 1)).rejects.toThrow(/tempo must be between/);
    await expect(SpeechShaper.create(RATE, MAX_TEMPO * 2, 1)).rejects.toThrow(/tempo must be between/);
    await expect(SpeechShaper.create(RATE, Number.NaN, 1)).rejects.toThrow();
  });
});
