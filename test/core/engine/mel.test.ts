// The official log-mel (qwen3-tts.md §1.5) against a float64 reference written here from the definitions: a naive
// DFT of every frame and a filterbank built from the Slaney formulas the way librosa lays them out (ramps over
// all bins, then the Slaney norm), sharing nothing with src/core/engine/qwen3/mel.ts.
import { describe, expect, it } from 'vitest';
import {
  hzToMel,
  logMel,
  MEL_MIN_SAMPLES,
  melBands,
  melFrameCount,
  MelInputError,
  melToHz,
} from '../../../src/core/engine/qwen3/mel.js';

const SR = 24000;
const N_FFT = 1024;
const HOP = 256;
const N_MELS = 128;
const BINS = N_FFT / 2 + 1;

/**
 * The bar for |ours − reference| on every signal below (docs/qwen3-tts.md quotes it). Measured 2026-12-03: at most
 * 5.2e-7, which is float32 rounding of values near log(1e-5) ≈ −11.5 (half an ulp there is 4.8e-7).
 */
const MAX_ABS_DIFF = 1e-6;

function slaneyMel(hz: number): number {
  // librosa.hz_to_mel(htk=False): 3 mels per 200 Hz up to 1 kHz, then 27 mels per factor 6.4
  return hz < 1000 ? (3 * hz) / 200 : 15 + (27 * Math.log(hz / 1000)) / Math.log(6.4);
}
function slaneyHz(mel: number): number {
  return mel < 15 ? (200 * mel) / 3 : 1000 * Math.pow(6.4, (mel - 15) / 27);
}

/** librosa.filters.mel(sr, n_fft, n_mels, fmin=0, fmax=12000, htk=False, norm='slaney') as a dense float64 matrix. */
function referenceFilterbank(): Float64Array[] {
  const fftFreqs = Array.from({ length: BINS }, (_, k) => ((SR / 2) * k) / (BINS - 1));
  const top = slaneyMel(12000);
  const melF = Array.from({ length: N_MELS + 2 }, (_, i) => slaneyHz((top * i) / (N_MELS + 1)));
  const rows: Float64Array[] = [];
  for (let i = 0; i < N_MELS; i++) {
    const row = new Float64Array(BINS);
    const enorm = 2 / (melF[i + 2]! - melF[i]!);
    for (let k = 0; k < BINS; k++) {
      const lower = -(melF[i]! - fftFreqs[k]!) / (melF[i + 1]! - melF[i]!);
      const upper = (melF[i + 2]! - fftFreqs[k]!) / (melF[i + 2]! - melF[i + 1]!);
      row[k] = Math.max(0, Math.min(lower, upper)) * enorm;
    }
    rows.push(row);
  }
  return rows;
}

/** The whole official front end in float64: reflect pad, naive DFT, magnitude, mel, log. [frames][128]. */
function referenceLogMel(x: Float32Array, fb: Float64Array[]): number[][] {
  const pad = (N_FFT - HOP) / 2;
  const padded: number[] = [];
  for (let i = pad; i >= 1; i--) padded.push(x[i]!);
  for (const v of x) padded.push(v);
  for (let i = x.length - 2; i >= x.length - 1 - pad; i--) padded.push(x[i]!);
  const frames = Math.floor((padded.length - N_FFT) / HOP) + 1;
  const cos = Float64Array.from({ length: N_FFT }, (_, j) => Math.cos((2 * Math.PI * j) / N_FFT));
  const sin = Float64Array.from({ length: N_FFT }, (_, j) => Math.sin((2 * Math.PI * j) / N_FFT));
  const out: number[][] = [];
  const frame = new Float64Array(N_FFT);
  const mag = new Float64Array(BINS);
  for (let t = 0; t < frames; t++) {
    for (let i = 0; i < N_FFT; i++) {
      const hann = 0.5 * (1 - Math.cos((2 * Math.PI * i) / N_FFT)); // torch.hann_window(1024), periodic
      frame[i] = padded[t * HOP + i]! * hann;
    }
    for (let k = 0; k < BINS; k++) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < N_FFT; i++) {
        const j = (k * i) % N_FFT;
        re += frame[i]! * cos[j]!;
        im -= frame[i]! * sin[j]!;
      }
      mag[k] = Math.sqrt(re * re + im * im + 1e-9);
    }
    out.push(
      fb.map((row) => {
        let e = 0;
        for (let k = 0; k < BINS; k++) e += row[k]! * mag[k]!;
        return Math.log(Math.max(e, 1e-5));
      }),
    );
  }
  return out;
}

function noise(n: number, seed: number, scale = 0.3): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return (a / 2 ** 32 - 0.5) * 2 * scale;
  });
}

const signals: [string, Float32Array][] = [
  ['440 Hz tone', Float32Array.from({ length: 12000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / SR))],
  [
    'two tones, 97 Hz and 5 kHz',
    Float32Array.from(
      { length: 9001 },
      (_, i) => 0.3 * Math.sin((2 * Math.PI * 97 * i) / SR) + 0.2 * Math.cos((2 * Math.PI * 5000 * i) / SR),
    ),
  ],
  ['white noise', noise(10000, 1)],
  [
    'chirp 50 Hz → 11.5 kHz',
    Float32Array.from({ length: 15000 }, (_, i) => {
      const t = i / SR;
      const dur = 15000 / SR;
      return 0.4 * Math.sin(2 * Math.PI * (50 * t + ((11500 - 50) / (2 * dur)) * t * t));
    }),
  ],
  ['silence', new Float32Array(6000)],
  ['a step (silence, then full scale)', Float32Array.from({ length: 4000 }, (_, i) => (i < 2000 ? 0 : 0.99))],
  ['quiet noise near the log floor', noise(5000, 9, 1e-4)],
  ['the shortest clip (385 samples, odd)', noise(MEL_MIN_SAMPLES, 3)],
  ['odd length 1001', noise(1001, 4)],
  ['odd length 2047 (one short of a hop multiple)', noise(2047, 5)],
];

describe('log-mel front end (official: n_fft 1024, hop 256, Hann, 128 Slaney mels 0–12 kHz, reflect 384)', () => {
  const fb = referenceFilterbank();

  it.each(signals)('%s: equals the float64 reference within MAX_ABS_DIFF', (_name, x) => {
    const { data, frames } = logMel(x);
    const ref = referenceLogMel(x, fb);
    expect(frames).toBe(ref.length);
    expect(data.length).toBe(frames * N_MELS);
    let worst = 0;
    ref.forEach((row, t) => row.forEach((v, m) => (worst = Math.max(worst, Math.abs(v - data[t * N_MELS + m]!)))));
    expect(worst).toBeLessThanOrEqual(MAX_ABS_DIFF);
  });

  it('reads silence as log(1e-5) everywhere and a tone as energy in its band', () => {
    const silent = logMel(new Float32Array(3000)).data;
    expect(silent.every((v) => Math.abs(v - Math.log(1e-5)) < 1e-6)).toBe(true);
    // 1 kHz is bin 42.67; the band peaking nearest it must be the loudest in a steady frame
    const tone = logMel(Float32Array.from({ length: 8000 }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / SR)));
    const row = Array.from(tone.data.subarray(10 * N_MELS, 11 * N_MELS));
    const loudest = row.indexOf(Math.max(...row));
    const centres = Array.from({ length: N_MELS }, (_, m) => slaneyHz((slaneyMel(12000) * (m + 1)) / (N_MELS + 1)));
    const nearest = centres.reduce(
      (best, f, m) => (Math.abs(f - 1000) < Math.abs(centres[best]! - 1000) ? m : best),
      0,
    );
    expect(Math.abs(loudest - nearest)).toBeLessThanOrEqual(1);
  });

  it('counts frames as torch.stft(center=False) on the padded clip', () => {
    for (const [n, frames] of [
      [385, 1], // 385 + 768 = 1153: one window of 1024
      [640, 2],
      [641, 2],
      [24000, 93], // 1 s
      [240000, 937], // 10 s
    ] as const) {
      expect(melFrameCount(n)).toBe(frames);
      expect(Math.floor((n + 768 - N_FFT) / HOP) + 1).toBe(frames);
    }
    expect(melFrameCount(384)).toBe(0);
  });

  it('refuses a clip shorter than the reflect padding with a clear error', () => {
    expect(() => logMel(new Float32Array(384))).toThrow(MelInputError);
    expect(() => logMel(new Float32Array(0))).toThrow(/too short.*0 samples.*at least 385/);
  });
});

describe('Slaney mel filterbank (librosa.filters.mel, htk=False, norm="slaney")', () => {
  it('uses the Slaney scale: linear to 1 kHz (15 mels), logarithmic above', () => {
    expect(hzToMel(1000)).toBeCloseTo(15, 12);
    expect(hzToMel(200)).toBeCloseTo(3, 12);
    expect(hzToMel(6400)).toBeCloseTo(42, 12);
    expect(melToHz(hzToMel(12000))).toBeCloseTo(12000, 8);
    expect(melToHz(7.5)).toBeCloseTo(500, 12);
  });

  // Band edges worked out from the formulas in float64 (numpy, outside this repo): first and last non-zero
  // FFT bin (23.4375 Hz each), the bin of the peak, and the peak weight (triangle height × 2/(f_hi − f_lo)).
  it.each([
    { band: 0, first: 1, last: 2, peakBin: 1, peak: 0.0335504301 },
    { band: 1, first: 2, last: 3, peakBin: 2, peak: 0.0292658862 },
    { band: 2, first: 3, last: 4, peakBin: 3, peak: 0.024981346 },
    { band: 21, first: 24, last: 25, peakBin: 25, peak: 0.0314435996 },
    { band: 22, first: 25, last: 27, peakBin: 26, peak: 0.0357281417 },
    { band: 64, first: 88, last: 91, peakBin: 89, peak: 0.0141035039 },
    { band: 126, first: 472, last: 498, peakBin: 485, peak: 0.0031886054 },
    { band: 127, first: 485, last: 511, peakBin: 498, peak: 0.0030868005 },
  ])('band $band spans bins $first to $last, peak $peak at bin $peakBin', ({ band, first, last, peakBin, peak }) => {
    const b = melBands()[band]!;
    expect(b.first).toBe(first);
    expect(b.first + b.weights.length - 1).toBe(last);
    expect(b.weights.every((w) => w > 0)).toBe(true);
    const max = Math.max(...b.weights);
    expect(b.first + b.weights.indexOf(max)).toBe(peakBin);
    expect(max).toBeCloseTo(peak, 8);
  });

  it('has 128 non-empty bands, nothing at DC or Nyquist, and matches the dense reference everywhere', () => {
    const ref = referenceFilterbank();
    const bands = melBands();
    expect(bands.length).toBe(N_MELS);
    let worst = 0;
    bands.forEach((b, m) => {
      expect(b.weights.length).toBeGreaterThan(0);
      expect(b.first).toBeGreaterThan(0);
      expect(b.first + b.weights.length - 1).toBeLessThan(BINS - 1);
      for (let k = 0; k < BINS; k++) {
        const ours = k >= b.first && k < b.first + b.weights.length ? b.weights[k - b.first]! : 0;
        worst = Math.max(worst, Math.abs(ours - ref[m]![k]!));
      }
    });
    expect(worst).toBeLessThan(1e-8); // float32 storage of float64 weights, as librosa returns them
    // Slaney norm: each triangle has unit area in Hz, so its bins sum to about 1/23.4375 once a band is wide
    const sum = (m: number) => bands[m]!.weights.reduce((a, w) => a + w, 0);
    expect(sum(127) * 23.4375).toBeCloseTo(1, 2);
  });
});
