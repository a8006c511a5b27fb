// Rewrites talker_decode at load so its KV cache stops crossing the JS boundary in full every step.
//
// As exported, the graph takes the stacked cache [L,1,KV,T,D] and returns it grown to T+1. onnxruntime-node
// copies every output into a fresh JS buffer, so at T = 1000 each step paid ~2 × 115 MB of copying and page
// faults outside ORT (docs/decisions/0006). The rewrite leaves every original node alone and only changes
// the graph's edges:
//   - the cache comes in time-major, [T,L,1,KV,D], so JS appends one position without moving the rest;
//     a Transpose in front hands the original nodes the layout they expect;
//   - the outputs are only the new positions of each layer, time-major [N,L,1,KV,D]: a Slice of the original
//     present, or, where the export stacks its layers with a Concat, of each layer before stacking (lastPosition);
//   - the new positions' axis (inputs_embeds, position_ids, logits, hidden_states) is declared dynamic, so one
//     run can take N positions after the cache: a prompt's suffix after a cached voice prefix (decision 0018).
//     Whether the export's nodes honour N > 1 is checked at load by running it (talker-probe.ts).
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

const { onnx } = onnxProto;

/** Names of the rewritten graph's cache inputs and outputs. */
export const DECODE_KV = {
  pastKeys: 'past_keys_by_time',
  pastValues: 'past_values_by_time',
  stepKeys: 'step_keys',
  stepValues: 'step_values',
} as const;

const REWRITES = [
  { past: 'past_keys', present: 'present_keys', input: DECODE_KV.pastKeys, output: DECODE_KV.stepKeys },
  { past: 'past_values', present: 'present_values', input: DECODE_KV.pastValues, output: DECODE_KV.stepValues },
] as const;

/** Layout [L,1,KV,T,D] → time-major [T,L,1,KV,D], and the perm that undoes it. */
const TO_TIME_MAJOR = [3, 0, 1, 2, 4];
const FROM_TIME_MAJOR = [1, 2, 3, 0, 4];
const TIME_AXIS = 3;
/** The new-positions axis of inputs_embeds, logits and hidden_states ([1,N,·]) and of position_ids ([3,1,N]). */
const NEW_AXES: Record<string, number> = { inputs_embeds: 1, position_ids: 2, logits: 1, hidden_states: 1 };
const NEW_POSITIONS = 'q3tts_new_positions';

export class DecodeGraphError extends Error {}

function dims(v: OnnxTypes.IValueInfoProto): OnnxTypes.TensorShapeProto.IDimension[] {
  return v.type?.tensorType?.shape?.dim ?? [];
}

function withDims(
  v: OnnxTypes.IValueInfoProto,
  name: string,
  d: OnnxTypes.TensorShapeProto.IDimension[],
): OnnxTypes.IValueInfoProto {
  return { name, type: { tensorType: { elemType: v.type?.tensorType?.elemType ?? null, shape: { dim: d } } } };
}

/** Returns the rewritten model bytes; throws DecodeGraphError naming what the graph lacks. */
export function rewriteDecodeGraph(bytes: Uint8Array): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) throw new DecodeGraphError('the file holds no graph');
  const taken = new Set<string>();
  for (const n of graph.node ?? []) for (const o of n.output ?? []) taken.add(o);
  for (const v of [...(graph.input ?? []), ...(graph.initializer ?? [])]) if (v.name) taken.add(v.name);
  const fresh = (hint: string): string => {
    let name = `q3tts_${hint}`;
    for (let i = 1; taken.has(name); i++) name = `q3tts_${hint}_${i}`;
    taken.add(name);
    return name;
  };
  const i64 = (values: number[]): string => {
    const name = fresh('const');
    graph.initializer = [
      ...(graph.initializer ?? []),
      { name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: values },
    ];
    return name;
  };

  for (const v of [...(graph.input ?? []), ...(graph.output ?? [])]) {
    const axis = v.name ? NEW_AXES[v.name] : undefined;
    const d = dims(v);
    if (axis !== undefined && d.length > axis) d[axis] = { dimParam: NEW_POSITIONS };
  }

  // -N, the Slice start that keeps the N new positions: Neg(Shape(inputs_embeds)[1:2]).
  const shape = fresh('embeds_shape');
  const newCount = fresh('new_count');
  const minusNew = fresh('minus_new');
  const front: OnnxTypes.INodeProto[] = [
    { opType: 'Shape', input: ['inputs_embeds'], output: [shape], name: fresh('shape_of_embeds') },
    { opType: 'Slice', input: [shape, i64([1]), i64([2]), i64([0])], output: [newCount], name: fresh('count_new') },
    { opType: 'Neg', input: [newCount], output: [minusNew], name: fresh('negate_new') },
  ];
  const back: OnnxTypes.INodeProto[] = [];
  const dropped = new Set<OnnxTypes.INodeProto>();
  for (const r of REWRITES) {
    const inputs = graph.input ?? [];
    const at = inputs.findIndex((v) => v.name === r.past);
    if (at < 0) throw new DecodeGraphError(`graph has no input '${r.past}'`);
    const past = inputs[at]!;
    const pastDims = dims(past);
    if (pastDims.length !== 5) throw new DecodeGraphError(`input '${r.past}' has rank ${pastDims.length}, expected 5`);
    if (taken.has(r.input) || taken.has(r.output))
      throw new DecodeGraphError(`graph already uses the name '${r.input}' or '${r.output}'`);
    inputs[at] = withDims(
      past,
      r.input,
      TO_TIME_MAJOR.map((i) => pastDims[i]!),
    );
    front.push({
      opType: 'Transpose',
      input: [r.input],
      output: [r.past],
      name: fresh(`to_${r.past}`),
      attribute: [{ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: FROM_TIME_MAJOR }],
    });

    const outputs = graph.output ?? [];
    const out = outputs.findIndex((v) => v.name === r.present);
    if (out < 0) throw new DecodeGraphError(`graph has no output '${r.present}'`);
    const presentDims = dims(outputs[out]!);
    if (presentDims.length !== 5)
      throw new DecodeGraphError(`output '${r.present}' has rank ${presentDims.length}, expected 5`);
    const stepDims = TO_TIME_MAJOR.map((i) => (i === TIME_AXIS ? { dimParam: NEW_POSITIONS } : presentDims[i]!));
    outputs[out] = withDims(outputs[out]!, r.output, stepDims);
    const stacked = fresh(`new_${r.present}`);
    const step = lastPositions(graph, r.present, stacked, minusNew, fresh);
    back.push(...step.nodes);
    back.push({
      opType: 'Transpose',
      input: [stacked],
      output: [r.output],
      name: fresh(`time_major_${r.present}`),
      attribute: [{ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: TO_TIME_MAJOR }],
    });
    if (step.replaces) dropped.add(step.replaces);
  }
  graph.node = [...front, ...(graph.node ?? []).filter((n) => !dropped.has(n)), ...back];
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Nodes computing the last N time positions of `present` into `output` (`minusNew` holds -N). When `present` is a Concat along
 * another axis (the export stacks its layers that way) whose result nothing else reads, each input is sliced
 * and that Concat is replaced: the full stacked cache (2 × 115 MB per step at context 1000) is never built.
 */
function lastPositions(
  graph: OnnxTypes.IGraphProto,
  present: string,
  output: string,
  minusNew: string,
  fresh: (hint: string) => string,
): { nodes: OnnxTypes.INodeProto[]; replaces?: OnnxTypes.INodeProto } {
  // Slice ends past any real length (positions stay below 32768); ORT clamps it.
  const end = fresh('end');
  const axes = fresh('axes');
  graph.initializer = [
    ...(graph.initializer ?? []),
    { name: end, dims: [1], dataType: onnx.TensorProto.DataType.INT64, int64Data: [1 << 30] },
    { name: axes, dims: [1], dataType: onnx.TensorProto.DataType.INT64, int64Data: [TIME_AXIS] },
  ];
  const last = (x: string, out: string): OnnxTypes.INodeProto => ({
    opType: 'Slice',
    input: [x, minusNew, end, axes],
    output: [out],
    name: fresh(`last_${x}`),
  });
  const nodes = graph.node ?? [];
  const producer = nodes.find((n) => n.output?.includes(present));
  const readers = nodes.filter((n) => n.input?.includes(present));
  const rawAxis = producer?.attribute?.find((a) => a.name === 'axis')?.i;
  const axis = rawAxis === undefined || rawAxis === null ? undefined : (Number(rawAxis) + 5) % 5;
  if (
    !producer ||
    producer.opType !== 'Concat' ||
    (producer.domain ?? '') !== '' ||
    axis === undefined ||
    axis === TIME_AXIS ||
    readers.length > 0
  ) {
    return { nodes: [last(present, output)] };
  }
  const parts = (producer.input ?? []).map((x) => {
    const part = fresh(`last_of_${x}`);
    return { node: last(x, part), part };
  });
  const stack: OnnxTypes.INodeProto = {
    opType: 'Concat',
    input: parts.map((p) => p.part),
    output: [output],
    name: fresh(`stack_${output}`),
    attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: axis }],
  };
  return { nodes: [...parts.map((p) => p.node), stack], replaces: producer };
}
