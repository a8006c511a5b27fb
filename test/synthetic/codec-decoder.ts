// The real-size vocoder: the Qwen3-TTS-Tokenizer-12Hz decoder stack (qwen3-tts.md §1.3) with random weights, so
// benchmarks pay what the published vocoder.onnx costs. codes [1,16,T] →
//   split RVQ lookup (codebook 0 semantic, 1..15 acoustic summed; 256-d, each projected to 512)
//   → causal conv k3 512→1024 → 8-layer transformer (512 wide, 16 heads of 64, RoPE θ 1e4, causal attention
//   within a 72-frame window) → 2 × [ConvTranspose ×2 + ConvNeXt block] → causal conv k7 1024→1536
//   → 4 × [SnakeBeta + causal ConvTranspose (8,5,4,3) + 3 residual units, dilations 1,3,9] down to 96 channels
//   → SnakeBeta → causal conv k7 96→1 → clip ±1 → waveform [1,1,T·1920].
// Everything is causal (left padding, right-trimmed transposed convolutions). LayerScale is folded into the
// weights it multiplies (a constant factor costs nothing at run time either way).
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

export interface CodecDecoderDims {
  codebooks: number;
  codebookSize: number;
  codebookDim: number;
  /** RVQ output width (input of the first conv). */
  rvqOut: number;
  /** Channels around the transformer. */
  latent: number;
  hidden: number;
  layers: number;
  heads: number;
  headDim: number;
  intermediate: number;
  window: number;
  upsamplingRatios: number[];
  decoderDim: number;
  upsampleRates: number[];
}

export const CODEC_DECODER_DIMS: Readonly<CodecDecoderDims> = {
  codebooks: 16,
  codebookSize: 2048,
  codebookDim: 256,
  rvqOut: 512,
  latent: 1024,
  hidden: 512,
  layers: 8,
  heads: 16,
  headDim: 64,
  intermediate: 1024,
  window: 72,
  upsamplingRatios: [2, 2],
  decoderDim: 1536,
  upsampleRates: [8, 5, 4, 3],
};

/** Same structure, small widths: for tests. Upsampling still totals 1920 samples per frame. */
export const TEST_CODEC_DECODER_DIMS: Readonly<CodecDecoderDims> = {
  ...CODEC_DECODER_DIMS,
  codebookSize: 2048,
  codebookDim: 8,
  rvqOut: 16,
  latent: 16,
  hidden: 16,
  layers: 2,
  heads: 2,
  headDim: 8,
  intermediate: 32,
  window: 6,
  decoderDim: 32,
};

export const SAMPLES_PER_FRAME = 1920;
const LAYER_SCALE = 0.01;

class Builder {
  constructor(
    readonly g: Graph,
    readonly rng: Rng,
  ) {}

  /** Causal conv over [1,C,L]: left padding (k-1)·dilation. */
  conv(
    name: string,
    x: string,
    cin: number,
    cout: number,
    k: number,
    opts: { dilation?: number; group?: number; gain?: number } = {},
  ): string {
    const { dilation = 1, group = 1, gain = 1 } = opts;
    const fanIn = (cin / group) * k;
    const w = this.g.weight(`${name}.w`, this.rng.linear(`${name}.w`, cout * fanIn, fanIn, gain), [
      cout,
      cin / group,
      k,
    ]);
    const b = this.g.weight(`${name}.b`, this.rng.uniform(`${name}.b`, cout, 0.02), [cout]);
    return this.g.op('Conv', [x, w, b], {
      kernel_shape: [k],
      dilations: [dilation],
      group,
      pads: [(k - 1) * dilation, 0],
    });
  }

  /** Causal transposed conv, kernel 2·stride, trimmed on the right to exactly L·stride. */
  upConv(name: string, x: string, cin: number, cout: number, stride: number): string {
    const k = stride === 2 ? 2 : 2 * stride;
    const w = this.g.weight(`${name}.w`, this.rng.linear(`${name}.w`, cin * cout * k, cin * (k / stride)), [
      cin,
      cout,
      k,
    ]);
    const b = this.g.weight(`${name}.b`, this.rng.uniform(`${name}.b`, cout, 0.02), [cout]);
    const y = this.g.op('ConvTranspose', [x, w, b], { kernel_shape: [k], strides: [stride] });
    // output length (L-1)·s + k; with k = 2s the last s samples depend on the future
    if (k === stride) return y;
    return this.g.op('Slice', [y, this.g.constI64([0]), this.g.constI64([-(k - stride)]), this.g.constI64([2])]);
  }

  /** SnakeBeta per channel on [1,C,L]: x + 1/(e^β) · sin²(e^α · x). */
  snake(name: string, x: string, c: number): string {
    const alpha = this.rng.uniform(`${name}.alpha`, c, 0.2).map((v) => Math.exp(v));
    const invBeta = this.rng.uniform(`${name}.beta`, c, 0.2).map((v) => 1 / (Math.exp(v) + 1e-9));
    const a = this.g.weight(`${name}.alpha`, alpha, [1, c, 1]);
    const ib = this.g.weight(`${name}.inv_beta`, invBeta, [1, c, 1]);
    const s = this.g.op('Sin', [this.g.op('Mul', [x, a])]);
    return this.g.op('Add', [x, this.g.op('Mul', [this.g.op('Mul', [s, s]), ib])]);
  }

  linear(name: string, x: string, fanIn: number, fanOut: number, gain = 1): string {
    const w = this.g.weight(`${name}.w`, this.rng.linear(`${name}.w`, fanIn * fanOut, fanIn, gain), [fanIn, fanOut]);
    const b = this.g.weight(`${name}.b`, this.rng.uniform(`${name}.b`, fanOut, 0.02), [fanOut]);
    return this.g.op('Add', [this.g.op('MatMul', [x, w]), b]);
  }

  gelu(x: string): string {
    const erf = this.g.op('Erf', [this.g.op('Mul', [x, this.g.constF32(Math.SQRT1_2)])]);
    return this.g.op('Mul', [this.g.op('Mul', [x, this.g.constF32(0.5)]), this.g.op('Add', [erf, this.g.constF32(1)])]);
  }

  /** ConvNeXt block on [1,C,L]: depthwise k7 → LayerNorm → C→4C → GELU → 4C→C (scaled) → residual. */
  convNext(name: string, x: string, c: number): string {
    const dw = this.conv(`${name}.dwconv`, x, c, c, 7, { group: c });
    const t = this.g.op('Transpose', [dw], { perm: [0, 2, 1] });
    const scale = this.g.weight(`${name}.norm.w`, this.rng.norm(`${name}.norm.w`, c), [c]);
    const bias = this.g.weight(`${name}.norm.b`, this.rng.uniform(`${name}.norm.b`, c, 0.02), [c]);
    const n = this.g.op('LayerNormalization', [t, scale, bias], { axis: -1, epsilon: { f: 1e-6 } });
    const h = this.linear(
      `${name}.pwconv2`,
      this.gelu(this.linear(`${name}.pwconv1`, n, c, 4 * c)),
      4 * c,
      c,
      LAYER_SCALE,
    );
    return this.g.op('Add', [x, this.g.op('Transpose', [h], { perm: [0, 2, 1] })]);
  }

  residualUnit(name: string, x: string, c: number, dilation: number): string {
    const y = this.conv(`${name}.conv1`, this.snake(`${name}.snake1`, x, c), c, c, 7, { dilation });
    // a small residual branch (as trained models have) keeps 12 stacked units from blowing up the scale
    return this.g.op('Add', [
      x,
      this.conv(`${name}.conv2`, this.snake(`${name}.snake2`, y, c), c, c, 1, { gain: 0.2 }),
    ]);
  }
}

function transformerLayers(rng: Rng, d: CodecDecoderDims): LayerTensors[] {
  const dd = decoderDims(d);
  const lin = (name: string, fanIn: number, fanOut: number, gain = 1) => ({
    data: rng.linear(name, fanIn * fanOut, fanIn, gain),
    dims: [fanIn, fanOut],
  });
  const norm = (name: string, n: number) => ({ data: rng.norm(name, n), dims: [n] });
  return Array.from({ length: d.layers }, (_, i) => {
    const p = `codec.layers.${i}`;
    const q = d.heads * d.headDim;
    return {
      inNorm: norm(`${p}.input_layernorm`, d.hidden),
      q: lin(`${p}.q_proj`, d.hidden, q),
      k: lin(`${p}.k_proj`, d.hidden, q),
      v: lin(`${p}.v_proj`, d.hidden, q),
      o: lin(`${p}.o_proj`, q, d.hidden, LAYER_SCALE),
      qNorm: norm(`${p}.q_norm`, d.headDim),
      kNorm: norm(`${p}.k_norm`, d.headDim),
      postNorm: norm(`${p}.post_attention_layernorm`, d.hidden),
      gate: lin(`${p}.gate_proj`, d.hidden, dd.intermediate),
      up: lin(`${p}.up_proj`, d.hidden, dd.intermediate),
      down: lin(`${p}.down_proj`, dd.intermediate, d.hidden, LAYER_SCALE),
    };
  });
}

function decoderDims(d: CodecDecoderDims): DecoderDims {
  return {
    hidden: d.hidden,
    heads: d.heads,
    kvHeads: d.heads,
    headDim: d.headDim,
    intermediate: d.intermediate,
    layers: d.layers,
  };
}

export function buildCodecDecoder(rng: Rng, d: CodecDecoderDims): Graph {
  const g = new Graph('vocoder');
  const b = new Builder(g, rng);
  g.input('codes', 'int64', [1, d.codebooks, 'T']);

  // Split RVQ: codebook 0 alone (semantic), 1..15 summed (acoustic), each projected 256 → 512.
  const perBook = g.opN('Split', ['codes'], d.codebooks, { axis: 1 });
  const lookup = (k: number) => {
    const table = g.weight(
      `codec.codebook${k}`,
      rng.uniform(`codec.codebook${k}`, d.codebookSize * d.codebookDim, Math.sqrt(3)),
      [d.codebookSize, d.codebookDim],
    );
    return g.op('Gather', [table, perBook[k]!], { axis: 0 }); // [1,1,T,dim]
  };
  const flat = (x: string) => g.op('Reshape', [x, g.constI64([1, -1, d.codebookDim])]);
  const semantic = b.linear('codec.rvq_first.out', flat(lookup(0)), d.codebookDim, d.rvqOut);
  const acousticSum = g.op(
    'Sum',
    Array.from({ length: d.codebooks - 1 }, (_, k) => lookup(k + 1)),
  );
  const acoustic = b.linear(
    'codec.rvq_rest.out',
    flat(acousticSum),
    d.codebookDim,
    d.rvqOut,
    1 / Math.sqrt(d.codebooks - 1),
  );
  let x = g.op('Transpose', [g.op('Add', [semantic, acoustic])], { perm: [0, 2, 1] }); // [1,512,T]

  x = b.conv('codec.pre_conv', x, d.rvqOut, d.latent, 3);

  // Transformer over frames, causal within a sliding window.
  let h = b.linear('codec.input_proj', g.op('Transpose', [x], { perm: [0, 2, 1] }), d.latent, d.hidden);
  const T = dimOf(g, 'codes', 2);
  const zero = g.constI64(0, []);
  const one = g.constI64(1, []);
  const keys = g.op('Range', [zero, T, one]);
  const queries = unsqueeze(g, keys, [1]);
  const distance = g.op('Sub', [queries, keys]);
  const allowed = g.op('And', [
    g.op('GreaterOrEqual', [distance, zero]),
    g.op('Less', [distance, g.constI64(d.window, [])]),
  ]);
  const bias = g.op('Where', [allowed, g.constF32(0), g.constF32(-1e9)]);
  const angles = g.op('MatMul', [
    unsqueeze(g, g.op('Cast', [keys], { to: 1 }), [0, 2]),
    g.weight('codec.inv_freq', Float32Array.from(inverseFrequencies(d.headDim)), [1, d.headDim / 2]),
  ]);
  const rope = ropeFromAngles(g, angles, d.headDim);
  const dd = decoderDims(d);
  for (const w of addLayerWeights(g, transformerLayers(rng, d), 'codec')) h = decoderLayer(g, h, w, dd, rope, bias).x;
  h = rmsNorm(g, h, g.weight('codec.norm', rng.norm('codec.norm', d.hidden), [d.hidden]));
  x = g.op('Transpose', [b.linear('codec.output_proj', h, d.hidden, d.latent)], { perm: [0, 2, 1] }); // [1,1024,T]

  d.upsamplingRatios.forEach((r, i) => {
    x = b.convNext(
      `codec.upsample.${i}.convnext`,
      b.upConv(`codec.upsample.${i}.up`, x, d.latent, d.latent, r),
      d.latent,
    );
  });

  x = b.conv('codec.decoder.in', x, d.latent, d.decoderDim, 7);
  let c = d.decoderDim;
  d.upsampleRates.forEach((rate, i) => {
    const out = c / 2;
    x = b.upConv(`codec.decoder.${i}.up`, b.snake(`codec.decoder.${i}.snake`, x, c), c, out, rate);
    for (const [j, dil] of [1, 3, 9].entries()) x = b.residualUnit(`codec.decoder.${i}.res${j}`, x, out, dil);
    c = out;
  });
  // a small output gain keeps most samples inside ±1, so the clip does not hide what the stack computes
  x = b.conv('codec.decoder.out', b.snake('codec.decoder.snake_out', x, c), c, 1, 7, { gain: 0.02 });
  const wave = g.op('Reshape', [g.op('Clip', [x, g.constF32(-1), g.constF32(1)]), g.constI64([1, 1, -1])]);
  g.output('waveform', wave, 'float32', [1, 1, `T * ${SAMPLES_PER_FRAME}`]);
  return g;
}
