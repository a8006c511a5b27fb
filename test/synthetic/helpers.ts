// Test-only helpers: sessions over a built model, tensor constructors, .npy loading.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { f16BitsToF32, readNpyHeader } from './npy.js';

export const GRAPHS = ['talker_prefill', 'talker_decode', 'code_predictor', 'vocoder'] as const;
export type GraphName = (typeof GRAPHS)[number];

export function tmpDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One thread per session: the machine is shared and the graphs are tiny. */
export async function openSessions(graphDir: string): Promise<Record<GraphName, InferenceSession>> {
  // logSeverityLevel 4: the runs the tests expect to fail would otherwise print ORT error logs.
  const opts: InferenceSession.SessionOptions = {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 4,
  };
  const entries = await Promise.all(
    GRAPHS.map(async (g) => [g, await ort.InferenceSession.create(path.join(graphDir, `${g}.onnx`), opts)] as const),
  );
  return Object.fromEntries(entries) as Record<GraphName, InferenceSession>;
}

export function f32(data: ArrayLike<number>, dims: readonly number[]): Tensor {
  return new ort.Tensor('float32', Float32Array.from(data), dims);
}

export function i64(data: ArrayLike<number>, dims: readonly number[]): Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(Array.from(data, (x) => BigInt(x))), dims);
}

export function zeros(dims: readonly number[]): Tensor {
  return new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
}

export function floats(t: Tensor | undefined): Float32Array {
  if (!t || t.type !== 'float32') throw new Error(`expected a float32 tensor, got ${t?.type}`);
  return t.data as Float32Array;
}

/** Deterministic pseudo-random floats in [-1, 1) for test inputs. */
export function noise(count: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    out[i] = a / 2 ** 31 - 1;
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return m;
}

export function argmax(a: ArrayLike<number>, from = 0, to = a.length): number {
  let best = from;
  for (let i = from; i < to; i++) if ((a[i] ?? -Infinity) > (a[best] ?? -Infinity)) best = i;
  return best;
}

/** Positions [3,1,n], every row start..start+n-1 (what the engine feeds). */
export function positions(start: number, n: number): Tensor {
  const row = Array.from({ length: n }, (_, i) => start + i);
  return i64([...row, ...row, ...row], [3, 1, n]);
}

export function ones(n: number): Tensor {
  return i64(new Array<number>(n).fill(1), [1, n]);
}

export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

export function loadNpy(file: string): NpyArray {
  const buf = readFileSync(file);
  const h = readNpyHeader(buf);
  const count = h.shape.reduce((a, b) => a * b, 1);
  const bytes = buf.subarray(h.dataOffset);
  const data = new Float32Array(count);
  if (h.descr === '<f4') data.set(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + count * 4)));
  else if (h.descr === '<f2') {
    const half = new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + count * 2));
    for (let i = 0; i < count; i++) data[i] = f16BitsToF32(half[i] ?? 0);
  } else throw new Error(`unsupported dtype ${h.descr}`);
  return { shape: h.shape, data };
}

/** Row `i` of a 2-D array. */
export function row(a: NpyArray, i: number): Float32Array {
  const w = a.shape[1] ?? 0;
  return a.data.subarray(i * w, (i + 1) * w);
}
