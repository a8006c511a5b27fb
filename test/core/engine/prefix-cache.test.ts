// The per-voice prefix cache (decision 0018) on real sessions over the synthetic tiny models: a voice used
// before prefills only its text, and what is spoken is bit-identical to the engine without the cache.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SynthesisRequest } from '../../../src/shared/engine.js';
import { loadQwen3Engine, type Qwen3Engine, type Qwen3EngineOptions } from '../../../src/core/engine/qwen3/engine.js';
import type { GraphName } from '../../../src/core/engine/qwen3/graph-spec.js';
import { TalkerKvCache } from '../../../src/core/engine/qwen3/kv-cache.js';
import { PrefixCache, prefixKey } from '../../../src/core/engine/qwen3/prefix-cache.js';
import {
  assistantTemplate,
  instructTemplate,
  planPrefill,
  resolveVoice,
  splitTargetIds,
} from '../../../src/core/engine/qwen3/prompt.js';
import { buildSyntheticModel } from '../../synthetic/build.js';
import { tmpDir } from '../../synthetic/helpers.js';
import { copyModel, syntheticModel } from './fixture.js';

const { onnx } = onnxProto;
const engines: Qwen3Engine[] = [];
let voiceDesign: string;
let customVoice: string;

async function open(dir: string, options: Qwen3EngineOptions = {}): Promise<Qwen3Engine> {
  const e = await loadQwen3Engine(dir, { intraOpNumThreads: 1, interOpNumThreads: 1, ...options });
  engines.push(e);
  return e;
}

beforeAll(async () => {
  voiceDesign = await syntheticModel('voice_design', 7);
  customVoice = await syntheticModel('custom_voice', 11);
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
  sampling: { doSample: false, maxNewTokens: 24 },
  ...over,
});

interface Spoken {
  frames: number[][];
  audio: number[];
  /** Rows of each talker run over the prompt (several positions at once) during the request. */
  promptRuns: number[];
}

async function speak(e: Qwen3Engine, req: SynthesisRequest): Promise<Spoken> {
  const promptRuns: number[] = [];
  const model = e.model;
  const extend = model.extend.bind(model);
  model.extend = (embeds, N) => {
    if (N > 1) promptRuns.push(N);
    return extend(embeds, N);
  };
  const frames: number[][] = [];
  const audio: number[] = [];
  try {
    for await (const ev of e.synthesize(req, new AbortController().signal)) {
      if (ev.type === 'codes') frames.push(...ev.frames);
      if (ev.type === 'audio') audio.push(...ev.samples);
    }
  } finally {
    model.extend = extend;
  }
  return { frames, audio, promptRuns };
}

/** The request's prompt: all its rows, and the leading rows that depend only on the voice. */
function promptRows(e: Qwen3Engine, req: SynthesisRequest): { rows: number; voiceRows: number } {
  const c = e.model.config;
  const tok = e.model.tokenizer;
  const target = splitTargetIds(tok.encode(assistantTemplate(req.text)), c.ids.imStart, c.ids.imEnd);
  const plan = planPrefill(
    c,
    target,
    req.instruct ? tok.encode(instructTemplate(req.instruct)) : null,
    resolveVoice(c, req.language, req.speaker),
  );
  return { rows: plan.rows.length, voiceRows: plan.voiceRows };
}

describe('per-voice prefix cache', () => {
  it('prefills only the text for a voice used before, and speaks bit-identically to the engine without it', async () => {
    const plain = await open(voiceDesign, { prefixCacheBytes: 0 });
    const cached = await open(voiceDesign);
    expect(cached.model.multiPosition).toBe(true);

    const warm = request({ text: 'Seven kites drifted above the harbour.' });
    const first = await speak(cached, warm);
    expect(first.promptRuns).toEqual([promptRows(cached, warm).rows]); // a new voice: prefilled whole, as before
    const again = await speak(cached, request());
    const { rows, voiceRows } = promptRows(cached, request());
    expect(voiceRows).toBeGreaterThan(8); // the instruct, the role and the think block
    expect(again.promptRuns).toEqual([rows - voiceRows]); // the voice's prefix came from the cache
    expect(cached.prefixes!.hits).toBe(1);

    const reference = await speak(plain, request());
    expect(reference.promptRuns).toEqual([rows]);
    expect(again.frames.length).toBe(24);
    expect(again.frames).toEqual(reference.frames);
    expect(again.audio).toEqual(reference.audio);
  });

  it('is bit-identical with sampling, without an instruct, with auto language, and keeps voices apart', async () => {
    const plain = await open(voiceDesign, { prefixCacheBytes: 0 });
    const cached = await open(voiceDesign);
    const cases = [
      request({ seed: 3, sampling: { maxNewTokens: 16 } }),
      request({ instruct: null }),
      request({ language: 'auto', instruct: 'A bright, fast voice.' }),
    ];
    for (const req of cases) await speak(cached, { ...req, text: 'Other words first, in the same voice.' });
    expect(cached.prefixes!.size).toBe(3);
    for (const req of cases) {
      const hit = await speak(cached, req);
      const { rows, voiceRows } = promptRows(cached, req);
      expect(hit.promptRuns).toEqual([rows - voiceRows]);
      expect(hit.frames).toEqual((await speak(plain, req)).frames);
    }
    expect(cached.prefixes!.hits).toBe(3);
  });

  it('keeps CustomVoice speakers apart and bit-identical', async () => {
    const plain = await open(customVoice, { prefixCacheBytes: 0 });
    const cached = await open(customVoice);
    const req = (speaker: string, text: string) => request({ speaker, text, instruct: null, language: 'auto' });
    await speak(cached, req('vivian', 'Warming up this voice.'));
    await speak(cached, req('ryan', 'Warming up this voice.'));
    for (const speaker of ['vivian', 'ryan']) {
      const hit = await speak(cached, req(speaker, 'Hello world, this is a test.'));
      const { rows, voiceRows } = promptRows(cached, req(speaker, 'Hello world, this is a test.'));
      expect(hit.promptRuns).toEqual([rows - voiceRows]);
      expect(hit.frames).toEqual((await speak(plain, req(speaker, 'Hello world, this is a test.'))).frames);
    }
  });

  it('falls back to whole prefills when the decode graph cannot take several positions at once', async () => {
    // An export that traced its single position into a Reshape: [1,1,H] fixed inside the graph.
    const dir = copyModel(voiceDesign, 'single-position-decode');
    const file = path.join(dir, 'fp32', 'talker_decode.onnx');
    const model = onnx.ModelProto.decode(readFileSync(file));
    const g = model.graph!;
    const H = Number(g.input!.find((i) => i.name === 'inputs_embeds')!.type!.tensorType!.shape!.dim![2]!.dimValue);
    g.initializer!.push({
      name: 'traced_shape',
      dims: [3],
      dataType: onnx.TensorProto.DataType.INT64,
      int64Data: [1, 1, H],
    });
    g.node!.unshift({
      opType: 'Reshape',
      input: ['inputs_embeds', 'traced_shape'],
      output: ['traced_embeds'],
      name: 'traced',
    });
    for (const n of g.node!.slice(1))
      n.input = (n.input ?? []).map((x) => (x === 'inputs_embeds' ? 'traced_embeds' : x));
    writeFileSync(file, onnx.ModelProto.encode(model).finish());

    const e = await open(dir);
    expect(e.model.multiPosition).toBe(false);
    expect(e.model.sessions.talker_prefill).toBeDefined(); // opened after all, to prefill
    await speak(e, request({ text: 'Other words first, in the same voice.' }));
    const runs: GraphName[] = [];
    e.model.onRun = (graph) => runs.push(graph);
    const again = await speak(e, request());
    e.model.onRun = undefined;
    expect(runs[0]).toBe('talker_prefill');
    expect(runs.filter((g) => g === 'talker_prefill')).toHaveLength(1);
    expect(again.promptRuns).toEqual([]);
    expect(again.frames).toEqual((await speak(await open(voiceDesign, { prefixCacheBytes: 0 }), request())).frames);
  });
});

describe('one talker session (decision 0019)', () => {
  it('prefills with talker_decode, never opens talker_prefill, and speaks bit-identically to the two-session engine', async () => {
    const one = await open(voiceDesign, { prefixCacheBytes: 0 });
    const two = await open(voiceDesign, { prefixCacheBytes: 0, singleTalkerSession: false });
    expect(one.model.sessions.talker_prefill).toBeUndefined();
    expect(two.model.sessions.talker_prefill).toBeDefined();
    for (const req of [
      request(),
      request({ seed: 4, sampling: { maxNewTokens: 16 } }),
      request({ instruct: null, language: 'auto' }),
    ]) {
      const a = await speak(one, req);
      const b = await speak(two, req);
      expect(a.promptRuns).toEqual([promptRows(one, req).rows]);
      expect(b.promptRuns).toEqual([]);
      expect(a.frames).toEqual(b.frames);
      expect(a.audio).toEqual(b.audio);
    }
  });
});

describe('on int4 graphs (MatMulNBits: one row takes another kernel path than several)', () => {
  it('one session and the prefix cache give the codes and audio of the two-session engine exactly', async () => {
    const tmp = tmpDir('q3tts-int4-prefix-');
    try {
      const dir = path.join(tmp.dir, 'tiny');
      await buildSyntheticModel(dir, { size: 'tiny', precision: 'int4', seed: 7 });
      const before = await open(dir, { prefixCacheBytes: 0, singleTalkerSession: false });
      const after = await open(dir);
      expect(after.model.precision).toBe('int4');
      expect(after.model.multiPosition).toBe(true);
      expect(after.model.sessions.talker_prefill).toBeUndefined();
      await speak(after, request({ text: 'Other words first, in the same voice.' }));
      for (const req of [request(), request({ seed: 9, sampling: { maxNewTokens: 16 } })]) {
        const hit = await speak(after, req);
        const { rows, voiceRows } = promptRows(after, req);
        expect(hit.promptRuns).toEqual([rows - voiceRows]);
        const want = await speak(before, req);
        expect(hit.frames).toEqual(want.frames);
        expect(hit.audio).toEqual(want.audio);
      }
    } finally {
      tmp.remove();
    }
  });
});

describe('PrefixCache', () => {
  const snap = (floats: number) => ({ positions: 1, keys: new Float32Array(floats), values: new Float32Array(floats) });

  it('evicts the least recently used voice to stay within its byte budget', () => {
    const c = new PrefixCache(3 * 800); // three snapshots of 2 × 100 floats
    c.set('a', snap(100));
    c.set('b', snap(100));
    c.set('c', snap(100));
    expect(c.get('a')).toBeDefined(); // a is now the most recent
    c.set('d', snap(100));
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBeDefined();
    expect(c.get('c')).toBeDefined();
    expect(c.get('d')).toBeDefined();
    expect(c.bytes).toBe(3 * 800);
  });

  it('replaces a key in place and never keeps a snapshot larger than the budget', () => {
    const c = new PrefixCache(1000);
    c.set('a', snap(100));
    c.set('a', snap(50));
    expect(c.size).toBe(1);
    expect(c.bytes).toBe(400);
    c.set('huge', snap(1000));
    expect(c.get('huge')).toBeUndefined();
    expect(c.get('a')).toBeDefined();
  });

  it('keys a prefix by every id of its rows', () => {
    const rows = [
      { textId: 1, codecId: null },
      { textId: 2, codecId: 7 },
      { textId: 3, codecId: 9 },
    ];
    expect(prefixKey(rows, 2)).toBe(prefixKey([...rows.slice(0, 2), { textId: 4, codecId: 4 }], 2));
    expect(prefixKey(rows, 2)).not.toBe(prefixKey([rows[0]!, { textId: 2, codecId: 8 }], 2));
    expect(prefixKey(rows, 2)).not.toBe(prefixKey(rows, 3));
  });
});

describe('TalkerKvCache snapshots', () => {
  it('restores the first positions exactly and appends several positions at once', () => {
    const kv = new TalkerKvCache({ layers: 2, kvHeads: 1, headDim: 3 });
    const n = kv.positionSize;
    const block = (t: number, sign: number) => Float32Array.from({ length: n * t }, (_, i) => sign * (i + 1));
    kv.append(block(3, 1), block(3, -1), 3);
    const s = kv.snapshot(2);
    kv.append(block(1, 5), block(1, 5));
    kv.restore(s);
    expect(kv.length).toBe(2);
    const { keys, values } = kv.tensors();
    expect(keys.dims).toEqual([2, 2, 1, 1, 3]);
    expect(Array.from(keys.data as Float32Array)).toEqual(Array.from(block(3, 1).subarray(0, 2 * n)));
    expect(Array.from(values.data as Float32Array)).toEqual(Array.from(block(3, -1).subarray(0, 2 * n)));
    expect(() => kv.append(block(2, 1), block(2, 1), 1)).toThrow(/expected 6/);
    expect(() => kv.snapshot(3)).toThrow(/3 positions with 2 cached/);
  });
});
