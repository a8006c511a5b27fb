// talker_prefill / talker_decode: the same small Qwen3-style transformer exported twice, as the real
// export does: prefill emits per-layer presents, decode takes and returns stacked [L,1,KV,T,D] caches.
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

export interface TalkerDims extends DecoderDims {
  vocab: number;
  /** codec EOS id; its codec_head column is scaled up so that greedy decoding reaches EOS eventually. */
  eos: number;
}

/** With 1.5, greedy runs from typical prompts hit EOS after roughly 15..70 frames (measured on seeds 0..2). */
const EOS_GAIN = 1.5;

export interface TalkerWeights {
  layers: LayerTensors[];
  norm: Tensor;
  head: Tensor;
}

export function randomTalker(rng: Rng, d: TalkerDims): TalkerWeights {
  // Gain > 1 gives peaked, input-dependent logits, so greedy decoding wanders instead of sticking.
  const head = rng.linear('talker.codec_head', d.hidden * d.vocab, d.hidden, 4);
  for (let i = 0; i < d.hidden; i++) head[i * d.vocab + d.eos] = (head[i * d.vocab + d.eos] ?? 0) * EOS_GAIN;
  return {
    layers: randomLayers(rng, 'talker', d),
    norm: { data: rng.norm('talker.norm', d.hidden), dims: [d.hidden] },
    head: { data: head, dims: [d.hidden, d.vocab] },
  };
}

/**
 * Interleaved M-RoPE in miniature: rotary slot j takes its angle from position row 1 (j%3==1) or
 * row 2 (j%3==2) within the first sections, else row 0, as Qwen3-TTS does with mrope_section
 * [24,20,20]. Equal rows reduce to plain RoPE; an engine that fills only row 0 gets different logits.
 * Returned as a [3, D/2] matrix so angles = positions[1,S,3] · M.
 */
export function mropeMatrix(headDim: number): Float32Array {
  const half = headDim / 2;
  const section = Math.floor(half / 4);
  const inv = inverseFrequencies(headDim);
  const m = new Float32Array(3 * half);
  for (let j = 0; j < half; j++) {
    let row = 0;
    if (j % 3 === 1 && j < 3 * section) row = 1;
    else if (j % 3 === 2 && j < 3 * section) row = 2;
    m[row * half + j] = inv[j] ?? 0;
  }
  return m;
}

const S = 'sequence_length';
const PAST = 'past_sequence_length';
const TOTAL = 'past_sequence_length + 1';

function talkerBody(
  g: Graph,
  w: TalkerWeights,
  d: TalkerDims,
  pastFor: ((layer: number) => { key: string; value: string }) | undefined,
  past: string,
  precision: WeightPrecision,
): { logits: string; hidden: string; keys: string[]; values: string[] } {
  const embeds = 'inputs_embeds';
  const newLen = dimOf(g, embeds, 1);
  const total = g.op('Add', [past, newLen]);

  // attention_mask must hold exactly one entry per key (past+S). A Reshape to that length is not
  // enough (ORT's optimizer can drop it), so gather from a 1-element tensor at index
  // 2·(past+S − mask length): 0 is fine, anything else is out of range and fails the run.
  const maskLen = dimOf(g, 'attention_mask', 1);
  const guardIdx = g.op('Mul', [g.op('Sub', [total, maskLen]), g.constI64(2, [])]);
  const guard = g.op('Gather', [g.constF32([1]), guardIdx], { axis: 0 });
  const keyMask = g.op('Cast', [g.op('Reshape', ['attention_mask', g.constI64([1, 1, 1, -1])])], { to: 1 });
  const bias = g.op('Mul', [attentionBias(g, past, total, keyMask), guard]);

  // position_ids [3,1,S] → [1,S,3] · [3,D/2] → angles [1,S,D/2]
  const pos = g.op('Transpose', [g.op('Cast', ['position_ids'], { to: 1 })], { perm: [1, 2, 0] });
  const angles = g.op('MatMul', [pos, g.weight('mrope', mropeMatrix(d.headDim), [3, d.headDim / 2])]);
  const rope = ropeFromAngles(g, angles, d.headDim);

  const names = addLayerWeights(g, w.layers, 'talker', precision);
  let x = embeds;
  const keys: string[] = [];
  const values: string[] = [];
  names.forEach((lw, i) => {
    const r = decoderLayer(g, x, lw, d, rope, bias, pastFor?.(i));
    x = r.x;
    keys.push(r.key);
    values.push(r.value);
  });
  const hidden = rmsNorm(g, x, g.weight('talker.norm', w.norm.data, w.norm.dims));
  const logits = linear(g, hidden, addLinear(g, 'talker.codec_head', w.head, precision));
  return { logits, hidden, keys, values };
}

export function buildTalkerPrefill(w: TalkerWeights, d: TalkerDims, precision: WeightPrecision = 'fp32'): Graph {
  const g = new Graph('talker_prefill');
  g.input('inputs_embeds', 'float32', [1, S, d.hidden]);
  g.input('attention_mask', 'int64', [1, S]);
  g.input('position_ids', 'int64', [3, 1, S]);
  const r = talkerBody(g, w, d, undefined, g.constI64(0, []), precision);
  g.output('logits', r.logits, 'float32', [1, S, d.vocab]);
  g.output('hidden_states', r.hidden, 'float32', [1, S, d.hidden]);
  for (let i = 0; i < d.layers; i++) {
    g.output(`present_key_${i}`, r.keys[i] ?? '', 'float32', [1, d.kvHeads, S, d.headDim]);
    g.output(`present_value_${i}`, r.values[i] ?? '', 'float32', [1, d.kvHeads, S, d.headDim]);
  }
  return g;
}

export function buildTalkerDecode(w: TalkerWeights, d: TalkerDims, precision: WeightPrecision = 'fp32'): Graph {
  const g = new Graph('talker_decode');
  g.input('inputs_embeds', 'float32', [1, 1, d.hidden]);
  g.input('attention_mask', 'int64', [1, TOTAL]);
  g.input('position_ids', 'int64', [3, 1, 1]);
  g.input('past_keys', 'float32', [d.layers, 1, d.kvHeads, PAST, d.headDim]);
  g.input('past_values', 'float32', [d.layers, 1, d.kvHeads, PAST, d.headDim]);
  const layerOf = (stacked: string, i: number): string => g.op('Gather', [stacked, g.constI64(i, [])], { axis: 0 });
  const r = talkerBody(
    g,
    w,
    d,
    (i) => ({ key: layerOf('past_keys', i), value: layerOf('past_values', i) }),
    dimOf(g, 'past_keys', 3),
    precision,
  );
  const stack = (xs: string[]): string =>
    g.op(
      'Concat',
      xs.map((x) => unsqueeze(g, x, [0])),
      { axis: 0 },
    );
  g.output('logits', r.logits, 'float32', [1, 1, d.vocab]);
  g.output('hidden_states', r.hidden, 'float32', [1, 1, d.hidden]);
  g.output('present_keys', stack(r.keys), 'float32', [d.layers, 1, d.kvHeads, TOTAL, d.headDim]);
  g.output('present_values', stack(r.values), 'float32', [d.layers, 1, d.kvHeads, TOTAL, d.headDim]);
  return g;
}
