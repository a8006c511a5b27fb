// The talker's text track: TP(id) = fc2(silu(fc1(e) + b1)) + b2 with e = text_embedding[id] (spec §2.3),
// in plain Float32 math. Rows of the 151936 × text_hidden table are read from the file on demand.
import path from 'node:path';
import { ModelFileError } from './errors.js';
import { NpyRowReader, readNpy, type NpyArray } from './npy.js';

export interface TextProjectionDims {
  textVocab: number;
  textHidden: number;
  hidden: number;
}

function expectShape(file: string, array: NpyArray, shape: number[]): Float32Array {
  if (array.shape.length !== shape.length || array.shape.some((d, i) => d !== shape[i])) {
    throw new ModelFileError(file, `shape is [${array.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  return array.data;
}

export class TextProjection {
  private readonly table: NpyRowReader;
  private readonly w1: Float32Array;
  private readonly b1: Float32Array;
  private readonly w2: Float32Array;
  private readonly b2: Float32Array;
  private readonly e: Float32Array;
  private readonly h: Float32Array;
  /** Projections worth keeping: tts_pad/bos/eos and the role tokens recur in every request. */
  private readonly cache = new Map<number, Float32Array>();

  constructor(
    embeddingsDir: string,
    readonly dims: TextProjectionDims,
  ) {
    const { textVocab, textHidden: T, hidden: H } = dims;
    const file = (name: string) => path.join(embeddingsDir, `${name}.npy`);
    this.table = new NpyRowReader(file('text_embedding'));
    try {
      if (this.table.rows !== textVocab || this.table.cols !== T) {
        throw new ModelFileError(this.table.file, `shape is [${this.table.rows}, ${this.table.cols}], expected [${textVocab}, ${T}]`);
      }
      const load = (name: string, shape: number[]) => expectShape(file(name), readNpy(file(name)), shape);
      this.w1 = load('text_projection_fc1_weight', [T, T]);
      this.b1 = load('text_projection_fc1_bias', [T]);
      this.w2 = load('text_projection_fc2_weight', [H, T]);
      this.b2 = load('text_projection_fc2_bias', [H]);
    } catch (err) {
      this.table.close();
      throw err;
    }
    this.e = new Float32Array(T);
    this.h = new Float32Array(T);
  }

  /** TP(id) written into `out` at `offset` (H floats), or returned as a fresh array. */
  project(id: number, out?: Float32Array, offset = 0): Float32Array {
    const H = this.dims.hidden;
    const cached = this.cache.get(id);
    if (cached) {
      if (!out) return cached.slice();
      out.set(cached, offset);
      return out;
    }
    const T = this.dims.textHidden;
    const { e, h, w1, b1, w2, b2 } = this;
    this.table.row(id, e);
    for (let o = 0; o < T; o++) {
      let acc = b1[o]!;
      const base = o * T;
      for (let i = 0; i < T; i++) acc += w1[base + i]! * e[i]!;
      h[o] = acc / (1 + Math.exp(-acc)); // SiLU
    }
    const dst = out ?? new Float32Array(H);
    const at = out ? offset : 0;
    for (let o = 0; o < H; o++) {
      let acc = b2[o]!;
      const base = o * T;
      for (let i = 0; i < T; i++) acc += w2[base + i]! * h[i]!;
      dst[at + o] = acc;
    }
    return dst;
  }

  /** Computes once and keeps TP(id) for ids every request uses. */
  remember(ids: readonly number[]): void {
    for (const id of ids) if (!this.cache.has(id)) this.cache.set(id, this.project(id));
  }

  close(): void {
    this.table.close();
  }
}
