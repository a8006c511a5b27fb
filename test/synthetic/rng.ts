// Deterministic random tensors. Each tensor gets its own stream from (seed, name), so adding or
// resizing one tensor never changes the values of the others.

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast, good enough for weights. Returns floats in [0, 1). */
export function stream(seed: number, name: string): () => number {
  let a = (fnv1a(name) ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  constructor(readonly seed: number) {}

  /** Uniform in [-scale, scale). */
  uniform(name: string, count: number, scale: number): Float32Array {
    const next = stream(this.seed, name);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = (next() * 2 - 1) * scale;
    return out;
  }

  /** A Linear-style weight: uniform with variance 1/fanIn times gain². */
  linear(name: string, count: number, fanIn: number, gain = 1): Float32Array {
    return this.uniform(name, count, (gain * Math.sqrt(3)) / Math.sqrt(fanIn));
  }

  /** Norm weights around 1 (not exactly 1, so a skipped norm weight would show). */
  norm(name: string, count: number): Float32Array {
    const w = this.uniform(name, count, 0.2);
    for (let i = 0; i < count; i++) w[i] = (w[i] ?? 0) + 1;
    return w;
  }
}
