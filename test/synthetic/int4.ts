// int4 weights the way ORT's MatMulNBitsQuantizer writes them (RTN, symmetric, 4 bits, blocks of 128 along K,
// no zero points = 8): B uint8 [N, ceil(K/128), 64], two values per byte, the lower K index in the low nibble;
// scales float32 [N · ceil(K/128)].
export const INT4_BLOCK = 128;
const ZERO = 8;

export interface Int4Weight {
  K: number;
  N: number;
  packed: Uint8Array;
  scales: Float32Array;
}

/** Quantizes a [K, N] (in, out) fp32 weight, column by column. */
export function quantizeInt4(w: Float32Array, K: number, N: number): Int4Weight {
  if (w.length !== K * N) throw new Error(`quantizeInt4: ${w.length} values for [${K}, ${N}]`);
  const blocks = Math.ceil(K / INT4_BLOCK);
  const blob = INT4_BLOCK / 2;
  const packed = new Uint8Array(N * blocks * blob).fill(ZERO | (ZERO << 4));
  const scales = new Float32Array(N * blocks);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < blocks; b++) {
      const k0 = b * INT4_BLOCK;
      const k1 = Math.min(K, k0 + INT4_BLOCK);
      let amax = 0;
      for (let k = k0; k < k1; k++) amax = Math.max(amax, Math.abs(w[k * N + n]!));
      const scale = amax / 7 || 1;
      scales[n * blocks + b] = scale;
      const base = (n * blocks + b) * blob;
      for (let k = k0; k < k1; k++) {
        const q = Math.max(-8, Math.min(7, Math.round(w[k * N + n]! / scale))) + ZERO;
        const j = base + ((k - k0) >> 1);
        packed[j] = (k - k0) & 1 ? (packed[j]! & 0x0f) | (q << 4) : (packed[j]! & 0xf0) | q;
      }
    }
  }
  return { K, N, packed, scales };
}

/** The fp32 [K, N] weight an int4 weight stands for. */
export function dequantizeInt4(q: Int4Weight): Float32Array {
  const { K, N, packed, scales } = q;
  const blocks = Math.ceil(K / INT4_BLOCK);
  const out = new Float32Array(K * N);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const b = Math.floor(k / INT4_BLOCK);
      const byte = packed[(n * blocks + b) * (INT4_BLOCK / 2) + ((k % INT4_BLOCK) >> 1)]!;
      const nibble = k % 2 ? byte >> 4 : byte & 0x0f;
      out[k * N + n] = (nibble - ZERO) * scales[n * blocks + b]!;
    }
  }
  return out;
}
