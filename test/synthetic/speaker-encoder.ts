// speaker_encoder.onnx of the Base export: mels f32 [batch, mel_frames, 128] → speaker_embedding f32 [batch, enc_dim].
// An ECAPA-TDNN with random weights (qwen3-tts.md §1.5): TDNN k5 → 3 SE-Res2Net blocks (k3, dilations 2,3,4,
// res2net scale 8, SE 128) → multi-layer feature aggregation (1×1 conv over the 3 blocks) → attentive statistics
// pooling (attention 128) → 1×1 conv to enc_dim. Batch norms are folded into the convolutions (as an export's
// constant folding does); padding is zero instead of reflect (same cost). The output depends on every frame.
import { Graph } from './onnx-graph.js';
import type { Rng } from './rng.js';

export interface SpeakerEncoderDims {
  mels: number;
  /** Channels of the TDNN, the three SE-Res2Net blocks and the aggregation (ECAPA enc_channels). */
  channels: [number, number, number, number, number];
  kernels: [number, number, number, number, number];
  dilations: [number, number, number, number, number];
  res2netScale: number;
  seChannels: number;
  attentionChannels: number;
  /** Output width: the talker hidden size (1024 for 0.6B, 2048 for 1.7B). */
  encDim: number;
}

/** The published ECAPA-TDNN's figures (qwen3-tts.md §1.5); encDim is set per size. */
export const SPEAKER_ENCODER_DIMS: Readonly<Omit<SpeakerEncoderDims, 'encDim'>> = {
  mels: 128,
  channels: [512, 512, 512, 512, 1536],
  kernels: [5, 3, 3, 3, 1],
  dilations: [1, 2, 3, 4, 1],
  res2netScale: 8,
  seChannels: 128,
  attentionChannels: 128,
};

/** Same structure, small widths: for tests. */
export const TINY_SPEAKER_ENCODER_DIMS: Readonly<Omit<SpeakerEncoderDims, 'encDim'>> = {
  ...SPEAKER_ENCODER_DIMS,
  channels: [16, 16, 16, 16, 48],
  res2netScale: 4,
  seChannels: 8,
  attentionChannels: 8,
};

export function buildSpeakerEncoder(rng: Rng, d: SpeakerEncoderDims): Graph {
  const g = new Graph('speaker_encoder');
  const axes2 = g.constI64([2]);
  const conv = (name: string, x: string, cin: number, cout: number, k = 1, dilation = 1, gain = Math.SQRT2) => {
    const fanIn = cin * k;
    const w = g.weight(`${name}.w`, rng.linear(`${name}.w`, cout * fanIn, fanIn, gain), [cout, cin, k]);
    const b = g.weight(`${name}.b`, rng.uniform(`${name}.b`, cout, 0.05), [cout]);
    const pad = ((k - 1) * dilation) / 2;
    return g.op('Conv', [x, w, b], { kernel_shape: [k], dilations: [dilation], pads: [pad, pad] });
  };
  const tdnn = (name: string, x: string, cin: number, cout: number, k = 1, dilation = 1) =>
    g.op('Relu', [conv(name, x, cin, cout, k, dilation)]);
  const mean = (x: string) => g.op('ReduceMean', [x], { axes: [2], keepdims: 1 });
  const sum = (x: string) => g.op('ReduceSum', [x, axes2], { keepdims: 1 });
  const sqrtFloor = (x: string) => g.op('Sqrt', [g.op('Max', [x, g.constF32(1e-12)])]);

  g.input('mels', 'float32', ['batch', 'mel_frames', d.mels]);
  const x0 = tdnn('block0', g.op('Transpose', ['mels'], { perm: [0, 2, 1] }), d.mels, d.channels[0], d.kernels[0]);

  const seRes2 = (name: string, x: string, c: number, k: number, dilation: number) => {
    const y = tdnn(`${name}.tdnn1`, x, c, c);
    const width = c / d.res2netScale;
    const chunks = g.opN('Split', [y, g.constI64(Array(d.res2netScale).fill(width))], d.res2netScale, { axis: 1 });
    const outs = [chunks[0]!];
    let prev = '';
    for (let j = 1; j < d.res2netScale; j++) {
      const input = j === 1 ? chunks[j]! : g.op('Add', [chunks[j]!, prev]);
      prev = tdnn(`${name}.res2net.${j}`, input, width, width, k, dilation);
      outs.push(prev);
    }
    const z = tdnn(`${name}.tdnn2`, g.op('Concat', outs, { axis: 1 }), c, c);
    const s = g.op('Sigmoid', [
      conv(`${name}.se.conv2`, g.op('Relu', [conv(`${name}.se.conv1`, mean(z), c, d.seChannels)]), d.seChannels, c),
    ]);
    return g.op('Add', [g.op('Mul', [z, s]), x]);
  };
  const blocks: string[] = [];
  let x = x0;
  for (let i = 1; i <= 3; i++) {
    x = seRes2(`block${i}`, x, d.channels[i]!, d.kernels[i]!, d.dilations[i]!);
    blocks.push(x);
  }
  const c4 = d.channels[4];
  const mfa = tdnn('mfa', g.op('Concat', blocks, { axis: 1 }), 3 * d.channels[3], c4, d.kernels[4], d.dilations[4]);

  // attentive statistics pooling: attention over frames from each frame plus the clip's mean and spread
  const mu = mean(mfa);
  const sigma = sqrtFloor(mean(g.op('Pow', [g.op('Sub', [mfa, mu]), g.constF32(2)])));
  const shape = g.op('Shape', [mfa]);
  const context = g.op('Concat', [mfa, g.op('Expand', [mu, shape]), g.op('Expand', [sigma, shape])], { axis: 1 });
  const att = g.op('Tanh', [tdnn('asp.tdnn', context, 3 * c4, d.attentionChannels)]);
  const weights = g.op('Softmax', [conv('asp.conv', att, d.attentionChannels, c4)], { axis: 2 });
  const wMean = sum(g.op('Mul', [weights, mfa]));
  const wStd = sqrtFloor(sum(g.op('Mul', [weights, g.op('Pow', [g.op('Sub', [mfa, wMean]), g.constF32(2)])])));
  const pooled = g.op('Concat', [wMean, wStd], { axis: 1 }); // [batch, 2·c4, 1]
  const embedding = g.op('Squeeze', [conv('fc', pooled, 2 * c4, d.encDim, 1, 1, 1), axes2]);
  g.output('speaker_embedding', embedding, 'float32', ['batch', d.encDim]);
  return g;
}
