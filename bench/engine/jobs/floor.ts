// Job 'floor': the thinnest loop over the published graphs (fixed inputs, argmax, presents passed straight back,
// the engine's vocoder chunks), the bound the engine's real-time factor is compared with.
import path from 'node:path';
import ort from 'onnxruntime-node';
import { GRAPH_NAMES, type GraphName } from '../../../src/core/engine/qwen3/graph-spec.js';
import { argmax } from '../../../src/core/engine/qwen3/sampler.js';
import { chunkSize, chunkWindow, DEFAULT_CHUNK_PLAN } from '../../../src/core/engine/qwen3/vocoder-stream.js';
import { FRAME_SECONDS, options, rawConfig } from '../common.js';

/** The thinnest loop over the published graphs: fixed inputs, argmax, presents passed straight back, the same vocoder chunks. */
export async function jobFloor(dir: string, precision: string, nFrames: number, prefillLength: number) {
  const config = rawConfig(dir);
  const L = config.talker_num_layers!;
  const KV = config.talker_num_kv_heads!;
  const D = config.talker_head_dim!;
  const H = config.talker_hidden_size!;
  const cpL = config.cp_num_layers!;
  const cpKV = config.cp_num_kv_heads!;
  const cpD = config.cp_head_dim!;
  const s: Partial<Record<GraphName, ort.InferenceSession>> = {};
  for (const g of GRAPH_NAMES)
    s[g] = await ort.InferenceSession.create(path.join(dir, precision, `${g}.onnx`), options());
  const ses = s as Record<GraphName, ort.InferenceSession>;
  const P = prefillLength;
  const embeds = new Float32Array(P * H).fill(0.01);
  const row = new Float32Array(H).fill(0.01);
  const two = new Float32Array(2 * H).fill(0.01);
  const emptyCp = new ort.Tensor('float32', new Float32Array(0), [cpL, 1, cpKV, 0, cpD]);
  const codes: number[][] = [];

  const run = async () => {
    const started = performance.now();
    const pos = new BigInt64Array(3 * P);
    for (let r = 0; r < 3; r++) for (let t = 0; t < P; t++) pos[r * P + t] = BigInt(t);
    const pre = await ses.talker_prefill.run({
      inputs_embeds: new ort.Tensor('float32', embeds, [1, P, H]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(P).fill(1n), [1, P]),
      position_ids: new ort.Tensor('int64', pos, [3, 1, P]),
    });
    const per = KV * P * D;
    const keys = new Float32Array(L * per);
    const values = new Float32Array(L * per);
    for (let i = 0; i < L; i++) {
      keys.set(pre[`present_key_${i}`]!.data as Float32Array, i * per);
      values.set(pre[`present_value_${i}`]!.data as Float32Array, i * per);
    }
    let past: { k: ort.Tensor; v: ort.Tensor } = {
      k: new ort.Tensor('float32', keys, [L, 1, KV, P, D]),
      v: new ort.Tensor('float32', values, [L, 1, KV, P, D]),
    };
    let firstAudio = 0;
    let decoded = 0;
    let chunk = 0;
    codes.length = 0;
    for (let t = 0; t < nFrames; t++) {
      const frame: number[] = [];
      let cp = await ses.code_predictor.run({
        inputs_embeds: new ort.Tensor('float32', two, [1, 2, H]),
        generation_steps: new ort.Tensor('int64', BigInt64Array.of(0n), [1]),
        past_keys: emptyCp,
        past_values: emptyCp,
      });
      frame.push(argmax((cp.logits!.data as Float32Array).subarray(2048)));
      for (let g = 1; g < 15; g++) {
        cp = await ses.code_predictor.run({
          inputs_embeds: new ort.Tensor('float32', row, [1, 1, H]),
          generation_steps: new ort.Tensor('int64', BigInt64Array.of(BigInt(g)), [1]),
          past_keys: cp.present_keys as ort.Tensor,
          past_values: cp.present_values as ort.Tensor,
        });
        frame.push(argmax(cp.logits!.data as Float32Array));
      }
      codes.push([0, ...frame]);
      if (codes.length - decoded >= chunkSize(DEFAULT_CHUNK_PLAN, chunk) || t === nFrames - 1) {
        const w = chunkWindow(decoded, codes.length, DEFAULT_CHUNK_PLAN.leftContextFrames);
        const F = w.to - w.from;
        const data = new BigInt64Array(16 * F);
        for (let g = 0; g < 16; g++) for (let f = 0; f < F; f++) data[g * F + f] = BigInt(codes[w.from + f]![g]!);
        await ses.vocoder.run({ codes: new ort.Tensor('int64', data, [1, 16, F]) });
        if (!firstAudio) firstAudio = performance.now() - started;
        decoded = codes.length;
        chunk++;
      }
      if (t === nFrames - 1) break;
      const T = P + t;
      const out = await ses.talker_decode.run({
        inputs_embeds: new ort.Tensor('float32', row, [1, 1, H]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(T + 1).fill(1n), [1, T + 1]),
        position_ids: new ort.Tensor('int64', new BigInt64Array(3).fill(BigInt(T)), [3, 1, 1]),
        past_keys: past.k,
        past_values: past.v,
      });
      argmax(out.logits!.data as Float32Array);
      past = { k: out.present_keys as ort.Tensor, v: out.present_values as ort.Tensor };
    }
    const wall = performance.now() - started;
    return { wall, rtf: wall / 1000 / (nFrames * FRAME_SECONDS), firstAudio };
  };
  await run(); // warm-up, as the engine gets
  return run();
}

export type FloorResult = Awaited<ReturnType<typeof jobFloor>>;
