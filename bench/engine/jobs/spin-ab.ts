// Job 'spin-ab': the engine with ORT's intra-op threads spinning (its default) and yielding (spinning: false), one
// model loaded each way in one process, requests alternating, so machine load falls on both alike.
import { loadQwen3Engine, type Qwen3Engine } from '../../../src/core/engine/qwen3/engine.js';
import { request, spread, WARM_TEXT } from '../common.js';

export async function jobSpinAb(dir: string, nFrames: number, rounds = 3) {
  const options = { minNewTokens: 1 << 20, budget: { minFrames: 1 << 20 }, log: () => undefined };
  const engines: Record<string, Qwen3Engine> = {
    spinning: await loadQwen3Engine(dir, options),
    yielding: await loadQwen3Engine(dir, { ...options, spinning: false }),
  };
  const speak = async (e: Qwen3Engine, n: number, text?: string) => {
    let rtf = NaN;
    let ttfa = NaN;
    for await (const ev of e.synthesize(
      request({ ...(text ? { text } : {}), sampling: { maxNewTokens: n } }),
      new AbortController().signal,
    )) {
      if (ev.type === 'stats') ({ realTimeFactor: rtf, timeToFirstAudioMs: ttfa } = ev.stats);
    }
    return { rtf, ttfa };
  };
  for (const e of Object.values(engines)) await speak(e, 4, WARM_TEXT);
  const raw: Record<string, { rtf: number; ttfa: number }[]> = { spinning: [], yielding: [] };
  for (let r = 0; r < rounds; r++)
    for (const [name, e] of Object.entries(engines)) raw[name]!.push(await speak(e, nFrames));
  for (const e of Object.values(engines)) await e.dispose();
  const sum = (xs: { rtf: number; ttfa: number }[]) => ({
    rtf: spread(xs.map((x) => x.rtf)),
    ttfa: spread(xs.map((x) => x.ttfa)),
  });
  return { spinning: sum(raw.spinning!), yielding: sum(raw.yielding!), raw };
}
