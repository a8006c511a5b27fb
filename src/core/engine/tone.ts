// "tone": a small deterministic engine for tests and demos, never chosen unless asked for by name.
// Each character becomes one 80 ms codec-sized frame of a sine whose pitch encodes the character, so a
// test can tell exactly which audio reached a device or a file. Optionally it burns CPU per frame the way
// onnxruntime's blocking run() does, to prove the daemon stays responsive while an engine computes.
import { SAMPLE_RATE } from '../../shared/engine.js';
import type { Engine, SynthesisEvent, SynthesisRequest } from '../../shared/engine.js';
import { abortError } from './errors.js';

export const TONE_FRAME_SAMPLES = 1920;

export interface ToneOptions {
  /** Busy-wait this long per frame, blocking the thread like a graph run would. */
  msPerFrame?: number;
}

/** The frequency that stands for a character (silence for whitespace). */
export function toneFrequency(codePoint: number): number {
  return 200 + (codePoint % 64) * 12.5;
}

export function toneFrame(code0: number): Float32Array {
  const out = new Float32Array(TONE_FRAME_SAMPLES);
  if (code0 === 0) return out;
  const f = toneFrequency(code0);
  for (let i = 0; i < out.length; i++) out[i] = 0.25 * Math.sin((2 * Math.PI * f * i) / SAMPLE_RATE);
  return out;
}

/** Codec-like frames for a text: one per character, code 0 = the code point (0 for whitespace). */
export function toneCodes(text: string): number[][] {
  return Array.from(text, (ch) => {
    const cp = /\s/.test(ch) ? 0 : (ch.codePointAt(0)! % 2047) + 1;
    return Array.from({ length: 16 }, (_, k) => (k === 0 ? cp : (cp * (k + 1)) % 2048));
  });
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function burn(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // deliberately blocking, like InferenceSession.run()
  }
}

export function createToneEngine(options: ToneOptions = {}): Engine {
  const msPerFrame = options.msPerFrame ?? 0;

  async function* framesToAudio(frames: number[][], signal: AbortSignal): AsyncGenerator<Float32Array> {
    for (const frame of frames) {
      await yieldToLoop();
      if (signal.aborted) throw abortError();
      if (msPerFrame > 0) burn(msPerFrame);
      yield toneFrame(frame[0]!);
    }
  }

  return {
    info: {
      engine: 'tone',
      model: 'tone (deterministic test engine)',
      sampleRate: SAMPLE_RATE,
      languages: ['Auto', 'English'],
      speakers: [],
      supportsInstruct: false,
    },
    async *synthesize(request: SynthesisRequest, signal: AbortSignal): AsyncGenerator<SynthesisEvent> {
      const started = performance.now();
      let firstAudio = -1;
      const frames = toneCodes(request.text);
      for await (const samples of framesToAudio(frames, signal)) {
        if (firstAudio < 0) firstAudio = performance.now() - started;
        yield { type: 'audio', samples };
      }
      yield { type: 'codes', frames };
      const audioSeconds = (frames.length * TONE_FRAME_SAMPLES) / SAMPLE_RATE;
      const wall = (performance.now() - started) / 1000;
      yield {
        type: 'stats',
        stats: {
          timeToFirstAudioMs: Math.max(0, firstAudio),
          realTimeFactor: audioSeconds > 0 ? wall / audioSeconds : 0,
          audioSeconds,
          frames: frames.length,
          truncated: false,
        },
      };
    },
    decode(frames: number[][], signal: AbortSignal) {
      return framesToAudio(frames, signal);
    },
    async dispose() {},
  };
}
