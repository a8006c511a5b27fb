// Token sampling in Hugging Face order (qwen3-tts.md §6.3): logits processors (suppression mask,
// min_new_tokens, repetition penalty) → temperature → top-k → top-p → softmax → multinomial draw.
// A seedable PRNG makes the same seed give the same codes.

/** xoshiro128** seeded through splitmix32: small, fast, and good enough for token draws. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    return result;
  }

  /** Uniform in [0, 1) with 53 bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A deterministic 32-bit seed for part `index` of a request (e.g. a text segment). */
export function deriveSeed(seed: number, index: number): number {
  let z = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

export interface SamplerParams {
  doSample: boolean;
  temperature: number;
  topK: number;
  topP: number;
}

/**
 * The talker's logits processors, in place: suppress the control ids vocab-1024..vocab-1 except EOS,
 * and (min_new_tokens = 2) suppress EOS on steps 0 and 1.
 */
export function maskTalkerLogits(logits: Float32Array, step: number, eosId: number, minNewTokens = 2): void {
  const start = logits.length - 1024;
  for (let i = start; i < logits.length; i++) if (i !== eosId) logits[i] = -Infinity;
  if (step < minNewTokens) logits[eosId] = -Infinity;
}

/** HF RepetitionPenaltyLogitsProcessor: each distinct seen id once; negative scores grow, others shrink. */
export function applyRepetitionPenalty(logits: Float32Array, seen: Iterable<number>, penalty: number): void {
  if (penalty === 1) return;
  for (const id of new Set(seen)) {
    const x = logits[id];
    if (x === undefined) continue;
    logits[id] = x < 0 ? x * penalty : x / penalty;
  }
}

export function argmax(logits: Float32Array): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/**
 * The k-th largest value (k ≥ 1) without sorting the whole array: a size-k min-heap, O(n log k).
 * Returns -Infinity when k exceeds the number of finite values' positions.
 */
export function kthLargest(values: Float32Array, k: number): number {
  if (k >= values.length) {
    let min = Infinity;
    for (const v of values) if (v < min) min = v;
    return k === values.length ? min : -Infinity;
  }
  const heap = new Float64Array(k);
  let size = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (size < k) {
      // sift up
      let j = size++;
      heap[j] = v;
      while (j > 0) {
        const p = (j - 1) >> 1;
        if (heap[p]! <= heap[j]!) break;
        const t = heap[p]!;
        heap[p] = heap[j]!;
        heap[j] = t;
        j = p;
      }
    } else if (v > heap[0]!) {
      heap[0] = v;
      let j = 0;
      for (;;) {
        const l = 2 * j + 1;
        const r = l + 1;
        let m = j;
        if (l < k && heap[l]! < heap[m]!) m = l;
        if (r < k && heap[r]! < heap[m]!) m = r;
        if (m === j) break;
        const t = heap[m]!;
        heap[m] = heap[j]!;
        heap[j] = t;
        j = m;
      }
    }
  }
  return heap[0]!;
}

export interface Candidate {
  id: number;
  /** Probability after all warpers (sums to 1 over the returned list). */
  p: number;
}

/**
 * The distribution HF would draw from after temperature → top-k → top-p → softmax, as candidates in
 * descending logit order (ties by ascending id). Only finite logits take part.
 */
export function candidates(
  logits: Float32Array,
  params: Pick<SamplerParams, 'temperature' | 'topK' | 'topP'>,
): Candidate[] {
  const t = params.temperature;
  // Temperature first: top-k by value is unaffected by a positive scale, so threshold on raw logits.
  const threshold = params.topK > 0 && params.topK < logits.length ? kthLargest(logits, params.topK) : -Infinity;
  const kept: { id: number; v: number }[] = [];
  for (let i = 0; i < logits.length; i++) {
    const x = logits[i]!;
    if (x >= threshold && x !== -Infinity && !Number.isNaN(x)) kept.push({ id: i, v: x / t });
  }
  if (kept.length === 0) throw new Error('sampler: every token is masked');
  kept.sort((a, b) => b.v - a.v || a.id - b.id);
  const max = kept[0]!.v;
  let total = 0;
  const exps = kept.map((c) => {
    const e = Math.exp(c.v - max);
    total += e;
    return e;
  });
  let n = kept.length;
  if (params.topP < 1) {
    // HF TopP keeps a token while the probability mass strictly above it is below top_p; always ≥ 1.
    let above = 0;
    n = 0;
    while (n < kept.length && (n === 0 || above < params.topP)) {
      above += exps[n]! / total;
      n++;
    }
  }
  let keptTotal = 0;
  for (let i = 0; i < n; i++) keptTotal += exps[i]!;
  const out: Candidate[] = new Array<Candidate>(n);
  for (let i = 0; i < n; i++) out[i] = { id: kept[i]!.id, p: exps[i]! / keptTotal };
  return out;
}

/** Draws a token from processed logits (greedy = argmax when doSample is false). */
export function sampleToken(logits: Float32Array, params: SamplerParams, rng: Rng): number {
  if (!params.doSample) return argmax(logits);
  const list = candidates(logits, params);
  const u = rng.next();
  let acc = 0;
  for (const c of list) {
    acc += c.p;
    if (u < acc) return c.id;
  }
  return list[list.length - 1]!.id;
}
