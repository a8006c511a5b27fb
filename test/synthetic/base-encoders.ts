// The Base export's extra graphs, written beside config.json (fp32 at every precision, as published):
// speaker_encoder.onnx and tokenizer_encoder.onnx, tiny for tests or at the published figures for benchmarks.
import { buildCodecEncoder, CODEC_ENCODER_DIMS, TINY_CODEC_ENCODER_DIMS } from './codec-encoder.js';
import type { Rng } from './rng.js';
import { buildSpeakerEncoder, SPEAKER_ENCODER_DIMS, TINY_SPEAKER_ENCODER_DIMS } from './speaker-encoder.js';

export function buildBaseEncoders(dir: string, rng: Rng, size: 'tiny' | '0.6b' | '1.7b', encDim: number): void {
  const tiny = size === 'tiny';
  const speaker = { ...(tiny ? TINY_SPEAKER_ENCODER_DIMS : SPEAKER_ENCODER_DIMS), encDim };
  buildSpeakerEncoder(rng, speaker).save(dir, 'speaker_encoder');
  buildCodecEncoder(rng, tiny ? TINY_CODEC_ENCODER_DIMS : CODEC_ENCODER_DIMS).save(dir, 'tokenizer_encoder');
}
