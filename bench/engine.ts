// npm run bench:engine — the Qwen3-TTS engine on full-size synthetic models (random weights; the real
// operators and sizes, so the real cost): where each frame's time goes, prefill, time to first audio,
// real-time factor, peak RSS, the KV cache's cost at context 200 and 1000, and the floor — the same graphs
// driven by the thinnest loop — with a memory-bandwidth estimate.
//
//   npm run bench:engine [-- --frames 48] [--sizes 0.6b,1.7b] [--precisions int4,fp32] [--models-dir DIR]
//                          [--model DIR ...] [--no-write]
//
// Models are built once into --models-dir (default <tmp>/q3tts-bench-models) by `gen:synthetic`. Each
// measurement runs in its own Node process so that peak RSS belongs to one model and one job.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import type { SynthesisRequest } from '../src/shared/engine.js';
import { DaemonConnection } from '../src/core/client.js';
import { startDaemon } from '../src/core/daemon/daemon.js';
import { rewriteDecodeGraph, DECODE_KV } from '../src/core/engine/qwen3/decode-graph.js';
import { loadQwen3Engine, resolveSampling } from '../src/core/engine/qwen3/engine.js';
import { generateFrames, type GenerationResult } from '../src/core/engine/qwen3/generate.js';
import { GRAPH_NAMES, type GraphName } from '../src/core/engine/qwen3/graph-spec.js';
import { sessionOptions } from '../src/core/engine/qwen3/sessions.js';
import { readNpy } from '../src/core/engine/qwen3/npy.js';
import { assistantTemplate, instructTemplate, planPrefill, resolveVoice, splitTargetIds } from '../src/core/engine/qwen3/prompt.js';
import { argmax, Rng } from '../src/core/engine/qwen3/sampler.js';
import { TextProjection } from '../src/core/engine/qwen3/text-projection.js';
import { chunkSize, chunkWindow, DEFAULT_CHUNK_PLAN } from '../src/core/engine/qwen3/vocoder-stream.js';
import { fmt, machine, median, percentile, writeSection } from './report.js';

const root = path.resolve(import.meta.dirname, '../..');
const FRAME_SECONDS = 0.08;
const TEXT = 'The quick brown fox jumps over the lazy dog, and then it runs all the way back home before the rain begins.';
/** The warm-up request: same voice, other words (nothing of the timed text is cached). */
const WARM_TEXT = 'Seven bright kites drifted above a quiet harbour while gulls argued over bread.';
const INSTRUCT = 'A warm, calm female voice, speaking clearly at a relaxed pace.';
const CONTEXTS = [200, 1000] as const;

interface RunRecord {
  graph: GraphName;
  start: number;
  ms: number;
}

type Spread = { median: number; p10: number; p90: number };
interface ContextResult {
  prefillLength: number;
  prefillMs: number;
  wall: Spread;
  decode: Spread;
  outsidePct: Spread;
  kvJsMs: Spread;
}
interface KvResult {
  ms: Spread;
  jsBytesPerStep: number;
}

interface FrameCost {
  wall: number;
  decode: number;
  cp: number;
  vocoder: number;
  outside: number;
}

/** Splits a run timeline into frames: each frame starts at its first code-predictor call. */
function frames(runs: readonly RunRecord[]): FrameCost[] {
  const starts: number[] = [];
  runs.forEach((r, i) => {
    if (r.graph === 'code_predictor' && runs[i - 1]?.graph !== 'code_predictor') starts.push(i);
  });
  const out: FrameCost[] = [];
  for (let f = 0; f + 1 < starts.length; f++) {
    const slice = runs.slice(starts[f], starts[f + 1]);
    const sum = (g?: GraphName) => slice.filter((r) => g === undefined || r.graph === g).reduce((s, r) => s + r.ms, 0);
    const wall = runs[starts[f + 1]!]!.start - runs[starts[f]!]!.start;
    out.push({ wall, decode: sum('talker_decode'), cp: sum('code_predictor'), vocoder: sum('vocoder'), outside: wall - sum() });
  }
  return out;
}

function spread(values: number[]): Spread {
  return { median: median(values), p10: percentile(values, 10), p90: percentile(values, 90) };
}

function peakRssBytes(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}

function request(over: Partial<SynthesisRequest>): SynthesisRequest {
  return { text: TEXT, language: 'English', instruct: INSTRUCT, speaker: null, seed: 1, sampling: {}, ...over };
}

// ---------------------------------------------------------------------------------------------- jobs

/** The engine as the daemon runs it: a typical request, then a prompt long enough for context ~1000. */
async function jobEngine(dir: string, nFrames: number) {
  const loadStart = performance.now();
  const engine = await loadQwen3Engine(dir, { minNewTokens: 1 << 20, budget: { minFrames: 1 << 20 }, log: () => undefined });
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
    for await (const ev of engine.synthesize(request({ text, sampling: { maxNewTokens: n } }), abort.signal)) if (ev.type === 'stats') stats = ev.stats;
    return { started, wall: performance.now() - started, stats: stats as { timeToFirstAudioMs: number; realTimeFactor: number; frames: number } };
  };
  await speak(6, WARM_TEXT); // warm-up: first-run allocations
  const typical = await speak(nFrames);
  const typicalRuns = [...runs];
  const prefillRun = typicalRuns.find((r) => r.graph === 'talker_prefill')!;
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
  const promptIds = planPrefill(cfg, splitTargetIds(model.tokenizer.encode(assistantTemplate(TEXT)), cfg.ids.imStart, cfg.ids.imEnd), model.tokenizer.encode(instructTemplate(INSTRUCT)), resolveVoice(cfg, 'English', null))
    .rows.flatMap((r) => (r.textId === null ? [] : [r.textId]));
  const tpOrt = await timeTextProjection(dir, promptIds);

  // Context ~1000: a prompt of ~1000 positions, then frames through the same loop (no vocoder).
  const c = model.config;
  const instructIds = model.tokenizer.encode(instructTemplate(INSTRUCT));
  const typicalPlan = planPrefill(c, splitTargetIds(model.tokenizer.encode(assistantTemplate(TEXT)), c.ids.imStart, c.ids.imEnd), instructIds, resolveVoice(c, 'English', null));
  let text = TEXT;
  const contexts: Record<number, ContextResult> = {};
  for (const ctx of CONTEXTS) {
    while (planPrefill(c, splitTargetIds(model.tokenizer.encode(assistantTemplate(text)), c.ids.imStart, c.ids.imEnd), instructIds, resolveVoice(c, 'English', null)).rows.length < ctx) text += ` ${TEXT}`;
    const target = splitTargetIds(model.tokenizer.encode(assistantTemplate(text)), c.ids.imStart, c.ids.imEnd);
    const plan = planPrefill(c, target, instructIds, resolveVoice(c, 'English', null));
    const settings = { ...resolveSampling(c.generation, { maxNewTokens: 10 }), frameBudget: Infinity, minNewTokens: 1 << 20 };
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
      prefillMs: runs.find((r) => r.graph === 'talker_prefill')!.ms,
      wall: spread(f.map((x) => x.wall)),
      decode: spread(f.map((x) => x.decode)),
      outsidePct: spread(f.map((x) => (100 * x.outside) / x.wall)),
      kvJsMs: spread(decodeJs),
    };
  }
  await engine.dispose();
  return {
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
async function timeTextProjection(dir: string, ids: number[]): Promise<{ ids: number; ortMs: number; jsLoopMs: number }> {
  const emb = path.join(dir, 'embeddings');
  const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, number>;
  const dims = { textVocab: 151936, textHidden: config.talker_text_hidden_size!, hidden: config.talker_hidden_size! };
  const tp = await TextProjection.open(emb, dims, sessionOptions({}));
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

/** The typical request's real-time factor with the vocoder in its worker thread (opt-in), against the default. */
async function jobThreadAb(dir: string, nFrames: number): Promise<{ thread: number[]; inline: number[] }> {
  const out = { thread: [] as number[], inline: [] as number[] };
  for (const mode of ['inline', 'thread'] as const) {
    const engine = await loadQwen3Engine(dir, { vocoderThread: mode === 'thread', minNewTokens: 1 << 20, budget: { minFrames: 1 << 20 }, log: () => undefined });
    for (let round = 0; round < 3; round++) {
      for await (const ev of engine.synthesize(request({ text: round ? TEXT : WARM_TEXT, sampling: { maxNewTokens: round ? nFrames : 6 } }), new AbortController().signal)) {
        if (ev.type === 'stats' && round) out[mode].push(ev.stats.realTimeFactor);
      }
    }
    await engine.dispose();
  }
  return out;
}

/** The daemon while this model speaks (engine in its host process, default threads): status round trips. */
async function jobDaemon(dir: string): Promise<{ count: number; median: number; p99: number; max: number; frames: number }> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'q3tts-bench-daemon-'));
  const socketPath = path.join(tmp, 'daemon.sock');
  const silent = () => undefined;
  const daemon = await startDaemon({ socketPath, engine: { kind: 'qwen3', modelDir: dir }, handlersFile: path.join(root, 'out/daemon/handlers.mjs'), announce: silent, log: silent });
  const conn = await DaemonConnection.connect(socketPath);
  const ms: number[] = [];
  let frames = 0;
  try {
    for (let round = 0; round < 2; round++) {
      let done = false;
      const speaking = conn.request({ action: 'generate', text: TEXT, instruct: INSTRUCT, seed: round, max_new_tokens: 40, output: path.join(tmp, 'out.wav') }).then((a) => {
        done = true;
        return a;
      });
      await new Promise((r) => setTimeout(r, 200));
      while (!done) {
        const t = performance.now();
        await conn.request({ action: 'status' });
        if (!done) ms.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 10));
      }
      const answer = (await speaking) as { status: string; frames?: number };
      if (answer.status !== 'ok') throw new Error(`generate failed: ${JSON.stringify(answer)}`);
      frames += Number(answer.frames ?? 0);
    }
  } finally {
    conn.close();
    await daemon.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  return { count: ms.length, median: median(ms), p99: percentile(ms, 99), max: Math.max(...ms), frames };
}

/** Streaming vocoder cost per frame over a long utterance, for a chunk-size cap (the vocoder is the same graph at every size). */
async function jobChunks(dir: string, precision: string): Promise<Record<string, number>> {
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

function options(): ort.InferenceSession.SessionOptions {
  return sessionOptions({});
}

/** talker_decode at context T, as published (stacked cache, grown present returned) and as the engine loads it. */
async function jobKv(dir: string, precision: string): Promise<Record<string, KvResult>> {
  const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, number>;
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

/** The thinnest loop over the published graphs: fixed inputs, argmax, presents passed straight back, the same vocoder chunks. */
async function jobFloor(dir: string, precision: string, nFrames: number, prefillLength: number) {
  const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, number>;
  const L = config.talker_num_layers!;
  const KV = config.talker_num_kv_heads!;
  const D = config.talker_head_dim!;
  const H = config.talker_hidden_size!;
  const cpL = config.cp_num_layers!;
  const cpKV = config.cp_num_kv_heads!;
  const cpD = config.cp_head_dim!;
  const s: Partial<Record<GraphName, ort.InferenceSession>> = {};
  for (const g of GRAPH_NAMES) s[g] = await ort.InferenceSession.create(path.join(dir, precision, `${g}.onnx`), options());
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
    let past: { k: ort.Tensor; v: ort.Tensor } = { k: new ort.Tensor('float32', keys, [L, 1, KV, P, D]), v: new ort.Tensor('float32', values, [L, 1, KV, P, D]) };
    let firstAudio = 0;
    let decoded = 0;
    let chunk = 0;
    codes.length = 0;
    for (let t = 0; t < nFrames; t++) {
      const frame: number[] = [];
      let cp = await ses.code_predictor.run({ inputs_embeds: new ort.Tensor('float32', two, [1, 2, H]), generation_steps: new ort.Tensor('int64', BigInt64Array.of(0n), [1]), past_keys: emptyCp, past_values: emptyCp });
      frame.push(argmax((cp.logits!.data as Float32Array).subarray(2048)));
      for (let g = 1; g < 15; g++) {
        cp = await ses.code_predictor.run({ inputs_embeds: new ort.Tensor('float32', row, [1, 1, H]), generation_steps: new ort.Tensor('int64', BigInt64Array.of(BigInt(g)), [1]), past_keys: cp.present_keys as ort.Tensor, past_values: cp.present_values as ort.Tensor });
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

/** Single-thread copy bandwidth: what one core moves per second (GB/s). */
function jobBandwidth() {
  const n = 256 * 2 ** 20; // 1 GiB of floats
  const a = new Float32Array(n).fill(1);
  const b = new Float32Array(n);
  const ms: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    b.set(a);
    ms.push(performance.now() - t);
  }
  // a copy reads and writes each byte
  return { gbPerS: (2 * n * 4) / (median(ms) / 1000) / 1e9 };
}

// -------------------------------------------------------------------------------------------- parent

function child<T>(job: string, args: string[]): Promise<T> {
  const script = path.join(root, 'out/bench/engine.mjs');
  const p = spawn(process.execPath, [script, '--job', job, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  return new Promise((resolve, reject) =>
    p.once('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`${job} ${args.join(' ')} failed (exit ${code}): ${out.slice(-2000)}`));
      else resolve(JSON.parse(line) as T);
    }),
  );
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

/** What the engine loads: config, tokenizer, embeddings and one precision's four graphs. */
function modelBytes(dir: string, precision: string): number {
  return dirBytes(path.join(dir, precision)) + dirBytes(path.join(dir, 'embeddings')) + dirBytes(path.join(dir, 'tokenizer')) + statSync(path.join(dir, 'config.json')).size;
}

/** Approximate on-disk size before building, to skip what would not fit this machine. */
const EXPECTED_GB: Record<string, number> = { '0.6b-int4': 2.0, '0.6b-fp32': 5.5, '1.7b-int4': 3.6, '1.7b-fp32': 13.5 };

const GB = (b: number) => `${(b / 1e9).toFixed(2)} GB`;
const pctOf = (a: number, b: number) => `${((100 * a) / b).toFixed(0)} %`;
const sp = (s: Spread) => `${fmt(s.median)} (${fmt(s.p10)}–${fmt(s.p90)})`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      job: { type: 'string' },
      dir: { type: 'string' },
      precision: { type: 'string' },
      frames: { type: 'string', default: '48' },
      prefill: { type: 'string' },
      sizes: { type: 'string', default: '0.6b,1.7b' },
      precisions: { type: 'string', default: 'int4,fp32' },
      'models-dir': { type: 'string', default: path.join(os.tmpdir(), 'q3tts-bench-models') },
      model: { type: 'string', multiple: true },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const nFrames = Number(values.frames);
  if (values.job) {
    const dir = values.dir!;
    const precision = values.precision ?? 'int4';
    let result: unknown;
    if (values.job === 'engine') result = await jobEngine(dir, nFrames);
    else if (values.job === 'kv') result = await jobKv(dir, precision);
    else if (values.job === 'floor') result = await jobFloor(dir, precision, nFrames, Number(values.prefill));
    else if (values.job === 'bandwidth') result = jobBandwidth();
    else if (values.job === 'thread-ab') result = await jobThreadAb(dir, nFrames);
    else if (values.job === 'daemon') result = await jobDaemon(dir);
    else if (values.job === 'chunks') result = await jobChunks(dir, precision);
    else throw new Error(`unknown job ${values.job}`);
    process.stdout.write(`\n${JSON.stringify(result)}\n`);
    return;
  }

  const targets: { label: string; dir: string; precision: string }[] = [];
  for (const dir of values.model ?? []) {
    const precision = existsSync(path.join(dir, 'int4')) ? 'int4' : 'fp32';
    targets.push({ label: path.basename(dir), dir: path.resolve(dir), precision });
  }
  if (!values.model?.length) {
    const ram = os.totalmem();
    for (const size of values.sizes.split(',')) {
      for (const precision of values.precisions.split(',')) {
        const label = `${size}-${precision}`;
        const dir = path.join(values['models-dir'], label);
        const need = (EXPECTED_GB[label] ?? 20) * 1e9;
        // weights are held once per talker graph plus the KV cache and arenas: leave a quarter of RAM spare
        if (need > ram * 0.75) {
          console.log(`skipping ${label}: ~${GB(need)} of weights does not fit ${GB(ram)} of RAM`);
          continue;
        }
        if (!existsSync(path.join(dir, '.complete'))) {
          const free = statfsSync(path.dirname(dir)).bavail * statfsSync(path.dirname(dir)).bsize;
          if (free < need * 1.2) {
            console.log(`skipping ${label}: ${GB(free)} free on disk, ~${GB(need)} needed`);
            continue;
          }
          console.log(`building ${label} into ${dir} …`);
          execFileSync(process.execPath, [path.join(root, 'out/scripts/gen-synthetic.mjs'), '--size', size, '--precision', precision, '--seed', '1', '--out', dir], { stdio: 'inherit' });
          writeFileSync(path.join(dir, '.complete'), new Date().toISOString());
        }
        targets.push({ label, dir, precision });
      }
    }
  }

  const bandwidth = await child<ReturnType<typeof jobBandwidth>>('bandwidth', []);
  const chunks = targets[0] ? await child<Record<string, number>>('chunks', ['--dir', targets[0].dir, '--precision', targets[0].precision]) : {};
  const results: {
    label: string;
    files: number;
    precision: string;
    dir: string;
    engine: Awaited<ReturnType<typeof jobEngine>>;
    kv: Record<string, KvResult>;
    floor: Awaited<ReturnType<typeof jobFloor>>;
    threadAb: Awaited<ReturnType<typeof jobThreadAb>>;
    daemon: Awaited<ReturnType<typeof jobDaemon>>;
  }[] = [];
  for (const t of targets) {
    console.log(`${t.label}: engine …`);
    const engine = await child<Awaited<ReturnType<typeof jobEngine>>>('engine', ['--dir', t.dir, '--frames', String(nFrames)]);
    console.log(`${t.label}: KV cache …`);
    const kv = await child<Record<string, KvResult>>('kv', ['--dir', t.dir, '--precision', t.precision]);
    console.log(`${t.label}: floor loop …`);
    const floor = await child<Awaited<ReturnType<typeof jobFloor>>>('floor', ['--dir', t.dir, '--precision', t.precision, '--frames', String(nFrames), '--prefill', String(engine.typical.prefillLength)]);
    console.log(`${t.label}: vocoder thread A/B …`);
    const threadAb = await child<Awaited<ReturnType<typeof jobThreadAb>>>('thread-ab', ['--dir', t.dir, '--frames', String(nFrames)]);
    console.log(`${t.label}: daemon while speaking …`);
    const daemon = await child<Awaited<ReturnType<typeof jobDaemon>>>('daemon', ['--dir', t.dir]);
    results.push({ label: t.label, files: modelBytes(t.dir, t.precision), precision: t.precision, dir: t.dir, engine, kv, floor, threadAb, daemon });
    console.log(JSON.stringify({ label: t.label, engine, kv, floor, threadAb, daemon }));
  }

  const col = (f: (r: (typeof results)[number]) => string) => results.map(f).join(' | ');
  const size = (r: (typeof results)[number], g: string) => statSync(path.join(r.dir, r.precision, `${g}.onnx.data`)).size;
  const bytesPerFrame = (r: (typeof results)[number]) => {
    const cfg = JSON.parse(readFileSync(path.join(r.dir, 'config.json'), 'utf8')) as Record<string, number>;
    const lmHeads = 15 * cfg.cp_hidden_size! * cfg.cp_vocab_size! * 4;
    const cpPerCall = size(r, 'code_predictor') - (14 / 15) * lmHeads;
    return size(r, 'talker_decode') + 15 * cpPerCall + (size(r, 'vocoder') * r.engine.typical.vocoderCalls) / r.engine.typical.frames;
  };
  const rows = [
    `| measure | ${col((r) => r.label)} | target |`,
    `|---|${col(() => '---')}|---|`,
    `| model files loaded (one precision + embeddings) | ${col((r) => GB(r.files))} | |`,
    `| load time | ${col((r) => `${(r.engine.loadMs / 1000).toFixed(1)} s`)} | |`,
    `| peak RSS (typical request) / vs files | ${col((r) => `${GB(r.engine.peakTypical)} / ${pctOf(r.engine.peakTypical, r.files)}`)} | ≤ 110 % |`,
    `| peak RSS incl. context-1000 runs | ${col((r) => GB(r.engine.peakAll))} | |`,
    `| frame wall, median (p10–p90) ms | ${col((r) => sp(r.engine.typical.perFrame.wall))} | 80 for real time |`,
    `| · talker decode | ${col((r) => sp(r.engine.typical.perFrame.decode))} | |`,
    `| · code predictor, 15 calls | ${col((r) => sp(r.engine.typical.perFrame.cp))} | |`,
    `| · vocoder per frame (streamed chunks, ${DEFAULT_CHUNK_PLAN.leftContextFrames}-frame context) | ${col((r) => fmt(r.engine.typical.vocoderPerFrameMs))} | |`,
    `| · outside ORT (wall − Σ run()) | ${col((r) => sp(r.engine.typical.perFrame.outside))} | |`,
    `| outside ORT, % of frame wall (typical / ctx 200 / ctx 1000), median | ${col((r) => `${r.engine.typical.perFrame.outsidePct.median.toFixed(1)} / ${r.engine.contexts[200]!.outsidePct.median.toFixed(1)} / ${r.engine.contexts[1000]!.outsidePct.median.toFixed(1)} %`)} | ≤ 5 % |`,
    `| prefill of the typical prompt (positions) | ${col((r) => `${fmt(r.engine.typical.prefillMs)} ms (${r.engine.typical.prefillLength})`)} | |`,
    `| prefill of ~1000 positions | ${col((r) => `${fmt(r.engine.contexts[1000]!.prefillMs)} ms`)} | |`,
    `| time to first audio / bound (prefill + first 4 frames + first chunk + 30 ms) | ${col((r) => `${fmt(r.engine.typical.ttfa)} / ${fmt(r.engine.typical.ttfaBound)} ms`)} | ≤ bound |`,
    `| · of which before prefill (tokenizer, text projection, prompt rows) | ${col((r) => `${fmt(r.engine.typical.beforePrefillMs)} ms`)} | |`,
    `| real-time factor (${nFrames} frames) | ${col((r) => r.engine.typical.rtf.toFixed(2))} | |`,
    `| floor loop RTF (published graphs, same frames and chunks) / engine ÷ floor | ${col((r) => `${r.floor.rtf.toFixed(2)} / ${(r.engine.typical.rtf / r.floor.rtf).toFixed(2)}×`)} | ≤ 1.25× |`,
    ...CONTEXTS.map(
      (c) =>
        `| talker_decode step at context ${c}: published graph / as the engine loads it, ms (JS bytes copied per step) | ${col(
          (r) => `${fmt(r.kv[`original_${c}`]!.ms.median)} (${(r.kv[`original_${c}`]!.jsBytesPerStep / 1e6).toFixed(0)} MB) / ${fmt(r.kv[`rewritten_${c}`]!.ms.median)} (${(r.kv[`rewritten_${c}`]!.jsBytesPerStep / 1e6).toFixed(2)} MB)`,
        )} | |`,
    ),
    `| text projection of the typical prompt: batched ORT graph / the per-token JS loop it replaced | ${col((r) => `${fmt(r.engine.typical.textProjection.ortMs)} / ${fmt(r.engine.typical.textProjection.jsLoopMs)} ms (${r.engine.typical.textProjection.ids} ids)`)} | |`,
    `| RTF, vocoder on the engine thread (default) / in a worker thread overlapping generation (opt-in), 2 runs each | ${col((r) => `${r.threadAb.inline.map((x) => x.toFixed(2)).join(', ')} / ${r.threadAb.thread.map((x) => x.toFixed(2)).join(', ')}`)} | |`,
    `| daemon \`status\` round trip while the model speaks (engine in its host process), median / p99 / max of n | ${col((r) => `${fmt(r.daemon.median)} / ${fmt(r.daemon.p99)} / ${fmt(r.daemon.max)} ms (n=${r.daemon.count})`)} | p99 ≤ 50 ms |`,
    `| JS-side KV handling per decode step at context 1000 (append + views), median ms | ${col((r) => fmt(r.engine.contexts[1000]!.kvJsMs.median))} | |`,
    `| weight bytes touched per frame / at ${bandwidth.gbPerS.toFixed(1)} GB/s (one-core copy) | ${col((r) => `${GB(bytesPerFrame(r))} / ${fmt((bytesPerFrame(r) / (bandwidth.gbPerS * 1e9)) * 1000)} ms`)} | |`,
  ];
  const body = [
    `Machine: ${machine()}. Date: ${new Date().toISOString().slice(0, 10)}. Reproduce: \`npm run bench:engine\` (builds the synthetic models once into ${path.join(os.tmpdir(), 'q3tts-bench-models')}; \`-- --sizes 0.6b --precisions int4\` for one).`,
    '',
    `Full-size synthetic models (random weights, the real graphs' operators and sizes; test/synthetic/README.md), loaded exactly as a real model. ${nFrames} frames per run with EOS ignored, after one warm-up request (same voice, other words); ORT's default threads (one per core), the vocoder on the engine thread (the default). Per-frame figures: median (p10–p90) over the frames of one request.`,
    '',
    ...rows,
    '',
    `Streaming vocoder over a 192-frame utterance (the same graph at every size; measured on the first model): ${fmt(chunks[24] ?? NaN)} ms per frame with chunks up to 24 frames, ${fmt(chunks[DEFAULT_CHUNK_PLAN.chunkFrames] ?? NaN)} ms with chunks up to ${DEFAULT_CHUNK_PLAN.chunkFrames} (the default).`,
  ].join('\n');
  console.log(`\n${body}\n`);
  if (!values['no-write']) console.log(`written to ${writeSection('Engine', body)}`);
}

await main();
