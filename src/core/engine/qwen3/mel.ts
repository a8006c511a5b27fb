// The speaker encoder's input: the official Qwen3-TTS log-mel of 24 kHz audio (qwen3-tts.md §1.5), not librosa's
// default power spectrogram. Reflect-pad 384 samples each side, frames of 1024 every 256 samples (no centring),
// periodic Hann window, magnitude sqrt(re² + im² + 1e-9), 128 Slaney mels over 0–12 kHz with Slaney
// normalisation, log(max(x, 1e-5)). Float64 inside, float32 out.

export const MEL = {
  sampleRate: 24000,
  nFft: 1024,
  hop: 256,
  mels: 128,
  fmin: 0,
  fmax: 12000,
  /** (nFft - hop) / 2: reflect padding on each side. */
  pad: 384,
  /** Added to re² + im² before the square root. */
  magnitudeEpsilon: 1e-9,
  /** Mel energies are clamped to at least this before the log. */
  logFloor: 1e-5,
} as const;

/** FFT bins of a onesided spectrum: 0 .. nFft/2. */
export const MEL_BINS = MEL.nFft / 2 + 1;

/** The shortest clip the mel takes: reflect padding needs more samples than it pads (as torch's does). */
export const MEL_MIN_SAMPLES = MEL.pad + 1;

// Slaney's mel scale (librosa htk=False): linear below 1 kHz, logarithmic above.
const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOG_STEP = Math.log(6.4) / 27;

export function hzToMel(hz: number): number {
  return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
}

export function melToHz(mel: number): number {
  return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
}

/** One mel band: its weights over FFT bins [first, first + weights.length). */
export interface MelBand {
  first: number;
  weights: Float32Array;
}

let bands: MelBand[] | undefined;

/**
 * The 128 Slaney-normalised triangular filters (librosa.filters.mel(sr=24000, n_fft=1024, n_mels=128, fmin=0,
 * fmax=12000)): computed in float64, stored as float32 as librosa returns them, kept sparse (each band spans a
 * few bins).
 */
export function melBands(): readonly MelBand[] {
  if (bands) return bands;
  const points = Array.from({ length: MEL.mels + 2 }, (_, i) =>
    melToHz(hzToMel(MEL.fmin) + ((hzToMel(MEL.fmax) - hzToMel(MEL.fmin)) * i) / (MEL.mels + 1)),
  );
  const binHz = (k: number) => (k * MEL.sampleRate) / MEL.nFft;
  bands = [];
  for (let m = 0; m < MEL.mels; m++) {
    const [lo, mid, hi] = [points[m]!, points[m + 1]!, points[m + 2]!];
    const norm = 2 / (hi - lo);
    const row: number[] = [];
    let first = -1;
    for (let k = 0; k < MEL_BINS; k++) {
      const f = binHz(k);
      const w = Math.max(0, Math.min((f - lo) / (mid - lo), (hi - f) / (hi - mid))) * norm;
      if (w > 0) {
        if (first < 0) first = k;
        row.push(w);
      } else if (first >= 0) break; // a triangle: nothing further up
    }
    bands.push({ first: Math.max(first, 0), weights: Float32Array.from(row) });
  }
  return bands;
}

/** Mel frames of a clip of `samples` samples (0 when it is too short). */
export function melFrameCount(samples: number): number {
  if (samples < MEL_MIN_SAMPLES) return 0;
  return Math.floor((samples + 2 * MEL.pad - MEL.nFft) / MEL.hop) + 1;
}

/** A real FFT of MEL.nFft points: one complex FFT of half the size, then the split step. */
class RealFft {
  private readonly half = MEL.nFft / 2;
  private readonly cos = new Float64Array(MEL.nFft / 2);
  private readonly sin = new Float64Array(MEL.nFft / 2);
  private readonly reverse = new Uint32Array(MEL.nFft / 2);
  private readonly re = new Float64Array(MEL.nFft / 2);
  private readonly im = new Float64Array(MEL.nFft / 2);

  constructor() {
    const n = MEL.nFft;
    for (let k = 0; k < this.half; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / n);
      this.sin[k] = Math.sin((2 * Math.PI * k) / n);
    }
    const bits = Math.log2(this.half);
    for (let i = 0; i < this.half; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.reverse[i] = r;
    }
  }

  /** |X[k]| for k = 0..nFft/2 of the real frame `x` (length nFft), as sqrt(re² + im² + ε), into `out`. */
  magnitudes(x: Float64Array, out: Float64Array): void {
    const { half, re, im } = this;
    // pack even samples as real parts, odd as imaginary parts, in bit-reversed order
    for (let i = 0; i < half; i++) {
      const r = this.reverse[i]!;
      re[r] = x[2 * i]!;
      im[r] = x[2 * i + 1]!;
    }
    // iterative radix-2 on `half` points; twiddles of the half-size FFT are every other one of the full size
    for (let size = 2; size <= half; size *= 2) {
      const step = (2 * half) / size; // index stride into the nFft-point tables
      const span = size / 2;
      for (let start = 0; start < half; start += size) {
        for (let j = 0; j < span; j++) {
          const c = this.cos[j * step]!;
          const s = this.sin[j * step]!;
          const a = start + j;
          const b = a + span;
          const tr = re[b]! * c + im[b]! * s;
          const ti = im[b]! * c - re[b]! * s;
          re[b] = re[a]! - tr;
          im[b] = im[a]! - ti;
          re[a] = re[a]! + tr;
          im[a] = im[a]! + ti;
        }
      }
    }
    // split: X[k] = E[k] + W^k O[k], E and O the spectra of the even and odd samples
    for (let k = 0; k <= half; k++) {
      const ka = k % half;
      const kb = (half - k) % half;
      const ar = re[ka]!;
      const ai = im[ka]!;
      const br = re[kb]!;
      const bi = im[kb]!;
      const er = (ar + br) / 2;
      const ei = (ai - bi) / 2;
      const or = (ai + bi) / 2;
      const oi = -(ar - br) / 2;
      const c = k === half ? -1 : this.cos[k]!;
      const s = k === half ? 0 : this.sin[k]!;
      const xr = er + c * or + s * oi;
      const xi = ei + c * oi - s * or;
      out[k] = Math.sqrt(xr * xr + xi * xi + MEL.magnitudeEpsilon);
    }
  }
}

/** A clip too short for the mel (fewer than MEL_MIN_SAMPLES samples). */
export class MelInputError extends Error {}

/**
 * The log-mel of 24 kHz mono `audio`: `frames` rows of 128 values, row-major ([frames, 128], the speaker
 * encoder's `mels` input without its batch axis).
 */
export function logMel(audio: Float32Array): { data: Float32Array; frames: number } {
  const n = audio.length;
  if (n < MEL_MIN_SAMPLES)
    throw new MelInputError(`audio is too short for the mel: ${n} samples (at least ${MEL_MIN_SAMPLES})`);
  const frames = melFrameCount(n);
  const { pad, nFft, hop, mels } = MEL;
  // reflect padding without repeating the edge sample (torch's 'reflect')
  const at = (i: number) => audio[i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i]!;
  const window = new Float64Array(nFft);
  for (let i = 0; i < nFft; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nFft); // periodic Hann
  const fft = new RealFft();
  const frame = new Float64Array(nFft);
  const mag = new Float64Array(MEL_BINS);
  const filters = melBands();
  const data = new Float32Array(frames * mels);
  for (let t = 0; t < frames; t++) {
    const start = t * hop - pad;
    for (let i = 0; i < nFft; i++) frame[i] = at(start + i) * window[i]!;
    fft.magnitudes(frame, mag);
    for (let m = 0; m < mels; m++) {
      const { first, weights } = filters[m]!;
      let e = 0;
      for (let j = 0; j < weights.length; j++) e += weights[j]! * mag[first + j]!;
      data[t * mels + m] = Math.log(Math.max(e, MEL.logFloor));
    }
  }
  return { data, frames };
}
