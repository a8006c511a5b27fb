// Job 'engine': the engine as the daemon runs it — load time, RSS, a typical request's per-frame costs, prefill,
// time to first audio and real-time factor, the text projection against the JS loop it replaced, then prompts
// long enough for context 200 and 1000 through the same loop.
import path from 'node:path';
import { loadQwen3Engine, resolveSampling, type Qwen3EngineOptions } from '../../../src/core/engine/qwen3/engine.js';
import { generateFrames, type GenerationResult } from '../../../src/core/engine/qwen3/generate.js';
import { readNpy } from '../../../src/core/engine/qwen3/npy.js';
import {
  assistantTemplate,
  instructTemplate,
  planPrefill,
  resolveVoice,
  splitTargetIds,
} from '../../../src/core/engine/qwen3/prompt.js';
import { Rng } from '../../../src/core/engine/qwen3/sampler.js';
import { TextProjection } from '../../../src/core/engine/qwen3/text-projection.js';
import { DEFAULT_CHUNK_PLAN } from '../../../src/core/engine/qwen3/vocoder-stream.js';
import {
  CONTEXTS,
  frames,
  INSTRUCT,
  options,
  peakRssBytes,
  rawConfig,
  request,
  spread,
  TEXT,
  WARM_TEXT,
  type RunRecord,
  type Spread,
} from '../common.js';

interface ContextResult {
  prefillLength: number;
  prefillMs: number;
  wall: Spread;
  decode: Spread;
  outsidePct: Spread;
  kvJsMs: Spread;
}

/**
 * How the engine is configured: 'after' is the default; 'before' is the engine as it was before issue 12 (two
 * talker sessions, no prefix cache, chunks never past 48), for A/B runs on the same machine.
 */
export type EngineVariant = 'before' | 'after';
const VARIANTS: Record<EngineVariant, Qwen3EngineOptions> = {
  after: {},
  before: { singleTalkerSession: false, prefixCacheBytes: 0, stream: { bufferedChunkFrames: 48 } },
};

/** The engine as the daemon runs it: a typical request, then (unless `typicalOnly`) prompts for context 200 and ~1000. */
export async function jobEngine(dir: string, nFrames: number, variant: EngineVariant = 'after', typicalOnly = false) {
  const loadStart = performance.now();
  const engine = await loadQwen3Engine(dir, {
    minNewTokens: 1 << 20,
    budget: { minFrames: 1 << 20 },
    log: () => undefined,
    ...VARIANTS[variant],
  });
  const loadMs = performance.now() - loadStart;
  const model = engine.model;
  const rssLoaded = process.memoryUsage().rss;
  const runs: RunRecord[] = [];
  model.onRun = (graph, start, ms) => runs.push({ graph, start, ms });
  const abort = new AbortController();

  const speak = async (n: number, text = TEXT) => {
    runs.length = 0;
    let stats: unknown;
    const started = performance.now();
    for await (const ev of engine.synthesize(request({ text, sampling: { maxNewTokens: n } }), abort.signal))
      if (ev.type === 'stats') stats = ev.stats;
    return {
      started,
      wall: performance.now() - started,
      stats: stats as { timeToFirstAudioMs: number; realTimeFactor: number; frames: number },
    };
  };
  await speak(6, WARM_TEXT); // warm-up: first-run allocations
  const typical = await speak(nFrames);
  const typicalRuns = [...runs];
  // the prompt's run: talker_prefill, or talker_decode over the prompt (one session; only the text after a cached voice prefix)
  const prefillRun = typicalRuns.find((r) => r.graph.startsWith('talker'))!;
  const prefillMs = prefillRun.ms;
  // tokenizing, the text projection and building the prefill rows
  const beforePrefillMs = prefillRun.start - typical.started;
  const vocoderRuns = typicalRuns.filter((r) => r.graph === 'vocoder');
  const firstChunk = DEFAULT_CHUNK_PLAN.firstChunkFrames;
  const perFrame = frames(typicalRuns);
  // TTFA bound of the issue: prefill + the first chunk's frames + the first vocoder chunk + 30 ms.
  const firstChunkFramesMs = perFrame.slice(0, firstChunk).reduce((s, f) => s + f.decode + f.cp, 0);
  const ttfaBound = prefillMs + firstChunkFramesMs + (vocoderRuns[0]?.ms ?? 0) + 30;
  const peakTypical = peakRssBytes();

  // The text projection as it ran before this change (a JS loop per token) against the batched ORT graph,
  // over the typical prompt's text ids.
  const cfg = model.config;
  const promptIds = planPrefill(
    cfg,
    splitTargetIds(model.tokenizer.encode(assistantTemplate(TEXT)), cfg.ids.imStart, cfg.ids.imEnd),
    model.tokenizer.encode(instructTemplate(INSTRUCT)),
    resolveVoice(cfg, 'English', null),
  ).rows.flatMap((r) => (r.textId === null ? [] : [r.textId]));
  const tpOrt = typicalOnly
    ? { ids: promptIds.length, ortMs: NaN, jsLoopMs: NaN }
    : await timeTextProjection(dir, promptIds);

  // Context ~1000: a prompt of ~1000 positions, then frames through the same loop (no vocoder).
  const c = model.config;
  const instructIds = model.tokenizer.encode(instructTemplate(INSTRUCT));
  const typicalPlan = planPrefill(
    c,
    splitTargetIds(model.tokenizer.encode(assistantTemplate(TEXT)), c.ids.imStart, c.ids.imEnd),
    instructIds,
    resolveVoice(c, 'English', null),
  );
  let text = TEXT;
  const contexts: Record<number, ContextResult> = {};
  for (const ctx of typicalOnly ? [] : CONTEXTS) {
    while (
      planPrefill(
        c,
        splitTargetIds(model.tokenizer.encode(assistantTemplate(text)), c.ids.imStart, c.ids.imEnd),
        instructIds,
        resolveVoice(c, 'English', null),
      ).rows.length < ctx
    )
      text += ` ${TEXT}`;
    const target = splitTargetIds(model.tokenizer.encode(assistantTemplate(text)), c.ids.imStart, c.ids.imEnd);
    const plan = planPrefill(c, target, instructIds, resolveVoice(c, 'English', null));
    const settings = {
      ...resolveSampling(c.generation, { maxNewTokens: 10 }),
      frameBudget: Infinity,
      minNewTokens: 1 << 20,
    };
    runs.length = 0;
    const decodeJs: number[] = [];
    const decodeStep = model.decodeStep.bind(model);
    model.decodeStep = async (x, position) => {
      const t = performance.now();
      const before = model.timings.talker_decode.ms;
      const out = await decodeStep(x, position);
      decodeJs.push(performance.now() - t - (model.timings.talker_decode.ms - before));
      return out;
    };
    const result: GenerationResult = { frames: 0, stop: 'running', truncated: false, prefillLength: 0 };
    for await (const frame of generateFrames(model, plan, settings, new Rng(1), abort.signal, result)) void frame;
    model.decodeStep = decodeStep;
    const f = frames(runs);
    contexts[ctx] = {
      prefillLength: result.prefillLength,
      prefillMs: runs.find((r) => r.graph.startsWith('talker'))!.ms,
      wall: spread(f.map((x) => x.wall)),
      decode: spread(f.map((x) => x.decode)),
      outsidePct: spread(f.map((x) => (100 * x.outside) / x.wall)),
      kvJsMs: spread(decodeJs),
    };
  }
  await engine.dispose();
  return {
    variant,
    multiPosition: model.multiPosition,
    talkerSessions: model.sessions.talker_prefill ? 2 : 1,
    loadMs,
    rssLoaded,
    peakTypical,
    peakAll: peakRssBytes(),
    typical: {
      frames: typical.stats.frames,
      wall: typical.wall,
      ttfa: typical.stats.timeToFirstAudioMs,
      ttfaBound,
      beforePrefillMs,
      rtf: typical.stats.realTimeFactor,
      prefillMs,
      prefillLength: typicalPlan.rows.length,
      perFrame: {
        wall: spread(perFrame.map((x) => x.wall)),
        decode: spread(perFrame.map((x) => x.decode)),
        cp: spread(perFrame.map((x) => x.cp)),
        outside: spread(perFrame.map((x) => x.outside)),
        outsidePct: spread(perFrame.map((x) => (100 * x.outside) / x.wall)),
      },
      textProjection: tpOrt,
      vocoderPerFrameMs: vocoderRuns.reduce((s, r) => s + r.ms, 0) / typical.stats.frames,
      vocoderCalls: vocoderRuns.length,
    },
    contexts,
  };
}

/** TP of `ids`: the batched ORT graph (fresh, nothing cached) and the per-token JS loop it replaced. */
async function timeTextProjection(
  dir: string,
  ids: number[],
): Promise<{ ids: number; ortMs: number; jsLoopMs: number }> {
  const emb = path.join(dir, 'embeddings');
  const config = rawConfig(dir);
  const dims = { textVocab: 151936, textHidden: config.talker_text_hidden_size!, hidden: config.talker_hidden_size! };
  const tp = await TextProjection.open(emb, dims, options());
  await tp.project([ids[0]!]); // first-run allocations
  const t0 = performance.now();
  await tp.project(ids.map((id) => id)); // all new to this instance but the first
  const ortMs = performance.now() - t0;
  await tp.close();
  // the replaced loop: fc1 → SiLU → fc2 per token, weights [out, in]
  const T = dims.textHidden;
  const H = dims.hidden;
  const w1 = readNpy(path.join(emb, 'text_projection_fc1_weight.npy')).data;
  const w2 = readNpy(path.join(emb, 'text_projection_fc2_weight.npy')).data;
  const e = new Float32Array(T).fill(0.01);
  const h = new Float32Array(T);
  const y = new Float32Array(H);
  const t1 = performance.now();
  for (let n = 0; n < ids.length; n++) {
    for (let o = 0; o < T; o++) {
      let acc = 0;
      for (let i = 0; i < T; i++) acc += w1[o * T + i]! * e[i]!;
      h[o] = acc / (1 + Math.exp(-acc));
    }
    for (let o = 0; o < H; o++) {
      let acc = 0;
      for (let i = 0; i < T; i++) acc += w2[o * T + i]! * h[i]!;
      y[o] = acc;
    }
  }
  return { ids: ids.length, ortMs, jsLoopMs: performance.now() - t1 };
}

export type EngineResult = Awaited<ReturnType<typeof jobEngine>>;
