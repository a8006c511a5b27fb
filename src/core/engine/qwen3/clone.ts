// A cloned voice from a reference clip (qwen3-tts.md §1.5): the speaker vector = speaker encoder(official log-mel)
// row 0, and for in-context mode (a transcript given) the clip's codec frames from the codec encoder.
import type { VoiceClone } from '../../../shared/engine.js';
import { abortError } from '../errors.js';
import type { CloneEncoders } from './encoders.js';
import { invalidRequest } from './errors.js';
import { logMel, MEL, MEL_MIN_SAMPLES } from './mel.js';

const seconds = (samples: number) => `${(samples / MEL.sampleRate).toFixed(2)} s`;

/**
 * The longest reference taken (30 s). A voice needs far less (3 to 10 s clones best), and the speaker encoder's
 * memory grows with the clip: ~0.35 GB at 30 s on 0.6B (BENCHMARKS.md), gigabytes for minutes.
 */
export const MAX_REFERENCE_SAMPLES = 30 * MEL.sampleRate;

/**
 * Makes a VoiceClone from 24 kHz mono `audio`. `refText` (what the clip says) selects in-context mode; null or
 * blank, x-vector-only mode. `model` names the model the vector belongs to. Bad input is E_INVALID with what to do.
 */
export async function cloneVoice(
  encoders: CloneEncoders,
  audio: Float32Array,
  refText: string | null,
  model: string,
  signal: AbortSignal,
): Promise<VoiceClone> {
  if (!(audio instanceof Float32Array)) throw invalidRequest('reference audio must be 24 kHz mono float samples');
  if (audio.length < MEL_MIN_SAMPLES)
    throw invalidRequest(
      `reference audio is too short: ${audio.length} samples (${seconds(audio.length)}); the speaker encoder needs at least ${MEL_MIN_SAMPLES} samples at 24 kHz, and a clip of 3 to 10 s clones best`,
    );
  if (audio.length > MAX_REFERENCE_SAMPLES)
    throw invalidRequest(
      `reference audio is ${seconds(audio.length)}; cloning takes at most ${seconds(MAX_REFERENCE_SAMPLES)}: trim it (3 to 10 s of one speaker clones best)`,
    );
  for (let i = 0; i < audio.length; i++) {
    if (!Number.isFinite(audio[i]!)) throw invalidRequest(`reference audio has a non-finite sample at index ${i}`);
  }
  const text = refText?.trim() ? refText.trim() : null;
  const window = encoders.codecWindow;
  if (text !== null && window !== null && audio.length > window)
    throw invalidRequest(
      `reference audio is ${seconds(audio.length)}; this model's codec encoder takes at most ${seconds(window)} for in-context cloning: trim the clip (and its transcript), or clone without a transcript (speaker vector only)`,
    );

  if (signal.aborted) throw abortError();
  const mel = logMel(audio);
  const speakerVector = await encoders.speakerVector(mel.data, mel.frames);
  if (signal.aborted) throw abortError();
  if (text === null) return { speakerVector, refCodes: null, refText: null, model };
  const refCodes = await encoders.codes(audio);
  if (signal.aborted) throw abortError();
  return { speakerVector, refCodes, refText: text, model };
}
