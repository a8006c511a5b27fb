// .npy writer (format versions 1.0/2.0/3.0, `<f4` or `<f2`, C order) and a header reader for tests.
import { writeFileSync } from 'node:fs';

export type NpyDtype = '<f4' | '<f2';
export type NpyVersion = 1 | 2 | 3;

const MAGIC = Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** IEEE 754 binary32 → binary16 bits, round to nearest even (no Float16Array in Node 20). */
export function f32ToF16Bits(value: number): number {
  scratchF32[0] = value;
  const x = scratchU32[0] ?? 0;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf / nan
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow → inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow → ±0
    mant |= 0x800000; // subnormal: make the implicit bit explicit, then shift
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m;
  }
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && m & 1)) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function headerBytes(dtype: NpyDtype, shape: readonly number[], version: NpyVersion): Uint8Array {
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  const lenBytes = version === 1 ? 2 : 4;
  const fixed = MAGIC.length + 2 + lenBytes;
  // Pad with spaces and end with \n so the data starts on a 64-byte boundary, as numpy does.
  const total = Math.ceil((fixed + dict.length + 1) / 64) * 64;
  const text = dict.padEnd(total - fixed - 1, ' ') + '\n';
  const body = new TextEncoder().encode(text);
  const out = new Uint8Array(fixed + body.length);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, body.length, true);
  else view.setUint32(8, body.length, true);
  out.set(body, fixed);
  return out;
}

export function encodeNpy(
  data: Float32Array,
  shape: readonly number[],
  dtype: NpyDtype = '<f4',
  version: NpyVersion = 1,
): Buffer {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`npy: ${data.length} values for shape [${shape.join(',')}]`);
  let payload: Uint8Array;
  if (dtype === '<f4') {
    payload = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } else {
    const half = new Uint16Array(count);
    for (let i = 0; i < count; i++) half[i] = f32ToF16Bits(data[i] ?? 0);
    payload = new Uint8Array(half.buffer);
  }
  // Typed arrays are little-endian on every platform Node supports; `<` in descr says so.
  return Buffer.concat([headerBytes(dtype, shape, version), payload]);
}

export function writeNpy(
  file: string,
  data: Float32Array,
  shape: readonly number[],
  dtype: NpyDtype = '<f4',
  version: NpyVersion = 1,
): void {
  writeFileSync(file, encodeNpy(data, shape, dtype, version));
}

export interface NpyHeader {
  version: NpyVersion;
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the first element. */
  dataOffset: number;
}

/** Parses the header of an .npy buffer (only what the synthetic files use; for tests). */
export function readNpyHeader(buf: Uint8Array): NpyHeader {
  if (!MAGIC.every((b, i) => buf[i] === b)) throw new Error('npy: bad magic');
  const major = buf[6];
  if (major !== 1 && major !== 2 && major !== 3) throw new Error(`npy: unsupported version ${major}`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  const len = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(buf.subarray(start, start + len));
  const descr = /'descr':\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(text)?.[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shape === undefined) throw new Error(`npy: bad header ${text}`);
  return {
    version: major,
    descr,
    fortranOrder: fortran === 'True',
    shape: shape
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .map(Number),
    dataOffset: start + len,
  };
}
