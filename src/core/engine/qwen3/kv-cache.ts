// The talker's KV cache on the JS side, time-major: [T, L, 1, KV, D]. One position of all layers is one
// contiguous block, so a decode step appends L·KV·D floats and never moves earlier positions, and the
// tensors handed to ORT are views of the same buffers (inputs are not copied). Buffers grow by doubling and
// are kept between requests, so a long session does not keep faulting in fresh pages.
import ort from 'onnxruntime-node';

export interface KvShape {
  layers: number;
  kvHeads: number;
  headDim: number;
}

const INITIAL_POSITIONS = 256;

/** Positions 0..n-1 of a talker cache, copied out (the prefix cache holds these). */
export interface KvSnapshot {
  positions: number;
  keys: Float32Array;
  values: Float32Array;
}

export class TalkerKvCache {
  private keys: Float32Array = new Float32Array(0);
  private values: Float32Array = new Float32Array(0);
  /** Positions held. */
  length = 0;
  /** Floats per position (L·KV·D). */
  readonly positionSize: number;

  constructor(readonly shape: KvShape) {
    this.positionSize = shape.layers * shape.kvHeads * shape.headDim;
  }

  /** Bytes the two buffers hold (capacity, not length). */
  get capacityBytes(): number {
    return this.keys.byteLength + this.values.byteLength;
  }

  private reserve(positions: number): void {
    const need = positions * this.positionSize;
    if (need <= this.keys.length) return;
    let capacity = Math.max(INITIAL_POSITIONS, this.keys.length / this.positionSize || 0);
    while (capacity < positions) capacity *= 2;
    const grow = (old: Float32Array): Float32Array => {
      const next = new Float32Array(capacity * this.positionSize);
      next.set(old.subarray(0, this.length * this.positionSize));
      return next;
    };
    this.keys = grow(this.keys);
    this.values = grow(this.values);
  }

  /**
   * Starts over with prefill's presents: per layer (in layer order) a [1,KV,P,D] keys and values buffer.
   * Reorders them into positions 0..P-1.
   */
  fill(layerKeys: readonly Float32Array[], layerValues: readonly Float32Array[], P: number): void {
    const { layers: L, kvHeads: KV, headDim: D } = this.shape;
    if (layerKeys.length !== L || layerValues.length !== L)
      throw new Error(`expected ${L} layers of presents, got ${layerKeys.length}/${layerValues.length}`);
    this.length = 0;
    this.reserve(P);
    for (let l = 0; l < L; l++) {
      const k = layerKeys[l]!;
      const v = layerValues[l]!;
      if (k.length !== KV * P * D || v.length !== KV * P * D)
        throw new Error(`layer ${l} presents hold ${k.length}/${v.length} floats, expected ${KV * P * D}`);
      for (let h = 0; h < KV; h++) {
        for (let t = 0; t < P; t++) {
          const from = (h * P + t) * D;
          const to = ((t * L + l) * KV + h) * D;
          this.keys.set(k.subarray(from, from + D), to);
          this.values.set(v.subarray(from, from + D), to);
        }
      }
    }
    this.length = P;
  }

  /** Appends n positions: a decode run's time-major [n,L,1,KV,D] keys and values. */
  append(stepKeys: Float32Array, stepValues: Float32Array, n = 1): void {
    const size = n * this.positionSize;
    if (stepKeys.length !== size || stepValues.length !== size)
      throw new Error(`${n} position(s) hold ${stepKeys.length}/${stepValues.length} floats, expected ${size}`);
    this.reserve(this.length + n);
    this.keys.set(stepKeys, this.length * this.positionSize);
    this.values.set(stepValues, this.length * this.positionSize);
    this.length += n;
  }

  /** A copy of the first `positions` positions, for restore(). */
  snapshot(positions: number): KvSnapshot {
    if (positions > this.length) throw new Error(`snapshot of ${positions} positions with ${this.length} cached`);
    const used = positions * this.positionSize;
    return { positions, keys: this.keys.slice(0, used), values: this.values.slice(0, used) };
  }

  /** Starts over from a snapshot: its positions become positions 0..n-1. */
  restore(s: KvSnapshot): void {
    if (s.keys.length !== s.positions * this.positionSize)
      throw new Error(`a snapshot of another shape (${s.keys.length} floats for ${s.positions} positions)`);
    this.length = 0;
    this.reserve(s.positions);
    this.keys.set(s.keys, 0);
    this.values.set(s.values, 0);
    this.length = s.positions;
  }

  /** Views over the held positions as [T, L, 1, KV, D] tensors. */
  tensors(): { keys: ort.Tensor; values: ort.Tensor } {
    const { layers: L, kvHeads: KV, headDim: D } = this.shape;
    const used = this.length * this.positionSize;
    const dims = [this.length, L, 1, KV, D];
    return {
      keys: new ort.Tensor('float32', this.keys.subarray(0, used), dims),
      values: new ort.Tensor('float32', this.values.subarray(0, used), dims),
    };
  }
}

/** A run of int64 ones for attention masks, grown on demand and viewed at any length. */
export class OnesMask {
  private ones = new BigInt64Array(0);

  tensor(length: number): ort.Tensor {
    if (length > this.ones.length) this.ones = new BigInt64Array(Math.max(length, this.ones.length * 2, 1024)).fill(1n);
    return new ort.Tensor('int64', this.ones.subarray(0, length), [1, length]);
  }
}
