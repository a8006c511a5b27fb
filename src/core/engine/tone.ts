// "tone": a small deterministic engine for tests and demos, never chosen unless asked for by name.
// Each character becomes one 80 ms codec-sized frame of a sine whose pitch encodes the character, so a
// test can tell exactly which audio reached a device or a file. Optionally it burns CPU per frame the way
// onnxruntime's blocking run() does, to prove the daemon stays responsive while an engine computes.
// It clones too, standing in for a Base model: the "speaker vector" is the reference clip's measured pitch and
// level, and a cloned voice speaks each character as a tone relative to that pitch, so a test can hear that a
// cloned voice follows its reference.
import { SAMPLE_RATE } from '../../shared/engine.js';
import type { Engine, SynthesisEvent, SynthesisRequest, VoiceClone } from '../../shared/engine.js';
import { EngineError, abortError } from './errors.js';

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

export const TONE_MODEL = 'tone (deterministic test engine)';

/**
 * The pitch of a clip: rising zero crossings per second between the first and the last (a clean tone's
 * frequency; a voice's rough pitch). A crossing counts only after the signal went below −0.01, so the hiss of
 * a codec's padding does not count.
 */
export function tonePitch(samples: Float32Array): number {
  let armed = false;
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = 1; i < samples.length; i++) {
    if (samples[i]! < -0.01) armed = true;
    else if (armed && samples[i]! >= 0 && samples[i - 1]! < 0) {
      armed = false;
      if (first < 0) first = i;
      last = i;
      count++;
    }
  }
  return count > 1 ? ((count - 1) * SAMPLE_RATE) / (last - first) : 0;
}

/** The tone a cloned voice gives a character: its pitch, raised by the code point's place in an octave. */
export function clonedToneFrequency(pitch: number, codePoint: number): number {
  return pitch * 2 ** ((codePoint % 12) / 12);
}

/** The tone engine's "speaker vector": [pitch in kHz, RMS level, 14 zeros]. */
export function toneClone(audio: Float32Array, refText: string | null): VoiceClone {
  let sum = 0;
  for (const x of audio) sum += x * x;
  const speakerVector = new Float32Array(16);
  speakerVector[0] = tonePitch(audio) / 1000;
  speakerVector[1] = Math.sqrt(sum / Math.max(1, audio.length));
  // in-context: one "codec frame" per 80 ms of the clip, code 0 its pitch in 4 Hz steps
  const refCodes =
    refText === null
      ? null
      : Array.from({ length: Math.ceil(audio.length / TONE_FRAME_SAMPLES) }, (_, f) => {
          const hz = tonePitch(audio.subarray(f * TONE_FRAME_SAMPLES, (f + 1) * TONE_FRAME_SAMPLES));
          const c0 = Math.min(2047, Math.max(1, Math.round(hz / 4)));
          return Array.from({ length: 16 }, (_, k) => (c0 * (k + 1)) % 2048);
        });
  return { speakerVector, refCodes, refText: refCodes ? refText : null, model: TONE_MODEL };
}

function clonedFrame(pitch: number, code0: number): Float32Array {
  const out = new Float32Array(TONE_FRAME_SAMPLES);
  if (code0 === 0 || pitch <= 0) return out;
  const f = clonedToneFrequency(pitch, code0);
  for (let i = 0; i < out.length; i++) out[i] = 0.25 * Math.sin((2 * Math.PI * f * i) / SAMPLE_RATE);
  return out;
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

  async function* framesToAudio(
    frames: number[][],
    signal: AbortSignal,
    clone?: VoiceClone | null,
  ): AsyncGenerator<Float32Array> {
    const pitch = clone ? clone.speakerVector[0]! * 1000 : 0;
    for (const frame of frames) {
      await yieldToLoop();
      if (signal.aborted) throw abortError();
      if (msPerFrame > 0) burn(msPerFrame);
      yield clone ? clonedFrame(pitch, frame[0]!) : toneFrame(frame[0]!);
    }
  }

  return {
    info: {
      engine: 'tone',
      model: TONE_MODEL,
      sampleRate: SAMPLE_RATE,
      languages: ['Auto', 'English'],
      speakers: [],
      supportsInstruct: false,
      supportsClone: true,
    },
    async *synthesize(request: SynthesisRequest, signal: AbortSignal): AsyncGenerator<SynthesisEvent> {
      const started = performance.now();
      let firstAudio = -1;
      const frames = toneCodes(request.text);
      if (request.clone && request.clone.model !== TONE_MODEL)
        throw new EngineError('E_INVALID', `this voice was cloned with ${request.clone.model}, not the tone engine`);
      for await (const samples of framesToAudio(frames, signal, request.clone)) {
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
    async cloneVoice(audio: Float32Array, refText: string | null, signal: AbortSignal): Promise<VoiceClone> {
      // as slow as speaking the clip would be, one frame at a time, so a clone can be cancelled midway
      for (let f = 0; f * TONE_FRAME_SAMPLES < audio.length; f++) {
        await yieldToLoop();
        if (signal.aborted) throw abortError();
        if (msPerFrame > 0) burn(msPerFrame);
      }
      return toneClone(audio, refText);
    },
    async dispose() {},
  };
}
