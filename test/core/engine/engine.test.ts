// The engine on real onnxruntime-node sessions over the synthetic tiny model (test/synthetic).
import ort from 'onnxruntime-node';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SynthesisEvent, SynthesisRequest, SynthesisStats } from '../../../src/shared/engine.js';
import { loadQwen3Engine, type Qwen3Engine, type Qwen3EngineOptions } from '../../../src/core/engine/qwen3/engine.js';
import { embedPrefill } from '../../../src/core/engine/qwen3/generate.js';
import type { GraphName } from '../../../src/core/engine/qwen3/graph-spec.js';
import { SAMPLES_PER_FRAME, type Qwen3Model } from '../../../src/core/engine/qwen3/model.js';
import {
  assistantTemplate,
  instructTemplate,
  planPrefill,
  resolveVoice,
  splitTargetIds,
} from '../../../src/core/engine/qwen3/prompt.js';
import { applyRepetitionPenalty, argmax, maskTalkerLogits } from '../../../src/core/engine/qwen3/sampler.js';
import { VocoderStream } from '../../../src/core/engine/qwen3/vocoder-stream.js';
import { syntheticModel } from './fixture.js';

let dir: string;
let engine: Qwen3Engine;
const logs: string[] = [];
const engines: Qwen3Engine[] = [];

async function open(options: Qwen3EngineOptions = {}): Promise<Qwen3Engine> {
  const e = await loadQwen3Engine(dir, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    log: (m) => logs.push(m),
    ...options,
  });
  engines.push(e);
  return e;
}

beforeAll(async () => {
  dir = await syntheticModel('voice_design', 7);
  engine = await open();
});
afterAll(async () => {
  for (const e of engines) await e.dispose();
});

const request = (over: Partial<SynthesisRequest> = {}): SynthesisRequest => ({
  text: 'Hello world, this is a test.',
  language: 'English',
  instruct: 'A calm, warm voice.',
  speaker: null,
  seed: 1,
  sampling: { maxNewTokens: 20 },
  ...over,
});

interface Collected {
  audio: Float32Array;
  frames: number[][];
  stats: SynthesisStats | undefined;
  events: SynthesisEvent[];
}

async function collect(
  e: Qwen3Engine,
  req: SynthesisRequest,
  signal = new AbortController().signal,
): Promise<Collected> {
  const events: SynthesisEvent[] = [];
  for await (const ev of e.synthesize(req, signal)) events.push(ev);
  return summarize(events);
}

function summarize(events: SynthesisEvent[]): Collected {
  const chunks = events.flatMap((e) => (e.type === 'audio' ? [e.samples] : []));
  const audio = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    audio.set(c, at);
    at += c.length;
  }
  const frames = events.flatMap((e) => (e.type === 'codes' ? e.frames : []));
  const stats = events.flatMap((e) => (e.type === 'stats' ? [e.stats] : []))[0];
  return { audio, frames, stats, events };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

interface RunRecord {
  graph: GraphName;
  feeds: Record<string, { dims: readonly number[]; data: ArrayLike<number | bigint> }>;
}

/** Records every graph run of a model (the real sessions still run). */
function record(model: Qwen3Model): { runs: RunRecord[]; restore: () => void } {
  const runs: RunRecord[] = [];
  const originals = new Map<GraphName, ort.InferenceSession['run']>();
  for (const [graph, session] of Object.entries(model.sessions) as [GraphName, ort.InferenceSession][]) {
    const run = session.run.bind(session);
    originals.set(graph, session.run);
    session.run = ((feeds: Record<string, ort.Tensor>, ...rest: unknown[]) => {
      const copy: RunRecord['feeds'] = {};
      for (const [k, t] of Object.entries(feeds))
        copy[k] = {
          dims: [...t.dims],
          data: t.type === 'int64' ? Array.from(t.data as BigInt64Array, Number) : (t.data as Float32Array),
        };
      runs.push({ graph, feeds: copy });
      return (run as (...a: unknown[]) => Promise<ort.InferenceSession.OnnxValueMapType>)(feeds, ...rest);
    }) as ort.InferenceSession['run'];
  }
  return {
    runs,
    restore: () => {
      for (const [graph, fn] of originals) model.sessions[graph]!.run = fn;
    },
  };
}

describe('engine info', () => {
  it('describes the model', () => {
    expect(engine.info).toMatchObject({ engine: 'qwen3-tts', sampleRate: 24000, speakers: [], supportsInstruct: true });
    expect(engine.info.model).toBe('q3tts/synthetic-tiny-voice_design-seed7 (fp32)');
    expect(engine.info.languages).toEqual([
      'Auto',
      'Chinese',
      'English',
      'French',
      'German',
      'Italian',
      'Japanese',
      'Korean',
      'Portuguese',
      'Russian',
      'Spanish',
    ]);
  });
});

describe('talker loop against a reference without any KV cache (greedy)', () => {
  it('gives the same frames as recomputing the whole sequence every step', async () => {
    const e = await open();
    const model = e.model;
    const c = model.config;
    const H = c.talker.hidden;
    const N_FRAMES = 8;
    const req = request({ seed: null, sampling: { doSample: false, maxNewTokens: N_FRAMES } });
    const got = await collect(e, req);
    expect(got.frames).toHaveLength(N_FRAMES);

    // Reference: fresh sessions and fresh tensors each step; the talker re-reads the full sequence
    // through talker_prefill and the code predictor its full context with an empty cache.
    const talker = await ort.InferenceSession.create(path.join(dir, 'fp32', 'talker_prefill.onnx'));
    const cp = await ort.InferenceSession.create(path.join(dir, 'fp32', 'code_predictor.onnx'));
    const target = splitTargetIds(model.tokenizer.encode(assistantTemplate(req.text)), c.ids.imStart, c.ids.imEnd);
    const plan = planPrefill(
      c,
      target,
      model.tokenizer.encode(instructTemplate(req.instruct!)),
      resolveVoice(c, 'English', null),
    );
    const rows: Float32Array[] = [];
    const prefill = await embedPrefill(model, plan.rows);
    for (let r = 0; r < plan.rows.length; r++) rows.push(prefill.slice(r * H, (r + 1) * H));
    const pad = await model.textProjection.project([c.ids.ttsPad]);
    const cpEmpty = () =>
      new ort.Tensor('float32', new Float32Array(0), [c.cp.layers, 1, c.cp.kvHeads, 0, c.cp.headDim]);
    const concat = (xs: Float32Array[]) => {
      const out = new Float32Array(xs.length * H);
      xs.forEach((x, i) => out.set(x, i * H));
      return out;
    };
    const expected: number[][] = [];
    for (let step = 0; step < N_FRAMES; step++) {
      const S = rows.length;
      const pos = new BigInt64Array(3 * S);
      for (let r = 0; r < 3; r++) for (let t = 0; t < S; t++) pos[r * S + t] = BigInt(t);
      const out = await talker.run({
        inputs_embeds: new ort.Tensor('float32', concat(rows), [1, S, H]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(S).fill(1n), [1, S]),
        position_ids: new ort.Tensor('int64', pos, [3, 1, S]),
      });
      const logits = (out.logits!.data as Float32Array).slice((S - 1) * 3072, S * 3072);
      const hidden = (out.hidden_states!.data as Float32Array).slice((S - 1) * H, S * H);
      maskTalkerLogits(logits, step, c.ids.codecEos);
      applyRepetitionPenalty(
        logits,
        expected.map((f) => f[0]!),
        c.generation.repetitionPenalty,
      );
      const code0 = argmax(logits);
      expect(code0).not.toBe(c.ids.codecEos);
      const ce = new Float32Array(H);
      model.addCodec(code0, ce);
      const ctx = [hidden, ce];
      const frame = [code0];
      for (let g = 0; g < 15; g++) {
        const o = await cp.run({
          inputs_embeds: new ort.Tensor('float32', concat(ctx), [1, ctx.length, H]),
          generation_steps: new ort.Tensor('int64', BigInt64Array.of(BigInt(g)), [1]),
          past_keys: cpEmpty(),
          past_values: cpEmpty(),
        });
        const l = (o.logits!.data as Float32Array).slice((ctx.length - 1) * 2048, ctx.length * 2048);
        frame.push(argmax(l));
        const row = new Float32Array(H);
        model.addCpCodec(g, frame[g + 1]!, row);
        ctx.push(row);
      }
      expected.push(frame);
      const next = new Float32Array(H);
      model.addCodec(code0, next);
      for (let k = 0; k < 15; k++) model.addCpCodec(k, frame[k + 1]!, next);
      for (let i = 0; i < H; i++) next[i]! += pad[i]!;
      rows.push(next);
    }
    await talker.release();
    await cp.release();
    expect(got.frames).toEqual(expected);
  });
});

describe('loop plumbing on real sessions (qwen3-tts.md §6)', () => {
  it('feeds growing attention_mask, positions P+step, zero-length past on CP call 0, generation_steps 0..14', async () => {
    const e = await open(); // every graph on this thread (the default), so every run is recorded in order
    const rec = record(e.model);
    const F = 5;
    await collect(e, request({ sampling: { maxNewTokens: F } }));
    rec.restore();
    const { runs } = rec;
    // one talker session (decision 0019): the prompt is talker_decode's first run, over P positions, empty cache
    expect(runs.filter((r) => r.graph === 'talker_prefill')).toHaveLength(0);
    const [prefill, ...decodes] = runs.filter((r) => r.graph === 'talker_decode');
    const P = prefill!.feeds.inputs_embeds!.dims[1]!;
    expect(P).toBeGreaterThan(10);
    expect(prefill!.feeds.attention_mask!.dims).toEqual([1, P]);
    expect(prefill!.feeds.past_keys_by_time!.dims).toEqual([0, 2, 1, 2, 16]);
    expect(Array.from(prefill!.feeds.position_ids!.data)).toEqual(
      [0, 1, 2].flatMap(() => Array.from({ length: P }, (_, t) => t)),
    );

    expect(decodes).toHaveLength(F - 1); // none after the last frame
    decodes.forEach((d, step) => {
      expect(d.feeds.inputs_embeds!.dims).toEqual([1, 1, 64]);
      expect(d.feeds.attention_mask!.dims).toEqual([1, P + step + 1]);
      expect(Array.from(d.feeds.position_ids!.data)).toEqual([P + step, P + step, P + step]);
      // the rewritten graph takes the cache time-major (decode-graph.ts)
      expect(d.feeds.past_keys_by_time!.dims).toEqual([P + step, 2, 1, 2, 16]);
      expect(d.feeds.past_values_by_time!.dims).toEqual([P + step, 2, 1, 2, 16]);
    });

    const cps = runs.filter((r) => r.graph === 'code_predictor');
    expect(cps).toHaveLength(F * 15);
    cps.forEach((r, i) => {
      const g = i % 15;
      expect(Array.from(r.feeds.generation_steps!.data)).toEqual([g]);
      expect(r.feeds.inputs_embeds!.dims).toEqual([1, g === 0 ? 2 : 1, 64]);
      expect(r.feeds.past_keys!.dims).toEqual([2, 1, 2, g === 0 ? 0 : g + 1, 8]);
    });
    // prefill, then per frame 15 CP calls and one decode (none after the last); the vocoder runs as
    // soon as the first 4-frame chunk is complete, interleaved with generation, and once at the end.
    expect(
      runs
        .map((r) => r.graph[0])
        .join('')
        .replace(/c{15}/g, 'C'),
    ).toBe('tCtCtCtCvtCv');
  });

  it('holds prefill presents time-major: position t, layer l, head h = present_l[h, t] (K and V)', async () => {
    const model = (await open({ singleTalkerSession: false })).model;
    const H = 64;
    const P = 7;
    const embeds = Float32Array.from({ length: P * H }, (_, i) => Math.sin(i * 0.37));
    await model.prefill(embeds, P);
    const pos = new BigInt64Array(3 * P);
    for (let r = 0; r < 3; r++) for (let t = 0; t < P; t++) pos[r * P + t] = BigInt(t);
    const direct = await model.sessions.talker_prefill!.run({
      inputs_embeds: new ort.Tensor('float32', embeds.slice(), [1, P, H]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(P).fill(1n), [1, P]),
      position_ids: new ort.Tensor('int64', pos, [3, 1, P]),
    });
    const cache = model.kv.tensors();
    expect(cache.keys.dims).toEqual([P, 2, 1, 2, 16]);
    const L = 2;
    const KV = 2;
    const D = 16;
    for (const [kind, got] of [
      ['key', cache.keys.data as Float32Array],
      ['value', cache.values.data as Float32Array],
    ] as const) {
      for (let layer = 0; layer < L; layer++) {
        const present = direct[`present_${kind}_${layer}`]!.data as Float32Array;
        for (let h = 0; h < KV; h++) {
          for (let t = 0; t < P; t++) {
            const at = ((t * L + layer) * KV + h) * D;
            expect(Array.from(got.subarray(at, at + D))).toEqual(
              Array.from(present.subarray((h * P + t) * D, (h * P + t + 1) * D)),
            );
          }
        }
      }
    }
    // layers differ, so a swapped order could not pass
    const k = cache.keys.data as Float32Array;
    expect(Array.from(k.subarray(0, KV * D))).not.toEqual(Array.from(k.subarray(KV * D, 2 * KV * D)));
  });

  it('appends each decode step as one position, equal to what the unmodified graph returns', async () => {
    const model = engine.model;
    const H = 64;
    const P = 5;
    await model.prefill(
      Float32Array.from({ length: P * H }, (_, i) => Math.cos(i * 0.21)),
      P,
    );
    // the stacked [L,1,KV,P,D] view of the cache, as the published graph takes it
    const stacked = (data: Float32Array, T: number) => {
      const out = new Float32Array(data.length);
      for (let t = 0; t < T; t++)
        for (let l = 0; l < 2; l++)
          for (let h = 0; h < 2; h++)
            out.set(
              data.subarray(((t * 2 + l) * 2 + h) * 16, ((t * 2 + l) * 2 + h + 1) * 16),
              ((l * 2 + h) * T + t) * 16,
            );
      return new ort.Tensor('float32', out, [2, 1, 2, T, 16]);
    };
    const original = await ort.InferenceSession.create(path.join(dir, 'fp32', 'talker_decode.onnx'));
    for (let step = 0; step < 3; step++) {
      const T = P + step;
      const before = model.kv.tensors();
      const x = Float32Array.from({ length: H }, (_, i) => Math.sin(i + step));
      const want = await original.run({
        inputs_embeds: new ort.Tensor('float32', x.slice(), [1, 1, H]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(T + 1).fill(1n), [1, T + 1]),
        position_ids: new ort.Tensor('int64', new BigInt64Array(3).fill(BigInt(T)), [3, 1, 1]),
        past_keys: stacked((before.keys.data as Float32Array).slice(), T),
        past_values: stacked((before.values.data as Float32Array).slice(), T),
      });
      const got = await model.decodeStep(x, T);
      expect(Array.from(got.logits)).toEqual(Array.from(want.logits!.data as Float32Array));
      const after = model.kv.tensors();
      expect(after.keys.dims[0]).toBe(T + 1);
      expect(Array.from(stacked(after.keys.data as Float32Array, T + 1).data as Float32Array)).toEqual(
        Array.from(want.present_keys!.data as Float32Array),
      );
      expect(Array.from(stacked(after.values.data as Float32Array, T + 1).data as Float32Array)).toEqual(
        Array.from(want.present_values!.data as Float32Array),
      );
    }
    await original.release();
    await expect(model.decodeStep(new Float32Array(H), 0)).rejects.toThrow(
      /decode at position 0 with 8 cached positions/,
    );
  });
});

describe('vocoder in a worker thread, overlapping generation', () => {
  it('gives the same frames and audio as the vocoder on the engine thread', async () => {
    const threaded = await open({ vocoderThread: true });
    expect(threaded.model.vocoderOverlaps).toBe(true);
    expect(engine.model.vocoderOverlaps).toBe(false); // opt-in
    const req = request({ seed: 11, sampling: { maxNewTokens: 30 } });
    const a = await collect(threaded, req);
    const b = await collect(engine, req);
    expect(a.frames).toEqual(b.frames);
    expect(a.frames.length).toBeGreaterThan(12); // several chunks
    expect(Array.from(a.audio)).toEqual(Array.from(b.audio));
  });

  it('keeps generating while a chunk decodes, and plays chunks in order', async () => {
    const runs: { graph: string; start: number }[] = [];
    const pending: { from: number; to: number }[] = [];
    const e = await open({ vocoderThread: true });
    const model = e.model;
    const vocode = model.vocode.bind(model);
    model.vocode = async (frames) => {
      const from = performance.now();
      await new Promise((r) => setTimeout(r, 40)); // a slow vocoder, as at full size
      const wave = await vocode(frames);
      pending.push({ from, to: performance.now() });
      return wave;
    };
    model.onRun = (graph, start) => runs.push({ graph, start });
    const got = await collect(e, request({ seed: 11, sampling: { maxNewTokens: 30 } }));
    const reference = await collect(engine, request({ seed: 11, sampling: { maxNewTokens: 30 } }));
    expect(Array.from(got.audio)).toEqual(Array.from(reference.audio));
    // the first chunk is awaited (first audio early); later ones overlap talker/code-predictor runs
    const during = (p: { from: number; to: number }) =>
      runs.filter((r) => r.graph !== 'vocoder' && r.start > p.from && r.start < p.to).length;
    expect(during(pending[0]!)).toBe(0);
    expect(pending.slice(1, -1).some((p) => during(p) > 0)).toBe(true);
  });

  it('answers a failing run with an error naming the graph, then goes on', async () => {
    const model = (await open({ vocoderThread: true })).model;
    const bad = Array.from({ length: 3 }, () => Array.from({ length: 16 }, () => 2100)); // beyond the 2048 codebook entries
    await expect(model.vocode(bad)).rejects.toThrow(/vocoder\.onnx: run failed/);
    expect(
      (await model.vocode([Array.from({ length: 16 }, () => 5), Array.from({ length: 16 }, () => 6)])).length,
    ).toBe(2 * 1920);
  });
});

describe('vocoder (qwen3-tts.md §7)', () => {
  const frames = Array.from({ length: 6 }, (_, t) =>
    Array.from({ length: 16 }, (_, g) => (t * 131 + g * 977 + 5) % 2048),
  );

  it('transposes [T,16] to codes [1,16,T] and returns T·1920 samples', async () => {
    const model = engine.model;
    const wave = await model.vocode(frames);
    expect(wave.length).toBe(frames.length * SAMPLES_PER_FRAME);
    const T = frames.length;
    const codes = new BigInt64Array(16 * T);
    for (let g = 0; g < 16; g++) for (let t = 0; t < T; t++) codes[g * T + t] = BigInt(frames[t]![g]!);
    const session = await ort.InferenceSession.create(path.join(dir, 'fp32', 'vocoder.onnx'));
    const direct = await session.run({ codes: new ort.Tensor('int64', codes, [1, 16, T]) });
    await session.release();
    expect(Array.from(wave)).toEqual(Array.from(direct.waveform!.data as Float32Array));
  });

  it('decodes one frame as two copies trimmed to 1920 samples', async () => {
    const one = await engine.model.vocode([frames[0]!]);
    expect(one.length).toBe(SAMPLES_PER_FRAME);
    const two = await engine.model.vocode([frames[0]!, frames[0]!]);
    expect(Array.from(one)).toEqual(Array.from(two.subarray(0, SAMPLES_PER_FRAME)));
  });

  it('streamed chunks with left context equal a one-shot decode; without context they do not', async () => {
    const model = engine.model;
    const long = Array.from({ length: 40 }, (_, t) =>
      Array.from({ length: 16 }, (_, g) => (t * 733 + g * 419 + 11) % 2048),
    );
    const oneShot = await model.vocode(long);
    const run = async (leftContextFrames: number) => {
      const s = new VocoderStream((f) => model.vocode(f), { firstChunkFrames: 4, chunkFrames: 12, leftContextFrames });
      const parts: Float32Array[] = [];
      for (const f of long) {
        s.push(f);
        if (s.ready) parts.push((await s.flush())!.samples);
      }
      const last = await s.flush();
      if (last) parts.push(last.samples);
      const out = new Float32Array(oneShot.length);
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      expect(at).toBe(oneShot.length);
      return { diff: maxAbsDiff(out, oneShot), chunks: parts.length };
    };
    const exact = await run(25);
    console.log(`streamed vs one-shot max |diff|: ${exact.diff.toExponential(2)} (ctx 25, ${exact.chunks} chunks)`);
    expect(exact.diff).toBeLessThan(1e-5);
    expect(exact.chunks).toBe(5); // 4, 4, 8, 12, 12
    expect((await run(0)).diff).toBeGreaterThan(1e-2);
  });
});

describe('synthesis', () => {
  it('streams codes and audio, ends with stats; audio = frames·1920; decode(codes) reproduces it', async () => {
    const got = await collect(engine, request({ sampling: { maxNewTokens: 30 } }));
    expect(got.events.at(-1)!.type).toBe('stats');
    expect(got.events.slice(0, 2).map((e) => e.type)).toEqual(['segment', 'codes']);
    expect(got.frames.length).toBeGreaterThan(2);
    expect(got.frames.length).toBeLessThanOrEqual(30);
    expect(got.frames.every((f) => f.length === 16 && f.every((x) => Number.isInteger(x) && x >= 0 && x < 2048))).toBe(
      true,
    );
    expect(got.audio.length).toBe(got.frames.length * SAMPLES_PER_FRAME);
    const audioEvents = got.events.filter((e) => e.type === 'audio');
    expect(audioEvents.length).toBeGreaterThan(1);
    expect((audioEvents[0] as { samples: Float32Array }).samples.length).toBe(4 * SAMPLES_PER_FRAME); // small first chunk
    const s = got.stats!;
    expect(s.frames).toBe(got.frames.length);
    expect(s.audioSeconds).toBeCloseTo(got.frames.length * 0.08, 6);
    expect(s.timeToFirstAudioMs).toBeGreaterThan(0);
    expect(s.realTimeFactor).toBeGreaterThan(0);
    expect(s.truncated).toBe(false);
    console.log(
      `tiny model: ${s.frames} frames, TTFA ${s.timeToFirstAudioMs.toFixed(1)} ms, RTF ${s.realTimeFactor.toFixed(3)}`,
    );

    const decoded: Float32Array[] = [];
    for await (const chunk of engine.decode(got.frames, new AbortController().signal)) decoded.push(chunk);
    const all = summarize(decoded.map((samples) => ({ type: 'audio' as const, samples }))).audio;
    expect(maxAbsDiff(all, got.audio)).toBeLessThan(1e-5);
  });

  it('is deterministic for a seed, and the seed matters', async () => {
    const a = await collect(engine, request({ seed: 1234 }));
    const b = await collect(engine, request({ seed: 1234 }));
    const c = await collect(engine, request({ seed: 4321 }));
    expect(b.frames).toEqual(a.frames);
    expect(Array.from(b.audio)).toEqual(Array.from(a.audio));
    expect(c.frames).not.toEqual(a.frames);
  });

  it('greedy decoding ignores the seed', async () => {
    const a = await collect(engine, request({ seed: 1, sampling: { doSample: false, maxNewTokens: 10 } }));
    const b = await collect(engine, request({ seed: 99, sampling: { doSample: false, maxNewTokens: 10 } }));
    expect(b.frames).toEqual(a.frames);
    expect(Array.from(b.audio)).toEqual(Array.from(a.audio));
  });

  it('honours instruct and language (different prompts, different codes)', async () => {
    const base = await collect(engine, request({ sampling: { doSample: false, maxNewTokens: 6 } }));
    const noInstruct = await collect(
      engine,
      request({ instruct: null, sampling: { doSample: false, maxNewTokens: 6 } }),
    );
    const auto = await collect(engine, request({ language: 'auto', sampling: { doSample: false, maxNewTokens: 6 } }));
    expect(noInstruct.frames).not.toEqual(base.frames);
    expect(auto.frames).not.toEqual(base.frames);
  });

  it('speaks long text segment by segment, deterministically, one prefill per segment', async () => {
    // without the prefix cache, which would prefill later segments' text only (prefix-cache.test.ts)
    const e = await open({ maxSegmentUnits: 40, budget: { framesPerTextToken: 1, minFrames: 6 }, prefixCacheBytes: 0 });
    const text = 'The first sentence is here. The second sentence follows it.\n\nA new paragraph starts now.';
    const rec = record(e.model);
    const a = await collect(e, request({ text, seed: 5, sampling: { maxNewTokens: 1000 } }));
    rec.restore();
    const b = await collect(e, request({ text, seed: 5, sampling: { maxNewTokens: 1000 } }));
    // a prompt is talker_decode's one run over several positions (decision 0019)
    expect(rec.runs.filter((r) => r.graph === 'talker_decode' && r.feeds.inputs_embeds!.dims[1]! > 1)).toHaveLength(3);
    expect(b.frames).toEqual(a.frames);
    expect(a.audio.length).toBe(a.frames.length * SAMPLES_PER_FRAME);
    // each segment's audio is framed by segment … segment_end (playback holds back only between them)
    const marks = a.events.flatMap((ev) =>
      ev.type === 'segment' ? [`s${ev.index}/${ev.count}`] : ev.type === 'segment_end' ? [`e${ev.index}`] : [],
    );
    expect(marks).toEqual(['s0/3', 'e0', 's1/3', 'e1', 's2/3', 'e2']);
    const firstSegment = a.events.slice(
      0,
      a.events.findIndex((ev) => ev.type === 'segment_end'),
    );
    expect(firstSegment.some((ev) => ev.type === 'audio')).toBe(true);
    expect(a.events.filter((ev) => ev.type === 'segment').every((ev) => ev.type === 'segment' && ev.tokens > 0)).toBe(
      true,
    );
    // maxNewTokens caps the whole request, across segments
    const capped = await collect(e, request({ text, seed: 5, sampling: { maxNewTokens: 9 } }));
    expect(capped.frames.length).toBeLessThanOrEqual(9);
    expect(capped.frames).toEqual(a.frames.slice(0, capped.frames.length));
  });

  it('runs past EOS to a fixed length when minNewTokens says so (what the engine benchmark uses)', async () => {
    const greedy = request({ seed: null, sampling: { doSample: false, maxNewTokens: 60 } });
    const natural = await collect(engine, greedy);
    expect(natural.frames.length).toBeLessThan(60); // greedy reaches EOS on its own
    const e = await open({ minNewTokens: 60, budget: { minFrames: 60 } });
    const fixed = await collect(e, greedy);
    expect(fixed.frames).toHaveLength(60);
    expect(fixed.frames.slice(0, natural.frames.length)).toEqual(natural.frames);
  });

  it('cuts a runaway generation at the frame budget, logs it and reports truncated', async () => {
    const e = await open({ budget: { framesPerTextToken: 1, minFrames: 7 } });
    logs.length = 0;
    const got = await collect(e, request({ text: 'Hi.', seed: 3, sampling: { maxNewTokens: 500 } }));
    expect(got.frames).toHaveLength(7);
    expect(got.stats!.truncated).toBe(true);
    expect(logs.join('\n')).toMatch(/runaway guard.*budget of 7 frames/);
  });

  it('rejects bad requests with E_INVALID / E_TEXT_EMPTY', async () => {
    const first = async (req: SynthesisRequest) => {
      for await (const _ of engine.synthesize(req, new AbortController().signal)) break;
    };
    await expect(first(request({ language: 'Klingon' }))).rejects.toMatchObject({
      code: 'E_INVALID',
      message: expect.stringMatching(/unknown language 'Klingon'/),
    });
    await expect(first(request({ speaker: 'vivian' }))).rejects.toMatchObject({ code: 'E_INVALID' });
    await expect(first(request({ sampling: { topP: 0 } }))).rejects.toMatchObject({
      code: 'E_INVALID',
      message: expect.stringMatching(/topP/),
    });
    await expect(first(request({ sampling: { temperature: -1 } }))).rejects.toMatchObject({ code: 'E_INVALID' });
    await expect(first(request({ text: '  \n ' }))).rejects.toMatchObject({ code: 'E_TEXT_EMPTY' });
    const decodeFirst = async (frames: number[][]) => {
      for await (const _ of engine.decode(frames, new AbortController().signal)) break;
    };
    await expect(decodeFirst([[1, 2, 3]])).rejects.toMatchObject({
      code: 'E_INVALID',
      message: expect.stringMatching(/frame 0 must be 16 integers/),
    });
  });
});

describe('cancellation', () => {
  it('ends the stream between two graph runs after an abort', async () => {
    const e = await open();
    const rec = record(e.model);
    const controller = new AbortController();
    let runsAtAbort = -1;
    let eventsAfterAbort = 0;
    let abortedAt = 0;
    const error = await (async () => {
      try {
        for await (const ev of e.synthesize(request({ sampling: { maxNewTokens: 200 } }), controller.signal)) {
          if (runsAtAbort >= 0) eventsAfterAbort++;
          if (ev.type === 'audio' && runsAtAbort < 0) {
            runsAtAbort = rec.runs.length;
            abortedAt = performance.now();
            controller.abort();
          }
        }
      } catch (err) {
        return err as Error;
      }
      return undefined;
    })();
    const latency = performance.now() - abortedAt;
    rec.restore();
    expect(error?.name).toBe('AbortError');
    expect(eventsAfterAbort).toBe(0);
    expect(rec.runs.length - runsAtAbort).toBe(0); // not one more graph run
    console.log(`abort → stream end: ${latency.toFixed(2)} ms`);
  });

  it('stops mid-frame when aborted from outside while generating', async () => {
    const e = await open();
    const rec = record(e.model);
    const controller = new AbortController();
    // Abort as soon as the 3rd frame's code predictor starts: checked before the next run.
    const cp = e.model.sessions.code_predictor;
    const run = cp.run.bind(cp);
    let calls = 0;
    cp.run = ((...args: Parameters<typeof run>) => {
      if (++calls === 2 * 15 + 3) controller.abort();
      return run(...args);
    }) as typeof cp.run;
    const frames: number[][] = [];
    await expect(
      (async () => {
        for await (const ev of e.synthesize(request({ sampling: { maxNewTokens: 200 } }), controller.signal))
          if (ev.type === 'codes') frames.push(...ev.frames);
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    rec.restore();
    expect(calls).toBe(2 * 15 + 3);
    expect(frames.length).toBe(0); // the first chunk (4 frames) was never complete
  });
});
