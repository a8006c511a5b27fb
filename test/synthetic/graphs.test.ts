// The four synthetic graphs under a real onnxruntime-node: exact I/O contract of docs/model-layout.md,
// dynamic axes, and that cache/position/mask mistakes an engine could make change the output.
import path from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSyntheticModel, type SyntheticModel } from './build.js';
import {
  GRAPHS,
  argmax,
  f32,
  floats,
  i64,
  loadNpy,
  maxAbsDiff,
  noise,
  ones,
  openSessions,
  positions,
  row,
  tmpDir,
  zeros,
  type GraphName,
} from './helpers.js';
import { SAMPLES_PER_FRAME, VOCODER_LEFT_CONTEXT } from './vocoder.js';

const tmp = tmpDir('q3tts-synth-graphs-');
let model: SyntheticModel;
let s: Record<GraphName, InferenceSession>;
// Tiny dims (TINY_DIMS), repeated here so a change to the builder has to be a deliberate one.
const H = 64;
const L = 2;
const KV = 2;
const D = 16;
const LCP = 2;
const KVCP = 2;
const DCP = 8;

beforeAll(async () => {
  model = await buildSyntheticModel(tmp.dir, { size: 'tiny', precision: 'fp32', variant: 'voice_design', seed: 7 });
  s = await openSessions(model.graphDir);
});
afterAll(async () => {
  await Promise.all(Object.values(s ?? {}).map((x) => x.release()));
  tmp.remove();
});

type Sig = [name: string, type: 'float32' | 'int64', shape: (number | 'dyn')[]];
// The table of docs/model-layout.md; 'dyn' = a symbolic (dynamic) axis.
const SIGNATURES: Record<GraphName, { inputs: Sig[]; outputs: Sig[] }> = {
  talker_prefill: {
    inputs: [
      ['inputs_embeds', 'float32', [1, 'dyn', H]],
      ['attention_mask', 'int64', [1, 'dyn']],
      ['position_ids', 'int64', [3, 1, 'dyn']],
    ],
    outputs: [
      ['logits', 'float32', [1, 'dyn', 3072]],
      ['hidden_states', 'float32', [1, 'dyn', H]],
      ...Array.from({ length: L }, (_, i): Sig[] => [
        [`present_key_${i}`, 'float32', [1, KV, 'dyn', D]],
        [`present_value_${i}`, 'float32', [1, KV, 'dyn', D]],
      ]).flat(),
    ],
  },
  talker_decode: {
    inputs: [
      ['inputs_embeds', 'float32', [1, 1, H]],
      ['attention_mask', 'int64', [1, 'dyn']],
      ['position_ids', 'int64', [3, 1, 1]],
      ['past_keys', 'float32', [L, 1, KV, 'dyn', D]],
      ['past_values', 'float32', [L, 1, KV, 'dyn', D]],
    ],
    outputs: [
      ['logits', 'float32', [1, 1, 3072]],
      ['hidden_states', 'float32', [1, 1, H]],
      ['present_keys', 'float32', [L, 1, KV, 'dyn', D]],
      ['present_values', 'float32', [L, 1, KV, 'dyn', D]],
    ],
  },
  code_predictor: {
    inputs: [
      ['inputs_embeds', 'float32', [1, 'dyn', H]],
      ['generation_steps', 'int64', [1]],
      ['past_keys', 'float32', [LCP, 1, KVCP, 'dyn', DCP]],
      ['past_values', 'float32', [LCP, 1, KVCP, 'dyn', DCP]],
    ],
    outputs: [
      ['logits', 'float32', [1, 'dyn', 2048]],
      ['present_keys', 'float32', [LCP, 1, KVCP, 'dyn', DCP]],
      ['present_values', 'float32', [LCP, 1, KVCP, 'dyn', DCP]],
    ],
  },
  vocoder: { inputs: [['codes', 'int64', [1, 16, 'dyn']]], outputs: [['waveform', 'float32', [1, 1, 'dyn']]] },
};

function signatureOf(meta: readonly InferenceSession.ValueMetadata[]): Sig[] {
  return meta.map((m) => {
    if (!m.isTensor) throw new Error(`${m.name} is not a tensor`);
    return [m.name, m.type as Sig[1], m.shape.map((d) => (typeof d === 'number' ? d : 'dyn'))];
  });
}

async function prefill(embeds: Float32Array, n: number): Promise<InferenceSession.OnnxValueMapType> {
  return s.talker_prefill.run({
    inputs_embeds: f32(embeds.subarray(0, n * H), [1, n, H]),
    attention_mask: ones(n),
    position_ids: positions(0, n),
  });
}

/** Stacks prefill's per-layer presents into [L,1,KV,n,D], as the engine must. */
function stack(out: InferenceSession.OnnxValueMapType, kind: 'key' | 'value', n: number): Tensor {
  const parts = Array.from({ length: L }, (_, i) => floats(out[`present_${kind}_${i}`]));
  const all = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return f32(all, [L, 1, KV, n, D]);
}

function decodeFeeds(
  embed: Float32Array,
  past: { keys: Tensor; values: Tensor },
  pos: number,
  maskLen = pos + 1,
): InferenceSession.FeedsType {
  return {
    inputs_embeds: f32(embed, [1, 1, H]),
    attention_mask: ones(maskLen),
    position_ids: positions(pos, 1),
    past_keys: past.keys,
    past_values: past.values,
  };
}

/** Rebuilds a [L,1,KV,T,D] cache with the time axis reordered/filtered by `pick`. */
function reindexCache(t: Tensor, pick: number[]): Tensor {
  const [l, , kv, T, d] = t.dims as [number, number, number, number, number];
  const src = floats(t);
  const out = new Float32Array(l * kv * pick.length * d);
  for (let a = 0; a < l * kv; a++) {
    pick.forEach((from, to) =>
      out.set(src.subarray((a * T + from) * d, (a * T + from + 1) * d), (a * pick.length + to) * d),
    );
  }
  return f32(out, [l, 1, kv, pick.length, d]);
}

describe('graph I/O contract', () => {
  it.each(GRAPHS)('%s has exactly the documented input and output names, dtypes and ranks', (g) => {
    const want = SIGNATURES[g];
    expect(s[g].inputNames).toEqual(want.inputs.map((x) => x[0]));
    expect(s[g].outputNames).toEqual(want.outputs.map((x) => x[0]));
    expect(signatureOf(s[g].inputMetadata)).toEqual(want.inputs);
    expect(signatureOf(s[g].outputMetadata)).toEqual(want.outputs);
  });
});

describe('talker', () => {
  const embeds = noise(12 * H, 1);

  it.each([1, 4, 11])(
    'prefill over S=%i gives [1,S,3072] logits, [1,S,H] hidden and [1,KV,S,D] presents',
    async (n) => {
      const out = await prefill(embeds, n);
      expect(out.logits?.dims).toEqual([1, n, 3072]);
      expect(out.hidden_states?.dims).toEqual([1, n, H]);
      for (let i = 0; i < L; i++) {
        expect(out[`present_key_${i}`]?.dims).toEqual([1, KV, n, D]);
        expect(out[`present_value_${i}`]?.dims).toEqual([1, KV, n, D]);
      }
      expect(floats(out.logits).every(Number.isFinite)).toBe(true);
    },
  );

  it('prefill rejects an attention_mask whose length is not S', async () => {
    const feeds = (maskLen: number): InferenceSession.FeedsType => ({
      inputs_embeds: f32(embeds.subarray(0, 5 * H), [1, 5, H]),
      attention_mask: ones(maskLen),
      position_ids: positions(0, 5),
    });
    await expect(s.talker_prefill.run(feeds(4))).rejects.toThrow();
    await expect(s.talker_prefill.run(feeds(1))).rejects.toThrow();
    await expect(s.talker_prefill.run(feeds(5))).resolves.toBeDefined();
  });

  it('decode grows the stacked cache by one and accepts a zero-length past', async () => {
    const empty = { keys: zeros([L, 1, KV, 0, D]), values: zeros([L, 1, KV, 0, D]) };
    const out = await s.talker_decode.run(decodeFeeds(embeds.subarray(0, H), empty, 0));
    expect(out.logits?.dims).toEqual([1, 1, 3072]);
    expect(out.hidden_states?.dims).toEqual([1, 1, H]);
    expect(out.present_keys?.dims).toEqual([L, 1, KV, 1, D]);
    expect(out.present_values?.dims).toEqual([L, 1, KV, 1, D]);
    // Decoding the first token with an empty cache is a prefill of one token.
    const one = await prefill(embeds, 1);
    expect(maxAbsDiff(floats(out.logits), floats(one.logits))).toBeLessThan(1e-4);
  });

  it('prefill over S equals prefill over S-1 then one decode step (KV-cache correctness)', async () => {
    const n = 9;
    const full = await prefill(embeds, n);
    const head = await prefill(embeds, n - 1);
    const past = { keys: stack(head, 'key', n - 1), values: stack(head, 'value', n - 1) };
    const step = await s.talker_decode.run(decodeFeeds(embeds.subarray((n - 1) * H, n * H), past, n - 1));
    const lastLogits = floats(full.logits).subarray((n - 1) * 3072);
    const lastHidden = floats(full.hidden_states).subarray((n - 1) * H);
    expect(maxAbsDiff(floats(step.logits), lastLogits)).toBeLessThan(1e-4);
    expect(maxAbsDiff(floats(step.hidden_states), lastHidden)).toBeLessThan(1e-4);
    expect(maxAbsDiff(floats(step.present_keys), floats(stack(full, 'key', n)))).toBeLessThan(1e-5);
    expect(maxAbsDiff(floats(step.present_values), floats(stack(full, 'value', n)))).toBeLessThan(1e-5);
  });

  it('prefill then several chained decode steps equals one longer prefill', async () => {
    const n = 11;
    const full = await prefill(embeds, n);
    const head = await prefill(embeds, 6);
    let past = { keys: stack(head, 'key', 6), values: stack(head, 'value', 6) };
    let logits: Float32Array = new Float32Array();
    for (let p = 6; p < n; p++) {
      const out = await s.talker_decode.run(decodeFeeds(embeds.subarray(p * H, (p + 1) * H), past, p));
      past = { keys: out.present_keys as Tensor, values: out.present_values as Tensor };
      logits = floats(out.logits);
    }
    expect(maxAbsDiff(logits, floats(full.logits).subarray((n - 1) * 3072))).toBeLessThan(1e-4);
  });

  describe('engine mistakes change the logits', () => {
    const n = 8;
    let good: Float32Array;
    let past: { keys: Tensor; values: Tensor };
    const x = embeds.subarray(n * H, (n + 1) * H);
    // "Changes" = well above float noise, and above the 1e-4 the equivalence tests accept.
    const changed = (other: Float32Array): void => expect(maxAbsDiff(other, good)).toBeGreaterThan(1e-2);

    beforeAll(async () => {
      const head = await prefill(embeds, n);
      past = { keys: stack(head, 'key', n), values: stack(head, 'value', n) };
      good = floats((await s.talker_decode.run(decodeFeeds(x, past, n))).logits);
    });

    it('an off-by-one position', async () => {
      changed(floats((await s.talker_decode.run(decodeFeeds(x, past, n + 1, n + 1))).logits));
      changed(floats((await s.talker_decode.run(decodeFeeds(x, past, n - 1, n + 1))).logits));
    });

    it('filling only the first of the 3 M-RoPE position rows', async () => {
      const pos = i64([n, 0, 0], [3, 1, 1]);
      changed(floats((await s.talker_decode.run({ ...decodeFeeds(x, past, n), position_ids: pos })).logits));
    });

    it('a lost cache entry (oldest dropped)', async () => {
      const pick = Array.from({ length: n - 1 }, (_, i) => i + 1);
      const lost = { keys: reindexCache(past.keys, pick), values: reindexCache(past.values, pick) };
      changed(floats((await s.talker_decode.run(decodeFeeds(x, lost, n, n))).logits));
    });

    it('misordered cache entries', async () => {
      const pick = Array.from({ length: n }, (_, i) => (i === 2 ? 5 : i === 5 ? 2 : i));
      const swapped = { keys: reindexCache(past.keys, pick), values: reindexCache(past.values, pick) };
      changed(floats((await s.talker_decode.run(decodeFeeds(x, swapped, n))).logits));
    });

    it('layers stacked in the wrong order', async () => {
      const [k, v] = [floats(past.keys), floats(past.values)];
      const swap = (a: Float32Array): Tensor =>
        f32([...a.subarray(a.length / 2), ...a.subarray(0, a.length / 2)], [L, 1, KV, n, D]);
      changed(floats((await s.talker_decode.run(decodeFeeds(x, { keys: swap(k), values: swap(v) }, n))).logits));
    });

    it('keys and values swapped', async () => {
      changed(floats((await s.talker_decode.run(decodeFeeds(x, { keys: past.values, values: past.keys }, n))).logits));
    });

    it('an attention_mask of the wrong length is rejected', async () => {
      await expect(s.talker_decode.run(decodeFeeds(x, past, n, n))).rejects.toThrow();
      await expect(s.talker_decode.run(decodeFeeds(x, past, n, n + 2))).rejects.toThrow();
      await expect(s.talker_decode.run(decodeFeeds(x, past, n, 1))).rejects.toThrow();
    });
  });
});

describe('code_predictor', () => {
  const inputs = noise(4 * H, 2);
  const empty = (): { past_keys: Tensor; past_values: Tensor } => ({
    past_keys: zeros([LCP, 1, KVCP, 0, DCP]),
    past_values: zeros([LCP, 1, KVCP, 0, DCP]),
  });
  const run = (
    from: number,
    to: number,
    step: number,
    past: { past_keys: Tensor; past_values: Tensor },
  ): Promise<InferenceSession.OnnxValueMapType> =>
    s.code_predictor.run({
      inputs_embeds: f32(inputs.subarray(from * H, to * H), [1, to - from, H]),
      generation_steps: i64([step], [1]),
      ...past,
    });

  it('runs with a zero-length past and returns [1,s,2048] logits and [Lcp,1,KVcp,p+s,Dcp] presents', async () => {
    const first = await run(0, 2, 0, empty());
    expect(first.logits?.dims).toEqual([1, 2, 2048]);
    expect(first.present_keys?.dims).toEqual([LCP, 1, KVCP, 2, DCP]);
    expect(first.present_values?.dims).toEqual([LCP, 1, KVCP, 2, DCP]);
    const next = await run(2, 3, 1, {
      past_keys: first.present_keys as Tensor,
      past_values: first.present_values as Tensor,
    });
    expect(next.logits?.dims).toEqual([1, 1, 2048]);
    expect(next.present_keys?.dims).toEqual([LCP, 1, KVCP, 3, DCP]);
  });

  it('a 2-token call then a 1-token call with the past equals a 3-token call (last logits)', async () => {
    const full = await run(0, 3, 4, empty());
    const first = await run(0, 2, 0, empty());
    const next = await run(2, 3, 4, {
      past_keys: first.present_keys as Tensor,
      past_values: first.present_values as Tensor,
    });
    expect(maxAbsDiff(floats(next.logits), floats(full.logits).subarray(2 * 2048))).toBeLessThan(1e-4);
    expect(maxAbsDiff(floats(next.present_keys), floats(full.present_keys))).toBeLessThan(1e-5);
  });

  it('generation_steps selects a different lm_head, and every one of the 15 is usable', async () => {
    const outs = await Promise.all(Array.from({ length: 15 }, (_, g) => run(0, 2, g, empty())));
    const lasts = outs.map((o) => floats(o.logits).subarray(2048));
    for (let g = 1; g < 15; g++) expect(maxAbsDiff(lasts[g] ?? [], lasts[g - 1] ?? [])).toBeGreaterThan(1e-2);
    await expect(run(0, 2, 15, empty())).rejects.toThrow();
  });

  it('dropping the past (p = 0 on a later call) changes the logits', async () => {
    const first = await run(0, 2, 0, empty());
    const withPast = await run(2, 3, 1, {
      past_keys: first.present_keys as Tensor,
      past_values: first.present_values as Tensor,
    });
    const without = await run(2, 3, 1, empty());
    expect(maxAbsDiff(floats(withPast.logits), floats(without.logits))).toBeGreaterThan(1e-2);
  });
});

describe('vocoder', () => {
  const codesOf = (frames: number, seed: number): number[][] =>
    Array.from({ length: frames }, (_, t) =>
      Array.from({ length: 16 }, (_, k) => (seed * 7919 + t * 104729 + k * 613) % 2048),
    );
  /** [T][16] frames → [1,16,T] codebook-major, the transpose the engine must do. */
  const toTensor = (frames: number[][]): Tensor =>
    i64(
      Array.from(
        { length: 16 * frames.length },
        (_, i) => frames[i % frames.length]?.[Math.floor(i / frames.length)] ?? 0,
      ),
      [1, 16, frames.length],
    );
  const decode = async (frames: number[][]): Promise<Float32Array> =>
    floats((await s.vocoder.run({ codes: toTensor(frames) })).waveform);

  it.each([2, 5, 40])('T=%i frames give [1,1,T*1920] samples in (-1,1)', async (t) => {
    const out = await s.vocoder.run({ codes: toTensor(codesOf(t, 1)) });
    expect(out.waveform?.dims).toEqual([1, 1, t * SAMPLES_PER_FRAME]);
    const w = floats(out.waveform);
    expect(w.every((x) => x > -1 && x < 1)).toBe(true);
    expect(Math.max(...w) - Math.min(...w)).toBeGreaterThan(0.5);
  });

  it('is causal: changing frame t leaves earlier samples untouched and changes frames t..t+context', async () => {
    const frames = codesOf(12, 2);
    const base = await decode(frames);
    const t = 6;
    const edited = frames.map((f, i) => (i === t ? f.map((c) => (c + 1000) % 2048) : f));
    const out = await decode(edited);
    expect(maxAbsDiff(out.subarray(0, t * SAMPLES_PER_FRAME), base.subarray(0, t * SAMPLES_PER_FRAME))).toBe(0);
    for (let u = t; u <= t + VOCODER_LEFT_CONTEXT; u++) {
      const span = [u * SAMPLES_PER_FRAME, (u + 1) * SAMPLES_PER_FRAME] as const;
      expect(maxAbsDiff(out.subarray(...span), base.subarray(...span))).toBeGreaterThan(1e-3);
    }
    const after = (t + VOCODER_LEFT_CONTEXT + 1) * SAMPLES_PER_FRAME;
    expect(maxAbsDiff(out.subarray(after), base.subarray(after))).toBe(0);
  });

  it('every codebook matters', async () => {
    const frames = codesOf(4, 3);
    const base = await decode(frames);
    for (let k = 0; k < 16; k++) {
      const edited = frames.map((f) => f.map((c, j) => (j === k ? (c + 1) % 2048 : c)));
      expect(maxAbsDiff(await decode(edited), base)).toBeGreaterThan(1e-4);
    }
  });

  it('chunked decode with enough left context reproduces the one-shot decode; too little does not', async () => {
    const frames = codesOf(30, 4);
    const whole = await decode(frames);
    const chunked = async (chunk: number, ctxMax: number): Promise<Float32Array> => {
      const parts: Float32Array[] = [];
      for (let start = 0; start < frames.length; start += chunk) {
        const ctx = Math.min(ctxMax, start);
        const end = Math.min(start + chunk, frames.length);
        parts.push((await decode(frames.slice(start - ctx, end))).slice(ctx * SAMPLES_PER_FRAME));
      }
      const out = new Float32Array(whole.length);
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      return out;
    };
    expect(maxAbsDiff(await chunked(7, VOCODER_LEFT_CONTEXT), whole)).toBeLessThan(1e-6);
    expect(maxAbsDiff(await chunked(4, 25), whole)).toBeLessThan(1e-6);
    expect(maxAbsDiff(await chunked(7, VOCODER_LEFT_CONTEXT - 1), whole)).toBeGreaterThan(1e-3);
  });

  it('rejects codes outside a codebook (e.g. a talker control id)', async () => {
    const frames = codesOf(3, 5);
    const bad = frames.map((f, i) => (i === 1 ? [2150, ...f.slice(1)] : f));
    await expect(decode(bad)).rejects.toThrow();
  });
});

describe('greedy generation over the whole pipeline', () => {
  it('produces varied codes, reaches EOS after a while (not at once), and 40 frames run fast', async () => {
    const emb = (name: string): ReturnType<typeof loadNpy> =>
      loadNpy(path.join(model.dir, 'embeddings', `${name}.npy`));
    const ce = emb('talker_codec_embedding');
    const cpe = Array.from({ length: 15 }, (_, k) => emb(`cp_codec_embedding_${k}`));
    const add = (...xs: Float32Array[]): Float32Array =>
      xs.reduce((a, b) => a.map((v, i) => v + (b[i] ?? 0)), new Float32Array(H));

    // A prompt of codec rows (think, think_bos, english, think_eos, pad, bos) plus some text-like noise.
    const promptIds = [2154, 2156, 2050, 2157, 2148, 2149];
    const text = noise(promptIds.length * H, 3);
    const prompt = new Float32Array(promptIds.length * H);
    promptIds.forEach((id, i) => prompt.set(add(row(ce, id), text.subarray(i * H, (i + 1) * H)), i * H));
    let started = performance.now();
    let out = await prefill(prompt, promptIds.length);
    let logits = floats(out.logits).subarray((promptIds.length - 1) * 3072);
    let hidden = floats(out.hidden_states).subarray((promptIds.length - 1) * H);
    let past = { keys: stack(out, 'key', promptIds.length), values: stack(out, 'value', promptIds.length) };
    const frames: number[][] = [];
    let sawEos = false;
    for (let step = 0; step < 150; step++) {
      const code0 =
        step < 2 ? argmax(logits, 0, 2048) : argmax([...logits.subarray(0, 2048), logits[2150] ?? -Infinity]);
      if (code0 === 2048) {
        sawEos = true;
        break;
      }
      const codes = [code0];
      let cpPast = { past_keys: zeros([LCP, 1, KVCP, 0, DCP]), past_values: zeros([LCP, 1, KVCP, 0, DCP]) };
      let cpIn = new Float32Array([...hidden, ...row(ce, code0)]);
      for (let g = 0; g < 15; g++) {
        const r = await s.code_predictor.run({
          inputs_embeds: f32(cpIn, [1, cpIn.length / H, H]),
          generation_steps: i64([g], [1]),
          ...cpPast,
        });
        const l = floats(r.logits);
        const c = argmax(l, l.length - 2048);
        codes.push(c - (l.length - 2048));
        cpPast = { past_keys: r.present_keys as Tensor, past_values: r.present_values as Tensor };
        cpIn = Float32Array.from(row(cpe[g] ?? ce, codes[g + 1] ?? 0));
      }
      frames.push(codes);
      const next = add(row(ce, code0), ...codes.slice(1).map((c, k) => row(cpe[k] ?? ce, c)));
      const p = promptIds.length + step;
      out = await s.talker_decode.run(decodeFeeds(next, past, p));
      logits = floats(out.logits);
      hidden = floats(out.hidden_states);
      past = { keys: out.present_keys as Tensor, values: out.present_values as Tensor };
    }
    const perFrameMs = (performance.now() - started) / Math.max(1, frames.length);
    started = performance.now();
    const wave = floats((await s.vocoder.run({ codes: f32ToCodes(frames) })).waveform);
    const vocoderMs = performance.now() - started;

    expect(sawEos).toBe(true);
    expect(frames.length).toBeGreaterThanOrEqual(10);
    expect(new Set(frames.map((f) => f[0])).size).toBeGreaterThanOrEqual(frames.length / 2);
    for (let k = 1; k < 16; k++) expect(new Set(frames.map((f) => f[k])).size, `codebook ${k}`).toBeGreaterThan(1);
    expect(wave.length).toBe(frames.length * SAMPLES_PER_FRAME);
    expect(perFrameMs * 40, 'ms for 40 frames (talker + 15 code predictor calls each)').toBeLessThan(3000);
    expect(vocoderMs).toBeLessThan(1000);

    function f32ToCodes(fs: number[][]): Tensor {
      return i64(
        Array.from({ length: 16 * fs.length }, (_, i) => fs[i % fs.length]?.[Math.floor(i / fs.length)] ?? 0),
        [1, 16, fs.length],
      );
    }
  });
});
