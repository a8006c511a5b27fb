// The four graphs' contract (docs/model-layout.md): names, dtypes and ranks of every input and output, and the
// check that a loaded session honours it, so a wrong or partial download fails naming the file and tensor.
import { DECODE_KV } from './decode-graph.js';
import { ModelFileError } from './errors.js';
import type { Qwen3Config } from './config.js';

export type GraphName = 'talker_prefill' | 'talker_decode' | 'code_predictor' | 'vocoder';
export const GRAPH_NAMES: readonly GraphName[] = ['talker_prefill', 'talker_decode', 'code_predictor', 'vocoder'];

type Dim = number | null; // null: dynamic, any length
export interface TensorSpec {
  name: string;
  type: 'float32' | 'int64';
  dims: Dim[];
  /** The export may prune it (attention_mask is only a length carrier, qwen3-tts.md §3). */
  optional?: boolean;
}
export interface GraphSpec {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/** Names, dtypes and ranks of the four graphs (docs/model-layout.md), with the static dims config fixes. */
export function graphSpecs(c: Qwen3Config): Record<GraphName, GraphSpec> {
  const { hidden: H, layers: L, kvHeads: KV, headDim: D, vocab: V } = c.talker;
  const cp = c.cp;
  const f32 = (name: string, dims: Dim[], optional = false): TensorSpec =>
    optional ? { name, type: 'float32', dims, optional } : { name, type: 'float32', dims };
  const i64 = (name: string, dims: Dim[], optional = false): TensorSpec =>
    optional ? { name, type: 'int64', dims, optional } : { name, type: 'int64', dims };
  const presents: TensorSpec[] = [];
  for (let i = 0; i < L; i++)
    presents.push(f32(`present_key_${i}`, [1, KV, null, D]), f32(`present_value_${i}`, [1, KV, null, D]));
  return {
    talker_prefill: {
      inputs: [
        f32('inputs_embeds', [1, null, H]),
        i64('attention_mask', [1, null], true),
        i64('position_ids', [3, 1, null]),
      ],
      outputs: [f32('logits', [1, null, V]), f32('hidden_states', [1, null, H]), ...presents],
    },
    // As rewritten at load (decode-graph.ts): a time-major cache in, the N new positions out, time-major.
    talker_decode: {
      inputs: [
        f32('inputs_embeds', [1, null, H]),
        i64('attention_mask', [1, null], true),
        i64('position_ids', [3, 1, null]),
        f32(DECODE_KV.pastKeys, [null, L, 1, KV, D]),
        f32(DECODE_KV.pastValues, [null, L, 1, KV, D]),
      ],
      outputs: [
        f32('logits', [1, null, V]),
        f32('hidden_states', [1, null, H]),
        f32(DECODE_KV.stepKeys, [null, L, 1, KV, D]),
        f32(DECODE_KV.stepValues, [null, L, 1, KV, D]),
      ],
    },
    code_predictor: {
      inputs: [
        f32('inputs_embeds', [1, null, H]),
        i64('generation_steps', [1]),
        f32('past_keys', [cp.layers, 1, cp.kvHeads, null, cp.headDim]),
        f32('past_values', [cp.layers, 1, cp.kvHeads, null, cp.headDim]),
      ],
      outputs: [
        f32('logits', [1, null, cp.vocab]),
        f32('present_keys', [cp.layers, 1, cp.kvHeads, null, cp.headDim]),
        f32('present_values', [cp.layers, 1, cp.kvHeads, null, cp.headDim]),
      ],
    },
    vocoder: {
      inputs: [i64('codes', [1, c.talker.codeGroups, null])],
      outputs: [f32('waveform', [1, 1, null])],
    },
  };
}

interface ValueMetadataLike {
  name: string;
  isTensor?: boolean;
  type?: string;
  shape?: readonly (number | string)[];
}

/**
 * Checks a session's inputs and outputs against the spec; returns the input names to feed.
 * Uses inputMetadata/outputMetadata (onnxruntime-node ≥ 1.22) for dtypes and ranks, names otherwise.
 */
export function checkGraph(
  file: string,
  session: { inputNames: readonly string[]; outputNames: readonly string[] },
  spec: GraphSpec,
): Set<string> {
  const meta = session as unknown as {
    inputMetadata?: readonly ValueMetadataLike[];
    outputMetadata?: readonly ValueMetadataLike[];
  };
  const check = (
    kind: 'input' | 'output',
    names: readonly string[],
    metadata: readonly ValueMetadataLike[] | undefined,
    specs: TensorSpec[],
  ) => {
    for (const s of specs) {
      if (!names.includes(s.name)) {
        if (s.optional) continue;
        throw new ModelFileError(
          file,
          `graph has no ${kind} '${s.name}' (its ${kind}s: ${names.join(', ') || 'none'})`,
        );
      }
      const m = metadata?.find((x) => x.name === s.name);
      if (!m || m.isTensor === false) continue;
      if (m.type !== undefined && m.type !== s.type)
        throw new ModelFileError(file, `${kind} '${s.name}' has dtype ${m.type}, expected ${s.type}`);
      if (m.shape) {
        if (m.shape.length !== s.dims.length)
          throw new ModelFileError(
            file,
            `${kind} '${s.name}' has rank ${m.shape.length} [${m.shape.join(', ')}], expected rank ${s.dims.length}`,
          );
        s.dims.forEach((d, i) => {
          const actual = m.shape![i];
          if (d !== null && typeof actual === 'number' && actual >= 0 && actual !== d) {
            throw new ModelFileError(
              file,
              `${kind} '${s.name}' has dim ${i} = ${actual}, expected ${d} (shape [${m.shape!.join(', ')}])`,
            );
          }
        });
      }
    }
  };
  check('input', session.inputNames, meta.inputMetadata, spec.inputs);
  check('output', session.outputNames, meta.outputMetadata, spec.outputs);
  const known = new Set(spec.inputs.map((s) => s.name));
  const unknown = session.inputNames.filter((n) => !known.has(n));
  if (unknown.length)
    throw new ModelFileError(file, `graph has input(s) this engine cannot feed: ${unknown.join(', ')}`);
  return new Set(session.inputNames);
}
