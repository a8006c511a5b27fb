// The talker's text track: TP(id) = fc2(silu(fc1(e) + b1)) + b2 with e = text_embedding[id] (qwen3-tts.md §5.2).
// The export ships these weights as .npy, not as a graph. At 1.7B each token costs 8.4 M multiply-adds, too
// slow for a plain JS loop before every prefill (BENCHMARKS.md, Engine). Instead a two-Gemm ONNX
// graph is built from the .npy weights at load and all of a prompt's tokens go through it in one run.
// Rows of the 151936 × text_hidden table are read from the file on demand, never the whole table.
import path from 'node:path';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { ModelFileError } from './errors.js';
import { NpyRowReader, readNpy, type NpyArray } from './npy.js';

const { onnx } = onnxProto;

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

interface ProjectionWeights {
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

/** [N,T] → Gemm(fc1, transB) → SiLU → Gemm(fc2, transB) → [N,H]; torch Linear weights are [out, in]. */
export function projectionGraph(w: ProjectionWeights, dims: TextProjectionDims): Uint8Array {
  const { textHidden: T, hidden: H } = dims;
  const F = onnx.TensorProto.DataType.FLOAT;
  const tensor = (name: string, data: Float32Array, shape: number[]) => ({
    name,
    dims: shape,
    dataType: F,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  });
  const io = (name: string, shape: (number | string)[]) => ({
    name,
    type: {
      tensorType: {
        elemType: F,
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
  const transB = [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }];
  const model = {
    irVersion: 8,
    producerName: 'q3tts',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'text_projection',
      input: [io('embedded', ['N', T])],
      output: [io('projected', ['N', H])],
      initializer: [
        tensor('fc1_weight', w.w1, [T, T]),
        tensor('fc1_bias', w.b1, [T]),
        tensor('fc2_weight', w.w2, [H, T]),
        tensor('fc2_bias', w.b2, [H]),
      ],
      node: [
        { opType: 'Gemm', input: ['embedded', 'fc1_weight', 'fc1_bias'], output: ['fc1'], attribute: transB },
        { opType: 'Sigmoid', input: ['fc1'], output: ['gate'] },
        { opType: 'Mul', input: ['fc1', 'gate'], output: ['silu'] },
        { opType: 'Gemm', input: ['silu', 'fc2_weight', 'fc2_bias'], output: ['projected'], attribute: transB },
      ],
    },
  };
  return onnx.ModelProto.encode(model).finish();
}

/** Recently projected ids kept (LRU): a voice's instruct and common words recur between requests. 8 MB at H=1024. */
const RECENT_ROWS = 2048;

export class TextProjection {
  /** Projections kept for good: tts_pad/bos/eos and the role tokens recur in every request. */
  private readonly cache = new Map<number, Float32Array>();
  /** Recent ones, least recently used first (Map keeps insertion order). */
  private readonly recent = new Map<number, Float32Array>();

  private constructor(
    readonly dims: TextProjectionDims,
    private readonly table: NpyRowReader,
    private readonly session: ort.InferenceSession,
  ) {}

  static async open(
    embeddingsDir: string,
    dims: TextProjectionDims,
    options: ort.InferenceSession.SessionOptions = {},
  ): Promise<TextProjection> {
    const { textVocab, textHidden: T, hidden: H } = dims;
    const file = (name: string) => path.join(embeddingsDir, `${name}.npy`);
    const table = new NpyRowReader(file('text_embedding'));
    try {
      if (table.rows !== textVocab || table.cols !== T) {
        throw new ModelFileError(table.file, `shape is [${table.rows}, ${table.cols}], expected [${textVocab}, ${T}]`);
      }
      const load = (name: string, shape: number[]) => expectShape(file(name), readNpy(file(name)), shape);
      const weights = {
        w1: load('text_projection_fc1_weight', [T, T]),
        b1: load('text_projection_fc1_bias', [T]),
        w2: load('text_projection_fc2_weight', [H, T]),
        b2: load('text_projection_fc2_bias', [H]),
      };
      const session = await ort.InferenceSession.create(projectionGraph(weights, dims), options);
      return new TextProjection(dims, table, session);
    } catch (err) {
      table.close();
      throw err;
    }
  }

  /** TP of each id, as one [ids.length, H] array (row i = TP(ids[i])). */
  async project(ids: readonly number[]): Promise<Float32Array> {
    const { textHidden: T, hidden: H } = this.dims;
    const out = new Float32Array(ids.length * H);
    const rows = new Map<number, Float32Array>();
    for (const id of ids) {
      const row = this.cache.get(id) ?? this.recent.get(id);
      if (!row) continue;
      rows.set(id, row);
      if (this.recent.delete(id)) this.recent.set(id, row); // now the most recent
    }
    const missing = [...new Set(ids.filter((id) => !rows.has(id)))];
    if (missing.length) {
      const embedded = new Float32Array(missing.length * T);
      missing.forEach((id, i) => this.table.row(id, embedded, i * T));
      const result = await this.session.run({ embedded: new ort.Tensor('float32', embedded, [missing.length, T]) });
      const projected = result.projected!.data as Float32Array;
      missing.forEach((id, i) => {
        const row = projected.slice(i * H, (i + 1) * H);
        rows.set(id, row);
        this.recent.set(id, row);
      });
      for (const id of this.recent.keys()) {
        if (this.recent.size <= RECENT_ROWS) break;
        this.recent.delete(id);
      }
    }
    ids.forEach((id, i) => out.set(rows.get(id)!, i * H));
    return out;
  }

  /** Ids held in the recent-rows cache (for tests). */
  get recentSize(): number {
    return this.recent.size;
  }

  /** Computes once and keeps TP(id) for ids every request uses. */
  async remember(ids: readonly number[]): Promise<void> {
    const rows = await this.project(ids);
    ids.forEach((id, i) => this.cache.set(id, rows.slice(i * this.dims.hidden, (i + 1) * this.dims.hidden)));
  }

  async close(): Promise<void> {
    this.table.close();
    await this.session.release();
  }
}
