import { describe, expect, it } from 'vitest';
import { TempoStretcher } from '../../../src/core/audio/tempo.js';

const RATE = 24000;
const sine = (hz: number, seconds: number) =>
  Float32Array.from({ length: Math.round(RATE * seconds) }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / RATE));

/** Streams `input` through a stretcher in uneven pieces, as the engine delivers audio. */
function stretch(input: Float32Array, speed: number): Float32Array {
  const t = new TempoStretcher(speed);
  const parts: Float32Array[] = [];
  for (let at = 0, k = 0; at < input.length; k++) {
    const n = [1920, 700, 3841, 13][k % 4]!;
    parts.push(t.push(input.subarray(at, at + n)));
    at += n;
  }
  parts.push(t.flush());
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

describe('TempoStretcher (speed with the pitch kept)', () => {
  it.each([0.25, 0.5, 0.8, 1.5, 2, 4])('speed %f: duration divided by the speed, pitch unchanged', (speed) => {
    const input = sine(220, 2);
    const out = stretch(input, speed);
    expect(Math.abs(out.length - input.length / speed)).toBeLessThanOrEqual(1);
    expect(pitch(out)).toBeGreaterThan(220 * 0.97);
    expect(pitch(out)).toBeLessThan(220 * 1.03);
    // no clicks: WSOLA lines the periods up, so the level stays that of the input (Hann windows sum to 1)
    const mid = out.subarray(Math.floor(out.length * 0.1), Math.floor(out.length * 0.9));
    expect(mid.reduce((m, v) => Math.max(m, Math.abs(v)), 0)).toBeLessThan(0.55);
    const rms = Math.sqrt(mid.reduce((s, v) => s + v * v, 0) / mid.length);
    expect(rms).toBeGreaterThan((0.5 / Math.SQRT2) * 0.9);
  });

  it('speed 1 passes audio through untouched', () => {
    const input = sine(300, 0.3);
    expect(stretch(input, 1)).toEqual(input);
  });

  it('refuses speeds outside 0.25–4', () => {
    expect(() => new TempoStretcher(0.2)).toThrow(/between 0.25 and 4/);
    expect(() => new TempoStretcher(4.5)).toThrow(/between 0.25 and 4/);
    expect(() => new TempoStretcher(Number.NaN)).toThrow();
  });

  it('short input (less than a frame) still comes out, scaled', () => {
    const out = stretch(sine(440, 0.02), 2);
    expect(Math.abs(out.length - 240)).toBeLessThanOrEqual(1);
  });
});
