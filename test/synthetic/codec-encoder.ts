// tokenizer_encoder.onnx of the Base export: waveform f32 [1, 240000] (a fixed 10 s, as the published graph is
// traced) → audio_codes i64 [1, 16, 125]. A Mimi-like encoder with random weights (qwen3-tts.md §1.5):
//   SEANet: causal conv k7 1→64, then per ratio (4,5,6,8) a residual unit (ELU, k3 c→c/2, ELU, k1 c/2→c) and an
//   ELU + strided causal conv (kernel 2·ratio) doubling the channels, up to 1024; ELU + conv k3 1024→512 (25 Hz)
//   → 8-layer causal transformer (512 wide, 8 heads of 64, context 250 frames)
//   → strided conv k4/2 (12.5 Hz, 1920 samples a frame)
//   → split RVQ: one semantic codebook on its own projection, 31 acoustic ones residually on another (2048
//     entries of 256), nearest entry by distance; the first 16 of the 32 are the output, as the export slices.
// The codes depend on the audio, and the frame of sample i is i / 1920 (nothing reaches back from the future).
import { Graph } from './onnx-graph.js';
import type { Rng } from './rng.js';
import {
  addLayerWeights,
  decoderLayer,
  dimOf,
  inverseFrequencies,
  rmsNorm,
  ropeFromAngles,
  unsqueeze,
  type DecoderDims,
  type LayerTensors,
} from './transformer.js';

export interface CodecEncoderDims {
  /** Samples per run (the published graph: 10 s at 24 kHz). */
  window: number;
  /** Channels after the first conv; doubled by each downsampling. */
  channels: number;
  ratios: number[];
  /** Width of the latent and the transformer. */
  dimension: number;
  layers: number;
  heads: number;
  headDim: number;
  intermediate: number;
  /** Causal attention context in 25 Hz frames. */
  context: number;
  /** Quantizers computed (the first is semantic); the first `kept` are output. */
  quantizers: number;
  kept: number;
  codebookSize: number;
  codebookDim: number;
}

export const CODEC_ENCODER_DIMS: Readonly<CodecEncoderDims> = {
  window: 240000,
  channels: 64,
  ratios: [4, 5, 6, 8],
  dimension: 512,
  layers: 8,
  heads: 8,
  headDim: 64,
  /** SwiGLU width with the parameters (and MACs) of Mimi's 2-matrix MLP of 2048: 2048 · 2/3, rounded to 64. */
  intermediate: 1344,
  context: 250,
  quantizers: 32,
  kept: 16,
  codebookSize: 2048,
  codebookDim: 256,
};

/** Same structure and the same fixed 10 s input, small widths: for tests. */
export const TINY_CODEC_ENCODER_DIMS: Readonly<CodecEncoderDims> = {
  ...CODEC_ENCODER_DIMS,
  channels: 4,
  dimension: 16,
  layers: 1,
  heads: 2,
  headDim: 8,
  intermediate: 32,
  quantizers: 16,
  codebookDim: 8,
};

export const SAMPLES_PER_CODE_FRAME = 1920;

function layerTensors(rng: Rng, d: CodecEncoderDims): LayerTensors[] {
  const lin = (name: string, fanIn: number, fanOut: number, gain = 1) => ({
    data: rng.linear(name, fanIn * fanOut, fanIn, gain),
    dims: [fanIn, fanOut],
  });
  const norm = (name: string, n: number) => ({ data: rng.norm(name, n), dims: [n] });
  const q = d.heads * d.headDim;
  return Array.from({ length: d.layers }, (_, i) => {
    const p = `codec_encoder.layers.${i}`;
    return {
      inNorm: norm(`${p}.input_layernorm`, d.dimension),
      q: lin(`${p}.q_proj`, d.dimension, q),
      k: lin(`${p}.k_proj`, d.dimension, q),
      v: lin(`${p}.v_proj`, d.dimension, q),
      o: lin(`${p}.o_proj`, q, d.dimension, 0.1),
      qNorm: norm(`${p}.q_norm`, d.headDim),
      kNorm: norm(`${p}.k_norm`, d.headDim),
      postNorm: norm(`${p}.post_attention_layernorm`, d.dimension),
      gate: lin(`${p}.gate_proj`, d.dimension, d.intermediate),
      up: lin(`${p}.up_proj`, d.dimension, d.intermediate),
      down: lin(`${p}.down_proj`, d.intermediate, d.dimension, 0.1),
    };
  });
}

/** `dynamic`: a sample axis of any length (a multiple of 1920), as an earlier version of the export script made. */
export function buildCodecEncoder(rng: Rng, d: CodecEncoderDims, options: { dynamic?: boolean } = {}): Graph {
  const hop = d.ratios.reduce((a, b) => a * b, 1) * 2;
  if (hop !== SAMPLES_PER_CODE_FRAME || d.window % hop !== 0) throw new Error('codec encoder: 1920 samples a frame');
  const g = new Graph('tokenizer_encoder');
  /** Causal conv over [1,C,L]: left padding (k - stride) so frame t sees samples up to its own end. */
  const conv = (name: string, x: string, cin: number, cout: number, k: number, stride = 1, gain = 1) => {
    const fanIn = cin * k;
    const w = g.weight(`${name}.w`, rng.linear(`${name}.w`, cout * fanIn, fanIn, gain), [cout, cin, k]);
    const b = g.weight(`${name}.b`, rng.uniform(`${name}.b`, cout, 0.02), [cout]);
    return g.op('Conv', [x, w, b], { kernel_shape: [k], strides: [stride], pads: [k - stride, 0] });
  };
  const elu = (x: string) => g.op('Elu', [x], { alpha: { f: 1 } });

  g.input('waveform', 'float32', [1, options.dynamic ? 'samples' : d.window]);
  let x = conv('seanet.in', g.op('Reshape', ['waveform', g.constI64([1, 1, -1])]), 1, d.channels, 7);
  let c = d.channels;
  d.ratios.forEach((r, i) => {
    const y = conv(`seanet.${i}.res.conv1`, elu(x), c, c / 2, 3);
    x = g.op('Add', [x, conv(`seanet.${i}.res.conv2`, elu(y), c / 2, c, 1, 1, 0.3)]);
    x = conv(`seanet.${i}.down`, elu(x), c, 2 * c, 2 * r, r);
    c *= 2;
  });
  x = conv('seanet.out', elu(x), c, d.dimension, 3); // [1, dim, 25 Hz frames]

  // transformer over the 25 Hz frames, causal within its context
  let h = g.op('Transpose', [x], { perm: [0, 2, 1] });
  const T = dimOf(g, h, 1);
  const zero = g.constI64(0, []);
  const keys = g.op('Range', [zero, T, g.constI64(1, [])]);
  const distance = g.op('Sub', [unsqueeze(g, keys, [1]), keys]);
  const allowed = g.op('And', [
    g.op('GreaterOrEqual', [distance, zero]),
    g.op('Less', [distance, g.constI64(d.context, [])]),
  ]);
  const bias = g.op('Where', [allowed, g.constF32(0), g.constF32(-1e9)]);
  const angles = g.op('MatMul', [
    unsqueeze(g, g.op('Cast', [keys], { to: 1 }), [0, 2]),
    g.weight('codec_encoder.inv_freq', Float32Array.from(inverseFrequencies(d.headDim)), [1, d.headDim / 2]),
  ]);
  const rope = ropeFromAngles(g, angles, d.headDim);
  const dd: DecoderDims = {
    hidden: d.dimension,
    heads: d.heads,
    kvHeads: d.heads,
    headDim: d.headDim,
    intermediate: d.intermediate,
    layers: d.layers,
  };
  for (const w of addLayerWeights(g, layerTensors(rng, d), 'codec_encoder'))
    h = decoderLayer(g, h, w, dd, rope, bias).x;
  h = rmsNorm(g, h, g.weight('codec_encoder.norm', rng.norm('codec_encoder.norm', d.dimension), [d.dimension]));
  x = conv('downsample', g.op('Transpose', [h], { perm: [0, 2, 1] }), d.dimension, d.dimension, 4, 2);
  const latent = g.op('Transpose', [x], { perm: [0, 2, 1] }); // [1, frames, dim]

  // residual vector quantization: nearest entry = argmin(|e|² − 2·r·e) per frame
  const project = (name: string) => {
    const w = g.weight(name, rng.linear(name, d.dimension * d.codebookDim, d.dimension), [d.dimension, d.codebookDim]);
    return g.op('MatMul', [latent, w]);
  };
  const quantize = (name: string, residual: string): { codes: string; residual: string } => {
    const book = rng.uniform(name, d.codebookSize * d.codebookDim, 1);
    const norms = new Float32Array(d.codebookSize);
    for (let e = 0; e < d.codebookSize; e++) {
      let n = 0;
      for (let j = 0; j < d.codebookDim; j++) n += book[e * d.codebookDim + j]! ** 2;
      norms[e] = n;
    }
    const table = g.weight(name, book, [d.codebookSize, d.codebookDim]);
    const dot = g.op('MatMul', [residual, g.op('Transpose', [table], { perm: [1, 0] })]);
    const distance = g.op('Sub', [g.weight(`${name}.norms`, norms, [d.codebookSize]), g.op('Add', [dot, dot])]);
    const codes = g.op('ArgMin', [distance], { axis: 2, keepdims: 0 }); // [1, frames]
    return { codes, residual: g.op('Sub', [residual, g.op('Gather', [table, codes], { axis: 0 })]) };
  };
  const all = [quantize('rvq.semantic.codebook0', project('rvq.semantic.input_proj')).codes];
  let residual = project('rvq.acoustic.input_proj');
  for (let q = 1; q < d.quantizers; q++) {
    const step = quantize(`rvq.acoustic.codebook${q}`, residual);
    all.push(step.codes);
    residual = step.residual;
  }
  const stacked = g.op(
    'Concat',
    all.map((codes) => unsqueeze(g, codes, [1])),
    { axis: 1 },
  );
  const kept = g.op('Slice', [stacked, g.constI64([0]), g.constI64([d.kept]), g.constI64([1])]);
  g.output('audio_codes', kept, 'int64', [1, d.kept, options.dynamic ? 'frames' : d.window / SAMPLES_PER_CODE_FRAME]);
  return g;
}
