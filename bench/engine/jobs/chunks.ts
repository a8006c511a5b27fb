// Job 'chunks': the streaming vocoder's cost per frame over a long utterance, for two chunk-size caps, and for the
// default cap without the left context each chunk re-decodes (what a stateful streaming decoder would approach;
// without context the audio differs at chunk edges, so this is a bound, not an option).
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
  const cases: Record<string, { chunkFrames: number; leftContextFrames: number }> = {
    24: { chunkFrames: 24, leftContextFrames: DEFAULT_CHUNK_PLAN.leftContextFrames },
    [DEFAULT_CHUNK_PLAN.chunkFrames]: {
      chunkFrames: DEFAULT_CHUNK_PLAN.chunkFrames,
      leftContextFrames: DEFAULT_CHUNK_PLAN.leftContextFrames,
    },
    noContext: { chunkFrames: DEFAULT_CHUNK_PLAN.chunkFrames, leftContextFrames: 0 },
  };
  const totals: Record<string, number> = Object.fromEntries(Object.keys(cases).map((k) => [k, 0]));
  const ROUNDS = 2; // interleaved, so machine load falls on every case alike
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, c] of Object.entries(cases)) {
      const plan = { ...DEFAULT_CHUNK_PLAN, ...c };
      const t = performance.now();
      for (let decoded = 0, k = 0; decoded < N; k++) {
        const end = Math.min(N, decoded + chunkSize(plan, k));
        const w = chunkWindow(decoded, end, plan.leftContextFrames);
        await run(w.to - w.from);
        decoded = end;
      }
      totals[name]! += performance.now() - t;
    }
  }
  const out: Record<string, number> = Object.fromEntries(Object.entries(totals).map(([k, ms]) => [k, ms / ROUNDS / N]));
  await s.release();
  return out;
}
