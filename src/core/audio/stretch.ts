// Speaking rate and volume: Sonic (the speech time-stretcher behind espeak-ng and speech-dispatcher's rate;
// @echogarden/sonic-wasm, decision 0022) changes the tempo and keeps the pitch. It runs as a stream over the
// engine's chunks, so there is no seam where two chunks meet; `finish()` flushes what it still holds.
import Sonic from '@echogarden/sonic-wasm';

export const MIN_RATE = 0.5;
export const MAX_RATE = 2;
/** The tempo Sonic is run at: rate (0.5–2) times a door's speed (0.25–4, the OpenAI field). */
export const MIN_TEMPO = MIN_RATE * 0.25;
export const MAX_TEMPO = MAX_RATE * 4;

type SonicModule = {
  _sonicCreateStream(sampleRate: number, channels: number): number;
  _sonicDestroyStream(stream: number): void;
  _sonicSetSpeed(stream: number, speed: number): void;
  _sonicWriteFloatToStream(stream: number, samples: number, count: number): number;
  _sonicReadFloatFromStream(stream: number, samples: number, max: number): number;
  _sonicFlushStream(stream: number): number;
  _sonicSamplesAvailable(stream: number): number;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  HEAPF32: Float32Array;
};

let loading: Promise<SonicModule> | undefined;
const sonic = () => (loading ??= Sonic().then((m) => m as SonicModule));

/** Applies a tempo (rate × speed, pitch kept) and volume (a gain, 0–1) to a stream of float chunks. */
export class SpeechShaper {
  private constructor(
    private readonly m: SonicModule | undefined,
    private stream: number,
    private readonly gain: number,
  ) {}

  /** Tempo 1 needs no Sonic at all: only the gain is applied. */
  static async create(sampleRate: number, tempo: number, gain: number): Promise<SpeechShaper> {
    if (!(tempo >= MIN_TEMPO && tempo <= MAX_TEMPO))
      throw new RangeError(`tempo must be between ${MIN_TEMPO} and ${MAX_TEMPO}, got ${tempo}`);
    if (tempo === 1) return new SpeechShaper(undefined, 0, gain);
    const m = await sonic();
    const stream = m._sonicCreateStream(sampleRate, 1);
    m._sonicSetSpeed(stream, tempo);
    return new SpeechShaper(m, stream, gain);
  }

  /** The shaped audio for this chunk (Sonic holds back a little, given back by later chunks or finish()). */
  process(samples: Float32Array): Float32Array {
    if (!this.m) return this.scaled(samples);
    if (!this.stream) return new Float32Array(0);
    const m = this.m;
    const input = m._malloc(samples.length * 4);
    try {
      m.HEAPF32.set(samples, input >> 2);
      m._sonicWriteFloatToStream(this.stream, input, samples.length);
    } finally {
      m._free(input);
    }
    return this.read();
  }

  /** What Sonic still holds (a segment's end: no delay added); the stream goes on. */
  flush(): Float32Array {
    if (!this.m || !this.stream) return new Float32Array(0);
    this.m._sonicFlushStream(this.stream);
    return this.read();
  }

  /** What Sonic still holds, then the stream is released. */
  finish(): Float32Array {
    const rest = this.flush();
    this.dispose();
    return rest;
  }

  dispose(): void {
    if (this.m && this.stream) this.m._sonicDestroyStream(this.stream);
    this.stream = 0;
  }

  private read(): Float32Array {
    const m = this.m!;
    const available = m._sonicSamplesAvailable(this.stream);
    if (available <= 0) return new Float32Array(0);
    const output = m._malloc(available * 4);
    try {
      const n = m._sonicReadFloatFromStream(this.stream, output, available);
      return this.scaled(m.HEAPF32.slice(output >> 2, (output >> 2) + n));
    } finally {
      m._free(output);
    }
  }

  private scaled(samples: Float32Array): Float32Array {
    if (this.gain === 1) return samples;
    const out = new Float32Array(samples.length);
    for (let i = 0; i < samples.length; i++) out[i] = samples[i]! * this.gain;
    return out;
  }
}
