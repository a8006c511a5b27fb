// Job 'threads-ab': where the vocoder runs and how many threads each session gets, on this machine's cores (issue
// 12). Every variant is loaded in one process and the requests alternate between them, round after round, so the
// machine's load falls on all alike:
//   inline            the default: the vocoder on the engine thread, ORT's default threads (one per core), spinning
//   inline-yield      the same with spinning off
//   thread-1          the vocoder in its worker, one intra-op thread per session: talker + code predictor on one
//                     core, the vocoder on the other (no pool threads to spin)
//   thread            the vocoder in its worker, ORT's default threads in both (today's opt-in)
import { loadQwen3Engine, type Qwen3Engine, type Qwen3EngineOptions } from '../../../src/core/engine/qwen3/engine.js';
import { request, spread, WARM_TEXT } from '../common.js';

export const THREAD_VARIANTS: Record<string, Qwen3EngineOptions> = {
  inline: {},
  'inline-yield': { spinning: false },
  'thread-1': { vocoderThread: true, intraOpNumThreads: 1, interOpNumThreads: 1 },
  thread: { vocoderThread: true },
};

export async function jobThreadsAb(dir: string, nFrames: number, rounds = 2, only?: string[]) {
  const base = { minNewTokens: 1 << 20, budget: { minFrames: 1 << 20 }, log: () => undefined };
  const names = Object.keys(THREAD_VARIANTS).filter((n) => !only || only.includes(n));
  const engines: Record<string, Qwen3Engine> = {};
  for (const n of names) engines[n] = await loadQwen3Engine(dir, { ...base, ...THREAD_VARIANTS[n] });
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
  const raw: Record<string, { rtf: number; ttfa: number }[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    // rotate the order each round, so no variant always follows the same one
    const order = names.map((_, i) => names[(i + r) % names.length]!);
    for (const n of order) {
      const x = await speak(engines[n]!, nFrames);
      raw[n]!.push(x);
      console.error(`threads ${n} round ${r + 1}: rtf ${x.rtf.toFixed(2)}, ttfa ${x.ttfa.toFixed(0)} ms`);
    }
  }
  for (const e of Object.values(engines)) await e.dispose();
  const summary = Object.fromEntries(
    names.map((n) => [n, { rtf: spread(raw[n]!.map((x) => x.rtf)), ttfa: spread(raw[n]!.map((x) => x.ttfa)) }]),
  );
  // each round's RTF over the default's in the same round: the ratio the load cancels out of
  const ratio = Object.fromEntries(names.map((n) => [n, spread(raw[n]!.map((x, i) => x.rtf / raw.inline![i]!.rtf))]));
  return { summary, ratioToInline: names.includes('inline') ? ratio : undefined, raw };
}
