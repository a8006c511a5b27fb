// Qwen3-style decoder layers shared by the talker and the code predictor: pre-RMSNorm, q/k/v with
// per-head q_norm/k_norm, rotary position encoding, GQA attention over [past ‖ new] with a causal
// mask, SwiGLU MLP. Small, but every piece the engine feeds (positions, cache, mask) changes the output.
import { INT4_BLOCK, quantizeInt4, type Int4Weight } from './int4.js';
import { MS_DOMAIN, type Graph } from './onnx-graph.js';
import type { Rng } from './rng.js';

export interface DecoderDims {
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  layers: number;
}

export interface Tensor {
  data: Float32Array;
  dims: number[];
}

const LAYER_KEYS = ['inNorm', 'q', 'k', 'v', 'o', 'qNorm', 'kNorm', 'postNorm', 'gate', 'up', 'down'] as const;
const MATRIX_KEYS: ReadonlySet<string> = new Set(['q', 'k', 'v', 'o', 'gate', 'up', 'down']);
type LayerKey = (typeof LAYER_KEYS)[number];
export type LayerTensors = Record<LayerKey, Tensor>;
type LayerNames = Record<LayerKey, LinearWeight>;

export type WeightPrecision = 'fp32' | 'int4';

/** A [K, N] weight as a graph holds it: an fp32 initializer for MatMul, or int4 blocks for MatMulNBits. */
export type LinearWeight = string | { packed: string; scales: string; K: number; N: number };

/** Adds a [K, N] (in, out) weight; int4 quantizes it like the published export (RTN, blocks of 128). */
const quantized = new WeakMap<Float32Array, Int4Weight>();

export function addLinear(g: Graph, hint: string, t: Tensor, precision: WeightPrecision): LinearWeight {
  if (precision === 'fp32') return g.weight(hint, t.data, t.dims);
  const [K, N] = t.dims as [number, number];
  // prefill and decode carry the same weights: quantize once
  const q = quantized.get(t.data) ?? quantizeInt4(t.data, K, N);
  quantized.set(t.data, q);
  const blocks = Math.ceil(K / INT4_BLOCK);
  return {
    K,
    N,
    packed: g.weightU8(`${hint}.int4`, q.packed, [N, blocks, INT4_BLOCK / 2]),
    scales: g.weight(`${hint}.scales`, q.scales, [N * blocks]),
  };
}

/** x · W for either form of weight; accuracy_level 4 (int8 activations) as the published int4 export. */
export function linear(g: Graph, x: string, w: LinearWeight, accuracyLevel = 4): string {
  if (typeof w === 'string') return g.op('MatMul', [x, w]);
  return g.opIn(MS_DOMAIN, 'MatMulNBits', [x, w.packed, w.scales], {
    K: w.K,
    N: w.N,
    bits: 4,
    block_size: INT4_BLOCK,
    accuracy_level: accuracyLevel,
  });
}

export const RMS_EPS = 1e-6;
export const ROPE_THETA = 10000;
const MASKED = -1e9;
const RECENCY_SLOPE = 0.1;

/** Random weights for `d.layers` layers; MatMul weights are stored [in, out] as the torch exporter does. */
export function randomLayers(rng: Rng, prefix: string, d: DecoderDims): LayerTensors[] {
  const qDim = d.heads * d.headDim;
  const kvDim = d.kvHeads * d.headDim;
  const lin = (name: string, fanIn: number, fanOut: number, gain = 1): Tensor => ({
    data: rng.linear(name, fanIn * fanOut, fanIn, gain),
    dims: [fanIn, fanOut],
  });
  return Array.from({ length: d.layers }, (_, i) => {
    const p = `${prefix}.layers.${i}`;
    return {
      inNorm: { data: rng.norm(`${p}.input_layernorm`, d.hidden), dims: [d.hidden] },
      q: lin(`${p}.q_proj`, d.hidden, qDim),
      k: lin(`${p}.k_proj`, d.hidden, kvDim),
      v: lin(`${p}.v_proj`, d.hidden, kvDim),
      o: lin(`${p}.o_proj`, qDim, d.hidden),
      qNorm: { data: rng.norm(`${p}.q_norm`, d.headDim), dims: [d.headDim] },
      // k_norm well above 1 sharpens attention, so which keys are in the cache matters more.
      kNorm: { data: rng.norm(`${p}.k_norm`, d.headDim).map((x) => x * 2.5), dims: [d.headDim] },
      postNorm: { data: rng.norm(`${p}.post_attention_layernorm`, d.hidden), dims: [d.hidden] },
      gate: lin(`${p}.gate_proj`, d.hidden, d.intermediate),
      up: lin(`${p}.up_proj`, d.hidden, d.intermediate),
      down: lin(`${p}.down_proj`, d.intermediate, d.hidden),
    };
  });
}

export function addLayerWeights(
  g: Graph,
  layers: readonly LayerTensors[],
  prefix: string,
  precision: WeightPrecision = 'fp32',
): LayerNames[] {
  return layers.map((l, i) => {
    const names = {} as LayerNames;
    for (const key of LAYER_KEYS) {
      const hint = `${prefix}.${i}.${key}`;
      names[key] = MATRIX_KEYS.has(key)
        ? addLinear(g, hint, l[key], precision)
        : g.weight(hint, l[key].data, l[key].dims);
    }
    return names;
  });
}

function norm(w: LinearWeight): string {
  if (typeof w !== 'string') throw new Error('norm weights are never quantized');
  return w;
}

/** RMSNorm as the torch exporter writes Qwen3's (x.pow(2).mean → + eps → rsqrt → × x × weight), so ORT fuses it the same way. */
export function rmsNorm(g: Graph, x: string, weight: string): string {
  const ms = g.op('ReduceMean', [g.op('Pow', [x, g.constF32(2)])], { axes: [-1], keepdims: 1 });
  return g.op('Mul', [g.op('Div', [x, g.op('Sqrt', [g.op('Add', [ms, g.constF32(RMS_EPS)])])]), weight]);
}

export function silu(g: Graph, x: string): string {
  return g.op('Mul', [x, g.op('Sigmoid', [x])]);
}

/** Scalar int64 size of axis `axis` of `x`. */
export function dimOf(g: Graph, x: string, axis: number): string {
  return g.op('Gather', [g.op('Shape', [x]), g.constI64(axis, [])], { axis: 0 });
}

export function unsqueeze(g: Graph, x: string, axes: readonly number[]): string {
  return g.op('Unsqueeze', [x, g.constI64(axes)]);
}

/** Standard rotary inverse frequencies theta^(-2j/D), j < D/2. */
export function inverseFrequencies(headDim: number): number[] {
  return Array.from({ length: headDim / 2 }, (_, j) => ROPE_THETA ** ((-2 * j) / headDim));
}

export interface Rope {
  cos: string;
  sin: string;
  /** [D, D] matrix with x·R = rotate_half(x) = [-x2, x1]. */
  rotate: string;
}

/** cos/sin [1,1,S,D] from angles [1,S,D/2] (the same angle for both halves, as rotate-half RoPE uses). */
export function ropeFromAngles(g: Graph, angles: string, headDim: number): Rope {
  const full = unsqueeze(g, g.op('Concat', [angles, angles], { axis: -1 }), [1]);
  const h = headDim / 2;
  const r = new Float32Array(headDim * headDim);
  for (let j = 0; j < h; j++) {
    r[(j + h) * headDim + j] = -1;
    r[j * headDim + j + h] = 1;
  }
  return { cos: g.op('Cos', [full]), sin: g.op('Sin', [full]), rotate: g.weight('rotate_half', r, [headDim, headDim]) };
}

/**
 * Additive attention bias [1,1,S,K] for S new queries at absolute positions past..K-1 over K keys:
 * causal, plus `keyMask` ([1,1,1,K] float of 0/1) when given.
 */
export function attentionBias(g: Graph, past: string, total: string, keyMask?: string): string {
  const one = g.constI64(1, []);
  const keyIdx = g.op('Range', [g.constI64(0, []), total, one]);
  const queryIdx = unsqueeze(g, g.op('Range', [past, total, one]), [1]);
  const causal = g.op('LessOrEqual', [keyIdx, queryIdx]);
  // A mild recency bias (ALiBi-like) on top of RoPE: post-RoPE attention alone is blind to the order
  // of cache entries, this makes a misordered cache change the output.
  const distance = g.op('Cast', [g.op('Sub', [queryIdx, keyIdx])], { to: 1 });
  const recency = g.op('Mul', [distance, g.constF32(-RECENCY_SLOPE)]);
  let bias = g.op('Add', [g.op('Where', [causal, g.constF32(0), g.constF32(MASKED)]), recency]);
  if (keyMask) bias = g.op('Add', [bias, g.op('Mul', [g.op('Sub', [keyMask, g.constF32(1)]), g.constF32(-MASKED)])]);
  return bias;
}

function applyRope(g: Graph, x: string, rope: Rope): string {
  return g.op('Add', [g.op('Mul', [x, rope.cos]), g.op('Mul', [g.op('MatMul', [x, rope.rotate]), rope.sin])]);
}

/** [1,S,n*D] → [1,n,S,D] */
function splitHeads(g: Graph, x: string, n: number, headDim: number): string {
  return g.op('Transpose', [g.op('Reshape', [x, g.constI64([1, -1, n, headDim])])], { perm: [0, 2, 1, 3] });
}

export interface LayerResult {
  x: string;
  /** Post-RoPE keys and values over the whole sequence [1,KV,past+S,D] (what the cache holds). */
  key: string;
  value: string;
}

/** One decoder layer. `past` is [1,KV,past,D] each, or undefined for an empty cache. */
export function decoderLayer(
  g: Graph,
  x: string,
  w: LayerNames,
  d: DecoderDims,
  rope: Rope,
  bias: string,
  past?: { key: string; value: string },
): LayerResult {
  const n = rmsNorm(g, x, norm(w.inNorm));
  // q_norm/k_norm act per head on [1,S,n,D] before the heads move to axis 1.
  const headsOf = (y: string, heads: number): string => g.op('Reshape', [y, g.constI64([1, -1, heads, d.headDim])]);
  const toBhsd = (y: string): string => g.op('Transpose', [y], { perm: [0, 2, 1, 3] });
  const q = applyRope(g, toBhsd(rmsNorm(g, headsOf(linear(g, n, w.q), d.heads), norm(w.qNorm))), rope);
  const kNew = applyRope(g, toBhsd(rmsNorm(g, headsOf(linear(g, n, w.k), d.kvHeads), norm(w.kNorm))), rope);
  const vNew = splitHeads(g, linear(g, n, w.v), d.kvHeads, d.headDim);
  const key = past ? g.op('Concat', [past.key, kNew], { axis: 2 }) : kNew;
  const value = past ? g.op('Concat', [past.value, vNew], { axis: 2 }) : vNew;

  // GQA: each KV head serves heads/kvHeads query heads (repeat_kv).
  const rep = d.heads / d.kvHeads;
  const repeat = (y: string): string =>
    rep === 1
      ? y
      : g.op('Reshape', [
          g.op('Expand', [unsqueeze(g, y, [2]), g.constI64([1, 1, rep, 1, 1])]),
          g.constI64([1, d.heads, -1, d.headDim]),
        ]);
  const kT = g.op('Transpose', [repeat(key)], { perm: [0, 1, 3, 2] });
  const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, kT]), g.constF32(1 / Math.sqrt(d.headDim))]), bias]);
  const attn = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), repeat(value)]);
  const merged = g.op('Reshape', [
    g.op('Transpose', [attn], { perm: [0, 2, 1, 3] }),
    g.constI64([1, -1, d.heads * d.headDim]),
  ]);
  const h = g.op('Add', [x, linear(g, merged, w.o)]);

  const m = rmsNorm(g, h, norm(w.postNorm));
  const act = g.op('Mul', [silu(g, linear(g, m, w.gate)), linear(g, m, w.up)]);
  return { x: g.op('Add', [h, linear(g, act, w.down)]), key, value };
}
