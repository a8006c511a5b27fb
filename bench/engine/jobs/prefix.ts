// Job 'prefix': time to first audio with the per-voice prefix cache (decision 0018), interleaved in one process on
// one loaded model: the engine without the cache (as before), a new voice (cache miss), and a voice used before
// (cache hit), round after round, so machine load affects all three alike.
import { loadQwen3Engine, Qwen3Engine } from '../../../src/core/engine/qwen3/engine.js';
import { DEFAULT_CHUNK_PLAN } from '../../../src/core/engine/qwen3/vocoder-stream.js';
import { request, spread, WARM_TEXT, type Spread } from '../common.js';

export interface PrefixCase {
  ttfa: Spread;
  /** The first talker run: the whole prompt (prefill) or the text after the cached prefix. */
  prompt: Spread;
}

export async function jobPrefix(dir: string, rounds = 3) {
  const options = { log: () => undefined };
  const cached = await loadQwen3Engine(dir, options);
  const plain = new Qwen3Engine(cached.model, { ...options, prefixCacheBytes: 0 });
  const maxNewTokens = DEFAULT_CHUNK_PLAN.firstChunkFrames;
  const speak = async (engine: Qwen3Engine, text?: string) => {
    let firstTalkerMs = -1;
    engine.model.onRun = (graph, _start, ms) => {
      if (firstTalkerMs < 0 && graph.startsWith('talker')) firstTalkerMs = ms;
    };
    let ttfa = NaN;
    for await (const ev of engine.synthesize(
      request({ ...(text ? { text } : {}), sampling: { maxNewTokens } }),
      new AbortController().signal,
    )) {
      if (ev.type === 'stats') ttfa = ev.stats.timeToFirstAudioMs;
    }
    return { ttfa, prompt: firstTalkerMs };
  };
  await speak(plain, WARM_TEXT); // first-run allocations
  const samples = {
    off: [] as { ttfa: number; prompt: number }[],
    miss: [] as { ttfa: number; prompt: number }[],
    hit: [] as { ttfa: number; prompt: number }[],
  };
  for (let r = 0; r < rounds; r++) {
    samples.off.push(await speak(plain));
    cached.prefixes!.clear();
    samples.miss.push(await speak(cached)); // a new voice: prefilled whole, its prefix kept
    await speak(cached, WARM_TEXT); // other words in the same voice
    samples.hit.push(await speak(cached));
  }
  const summary = (xs: { ttfa: number; prompt: number }[]): PrefixCase => ({
    ttfa: spread(xs.map((x) => x.ttfa)),
    prompt: spread(xs.map((x) => x.prompt)),
  });
  const result = {
    multiPosition: cached.model.multiPosition,
    off: summary(samples.off),
    miss: summary(samples.miss),
    hit: summary(samples.hit),
    raw: samples,
  };
  await cached.dispose();
  return result;
}

export type PrefixResult = Awaited<ReturnType<typeof jobPrefix>>;
