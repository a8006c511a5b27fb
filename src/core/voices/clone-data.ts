// A cloned voice in the settings file (decision 0033): the engine's VoiceClone with its speaker vector as base64
// of little-endian float32 and its codec frames as base64 of little-endian int16 (codes are < 2048), a few KB
// a voice, where JSON number arrays would be five times as large.
import type { VoiceClone } from '../../shared/engine.js';
import type { LockedDesign, StoredVoiceClone } from '../../shared/voice-presets.js';

const CODEBOOKS = 16;

export function encodeClone(clone: VoiceClone, seconds: number, design: LockedDesign | null): StoredVoiceClone {
  const vector = Buffer.alloc(clone.speakerVector.length * 4);
  clone.speakerVector.forEach((x, i) => vector.writeFloatLE(x, i * 4));
  let codes: string | null = null;
  if (clone.refCodes) {
    const bytes = Buffer.alloc(clone.refCodes.length * CODEBOOKS * 2);
    clone.refCodes.forEach((frame, f) => {
      if (frame.length !== CODEBOOKS) throw new Error(`a reference frame has ${frame.length} codes, not ${CODEBOOKS}`);
      frame.forEach((code, k) => bytes.writeInt16LE(code, (f * CODEBOOKS + k) * 2));
    });
    codes = bytes.toString('base64');
  }
  return {
    mode: codes !== null && clone.refText !== null ? 'in_context' : 'x_vector',
    model: clone.model,
    seconds: Math.round(seconds * 1000) / 1000,
    text: codes !== null ? clone.refText : null,
    locked: design !== null,
    vector: vector.toString('base64'),
    codes,
    design,
  };
}

export function decodeClone(stored: StoredVoiceClone): VoiceClone {
  const vector = Buffer.from(stored.vector, 'base64');
  const speakerVector = new Float32Array(vector.length >> 2);
  for (let i = 0; i < speakerVector.length; i++) speakerVector[i] = vector.readFloatLE(i * 4);
  let refCodes: number[][] | null = null;
  if (stored.codes !== null) {
    const bytes = Buffer.from(stored.codes, 'base64');
    const frames = Math.floor(bytes.length / (CODEBOOKS * 2));
    refCodes = Array.from({ length: frames }, (_, f) =>
      Array.from({ length: CODEBOOKS }, (_, k) => bytes.readInt16LE((f * CODEBOOKS + k) * 2)),
    );
  }
  return { speakerVector, refCodes, refText: refCodes ? stored.text : null, model: stored.model };
}
