import { describe, expect, it } from 'vitest';
import {
  applyRepetitionPenalty,
  argmax,
  candidates,
  deriveSeed,
  kthLargest,
  maskTalkerLogits,
  Rng,
  sampleToken,
} from '../../../src/core/engine/qwen3/sampler.js';

const EOS = 2150;

function randomLogits(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => (rng.next() - 0.5) * 20);
}

/** The HF order spelled out naively (full sorts), to check the fast path against. */
function referenceCandidates(
  logits: Float32Array,
  temperature: number,
  topK: number,
  topP: number,
): Map<number, number> {
  const scaled = Array.from(logits, (v) => v / temperature);
  let keep = scaled.map((v) => v !== -Infinity);
  if (topK > 0) {
    const kth = [...scaled].sort((a, b) => b - a)[Math.min(topK, scaled.length) - 1]!;
    keep = keep.map((k, i) => k && scaled[i]! >= kth);
  }
  const ids = scaled.map((_, i) => i).filter((i) => keep[i]);
  const max = Math.max(...ids.map((i) => scaled[i]!));
  const z = ids.reduce((s, i) => s + Math.exp(scaled[i]! - max), 0);
  // HF TopP: sort ascending, cumulative probs, drop while cum <= 1 - top_p, always keep the top one.
  const asc = [...ids].sort((a, b) => scaled[a]! - scaled[b]! || b - a);
  let cum = 0;
  const kept = asc.filter((i, j) => {
    cum += Math.exp(scaled[i]! - max) / z;
    return topP >= 1 || cum > 1 - topP + 1e-12 || j === asc.length - 1;
  });
  const z2 = kept.reduce((s, i) => s + Math.exp(scaled[i]! - max), 0);
  return new Map(kept.map((i) => [i, Math.exp(scaled[i]! - max) / z2]));
}

describe('talker logits processors (qwen3-tts.md §6.3)', () => {
  it('suppresses exactly 1023 ids: 2048..3071 except EOS', () => {
    const l = new Float32Array(3072).fill(1);
    maskTalkerLogits(l, 5, EOS);
    const masked = [...l.keys()].filter((i) => l[i] === -Infinity);
    expect(masked).toHaveLength(1023);
    expect(masked[0]).toBe(2048);
    expect(masked.at(-1)).toBe(3071);
    expect(masked).not.toContain(EOS);
    expect(l[EOS]).toBe(1);
    expect(l[2047]).toBe(1);
  });

  it('masks EOS on steps 0 and 1 only (min_new_tokens = 2)', () => {
    for (const [step, masked] of [
      [0, true],
      [1, true],
      [2, false],
      [10, false],
    ] as const) {
      const l = new Float32Array(3072).fill(1);
      maskTalkerLogits(l, step, EOS);
      expect(l[EOS] === -Infinity).toBe(masked);
    }
  });

  it('applies the repetition penalty with the sign rule, once per distinct id', () => {
    const l = Float32Array.from([2, -2, 0, 3, -0.5]);
    applyRepetitionPenalty(l, [0, 1, 2, 1, 1, 4], 2);
    expect(Array.from(l)).toEqual([1, -4, 0, 3, -1]);
    const m = Float32Array.from([-Infinity, 1]);
    applyRepetitionPenalty(m, [0], 1.05);
    expect(m[0]).toBe(-Infinity);
  });
});

describe('warpers (temperature → top-k → top-p → softmax)', () => {
  it('kthLargest equals a full sort', () => {
    for (let s = 0; s < 20; s++) {
      const l = randomLogits(3072, s);
      const sorted = Array.from(l).sort((a, b) => b - a);
      for (const k of [1, 2, 50, 1000, 3071, 3072]) expect(kthLargest(l, k)).toBe(sorted[k - 1]);
    }
  });

  it.each([
    [0.9, 50, 1],
    [1, 50, 0.8],
    [0.7, 0, 0.95],
    [1.3, 5, 0.5],
    [0.9, 3072, 1],
    [1, 1, 1],
  ])('matches the naive HF reference (T=%f, k=%i, p=%f)', (temperature, topK, topP) => {
    for (let s = 0; s < 5; s++) {
      const l = randomLogits(3072, 100 + s);
      maskTalkerLogits(l, 3, EOS);
      const ref = referenceCandidates(l, temperature, topK, topP);
      const got = candidates(l, { temperature, topK, topP });
      expect(got.length).toBe(ref.size);
      for (const c of got) expect(c.p).toBeCloseTo(ref.get(c.id)!, 9);
      expect(got.map((c) => c.p).reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    }
  });

  it('keeps ties at the k-th value (HF keeps every score >= the k-th largest)', () => {
    const l = Float32Array.from([5, 3, 3, 3, 1]);
    expect(candidates(l, { temperature: 1, topK: 2, topP: 1 }).map((c) => c.id)).toEqual([0, 1, 2, 3]);
  });

  it('greedy is argmax of the processed logits; sampling draws from the kept set', () => {
    const l = randomLogits(3072, 9);
    maskTalkerLogits(l, 0, EOS);
    const rng = new Rng(1);
    expect(sampleToken(l, { doSample: false, temperature: 0.9, topK: 50, topP: 1 }, rng)).toBe(argmax(l));
    const kept = new Set(candidates(l, { temperature: 0.9, topK: 50, topP: 1 }).map((c) => c.id));
    for (let i = 0; i < 200; i++)
      expect(kept.has(sampleToken(l, { doSample: true, temperature: 0.9, topK: 50, topP: 1 }, rng))).toBe(true);
  });

  it('draws with the right frequencies', () => {
    const l = Float32Array.from([Math.log(0.5), Math.log(0.3), Math.log(0.2)]);
    const rng = new Rng(123);
    const counts = [0, 0, 0];
    const n = 20000;
    for (let i = 0; i < n; i++) counts[sampleToken(l, { doSample: true, temperature: 1, topK: 0, topP: 1 }, rng)]!++;
    expect(counts[0]! / n).toBeCloseTo(0.5, 1);
    expect(counts[1]! / n).toBeCloseTo(0.3, 1);
    expect(counts[2]! / n).toBeCloseTo(0.2, 1);
  });
});

describe('seedable PRNG', () => {
  it('same seed → same stream, different seed → different stream, values in [0,1)', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c.next())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });

  it('derives distinct deterministic per-segment seeds', () => {
    const seeds = Array.from({ length: 100 }, (_, i) => deriveSeed(7, i));
    expect(new Set(seeds).size).toBe(100);
    expect(deriveSeed(7, 3)).toBe(seeds[3]);
    expect(deriveSeed(8, 0)).not.toBe(seeds[0]);
  });
});
