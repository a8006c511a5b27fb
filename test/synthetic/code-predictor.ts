// code_predictor: projection talker-hidden → cp-hidden, a small transformer with a stacked KV cache
// (positions are implied by the cache length, as in the real export), and 15 lm_heads picked by
// `generation_steps`.
import { Graph } from './onnx-graph.js';
import type { Rng } from './rng.js';
import {
  addLayerWeights,
  addLinear,
  attentionBias,
  decoderLayer,
  dimOf,
  inverseFrequencies,
  linear,
  randomLayers,
  rmsNorm,
  ropeFromAngles,
  unsqueeze,
  type DecoderDims,
  type LayerTensors,
  type Tensor,
  type WeightPrecision,
} from './transformer.js';

export interface CodePredictorDims extends DecoderDims {
  /** Talker hidden size: the width of `inputs_embeds`. */
  inputHidden: number;
  vocab: number;
  /** Number of lm_heads (codebooks 1..15). */
  heads15: number;
  /** The real 0.6B model has no small_to_mtp_projection (Identity: talker and predictor are both 1024 wide). */
  identityProjection?: boolean;
}

export interface CodePredictorWeights {
  projW: Tensor;
  projB: Tensor;
  layers: LayerTensors[];
  norm: Tensor;
  lmHeads: Tensor;
}

export function randomCodePredictor(rng: Rng, d: CodePredictorDims): CodePredictorWeights {
  return {
    projW: {
      data: rng.linear('cp.small_to_mtp_projection.weight', d.inputHidden * d.hidden, d.inputHidden),
      dims: [d.inputHidden, d.hidden],
    },
    projB: { data: rng.uniform('cp.small_to_mtp_projection.bias', d.hidden, 0.1), dims: [d.hidden] },
    layers: randomLayers(rng, 'cp', d),
    norm: { data: rng.norm('cp.norm', d.hidden), dims: [d.hidden] },
    lmHeads: {
      data: rng.linear('cp.lm_head', d.heads15 * d.hidden * d.vocab, d.hidden, 4),
      dims: [d.heads15, d.hidden, d.vocab],
    },
  };
}

const S = 'sequence_length';
const PAST = 'past_sequence_length';
const TOTAL = 'past_sequence_length + sequence_length';

export function buildCodePredictor(
  w: CodePredictorWeights,
  d: CodePredictorDims,
  precision: WeightPrecision = 'fp32',
): Graph {
  const g = new Graph('code_predictor');
  g.input('inputs_embeds', 'float32', [1, S, d.inputHidden]);
  g.input('generation_steps', 'int64', [1]);
  g.input('past_keys', 'float32', [d.layers, 1, d.kvHeads, PAST, d.headDim]);
  g.input('past_values', 'float32', [d.layers, 1, d.kvHeads, PAST, d.headDim]);

  const past = dimOf(g, 'past_keys', 3);
  const total = g.op('Add', [past, dimOf(g, 'inputs_embeds', 1)]);
  const bias = attentionBias(g, past, total);
  // positions past..total-1 → angles [1,s,D/2]
  const pos = unsqueeze(g, g.op('Cast', [g.op('Range', [past, total, g.constI64(1, [])])], { to: 1 }), [0, 2]);
  const invFreq = g.weight('cp.inv_freq', Float32Array.from(inverseFrequencies(d.headDim)), [1, d.headDim / 2]);
  const rope = ropeFromAngles(g, g.op('MatMul', [pos, invFreq]), d.headDim);

  let x = d.identityProjection
    ? 'inputs_embeds'
    : g.op('Add', [
        linear(g, 'inputs_embeds', addLinear(g, 'cp.proj.w', w.projW, precision)),
        g.weight('cp.proj.b', w.projB.data, w.projB.dims),
      ]);
  const keys: string[] = [];
  const values: string[] = [];
  addLayerWeights(g, w.layers, 'cp', precision).forEach((lw, i) => {
    const layerOf = (stacked: string): string => g.op('Gather', [stacked, g.constI64(i, [])], { axis: 0 });
    const r = decoderLayer(g, x, lw, d, rope, bias, { key: layerOf('past_keys'), value: layerOf('past_values') });
    x = r.x;
    keys.push(r.key);
    values.push(r.value);
  });
  const hidden = rmsNorm(g, x, g.weight('cp.norm', w.norm.data, w.norm.dims));
  // Gather one [cp_hidden, vocab] head out of the stacked [15, cp_hidden, vocab] weight.
  const head = g.op('Gather', [g.weight('cp.lm_heads', w.lmHeads.data, w.lmHeads.dims), 'generation_steps'], {
    axis: 0,
  });
  const stack = (xs: string[]): string =>
    g.op(
      'Concat',
      xs.map((v) => unsqueeze(g, v, [0])),
      { axis: 0 },
    );
  g.output('logits', g.op('MatMul', [hidden, head]), 'float32', [1, S, d.vocab]);
  g.output('present_keys', stack(keys), 'float32', [d.layers, 1, d.kvHeads, TOTAL, d.headDim]);
  g.output('present_values', stack(values), 'float32', [d.layers, 1, d.kvHeads, TOTAL, d.headDim]);
  return g;
}
