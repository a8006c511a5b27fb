// buildSyntheticModel: a complete model directory in the layout of docs/model-layout.md, at tiny size,
// with deterministic random weights, for testing the engine without real Qwen3-TTS weights.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildCodecDecoder, CODEC_DECODER_DIMS } from './codec-decoder.js';
import { buildCodePredictor, randomCodePredictor, type CodePredictorDims } from './code-predictor.js';
import {
  CODEC_EOS_ID,
  CP_VOCAB_SIZE,
  NUM_CODE_GROUPS,
  TALKER_VOCAB_SIZE,
  TEXT_VOCAB_SIZE,
  REAL_DIMS,
  TINY_DIMS,
  modelConfig,
  type ModelConfig,
  type ModelDims,
  type SyntheticVariant,
} from './config.js';
import { writeNpy, type NpyDtype, type NpyVersion } from './npy.js';
import { Rng } from './rng.js';
import { buildTalkerDecode, buildTalkerPrefill, randomTalker, type TalkerDims } from './talker.js';
import { writeTokenizerFiles } from './tokenizer-files.js';
import { buildVocoder, randomVocoder, type VocoderDims } from './vocoder.js';

export type SyntheticSize = 'tiny' | '0.6b' | '1.7b';
export type SyntheticPrecision = 'fp32' | 'int4';

export interface SyntheticModelOptions {
  /** 'tiny' for tests; '0.6b'/'1.7b' at the published dimensions (random weights) for benchmarks. */
  size?: SyntheticSize;
  precision?: SyntheticPrecision;
  variant?: SyntheticVariant;
  /** Seed of every weight; the same seed gives byte-identical files. */
  seed?: number;
}

export interface SyntheticModel {
  dir: string;
  config: ModelConfig;
  dims: ModelDims;
  /** Directory holding the four .onnx graphs (`<dir>/<precision>`). */
  graphDir: string;
}

export class UnsupportedSyntheticOption extends Error {}

export function talkerDims(d: ModelDims): TalkerDims {
  return {
    hidden: d.talkerHidden,
    heads: d.talkerHeads,
    kvHeads: d.talkerKvHeads,
    headDim: d.talkerHeadDim,
    intermediate: d.talkerIntermediate,
    layers: d.talkerLayers,
    vocab: TALKER_VOCAB_SIZE,
    eos: CODEC_EOS_ID,
  };
}

export function codePredictorDims(d: ModelDims): CodePredictorDims {
  return {
    hidden: d.cpHidden,
    heads: d.cpHeads,
    kvHeads: d.cpKvHeads,
    headDim: d.cpHeadDim,
    intermediate: d.cpIntermediate,
    layers: d.cpLayers,
    inputHidden: d.talkerHidden,
    vocab: CP_VOCAB_SIZE,
    heads15: NUM_CODE_GROUPS - 1,
    identityProjection: d.talkerHidden === d.cpHidden && d !== TINY_DIMS,
  };
}

export function vocoderDims(d: ModelDims): VocoderDims {
  return {
    codebooks: NUM_CODE_GROUPS,
    codebookSize: CP_VOCAB_SIZE,
    embed: d.vocoderEmbed,
    channels: d.vocoderChannels,
  };
}

function writeEmbeddings(dir: string, rng: Rng, d: ModelDims): void {
  mkdirSync(dir, { recursive: true });
  const npy = (
    name: string,
    data: Float32Array,
    shape: number[],
    dtype: NpyDtype = '<f4',
    version: NpyVersion = 1,
  ): void => writeNpy(path.join(dir, `${name}.npy`), data, shape, dtype, version);
  const H = d.talkerHidden;
  const T = d.textHidden;
  // One file per dtype/version combination the loader must handle: f2 (text table), v2 and v3 headers.
  npy('text_embedding', rng.uniform('text_embedding', TEXT_VOCAB_SIZE * T, 1), [TEXT_VOCAB_SIZE, T], '<f2');
  npy('text_projection_fc1_weight', rng.linear('text_projection.fc1.w', T * T, T), [T, T]);
  npy('text_projection_fc1_bias', rng.uniform('text_projection.fc1.b', T, 0.1), [T], '<f4', 2);
  npy('text_projection_fc2_weight', rng.linear('text_projection.fc2.w', H * T, T, 2), [H, T]);
  npy('text_projection_fc2_bias', rng.uniform('text_projection.fc2.b', H, 0.1), [H], '<f4', 3);
  npy('talker_codec_embedding', rng.uniform('talker.codec_embedding', TALKER_VOCAB_SIZE * H, 1), [
    TALKER_VOCAB_SIZE,
    H,
  ]);
  for (let k = 0; k < NUM_CODE_GROUPS - 1; k++) {
    npy(`cp_codec_embedding_${k}`, rng.uniform(`cp.codec_embedding.${k}`, CP_VOCAB_SIZE * H, 0.5), [CP_VOCAB_SIZE, H]);
  }
}

export async function buildSyntheticModel(dir: string, options: SyntheticModelOptions = {}): Promise<SyntheticModel> {
  const { size = 'tiny', precision = 'fp32', variant = 'voice_design', seed = 0 } = options;
  if (size !== 'tiny' && size !== '0.6b' && size !== '1.7b')
    throw new UnsupportedSyntheticOption(`unknown size ${String(size)}`);
  if (precision !== 'fp32' && precision !== 'int4')
    throw new UnsupportedSyntheticOption(`unknown precision ${String(precision)}`);
  if (variant !== 'voice_design' && variant !== 'custom_voice' && variant !== 'base')
    throw new UnsupportedSyntheticOption(`unknown variant ${String(variant)}`);
  if (!Number.isInteger(seed)) throw new UnsupportedSyntheticOption(`seed must be an integer, got ${seed}`);

  const dims: ModelDims = size === 'tiny' ? { ...TINY_DIMS } : { ...REAL_DIMS[size] };
  const rng = new Rng(seed);
  const config = modelConfig(variant, dims, `q3tts/synthetic-${size}-${variant}-seed${seed}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  writeTokenizerFiles(path.join(dir, 'tokenizer'));
  writeEmbeddings(path.join(dir, 'embeddings'), rng, dims);

  const graphDir = path.join(dir, precision);
  const td = talkerDims(dims);
  const talker = randomTalker(rng, td);
  buildTalkerPrefill(talker, td, precision).save(graphDir, 'talker_prefill');
  buildTalkerDecode(talker, td, precision).save(graphDir, 'talker_decode');
  const cd = codePredictorDims(dims);
  buildCodePredictor(randomCodePredictor(rng, cd), cd, precision).save(graphDir, 'code_predictor');
  // The vocoder stays fp32 in the int4 set, as in the published export.
  if (size === 'tiny') {
    const vd = vocoderDims(dims);
    buildVocoder(randomVocoder(rng, vd), vd).save(graphDir, 'vocoder');
  } else {
    buildCodecDecoder(rng, CODEC_DECODER_DIMS).save(graphDir, 'vocoder');
  }
  return { dir, config, dims, graphDir };
}
