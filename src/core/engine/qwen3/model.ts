// Qwen3Model is the runtime model: it runs the four graphs one step at a time (prefill, decode step, code
// predictor step, vocoder) on the talker cache, and adds embedding rows. Loading is load.ts's job, session
// creation sessions.ts's, and the graphs' contract graph-spec.ts's.
import path from 'node:path';
import ort from 'onnxruntime-node';
import type { Qwen3Config } from './config.js';
import { DECODE_KV } from './decode-graph.js';
import type { CloneEncoders } from './encoders.js';
import { cleanOrtMessage, ModelFileError } from './errors.js';
import type { GraphName } from './graph-spec.js';
import { OnesMask, TalkerKvCache } from './kv-cache.js';
import { loadModelParts, type Precision, type Qwen3ModelOptions, type Qwen3ModelParts } from './load.js';
import { closeGraphs, openGraph, type ModelSessions, type OpenGraphs } from './sessions.js';
import type { TextProjection } from './text-projection.js';
import type { Qwen2Tokenizer } from './tokenizer.js';

/** Samples the codec decoder makes per frame (24 kHz / 12.5 Hz). */
export const SAMPLES_PER_FRAME = 1920;

export interface TalkerStep {
  /** Logits of the last position. */
  logits: Float32Array;
  /** Final-norm hidden state of the last position. */
  hidden: Float32Array;
}

export interface CodePredictorStep {
  /** Logits of the last position. */
  logits: Float32Array;
  keys: ort.Tensor;
  values: ort.Tensor;
}

/** Time spent in each graph's run() as JS sees it (ORT's work plus moving outputs into JS). */
export type GraphTimings = Record<GraphName, { calls: number; ms: number }>;

function zeroTimings(): GraphTimings {
  return {
    talker_prefill: { calls: 0, ms: 0 },
    talker_decode: { calls: 0, ms: 0 },
    code_predictor: { calls: 0, ms: 0 },
    vocoder: { calls: 0, ms: 0 },
  };
}

export class Qwen3Model {
  private disposed = false;
  /** Cumulative run() times per graph; read and reset by whoever measures (stats, benchmarks). */
  timings: GraphTimings = zeroTimings();
  /** Told about every graph run (start on performance.now()'s clock, duration in ms), for profiling. */
  onRun: ((graph: GraphName, startMs: number, ms: number) => void) | undefined;
  /** The talker's cache; one generation at a time uses it (the engine serves requests in turn). */
  readonly kv: TalkerKvCache;
  private readonly mask = new OnesMask();
  private positions = new BigInt64Array(3);
  /** Whether talker_decode runs several new positions at once (probed at load; see probeMultiPosition). */
  multiPosition = false;

  readonly dir: string;
  readonly config: Qwen3Config;
  readonly precision: Precision;
  /** The provider the graphs run on ('auto' resolved). */
  readonly executionProvider: string;
  /** Providers 'auto' tried before it, and why each could not start. */
  readonly providerNotes: readonly string[];
  readonly tokenizer: Qwen2Tokenizer;
  readonly textProjection: TextProjection;
  /** talker codec embedding [talker_vocab, H]. */
  readonly codecEmbedding: Float32Array;
  /** 15 code-predictor tables [cp_vocab, H]; table k embeds codebook k+1. */
  readonly cpEmbeddings: Float32Array[];
  private readonly graphs: OpenGraphs;
  /** A Base model's speaker and codec encoders (clone.ts); undefined for other models. */
  readonly encoders: CloneEncoders | undefined;

  private constructor(parts: Qwen3ModelParts) {
    this.dir = parts.dir;
    this.config = parts.config;
    this.precision = parts.precision;
    this.executionProvider = parts.executionProvider;
    this.providerNotes = parts.providerNotes;
    this.tokenizer = parts.tokenizer;
    this.textProjection = parts.textProjection;
    this.codecEmbedding = parts.codecEmbedding;
    this.cpEmbeddings = parts.cpEmbeddings;
    this.graphs = parts.graphs;
    this.encoders = parts.encoders;
    this.kv = new TalkerKvCache(parts.config.talker);
  }

  static async load(dir: string, options: Qwen3ModelOptions = {}): Promise<Qwen3Model> {
    const parts = await loadModelParts(dir, options);
    const model = new Qwen3Model(parts);
    try {
      model.multiPosition = await model.probeMultiPosition();
      // An export whose decode graph takes one position at a time prefills with its own graph after all.
      if (!model.multiPosition && !parts.graphs.sessions.talker_prefill) {
        await openGraph(
          parts.graphs,
          'talker_prefill',
          parts.files.talker_prefill,
          parts.specs.talker_prefill,
          parts.settings,
          parts.executionProvider,
        );
      }
    } catch (err) {
      await model.dispose();
      throw err;
    }
    return model;
  }

  /** The graphs' sessions (the vocoder's is absent while a worker thread holds it). */
  get sessions(): ModelSessions {
    return this.graphs.sessions;
  }

  resetTimings(): GraphTimings {
    const t = this.timings;
    this.timings = zeroTimings();
    return t;
  }

  /** Adds CE(id) into `out` at `offset`. */
  addCodec(id: number, out: Float32Array, offset = 0): void {
    const H = this.config.talker.hidden;
    if (id < 0 || id >= this.config.talker.vocab) throw new Error(`codec id ${id} out of range`);
    const base = id * H;
    const table = this.codecEmbedding;
    for (let i = 0; i < H; i++) out[offset + i]! += table[base + i]!;
  }

  /** Adds CPE(k, id) into `out` at `offset`. */
  addCpCodec(k: number, id: number, out: Float32Array, offset = 0): void {
    const H = this.config.talker.hidden;
    const table = this.cpEmbeddings[k];
    if (!table || id < 0 || id >= this.config.cp.vocab)
      throw new Error(`code predictor table ${k} id ${id} out of range`);
    const base = id * H;
    for (let i = 0; i < H; i++) out[offset + i]! += table[base + i]!;
  }

  /** Adds a codec frame as the talker reads one back, CE(code 0) + Σ CPE(k, code k+1), into `out` at `offset`. */
  addFrame(frame: readonly number[], out: Float32Array, offset = 0): void {
    this.addCodec(frame[0]!, out, offset);
    for (let k = 1; k < frame.length; k++) this.addCpCodec(k - 1, frame[k]!, out, offset);
  }

  private feed(graph: GraphName, all: Record<string, ort.Tensor>): Record<string, ort.Tensor> {
    const names = this.graphs.feeds[graph];
    const out: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(all)) if (names.has(k)) out[k] = v;
    return out;
  }

  private graphFile(graph: GraphName): string {
    return path.join(this.dir, this.precision, `${graph}.onnx`);
  }

  private run(graph: GraphName, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.OnnxValueMapType> {
    return this.timed(graph, () => this.sessions[graph]!.run(this.feed(graph, feeds)));
  }

  /** Every graph run goes through here: refused after dispose, timed, and its failure names the graph's file. */
  private async timed<T>(graph: GraphName, work: () => Promise<T>): Promise<T> {
    if (this.disposed) throw new Error('the model has been disposed');
    const started = performance.now();
    try {
      return await work();
    } catch (err) {
      throw new ModelFileError(this.graphFile(graph), `run failed: ${cleanOrtMessage(err)}`);
    } finally {
      const ms = performance.now() - started;
      const t = this.timings[graph];
      t.calls++;
      t.ms += ms;
      this.onRun?.(graph, started, ms);
    }
  }

  /**
   * The prompt's P rows of `embeds` ([P, H]) become the talker cache's positions 0..P-1: through talker_decode
   * from an empty cache (one talker session, decision 0019), or through talker_prefill where it is open.
   */
  async prefill(embeds: Float32Array, P: number): Promise<TalkerStep> {
    if (!this.sessions.talker_prefill) {
      this.kv.length = 0;
      return this.extend(embeds, P);
    }
    const { hidden: H, layers: L, vocab: V } = this.config.talker;
    const positions = new BigInt64Array(3 * P);
    for (let r = 0; r < 3; r++) for (let t = 0; t < P; t++) positions[r * P + t] = BigInt(t);
    const out = await this.run('talker_prefill', {
      inputs_embeds: new ort.Tensor('float32', embeds, [1, P, H]),
      attention_mask: this.mask.tensor(P),
      position_ids: new ort.Tensor('int64', positions, [3, 1, P]),
    });
    const layer = (kind: 'key' | 'value') =>
      Array.from({ length: L }, (_, i) => out[`present_${kind}_${i}`]!.data as Float32Array);
    this.kv.fill(layer('key'), layer('value'), P);
    const logits = out.logits!.data as Float32Array;
    const hidden = out.hidden_states!.data as Float32Array;
    return { logits: logits.slice((P - 1) * V, P * V), hidden: hidden.slice((P - 1) * H, P * H) };
  }

  /** One talker_decode step at `position` (= the cache length); the new position is appended to the cache. */
  async decodeStep(x: Float32Array, position: number): Promise<TalkerStep> {
    if (position !== this.kv.length)
      throw new Error(`decode at position ${position} with ${this.kv.length} cached positions`);
    return this.extend(x, 1);
  }

  /**
   * talker_decode over N rows of `embeds` ([N, H]) after the cached positions, which it extends by N; logits and
   * hidden state of the last row. N > 1 only where the export honours it (multiPosition).
   */
  async extend(embeds: Float32Array, N: number): Promise<TalkerStep> {
    const { hidden: H, vocab: V } = this.config.talker;
    if (embeds.length !== N * H) throw new Error(`${embeds.length} floats for ${N} rows of ${H}`);
    const T = this.kv.length;
    const past = this.kv.tensors();
    if (this.positions.length < 3 * N) this.positions = new BigInt64Array(3 * N);
    const positions = this.positions.subarray(0, 3 * N);
    for (let r = 0; r < 3; r++) for (let t = 0; t < N; t++) positions[r * N + t] = BigInt(T + t);
    const out = await this.run('talker_decode', {
      inputs_embeds: new ort.Tensor('float32', embeds, [1, N, H]),
      attention_mask: this.mask.tensor(T + N),
      position_ids: new ort.Tensor('int64', positions, [3, 1, N]),
      [DECODE_KV.pastKeys]: past.keys,
      [DECODE_KV.pastValues]: past.values,
    });
    this.kv.append(out[DECODE_KV.stepKeys]!.data as Float32Array, out[DECODE_KV.stepValues]!.data as Float32Array, N);
    const logits = out.logits!.data as Float32Array;
    const hidden = out.hidden_states!.data as Float32Array;
    if (N === 1) return { logits, hidden };
    return { logits: logits.slice((N - 1) * V, N * V), hidden: hidden.slice((N - 1) * H, N * H) };
  }

  /**
   * Whether talker_decode takes several new positions in one run and means by it what a prefill means: an export
   * may have traced its single position into the graph, so this is tried once at load. Four rows in one run must
   * give what two runs of two rows give (logits, hidden state and cache). Two rows, not one: int4 MatMulNBits
   * computes a single row on another kernel path (fp32 GEMV) than several (int8 blocks), so one-row runs differ
   * in the low bits while several-row runs agree exactly with talker_prefill (measured, decision 0018).
   */
  private async probeMultiPosition(): Promise<boolean> {
    const H = this.config.talker.hidden;
    const rows = Float32Array.from({ length: 4 * H }, (_, i) => Math.sin(i * 0.37) * 0.5);
    try {
      this.kv.length = 0;
      const whole = await this.extend(rows, 4);
      const wholeKv = this.kv.snapshot(4);
      this.kv.length = 0;
      await this.extend(rows.subarray(0, 2 * H), 2);
      const halves = await this.extend(rows.subarray(2 * H), 2);
      const halvesKv = this.kv.snapshot(4);
      return (
        close(whole.logits, halves.logits) &&
        close(whole.hidden, halves.hidden) &&
        close(wholeKv.keys, halvesKv.keys) &&
        close(wholeKv.values, halvesKv.values)
      );
    } catch {
      return false;
    } finally {
      this.kv.length = 0;
      this.resetTimings();
    }
  }

  /** An empty [Lcp,1,KVcp,0,Dcp] cache for a frame's first code-predictor call. */
  emptyCpCache(): ort.Tensor {
    const { layers, kvHeads, headDim } = this.config.cp;
    return new ort.Tensor('float32', new Float32Array(0), [layers, 1, kvHeads, 0, headDim]);
  }

  /** One code_predictor call over s rows of `embeds` ([s, H]); logits of the last row. */
  async codePredictorStep(
    embeds: Float32Array,
    s: number,
    generationStep: number,
    pastKeys: ort.Tensor,
    pastValues: ort.Tensor,
  ): Promise<CodePredictorStep> {
    const H = this.config.talker.hidden;
    const Vc = this.config.cp.vocab;
    const out = await this.run('code_predictor', {
      inputs_embeds: new ort.Tensor('float32', embeds, [1, s, H]),
      generation_steps: new ort.Tensor('int64', BigInt64Array.of(BigInt(generationStep)), [1]),
      past_keys: pastKeys,
      past_values: pastValues,
    });
    const logits = out.logits!.data as Float32Array;
    return { logits: logits.subarray((s - 1) * Vc, s * Vc), keys: out.present_keys!, values: out.present_values! };
  }

  /**
   * Vocoder over frames ([F][16]): transposed to codes [1,16,F]; F == 1 is decoded as two copies of the
   * frame and trimmed, because the graph's frame axis has a minimum of 2. Returns F·1920 samples.
   */
  async vocode(frames: readonly (readonly number[])[]): Promise<Float32Array> {
    const F = frames.length;
    if (F === 0) return new Float32Array(0);
    const T = Math.max(F, 2);
    const G = this.config.talker.codeGroups;
    const codes = codesTensorData(F === 1 ? [frames[0]!, frames[0]!] : frames, G);
    const thread = this.graphs.vocoderThread;
    const wave = thread
      ? await this.timed('vocoder', () => thread.run(codes, G, T))
      : ((await this.run('vocoder', { codes: new ort.Tensor('int64', codes, [1, G, T]) })).waveform!
          .data as Float32Array);
    if (wave.length !== T * SAMPLES_PER_FRAME) {
      throw new ModelFileError(
        this.graphFile('vocoder'),
        `waveform has ${wave.length} samples for ${T} frames, expected ${T * SAMPLES_PER_FRAME}`,
      );
    }
    return F === 1 ? wave.slice(0, SAMPLES_PER_FRAME) : wave;
  }

  /** Whether vocoder runs overlap generation (a worker thread holds the vocoder). */
  get vocoderOverlaps(): boolean {
    return this.graphs.vocoderThread !== undefined;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.textProjection.close();
    await closeGraphs(this.graphs);
    await this.encoders?.close();
  }
}

/** Equal up to float rounding: a run over several rows may sum in another order than one row at a time. */
function close(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  let scale = 0;
  for (const x of b) scale = Math.max(scale, Math.abs(x));
  const tolerance = 1e-3 * scale + 1e-5;
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i]! - b[i]!) <= tolerance)) return false;
  return true;
}

/** [T][G] frames → codebook-major int64 data for a [1,G,T] tensor; codes are clamped to ≥ 0 like decode(). */
export function codesTensorData(frames: readonly (readonly number[])[], groups: number): BigInt64Array {
  const T = frames.length;
  const data = new BigInt64Array(groups * T);
  frames.forEach((frame, t) => {
    if (frame.length !== groups) throw new Error(`frame ${t} has ${frame.length} codes, expected ${groups}`);
    for (let g = 0; g < groups; g++) data[g * T + t] = BigInt(Math.max(0, Math.trunc(frame[g]!)));
  });
  return data;
}
