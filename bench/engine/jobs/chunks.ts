// Job 'chunks': the streaming vocoder's cost per frame of audio in steady state (every chunk at the cap), for caps
// 48 / 96 / 192, with the 25 frames of left context each chunk re-decodes and without (ctx 0: what a stateful
// streaming decoder would approach; without context the audio differs at chunk edges, so that is a bound, not an
// option). One chunk at cap C costs one vocoder run over C + ctx frames for C frames of audio. Window sizes run
// interleaved, so machine load falls on every case alike; peak RSS is read after each size's first run, in
// ascending size (VmHWM only grows), for what the larger windows cost in memory. Besides wall time (ORT's default
// threads), each window also runs on a one-thread session timed in CPU time: the work itself, which a loaded
// machine hardly changes (wall time under load mostly measures waiting for a core).
import path from 'node:path';
import ort from 'onnxruntime-node';
import { DEFAULT_CHUNK_PLAN } from '../../../src/core/engine/qwen3/vocoder-stream.js';
import { options, peakRssBytes } from '../common.js';

export interface ChunksResult {
  /** Vocoder ms per frame of audio, median over rounds, per case (`<cap>` with context, `<cap>/ctx0` without). */
  perFrameMs: Record<string, number>;
  /** Each round's figure, for the spread. */
  rounds: Record<string, number[]>;
  /** CPU ms per frame of audio on a one-thread session, median over rounds (the work, whatever the load). */
  cpuPerFrameMs: Record<string, number>;
  cpuRounds: Record<string, number[]>;
  /** Process peak RSS after the first run of each window (frames decoded), bytes. */
  peakRss: Record<string, number>;
  ctx: number;
}

export const CHUNK_CAPS = [48, 96, 192] as const;

export async function jobChunks(dir: string, precision: string, rounds = 3): Promise<ChunksResult> {
  const file = path.join(dir, precision, 'vocoder.onnx');
  const s = await ort.InferenceSession.create(file, options());
  const one = await ort.InferenceSession.create(file, { ...options(), intraOpNumThreads: 1, interOpNumThreads: 1 });
  const feeds = (F: number) => ({
    codes: new ort.Tensor(
      'int64',
      new BigInt64Array(16 * F).map((_, i) => BigInt((i * 7919) % 2048)),
      [1, 16, F],
    ),
  });
  const run = async (F: number) => {
    const f = feeds(F);
    const t = performance.now();
    await s.run(f);
    return performance.now() - t;
  };
  const cpu = async (F: number) => {
    const f = feeds(F);
    const t = process.cpuUsage();
    await one.run(f);
    const d = process.cpuUsage(t);
    return (d.user + d.system) / 1000;
  };
  await run(4);
  await cpu(4);
  const ctx = DEFAULT_CHUNK_PLAN.leftContextFrames;
  const cases = CHUNK_CAPS.flatMap((cap) => [
    { name: `${cap}/ctx0`, cap, window: cap },
    { name: `${cap}`, cap, window: cap + ctx },
  ]);
  const result: ChunksResult = { perFrameMs: {}, rounds: {}, cpuPerFrameMs: {}, cpuRounds: {}, peakRss: {}, ctx };
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      const ms = await run(c.window);
      (result.rounds[c.name] ??= []).push(ms / c.cap);
      if (r === 0) result.peakRss[c.window] = peakRssBytes();
      const cpuMs = await cpu(c.window);
      (result.cpuRounds[c.name] ??= []).push(cpuMs / c.cap);
      console.error(
        `chunks ${c.name} round ${r + 1}: ${(ms / c.cap).toFixed(1)} ms per frame, ${(cpuMs / c.cap).toFixed(1)} CPU ms`,
      );
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const [name, xs] of Object.entries(result.rounds)) result.perFrameMs[name] = med(xs);
  for (const [name, xs] of Object.entries(result.cpuRounds)) result.cpuPerFrameMs[name] = med(xs);
  await s.release();
  await one.release();
  return result;
}
