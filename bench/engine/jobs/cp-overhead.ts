// Job 'cp-overhead': what one code-predictor run() costs beyond its arithmetic, to ground the choice between fewer
// run() boundaries and faster runs: a run of a one-node graph (onnxruntime-node's fixed cost per call), and the
// code predictor's one-row run under session options (threads, spinning), interleaved round by round.
import path from 'node:path';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { options, rawConfig, spread, type Spread } from '../common.js';

const { onnx } = onnxProto;

/** A graph that only copies a [1] float: what any run() pays for crossing into ORT and back. */
function identityGraph(): Uint8Array {
  const vi = (name: string) => ({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimValue: 1 }] } } },
  });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'identity',
      node: [{ opType: 'Identity', input: ['x'], output: ['y'] }],
      input: [vi('x')],
      output: [vi('y')],
    },
  }).finish();
}

const VARIANTS: Record<string, ort.InferenceSession.SessionOptions> = {
  default: options(),
  'intra 1': { ...options(), intraOpNumThreads: 1 },
  'intra 2, no spinning': {
    ...options(),
    intraOpNumThreads: 2,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  },
};

export async function jobCpOverhead(dir: string, precision: string, rounds = 5) {
  const c = rawConfig(dir);
  const H = c.talker_hidden_size!;
  const L = c.cp_num_layers!;
  const KV = c.cp_num_kv_heads!;
  const D = c.cp_head_dim!;

  const id = await ort.InferenceSession.create(identityGraph(), options());
  const x = new ort.Tensor('float32', Float32Array.of(1), [1]);
  for (let i = 0; i < 200; i++) await id.run({ x });
  const idMs: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t = performance.now();
    await id.run({ x });
    idMs.push(performance.now() - t);
  }
  await id.release();

  const sessions: Record<string, ort.InferenceSession> = {};
  for (const [name, so] of Object.entries(VARIANTS))
    sessions[name] = await ort.InferenceSession.create(path.join(dir, precision, 'code_predictor.onnx'), so);
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(VARIANTS).map((n) => [n, []]));
  const frame = async (s: ort.InferenceSession, record: number[] | undefined) => {
    const empty = new ort.Tensor('float32', new Float32Array(0), [L, 1, KV, 0, D]);
    let out = await s.run({
      inputs_embeds: new ort.Tensor('float32', new Float32Array(2 * H).fill(0.01), [1, 2, H]),
      generation_steps: new ort.Tensor('int64', BigInt64Array.of(0n), [1]),
      past_keys: empty,
      past_values: empty,
    });
    for (let g = 1; g < 15; g++) {
      const t = performance.now();
      out = await s.run({
        inputs_embeds: new ort.Tensor('float32', new Float32Array(H).fill(0.01), [1, 1, H]),
        generation_steps: new ort.Tensor('int64', BigInt64Array.of(BigInt(g)), [1]),
        past_keys: out.present_keys!,
        past_values: out.present_values!,
      });
      record?.push(performance.now() - t);
    }
  };
  for (const s of Object.values(sessions)) await frame(s, undefined);
  for (let r = 0; r < rounds; r++) for (const [name, s] of Object.entries(sessions)) await frame(s, times[name]);
  for (const s of Object.values(sessions)) await s.release();
  const cp: Record<string, Spread> = Object.fromEntries(Object.entries(times).map(([n, xs]) => [n, spread(xs)]));
  return { identityRunMs: spread(idMs), cpRunMs: cp };
}
