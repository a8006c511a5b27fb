// Job 'kv': one talker_decode step at context 200 and 1000, on the graph as published (stacked cache, grown
// present returned) and as the engine loads it (rewritten: time-major cache in, the new position out).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { DECODE_KV, rewriteDecodeGraph } from '../../../src/core/engine/qwen3/decode-graph.js';
import { CONTEXTS, options, rawConfig, spread, type Spread } from '../common.js';

export interface KvResult {
  ms: Spread;
  jsBytesPerStep: number;
}

/** talker_decode at context T, as published (stacked cache, grown present returned) and as the engine loads it. */
export async function jobKv(dir: string, precision: string): Promise<Record<string, KvResult>> {
  const config = rawConfig(dir);
  const L = config.talker_num_layers!;
  const KV = config.talker_num_kv_heads!;
  const D = config.talker_head_dim!;
  const H = config.talker_hidden_size!;
  const file = path.join(dir, precision, 'talker_decode.onnx');
  const per = L * KV * D;
  const steps = 6;
  const out: Record<string, KvResult> = {};
  const feedsCommon = (T: number) => ({
    inputs_embeds: new ort.Tensor('float32', new Float32Array(H).fill(0.01), [1, 1, H]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(T + 1).fill(1n), [1, T + 1]),
    position_ids: new ort.Tensor('int64', new BigInt64Array(3).fill(BigInt(T)), [3, 1, 1]),
  });
  const noise = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) * 0.5);

  const original = await ort.InferenceSession.create(file, options());
  for (const T0 of CONTEXTS) {
    let keys: ort.Tensor = new ort.Tensor('float32', noise(per * T0), [L, 1, KV, T0, D]);
    let values: ort.Tensor = new ort.Tensor('float32', noise(per * T0), [L, 1, KV, T0, D]);
    const ms: number[] = [];
    for (let s = 0; s < steps; s++) {
      const T = T0 + s;
      const t = performance.now();
      const r = await original.run({ ...feedsCommon(T), past_keys: keys, past_values: values });
      ms.push(performance.now() - t);
      keys = r.present_keys as ort.Tensor;
      values = r.present_values as ort.Tensor;
    }
    out[`original_${T0}`] = { ms: spread(ms.slice(1)), jsBytesPerStep: 2 * (T0 + 1) * per * 4 };
  }
  await original.release();

  const extra = { session: { model_external_initializers_file_folder_path: path.dirname(file) } };
  const rewritten = await ort.InferenceSession.create(rewriteDecodeGraph(readFileSync(file)), { ...options(), extra });
  for (const T0 of CONTEXTS) {
    const keys = new Float32Array(per * (T0 + steps));
    const values = new Float32Array(per * (T0 + steps));
    keys.set(noise(per * T0));
    values.set(noise(per * T0));
    const ms: number[] = [];
    for (let s = 0; s < steps; s++) {
      const T = T0 + s;
      const t = performance.now();
      const r = await rewritten.run({
        ...feedsCommon(T),
        [DECODE_KV.pastKeys]: new ort.Tensor('float32', keys.subarray(0, per * T), [T, L, 1, KV, D]),
        [DECODE_KV.pastValues]: new ort.Tensor('float32', values.subarray(0, per * T), [T, L, 1, KV, D]),
      });
      keys.set(r[DECODE_KV.stepKeys]!.data as Float32Array, per * T);
      values.set(r[DECODE_KV.stepValues]!.data as Float32Array, per * T);
      ms.push(performance.now() - t);
    }
    // outputs copied into JS by the binding, then appended: 2 tensors × 2 copies of one position
    out[`rewritten_${T0}`] = { ms: spread(ms.slice(1)), jsBytesPerStep: 4 * per * 4 };
  }
  await rewritten.release();
  return out;
}
