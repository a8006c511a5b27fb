// Job 'thread-ab': the typical request's real-time factor with the vocoder in its worker thread, against the default.
import { loadQwen3Engine } from '../../../src/core/engine/qwen3/engine.js';
import { request, TEXT, WARM_TEXT } from '../common.js';

/** The typical request's real-time factor with the vocoder in its worker thread (opt-in), against the default. */
export async function jobThreadAb(dir: string, nFrames: number): Promise<{ thread: number[]; inline: number[] }> {
  const out = { thread: [] as number[], inline: [] as number[] };
  for (const mode of ['inline', 'thread'] as const) {
    const engine = await loadQwen3Engine(dir, {
      vocoderThread: mode === 'thread',
      minNewTokens: 1 << 20,
      budget: { minFrames: 1 << 20 },
      log: () => undefined,
    });
    for (let round = 0; round < 3; round++) {
      for await (const ev of engine.synthesize(
        request({ text: round ? TEXT : WARM_TEXT, sampling: { maxNewTokens: round ? nFrames : 6 } }),
        new AbortController().signal,
      )) {
        if (ev.type === 'stats' && round) out[mode].push(ev.stats.realTimeFactor);
      }
    }
    await engine.dispose();
  }
  return out;
}

export type ThreadAbResult = Awaited<ReturnType<typeof jobThreadAb>>;
