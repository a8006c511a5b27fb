// vocoder: codes [1,16,T] → sum of 16 per-codebook embeddings → two causal convolutions over frames
// (kernel 3, left-padded) → per-frame projection to 1920 samples → tanh → waveform [1,1,T*1920].
// Causal like the real codec decoder, so chunked decoding with enough left context is exact.
import { Graph } from './onnx-graph.js';
import type { Rng } from './rng.js';
import { silu, type Tensor } from './transformer.js';

export const SAMPLES_PER_FRAME = 1920;
const KERNEL = 3;
const CONV_LAYERS = 2;
/** Frames of left context a chunk needs to reproduce a one-shot decode exactly. */
export const VOCODER_LEFT_CONTEXT = CONV_LAYERS * (KERNEL - 1);

export interface VocoderDims {
  codebooks: number;
  codebookSize: number;
  embed: number;
  channels: number;
}

export interface VocoderWeights {
  tables: Tensor[];
  convs: { w: Tensor; b: Tensor }[];
  outW: Tensor;
  outB: Tensor;
}

export function randomVocoder(rng: Rng, d: VocoderDims): VocoderWeights {
  const convs = Array.from({ length: CONV_LAYERS }, (_, i) => {
    const cin = i === 0 ? d.embed : d.channels;
    return {
      w: {
        data: rng.linear(`voc.conv${i}.w`, d.channels * cin * KERNEL, cin * KERNEL, 1.5),
        dims: [d.channels, cin, KERNEL],
      },
      b: { data: rng.uniform(`voc.conv${i}.b`, d.channels, 0.1), dims: [d.channels] },
    };
  });
  return {
    // Scaled so the sum over 16 codebooks has roughly unit variance.
    tables: Array.from({ length: d.codebooks }, (_, k) => ({
      data: rng.uniform(`voc.codebook${k}`, d.codebookSize * d.embed, Math.sqrt(3 / d.codebooks)),
      dims: [d.codebookSize, d.embed],
    })),
    convs,
    outW: {
      data: rng.linear('voc.out.w', d.channels * SAMPLES_PER_FRAME, d.channels, 0.8),
      dims: [d.channels, SAMPLES_PER_FRAME],
    },
    outB: { data: rng.uniform('voc.out.b', SAMPLES_PER_FRAME, 0.05), dims: [SAMPLES_PER_FRAME] },
  };
}

export function buildVocoder(w: VocoderWeights, d: VocoderDims): Graph {
  const g = new Graph('vocoder');
  g.input('codes', 'int64', [1, d.codebooks, 'T']);
  // One Gather per codebook on its own table: an out-of-range code (e.g. a control id >= 2048) fails
  // loudly instead of reading a neighbouring table.
  const perBook = g.opN('Split', ['codes'], d.codebooks, { axis: 1 });
  const embedded = perBook.map((c, k) => {
    const t = w.tables[k];
    if (!t) throw new Error(`missing codebook table ${k}`);
    return g.op('Gather', [g.weight(`voc.codebook${k}`, t.data, t.dims), c], { axis: 0 });
  });
  // [1,1,T,E] summed → [1,E,T] for Conv
  const sum = g.op('Reshape', [g.op('Sum', embedded), g.constI64([1, -1, d.embed])]);
  let x = g.op('Transpose', [sum], { perm: [0, 2, 1] });
  w.convs.forEach((c, i) => {
    const conv = g.op(
      'Conv',
      [x, g.weight(`voc.conv${i}.w`, c.w.data, c.w.dims), g.weight(`voc.conv${i}.b`, c.b.data, c.b.dims)],
      {
        kernel_shape: [KERNEL],
        pads: [KERNEL - 1, 0], // left pad only: frame t sees frames t-2..t
      },
    );
    x = silu(g, conv);
  });
  const frames = g.op('Transpose', [x], { perm: [0, 2, 1] });
  const samples = g.op('Add', [
    g.op('MatMul', [frames, g.weight('voc.out.w', w.outW.data, w.outW.dims)]),
    g.weight('voc.out.b', w.outB.data, w.outB.dims),
  ]);
  const wave = g.op('Reshape', [g.op('Tanh', [samples]), g.constI64([1, 1, -1])]);
  g.output('waveform', wave, 'float32', [1, 1, `T * ${SAMPLES_PER_FRAME}`]);
  return g;
}
