// Speaking with a cloned voice (Base) on real sessions over the synthetic tiny Base model, against a reference written
// here straight from the algorithm (qwen3-tts.md §5.4 and the official generate_icl_prompt): the prompt's embeddings
// are built from the .npy tables in float64, the talker re-reads its whole sequence every step, and the audio is the
// official whole decode of reference ‖ generated with the official trim.
import ort from 'onnxruntime-node';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SynthesisEvent, SynthesisRequest, VoiceClone } from '../../../src/shared/engine.js';
import { loadQwen3Engine, type Qwen3Engine, type Qwen3EngineOptions } from '../../../src/core/engine/qwen3/engine.js';
import type { GraphName } from '../../../src/core/engine/qwen3/graph-spec.js';
import type { Qwen3Model } from '../../../src/core/engine/qwen3/model.js';
import { readNpy } from '../../../src/core/engine/qwen3/npy.js';
import type { TextLayout } from '../../../src/core/engine/qwen3/prompt.js';
import { applyRepetitionPenalty, argmax, maskTalkerLogits } from '../../../src/core/engine/qwen3/sampler.js';
import { syntheticModel } from './fixture.js';

const SPF = 1920;
let dir: string;
let vdDir: string;
const engines: Qwen3Engine[] = [];

async function open(options: Qwen3EngineOptions = {}, at = dir): Promise<Qwen3Engine> {
  const e = await loadQwen3Engine(at, { intraOpNumThreads: 1, interOpNumThreads: 1, prefixCacheBytes: 0, ...options });
  engines.push(e);
  return e;
}

let ref: Reference;
beforeAll(async () => {
  dir = await syntheticModel('base', 5);
  vdDir = await syntheticModel('voice_design', 7);
  ref = new Reference(dir);
});
afterAll(async () => {
  for (const e of engines) await e.dispose();
  await ref?.release();
});

/** A fixed pseudo-random generator for vectors and codes (any fixed values do). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}
const H = 64;
const vectorA = Float32Array.from(
  { length: H },
  (
    (r) => () =>
      (r() - 0.5) * 2
  )(lcg(1)),
);
const vectorB = Float32Array.from(
  { length: H },
  (
    (r) => () =>
      (r() - 0.5) * 2
  )(lcg(2)),
);
const refFrames = (n: number, seed = 3): number[][] => {
  const r = lcg(seed);
  return Array.from({ length: n }, () => Array.from({ length: 16 }, () => Math.floor(r() * 2048)));
};
const xvector = (v = vectorA): VoiceClone => ({ speakerVector: v, refCodes: null, refText: null, model: 'test' });
const inContext = (frames: number, refText = 'Good day to you.', v = vectorA): VoiceClone => ({
  speakerVector: v,
  refCodes: refFrames(frames),
  refText,
  model: 'test',
});

const request = (clone: VoiceClone | null, over: Partial<SynthesisRequest> = {}): SynthesisRequest => ({
  text: 'Hello world, this is a test.',
  language: 'English',
  instruct: null,
  speaker: null,
  seed: 1,
  sampling: { doSample: false, maxNewTokens: 6 },
  clone,
  ...over,
});

interface Spoken {
  frames: number[][];
  audio: Float32Array;
  /** inputs_embeds of every talker run over several rows (the prompts). */
  prompts: Float32Array[];
  events: SynthesisEvent[];
}

async function speak(e: Qwen3Engine, req: SynthesisRequest): Promise<Spoken> {
  const prompts: Float32Array[] = [];
  const restore = recordPrompts(e.model, prompts);
  const events: SynthesisEvent[] = [];
  try {
    for await (const ev of e.synthesize(req, new AbortController().signal)) events.push(ev);
  } finally {
    restore();
  }
  const chunks = events.flatMap((ev) => (ev.type === 'audio' ? [ev.samples] : []));
  const audio = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  chunks.reduce((at, c) => (audio.set(c, at), at + c.length), 0);
  return { frames: events.flatMap((ev) => (ev.type === 'codes' ? ev.frames : [])), audio, prompts, events };
}

/** Keeps a copy of inputs_embeds of every talker run with more than one row (the real sessions still run). */
function recordPrompts(model: Qwen3Model, out: Float32Array[]): () => void {
  const restores: (() => void)[] = [];
  for (const graph of ['talker_prefill', 'talker_decode'] as GraphName[]) {
    const session = model.sessions[graph];
    if (!session) continue;
    const run = session.run;
    session.run = ((feeds: Record<string, ort.Tensor>, ...rest: unknown[]) => {
      const x = feeds.inputs_embeds!;
      if (x.dims[1]! > 1) out.push(Float32Array.from(x.data as Float32Array));
      return (run as (...a: unknown[]) => Promise<ort.InferenceSession.OnnxValueMapType>).call(session, feeds, ...rest);
    }) as ort.InferenceSession['run'];
    restores.push(() => (session.run = run));
  }
  return () => restores.forEach((r) => r());
}

type Vec = number[];

/**
 * The algorithm written out again from the spec, sharing no code with the engine's prompt or loop: TP from the
 * .npy tables in float64, CE/CPE rows read from their tables, the official layouts, and a talker that re-reads
 * the whole sequence every step through fresh sessions.
 */
class Reference {
  private readonly textTable: ReturnType<typeof readNpy>;
  private readonly w1: ReturnType<typeof readNpy>;
  private readonly w2: ReturnType<typeof readNpy>;
  private readonly b1: Float32Array;
  private readonly b2: Float32Array;
  private readonly codec: Float32Array;
  private readonly cp: Float32Array[];
  private sessions: Promise<Record<'talker' | 'cp' | 'vocoder', ort.InferenceSession>> | undefined;

  constructor(readonly dir: string) {
    const npy = (name: string) => readNpy(path.join(dir, 'embeddings', `${name}.npy`));
    this.textTable = npy('text_embedding');
    this.w1 = npy('text_projection_fc1_weight');
    this.b1 = npy('text_projection_fc1_bias').data;
    this.w2 = npy('text_projection_fc2_weight');
    this.b2 = npy('text_projection_fc2_bias').data;
    this.codec = npy('talker_codec_embedding').data;
    this.cp = Array.from({ length: 15 }, (_, k) => npy(`cp_codec_embedding_${k}`).data);
  }

  tp(id: number): Vec {
    const T = this.w1.shape[1]!;
    const e = this.textTable.data.subarray(id * T, (id + 1) * T);
    const h = Array.from({ length: T }, (_, o) => {
      let a = this.b1[o]!;
      for (let i = 0; i < T; i++) a += this.w1.data[o * T + i]! * e[i]!;
      return a / (1 + Math.exp(-a));
    });
    return Array.from({ length: H }, (_, o) => {
      let a = this.b2[o]!;
      for (let i = 0; i < T; i++) a += this.w2.data[o * T + i]! * h[i]!;
      return a;
    });
  }

  ce(id: number): Vec {
    return Array.from(this.codec.subarray(id * H, (id + 1) * H));
  }

  /** A frame as an input row: CE(code 0) + Σ CPE(k, code k+1). */
  frame(codes: readonly number[]): Vec {
    return sum(
      this.ce(codes[0]!),
      ...codes.slice(1).map((c, k) => Array.from(this.cp[k]!.subarray(c * H, (c + 1) * H))),
    );
  }

  /** The prompt rows and trailing text rows for one segment (official generate + generate_icl_prompt). */
  prompt(
    inputIds: number[],
    language: number | null,
    clone: VoiceClone,
    refIds: number[] | null,
    layout: TextLayout,
  ): { rows: Vec[]; trailing: Vec[] } {
    const L = inputIds.length;
    const [pad, bos, eos] = [this.tp(151671), this.tp(151672), this.tp(151673)];
    const think = language === null ? [2155, 2156, 2157] : [2154, 2156, language, 2157];
    const codecInput = [
      ...think.map((id) => this.ce(id)),
      Array.from(clone.speakerVector),
      this.ce(2148),
      this.ce(2149),
    ];
    const C = codecInput.length;
    const rows: Vec[] = inputIds.slice(0, 3).map((id) => this.tp(id));
    for (let j = 0; j < C - 1; j++) rows.push(sum(j < C - 2 ? pad : bos, codecInput[j]!));
    const text = inputIds.slice(3, L - 5);
    if (clone.refCodes && refIds) {
      const textEmbed = [...refIds.slice(3, -2), ...text].map((id) => this.tp(id)).concat([eos]);
      const codecEmbed = [this.ce(2149), ...clone.refCodes.map((f) => this.frame(f))];
      const [T1, T2] = [textEmbed.length, codecEmbed.length];
      if (layout === 'non_streaming') {
        for (const t of textEmbed) rows.push(sum(t, this.ce(2148)));
        for (const c of codecEmbed) rows.push(sum(c, pad));
        return { rows, trailing: [pad] };
      }
      if (T1 > T2) {
        for (let j = 0; j < T2; j++) rows.push(sum(textEmbed[j]!, codecEmbed[j]!));
        return { rows, trailing: textEmbed.slice(T2) };
      }
      for (let j = 0; j < T2; j++) rows.push(sum(textEmbed[j] ?? pad, codecEmbed[j]!));
      return { rows, trailing: [pad] };
    }
    if (layout === 'streaming') {
      rows.push(sum(this.tp(inputIds[3]!), codecInput[C - 1]!));
      return { rows, trailing: [...inputIds.slice(4, L - 5).map((id) => this.tp(id)), eos] };
    }
    for (const t of [...text.map((id) => this.tp(id)), eos]) rows.push(sum(t, this.ce(2148)));
    rows.push(sum(pad, this.ce(2149)));
    return { rows, trailing: [pad] };
  }

  private open() {
    const graph = (name: string) => ort.InferenceSession.create(path.join(this.dir, 'fp32', `${name}.onnx`));
    this.sessions ??= (async () => ({
      talker: await graph('talker_prefill'),
      cp: await graph('code_predictor'),
      vocoder: await graph('vocoder'),
    }))();
    return this.sessions;
  }

  /** Greedy frames (EOS allowed after `minNew` frames), recomputing the whole sequence every step. */
  async frames(prompt: { rows: Vec[]; trailing: Vec[] }, n: number, minNew = 2): Promise<number[][]> {
    const { talker, cp } = await this.open();
    const pad = this.tp(151671);
    const rows = prompt.rows.map((r) => Float32Array.from(r));
    const out: number[][] = [];
    for (let step = 0; step < n; step++) {
      const S = rows.length;
      const pos = new BigInt64Array(3 * S);
      for (let r = 0; r < 3; r++) for (let t = 0; t < S; t++) pos[r * S + t] = BigInt(t);
      const o = await talker.run({
        inputs_embeds: new ort.Tensor('float32', concat(rows), [1, S, H]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(S).fill(1n), [1, S]),
        position_ids: new ort.Tensor('int64', pos, [3, 1, S]),
      });
      const logits = (o.logits!.data as Float32Array).slice((S - 1) * 3072, S * 3072);
      const hidden = (o.hidden_states!.data as Float32Array).slice((S - 1) * H, S * H);
      maskTalkerLogits(logits, step, 2150, minNew);
      applyRepetitionPenalty(
        logits,
        out.map((f) => f[0]!),
        1.05,
      );
      const code0 = argmax(logits);
      if (code0 === 2150) break;
      const ctx = [hidden, Float32Array.from(this.ce(code0))];
      const frame = [code0];
      for (let g = 0; g < 15; g++) {
        const empty = () => new ort.Tensor('float32', new Float32Array(0), [2, 1, 2, 0, 8]);
        const c = await cp.run({
          inputs_embeds: new ort.Tensor('float32', concat(ctx), [1, ctx.length, H]),
          generation_steps: new ort.Tensor('int64', BigInt64Array.of(BigInt(g)), [1]),
          past_keys: empty(),
          past_values: empty(),
        });
        frame.push(argmax((c.logits!.data as Float32Array).slice((ctx.length - 1) * 2048, ctx.length * 2048)));
        ctx.push(Float32Array.from(this.cp[g]!.subarray(frame[g + 1]! * H, (frame[g + 1]! + 1) * H)));
      }
      out.push(frame);
      rows.push(Float32Array.from(sum(this.frame(frame), prompt.trailing[step] ?? pad)));
    }
    return out;
  }

  /** One-shot decode of frames ([T][16]) through a fresh vocoder session. */
  async decode(frames: number[][]): Promise<Float32Array> {
    const { vocoder } = await this.open();
    const T = frames.length;
    const codes = new BigInt64Array(16 * T);
    frames.forEach((f, t) => f.forEach((c, g) => (codes[g * T + t] = BigInt(c))));
    const o = await vocoder.run({ codes: new ort.Tensor('int64', codes, [1, 16, T]) });
    return o.waveform!.data as Float32Array;
  }

  async release(): Promise<void> {
    const s = await this.sessions;
    if (s) for (const x of Object.values(s)) await x.release();
  }
}

function sum(...vs: Vec[]): Vec {
  return vs[0]!.map((_, i) => vs.reduce((a, v) => a + v[i]!, 0));
}

function concat(xs: Float32Array[]): Float32Array {
  const out = new Float32Array(xs.length * H);
  xs.forEach((x, i) => out.set(x, i * H));
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const ENGLISH = 2050;

describe('cloned voice against the reference (greedy)', () => {
  const TEXT = 'Hello world, this is a test.';
  // [name, clone, layout, text, language, how T1 (transcript + text + eos) compares with T2 (codec_bos + frames)]
  const cases: [string, VoiceClone, TextLayout, string, string, '>' | '≤' | null][] = [
    ['x-vector, streaming (the Base default)', xvector(), 'streaming', TEXT, 'English', null],
    ['x-vector, streaming, auto', xvector(), 'streaming', TEXT, 'auto', null],
    ['x-vector, non-streaming', xvector(), 'non_streaming', TEXT, 'English', null],
    // T2 = 3: the rest of the text block trails
    ['in-context, streaming, T1 > T2', inContext(2), 'streaming', TEXT, 'English', '>'],
    // T2 = 21: the text block padded with tts_pad
    ['in-context, streaming, T1 ≤ T2', inContext(20), 'streaming', 'Hi there.', 'English', '≤'],
    ['in-context, non-streaming', inContext(5), 'non_streaming', TEXT, 'English', null],
    ['in-context, non-streaming, auto', inContext(5), 'non_streaming', TEXT, 'auto', null],
  ];
  it.each(cases)('%s: same prompt embeddings and frames', async (_name, clone, layout, text, language, order) => {
    const e = await open({ cloneLayout: layout });
    const tok = e.model.tokenizer;
    const got = await speak(e, request(clone, { text, language }));
    const inputIds = tok.encode(`<|im_start|>assistant\n${text}<|im_end|>\n<|im_start|>assistant\n`);
    const refIds = clone.refText ? tok.encode(`<|im_start|>assistant\n${clone.refText}<|im_end|>\n`) : null;
    const prompt = ref.prompt(inputIds, language === 'auto' ? null : ENGLISH, clone, refIds, layout);
    if (order) {
      const T1 = refIds!.length - 5 + (inputIds.length - 8) + 1;
      const T2 = clone.refCodes!.length + 1;
      expect(order === '>' ? T1 > T2 : T1 <= T2).toBe(true);
    }
    expect(got.prompts).toHaveLength(1);
    expect(got.prompts[0]!.length).toBe(prompt.rows.length * H);
    expect(maxAbsDiff(got.prompts[0]!, concat(prompt.rows.map((r) => Float32Array.from(r))))).toBeLessThan(1e-5);
    const expected = await ref.frames(prompt, 6);
    expect(expected.length).toBeGreaterThan(2);
    expect(got.frames).toEqual(expected);
  });
});

describe('audio with the reference in context', () => {
  it('equals the official whole decode of reference ‖ generated, cut at the reference’s share', async () => {
    // 17 reference frames + 6 generated: the official cut int(17/23·n) is 17·1920 − 1 (float arithmetic), one
    // sample short of the reference's share; q3tts cuts exactly 17·1920 so that audio = generated frames · 1920.
    const e = await open({ minNewTokens: 100 });
    const clone = inContext(17);
    const got = await speak(e, request(clone));
    expect(got.frames).toHaveLength(6);
    expect(got.audio.length).toBe(6 * SPF);
    const whole = await ref.decode([...clone.refCodes!, ...got.frames]);
    const n = whole.length;
    const officialCut = Math.trunc((17 / Math.max(23, 1)) * n);
    expect(officialCut).toBe(17 * SPF - 1);
    const official = whole.subarray(officialCut);
    expect(official.length).toBe(got.audio.length + 1);
    expect(maxAbsDiff(got.audio, official.subarray(1))).toBeLessThan(1e-6);
    // without the reference as context the first chunk would sound different
    const alone = await ref.decode(got.frames);
    expect(maxAbsDiff(got.audio, alone)).toBeGreaterThan(1e-3);
  });

  it('where the official cut is exact, equals it sample for sample (5 reference frames, 6 generated)', async () => {
    const e = await open({ minNewTokens: 100 });
    const clone = inContext(5);
    const got = await speak(e, request(clone));
    const whole = await ref.decode([...clone.refCodes!, ...got.frames]);
    const officialCut = Math.trunc((5 / 11) * whole.length);
    expect(officialCut).toBe(5 * SPF);
    expect(maxAbsDiff(got.audio, whole.subarray(officialCut))).toBeLessThan(1e-6);
  });

  it('x-vector mode decodes the generated frames alone, as the official wrapper does', async () => {
    const e = await open({ minNewTokens: 100 });
    const got = await speak(e, request(xvector()));
    expect(maxAbsDiff(got.audio, await ref.decode(got.frames))).toBeLessThan(1e-6);
  });
});

describe('long text', () => {
  it('keeps the reference in context for every segment: prompt and audio as if each were said alone', async () => {
    // 6 frames per segment: the runaway guard's budget cuts each (quietly), EOS is held off
    const e = await open({
      maxSegmentUnits: 24,
      minNewTokens: 100,
      budget: { framesPerTextToken: 1, minFrames: 6 },
      log: () => {},
    });
    const clone = inContext(4);
    const tok = e.model.tokenizer;
    const parts = ['The first sentence here.', 'And then a second one.'];
    const got = await speak(
      e,
      request(clone, { text: parts.join(' '), sampling: { doSample: false, maxNewTokens: 12 } }),
    );
    expect(got.events.filter((ev) => ev.type === 'segment')).toHaveLength(2);
    expect(got.prompts).toHaveLength(2);
    const refIds = tok.encode(`<|im_start|>assistant\n${clone.refText}<|im_end|>\n`);
    for (const [i, part] of parts.entries()) {
      const ids = tok.encode(`<|im_start|>assistant\n${part}<|im_end|>\n<|im_start|>assistant\n`);
      const prompt = ref.prompt(ids, ENGLISH, clone, refIds, 'streaming');
      expect(maxAbsDiff(got.prompts[i]!, concat(prompt.rows.map((r) => Float32Array.from(r))))).toBeLessThan(1e-5);
    }
    // each segment's audio is the whole decode of reference ‖ that segment's frames, cut at the reference
    expect(got.frames).toHaveLength(12);
    for (const s of [0, 1]) {
      const frames = got.frames.slice(s * 6, (s + 1) * 6);
      const whole = await ref.decode([...clone.refCodes!, ...frames]);
      const audio = got.audio.subarray(s * 6 * SPF, (s + 1) * 6 * SPF);
      expect(maxAbsDiff(audio, whole.subarray(4 * SPF))).toBeLessThan(1e-6);
    }
  });
});

describe('voices', () => {
  it('different speaker vectors speak differently; a Base model ignores instruct', async () => {
    const e = await open();
    const a = await speak(e, request(xvector(vectorA)));
    expect((await speak(e, request(xvector(vectorB)))).frames).not.toEqual(a.frames);
    expect((await speak(e, request(xvector(vectorA), { instruct: 'A deep voice.' }))).frames).toEqual(a.frames);
    expect(e.info.supportsInstruct).toBe(false);
  });

  it('with the prefix cache, two clones never share a prefix, and a clone used again reuses its own', async () => {
    const cached = await open({ prefixCacheBytes: 8 * 1024 * 1024 });
    const plain = await open();
    const a = inContext(8, 'Good day to you.', vectorA);
    const b = inContext(8, 'Good day to you.', vectorB); // same transcript and frames, another vector
    const first = await speak(cached, request(a));
    const second = await speak(cached, request(b));
    expect(cached.prefixes!.hits).toBe(0);
    expect(second.frames).toEqual((await speak(plain, request(b))).frames);
    const again = await speak(cached, request(a));
    expect(cached.prefixes!.hits).toBe(1);
    expect(again.frames).toEqual(first.frames);
    expect(Array.from(again.audio)).toEqual(Array.from(first.audio));
    // x-vector streaming: the prompt ends one row after the voice rows; a hit still runs ≥ 2 rows after its prefix
    const x = await speak(cached, request(xvector(vectorA)));
    const xAgain = await speak(cached, request(xvector(vectorA)));
    expect(cached.prefixes!.hits).toBe(2);
    expect(xAgain.prompts).toEqual([expect.any(Float32Array)]);
    expect(xAgain.prompts[0]!.length).toBe(2 * H);
    expect(xAgain.frames).toEqual(x.frames);
  });
});

describe('bad requests get clear errors', () => {
  const cases: [string, VoiceClone | null, RegExp][] = [
    ['no clone', null, /Base model has no voice of its own/],
    ['a vector of the wrong size', xvector(new Float32Array(32)), /speaker vector has 32 values; this model needs 64/],
    ['a vector with NaN', xvector(Float32Array.from(vectorA, (x, i) => (i === 3 ? NaN : x))), /non-finite/],
    ['frames without a transcript', { ...inContext(3), refText: null }, /needs the transcript/],
    ['frames with a blank transcript', { ...inContext(3), refText: '  ' }, /needs the transcript/],
    ['no frames', { ...inContext(3), refCodes: [] }, /has no frames/],
    [
      'a code out of range',
      { ...inContext(3), refCodes: [refFrames(1)[0]!.map((c, g) => (g === 4 ? 2048 : c))] },
      /reference frame 0 must be 16 integers in 0\.\.2047/,
    ],
    ['a short frame', { ...inContext(3), refCodes: [[1, 2, 3]] }, /reference frame 0 must be 16/],
    ['too long a reference', inContext(376), /too long: 376 frames \(the limit is 375/],
  ];
  it.each(cases)('%s', async (_name, clone, message) => {
    const e = engines[0] ?? (await open());
    await expect(speak(e, request(clone))).rejects.toMatchObject({
      code: 'E_INVALID',
      message: expect.stringMatching(message),
    });
  });

  it('a clone on a VoiceDesign model', async () => {
    const e = await open({}, vdDir);
    await expect(speak(e, request(xvector()))).rejects.toMatchObject({
      code: 'E_INVALID',
      message: expect.stringMatching(/cloned voice needs a Base model; this is a voice_design model/),
    });
  });
});
