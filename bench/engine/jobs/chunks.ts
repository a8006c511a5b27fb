// Job 'chunks': the streaming vocoder's cost per frame over a long utterance, for two chunk-size caps.
import path from 'node:path';
import ort from 'onnxruntime-node';
import { chunkSize, chunkWindow, DEFAULT_CHUNK_PLAN } from '../../../src/core/engine/qwen3/vocoder-stream.js';
import { options } from '../common.js';

/** Streaming vocoder cost per frame over a long utterance, for a chunk-size cap (the vocoder is the same graph at every size). */
export async function jobChunks(dir: string, precision: string): Promise<Record<string, number>> {
  const s = await ort.InferenceSession.create(path.join(dir, precision, 'vocoder.onnx'), options());
  const run = async (F: number) => {
    const codes = new BigInt64Array(16 * F).map((_, i) => BigInt((i * 7919) % 2048));
    await s.run({ codes: new ort.Tensor('int64', codes, [1, 16, F]) });
  };
  await run(4);
  const N = 192;
  const out: Record<string, number> = {};
  for (const cap of [24, DEFAULT_CHUNK_PLAN.chunkFrames]) {
    const plan = { ...DEFAULT_CHUNK_PLAN, chunkFrames: cap };
    const t = performance.now();
    for (let decoded = 0, k = 0; decoded < N; k++) {
      const end = Math.min(N, decoded + chunkSize(plan, k));
      const w = chunkWindow(decoded, end, plan.leftContextFrames);
      await run(w.to - w.from);
      decoded = end;
    }
    out[cap] = (performance.now() - t) / N;
  }
  await s.release();
  return out;
}
