// Qwen3Model owns everything loaded from a model directory (docs/model-layout.md): config, tokenizer,
// embedding tables, text projection and the four InferenceSessions. Every file, graph input and output is
// checked at load so a wrong or partial download fails with a message naming the file and tensor.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { readQwen3Config, TEXT_VOCAB_SIZE, type Qwen3Config } from './config.js';
import { DecodeGraphError, DECODE_KV, rewriteDecodeGraph } from './decode-graph.js';
import { cleanOrtMessage, ModelFileError } from './errors.js';
import { OnesMask, TalkerKvCache } from './kv-cache.js';
import { readNpy } from './npy.js';
import { TextProjection } from './text-projection.js';
import { Qwen2Tokenizer } from './tokenizer.js';
import { VocoderThread } from './vocoder-thread.js';
import { EXECUTION_PROVIDERS, isExecutionProvider, type Precision } from '../../../shared/engine-options.js';

export type { Precision } from '../../../shared/engine-options.js';

export interface Qwen3ModelOptions {
  /** Which graph set to load; default: int4 when the directory has it, else fp32. */
  precision?: Precision;
  /** Default 'cpu'. */
  executionProvider?: string;
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  /**
   * Run the vocoder in a worker thread so it overlaps generation (default false: on a 2-core machine the two
   * compete for the same cores and measured no faster; for machines with cores to spare; Q3TTS_VOCODER_THREAD=1).
   */
  vocoderThread?: boolean;
}

/** The talker and code predictor sessions live on the engine's thread; the vocoder may live in a worker. */
export type ModelSessions = Record<Exclude<GraphName, 'vocoder'>, ort.InferenceSession> & { vocoder?: ort.InferenceSession };

export type GraphName = 'talker_prefill' | 'talker_decode' | 'code_predictor' | 'vocoder';
export const GRAPH_NAMES: readonly GraphName[] = ['talker_prefill', 'talker_decode', 'code_predictor', 'vocoder'];

/** Samples the codec decoder makes per frame (24 kHz / 12.5 Hz). */
export const SAMPLES_PER_FRAME = 1920;

type Dim = number | null; // null: dynamic, any length
export interface TensorSpec {
  name: string;
  type: 'float32' | 'int64';
  dims: Dim[];
  /** The export may prune it (attention_mask is only a length carrier, spec §3.1). */
  optional?: boolean;
}
export interface GraphSpec {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/** Names, dtypes and ranks of the four graphs (docs/model-layout.md), with the static dims config fixes. */
export function graphSpecs(c: Qwen3Config): Record<GraphName, GraphSpec> {
  const { hidden: H, layers: L, kvHeads: KV, headDim: D, vocab: V } = c.talker;
  const cp = c.cp;
  const f32 = (name: string, dims: Dim[], optional = false): TensorSpec => (optional ? { name, type: 'float32', dims, optional } : { name, type: 'float32', dims });
  const i64 = (name: string, dims: Dim[], optional = false): TensorSpec => (optional ? { name, type: 'int64', dims, optional } : { name, type: 'int64', dims });
  const presents: TensorSpec[] = [];
  for (let i = 0; i < L; i++) presents.push(f32(`present_key_${i}`, [1, KV, null, D]), f32(`present_value_${i}`, [1, KV, null, D]));
  return {
    talker_prefill: {
      inputs: [f32('inputs_embeds', [1, null, H]), i64('attention_mask', [1, null], true), i64('position_ids', [3, 1, null])],
      outputs: [f32('logits', [1, null, V]), f32('hidden_states', [1, null, H]), ...presents],
    },
    // As rewritten at load (decode-graph.ts): a time-major cache in, the new position out.
    talker_decode: {
      inputs: [
        f32('inputs_embeds', [1, 1, H]),
        i64('attention_mask', [1, null], true),
        i64('position_ids', [3, 1, 1]),
        f32(DECODE_KV.pastKeys, [null, L, 1, KV, D]),
        f32(DECODE_KV.pastValues, [null, L, 1, KV, D]),
      ],
      outputs: [f32('logits', [1, 1, V]), f32('hidden_states', [1, 1, H]), f32(DECODE_KV.stepKeys, [L, 1, KV, 1, D]), f32(DECODE_KV.stepValues, [L, 1, KV, 1, D])],
    },
    code_predictor: {
      inputs: [f32('inputs_embeds', [1, null, H]), i64('generation_steps', [1]), f32('past_keys', [cp.layers, 1, cp.kvHeads, null, cp.headDim]), f32('past_values', [cp.layers, 1, cp.kvHeads, null, cp.headDim])],
      outputs: [f32('logits', [1, null, cp.vocab]), f32('present_keys', [cp.layers, 1, cp.kvHeads, null, cp.headDim]), f32('present_values', [cp.layers, 1, cp.kvHeads, null, cp.headDim])],
    },
    vocoder: {
      inputs: [i64('codes', [1, c.talker.codeGroups, null])],
      outputs: [f32('waveform', [1, 1, null])],
    },
  };
}

interface ValueMetadataLike {
  name: string;
  isTensor?: boolean;
  type?: string;
  shape?: readonly (number | string)[];
}

/**
 * Checks a session's inputs and outputs against the spec; returns the input names to feed.
 * Uses inputMetadata/outputMetadata (onnxruntime-node ≥ 1.22) for dtypes and ranks, names otherwise.
 */
export function checkGraph(file: string, session: { inputNames: readonly string[]; outputNames: readonly string[] }, spec: GraphSpec): Set<string> {
  const meta = session as unknown as { inputMetadata?: readonly ValueMetadataLike[]; outputMetadata?: readonly ValueMetadataLike[] };
  const check = (kind: 'input' | 'output', names: readonly string[], metadata: readonly ValueMetadataLike[] | undefined, specs: TensorSpec[]) => {
    for (const s of specs) {
      if (!names.includes(s.name)) {
        if (s.optional) continue;
        throw new ModelFileError(file, `graph has no ${kind} '${s.name}' (its ${kind}s: ${names.join(', ') || 'none'})`);
      }
      const m = metadata?.find((x) => x.name === s.name);
      if (!m || m.isTensor === false) continue;
      if (m.type !== undefined && m.type !== s.type) throw new ModelFileError(file, `${kind} '${s.name}' has dtype ${m.type}, expected ${s.type}`);
      if (m.shape) {
        if (m.shape.length !== s.dims.length) throw new ModelFileError(file, `${kind} '${s.name}' has rank ${m.shape.length} [${m.shape.join(', ')}], expected rank ${s.dims.length}`);
        s.dims.forEach((d, i) => {
          const actual = m.shape![i];
          if (d !== null && typeof actual === 'number' && actual >= 0 && actual !== d) {
            throw new ModelFileError(file, `${kind} '${s.name}' has dim ${i} = ${actual}, expected ${d} (shape [${m.shape!.join(', ')}])`);
          }
        });
      }
    }
  };
  check('input', session.inputNames, meta.inputMetadata, spec.inputs);
  check('output', session.outputNames, meta.outputMetadata, spec.outputs);
  const known = new Set(spec.inputs.map((s) => s.name));
  const unknown = session.inputNames.filter((n) => !known.has(n));
  if (unknown.length) throw new ModelFileError(file, `graph has input(s) this engine cannot feed: ${unknown.join(', ')}`);
  return new Set(session.inputNames);
}

function available(ep: string): { ok: boolean; names: string[] } {
  const names = ort.listSupportedBackends().map((b) => b.name);
  return { ok: ep === 'cpu' || names.includes(ep), names };
}

export function sessionOptions(options: Qwen3ModelOptions): ort.InferenceSession.SessionOptions {
  const ep = (options.executionProvider ?? 'cpu').toLowerCase();
  const so: ort.InferenceSession.SessionOptions = {
    executionProviders: [ep],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    logSeverityLevel: 3,
  };
  if (options.intraOpNumThreads !== undefined) so.intraOpNumThreads = options.intraOpNumThreads;
  if (options.interOpNumThreads !== undefined) so.interOpNumThreads = options.interOpNumThreads;
  return so;
}

/** Resolves the execution provider, failing clearly when this onnxruntime-node build lacks it. */
export function checkExecutionProvider(name: string | undefined): string {
  const ep = (name ?? 'cpu').toLowerCase();
  if (!isExecutionProvider(ep)) throw new ModelFileError('executionProvider', `unknown execution provider '${name}' (known: ${EXECUTION_PROVIDERS.join(', ')})`);
  const { ok, names } = available(ep);
  if (!ok) {
    throw new ModelFileError(
      'executionProvider',
      `execution provider '${ep}' is not available in this onnxruntime-node build on ${process.platform}/${process.arch} (available: ${names.join(', ')})`,
    );
  }
  return ep;
}

/** talker_decode is loaded rewritten (decode-graph.ts); its weights still come from beside the file. */
function decodeGraphBytes(file: string): Uint8Array {
  try {
    return rewriteDecodeGraph(readFileSync(file));
  } catch (err) {
    if (err instanceof DecodeGraphError) throw new ModelFileError(file, err.message);
    throw new ModelFileError(file, `cannot read this graph: ${cleanOrtMessage(err)}`);
  }
}

async function startVocoderThread(file: string, options: Qwen3ModelOptions): Promise<VocoderThread> {
  if (!existsSync(file)) throw new ModelFileError(file, 'file is missing');
  try {
    return await VocoderThread.start(file, sessionOptions({ ...options, executionProvider: 'cpu' }));
  } catch (err) {
    throw new ModelFileError(file, `onnxruntime cannot load this graph: ${cleanOrtMessage(err)}`);
  }
}

async function createSession(file: string, options: Qwen3ModelOptions, ep: string, graph: GraphName): Promise<ort.InferenceSession> {
  if (!existsSync(file)) throw new ModelFileError(file, 'file is missing');
  try {
    const so = sessionOptions({ ...options, executionProvider: ep });
    if (graph !== 'talker_decode') return await ort.InferenceSession.create(file, so);
    const extra = { session: { model_external_initializers_file_folder_path: path.dirname(file) } };
    return await ort.InferenceSession.create(decodeGraphBytes(file), { ...so, extra });
  } catch (err) {
    if (err instanceof ModelFileError) throw err;
    const msg = cleanOrtMessage(err);
    if (ep !== 'cpu' && /provider|shared library|Failed to load/i.test(msg)) {
      throw new ModelFileError(file, `execution provider '${ep}' could not start (${msg}); its runtime libraries may be missing — use 'cpu'`);
    }
    throw new ModelFileError(file, `onnxruntime cannot load this graph: ${msg}`);
  }
}

function pickPrecision(dir: string, wanted: Precision | undefined): Precision {
  if (wanted) return wanted;
  const complete = (p: Precision) => GRAPH_NAMES.every((g) => existsSync(path.join(dir, p, `${g}.onnx`)));
  if (complete('int4')) return 'int4';
  return 'fp32';
}

function loadTable(file: string, rows: number, cols: number): Float32Array {
  const a = readNpy(file);
  if (a.shape.length !== 2 || a.shape[0] !== rows || a.shape[1] !== cols) {
    throw new ModelFileError(file, `shape is [${a.shape.join(', ')}], expected [${rows}, ${cols}]`);
  }
  return a.data;
}

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
  return { talker_prefill: { calls: 0, ms: 0 }, talker_decode: { calls: 0, ms: 0 }, code_predictor: { calls: 0, ms: 0 }, vocoder: { calls: 0, ms: 0 } };
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
  private readonly position = new BigInt64Array(3);

  private constructor(
    readonly dir: string,
    readonly config: Qwen3Config,
    readonly precision: Precision,
    readonly executionProvider: string,
    readonly tokenizer: Qwen2Tokenizer,
    readonly textProjection: TextProjection,
    /** talker codec embedding [talker_vocab, H]. */
    readonly codecEmbedding: Float32Array,
    /** 15 code-predictor tables [cp_vocab, H]; table k embeds codebook k+1. */
    readonly cpEmbeddings: Float32Array[],
    readonly sessions: ModelSessions,
    private readonly feeds: Record<GraphName, Set<string>>,
    private readonly vocoderThread: VocoderThread | undefined,
  ) {
    this.kv = new TalkerKvCache(config.talker);
  }

  resetTimings(): GraphTimings {
    const t = this.timings;
    this.timings = zeroTimings();
    return t;
  }

  static async load(dir: string, options: Qwen3ModelOptions = {}): Promise<Qwen3Model> {
    const config = readQwen3Config(path.join(dir, 'config.json'));
    if (config.type === 'base') throw new ModelFileError(path.join(dir, 'config.json'), `field 'tts_model_type' is 'base': voice cloning is not supported yet`);
    const ep = checkExecutionProvider(options.executionProvider);
    const precision = pickPrecision(dir, options.precision);
    const H = config.talker.hidden;
    const emb = (name: string) => path.join(dir, 'embeddings', `${name}.npy`);

    // Check every graph file first so a partial download names what is missing before the slow loads.
    for (const g of GRAPH_NAMES) {
      const file = path.join(dir, precision, `${g}.onnx`);
      if (!existsSync(file)) throw new ModelFileError(file, `file is missing (no ${precision} graph set in ${dir})`);
    }
    const tokenizer = Qwen2Tokenizer.fromDir(path.join(dir, 'tokenizer'));
    const codecEmbedding = loadTable(emb('talker_codec_embedding'), config.talker.vocab, H);
    const cpEmbeddings: Float32Array[] = [];
    for (let k = 0; k < config.cp.codeGroups - 1; k++) cpEmbeddings.push(loadTable(emb(`cp_codec_embedding_${k}`), config.cp.vocab, H));
    // Two small Gemms per prompt: the CPU does them at once, without a device round trip.
    const textProjection = await TextProjection.open(path.join(dir, 'embeddings'), { textVocab: TEXT_VOCAB_SIZE, textHidden: config.talker.textHidden, hidden: H }, sessionOptions({ ...options, executionProvider: 'cpu' }));

    const specs = graphSpecs(config);
    const sessions: Partial<Record<GraphName, ort.InferenceSession>> = {};
    const feeds: Partial<Record<GraphName, Set<string>>> = {};
    let thread: VocoderThread | undefined;
    try {
      for (const g of GRAPH_NAMES) {
        const file = path.join(dir, precision, `${g}.onnx`);
        if (g === 'vocoder' && options.vocoderThread === true && ep === 'cpu') {
          thread = await startVocoderThread(file, options);
          feeds[g] = checkGraph(file, thread.session, specs[g]);
          continue;
        }
        const session = await createSession(file, options, ep, g);
        sessions[g] = session;
        feeds[g] = checkGraph(file, session, specs[g]);
      }
    } catch (err) {
      await textProjection.close();
      await thread?.close();
      await Promise.all(Object.values(sessions).map((s) => s.release().catch(() => undefined)));
      throw err;
    }
    await textProjection.remember([config.ids.ttsPad, config.ids.ttsBos, config.ids.ttsEos, config.ids.imStart, config.ids.imEnd]);
    return new Qwen3Model(dir, config, precision, ep, tokenizer, textProjection, codecEmbedding, cpEmbeddings, sessions as ModelSessions, feeds as Record<GraphName, Set<string>>, thread);
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
    if (!table || id < 0 || id >= this.config.cp.vocab) throw new Error(`code predictor table ${k} id ${id} out of range`);
    const base = id * H;
    for (let i = 0; i < H; i++) out[offset + i]! += table[base + i]!;
  }

  private feed(graph: GraphName, all: Record<string, ort.Tensor>): Record<string, ort.Tensor> {
    const names = this.feeds[graph];
    const out: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(all)) if (names.has(k)) out[k] = v;
    return out;
  }

  private async run(graph: GraphName, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.OnnxValueMapType> {
    if (this.disposed) throw new Error('the model has been disposed');
    const started = performance.now();
    try {
      return await this.sessions[graph]!.run(this.feed(graph, feeds));
    } catch (err) {
      throw new ModelFileError(path.join(this.dir, this.precision, `${graph}.onnx`), `run failed: ${cleanOrtMessage(err)}`);
    } finally {
      const ms = performance.now() - started;
      const t = this.timings[graph];
      t.calls++;
      t.ms += ms;
      this.onRun?.(graph, started, ms);
    }
  }

  /** talker_prefill over P rows of `embeds` ([P, H]); its presents become the talker cache's positions 0..P-1. */
  async prefill(embeds: Float32Array, P: number): Promise<TalkerStep> {
    const { hidden: H, layers: L, vocab: V } = this.config.talker;
    const positions = new BigInt64Array(3 * P);
    for (let r = 0; r < 3; r++) for (let t = 0; t < P; t++) positions[r * P + t] = BigInt(t);
    const out = await this.run('talker_prefill', {
      inputs_embeds: new ort.Tensor('float32', embeds, [1, P, H]),
      attention_mask: this.mask.tensor(P),
      position_ids: new ort.Tensor('int64', positions, [3, 1, P]),
    });
    const layer = (kind: 'key' | 'value') => Array.from({ length: L }, (_, i) => out[`present_${kind}_${i}`]!.data as Float32Array);
    this.kv.fill(layer('key'), layer('value'), P);
    const logits = out.logits!.data as Float32Array;
    const hidden = out.hidden_states!.data as Float32Array;
    return { logits: logits.slice((P - 1) * V, P * V), hidden: hidden.slice((P - 1) * H, P * H) };
  }

  /** One talker_decode step at `position` (= the cache length); the new position is appended to the cache. */
  async decodeStep(x: Float32Array, position: number): Promise<TalkerStep> {
    const H = this.config.talker.hidden;
    if (position !== this.kv.length) throw new Error(`decode at position ${position} with ${this.kv.length} cached positions`);
    const past = this.kv.tensors();
    this.position.fill(BigInt(position));
    const out = await this.run('talker_decode', {
      inputs_embeds: new ort.Tensor('float32', x, [1, 1, H]),
      attention_mask: this.mask.tensor(position + 1),
      position_ids: new ort.Tensor('int64', this.position, [3, 1, 1]),
      [DECODE_KV.pastKeys]: past.keys,
      [DECODE_KV.pastValues]: past.values,
    });
    this.kv.append(out[DECODE_KV.stepKeys]!.data as Float32Array, out[DECODE_KV.stepValues]!.data as Float32Array);
    return { logits: out.logits!.data as Float32Array, hidden: out.hidden_states!.data as Float32Array };
  }

  /** An empty [Lcp,1,KVcp,0,Dcp] cache for a frame's first code-predictor call. */
  emptyCpCache(): ort.Tensor {
    const { layers, kvHeads, headDim } = this.config.cp;
    return new ort.Tensor('float32', new Float32Array(0), [layers, 1, kvHeads, 0, headDim]);
  }

  /** One code_predictor call over s rows of `embeds` ([s, H]); logits of the last row. */
  async codePredictorStep(embeds: Float32Array, s: number, generationStep: number, pastKeys: ort.Tensor, pastValues: ort.Tensor): Promise<CodePredictorStep> {
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
    const wave = this.vocoderThread ? await this.vocodeInThread(codes, G, T) : ((await this.run('vocoder', { codes: new ort.Tensor('int64', codes, [1, G, T]) })).waveform!.data as Float32Array);
    if (wave.length !== T * SAMPLES_PER_FRAME) {
      throw new ModelFileError(path.join(this.dir, this.precision, 'vocoder.onnx'), `waveform has ${wave.length} samples for ${T} frames, expected ${T * SAMPLES_PER_FRAME}`);
    }
    return F === 1 ? wave.slice(0, SAMPLES_PER_FRAME) : wave;
  }

  /** Whether vocoder runs overlap generation (a worker thread holds the vocoder). */
  get vocoderOverlaps(): boolean {
    return this.vocoderThread !== undefined;
  }

  private async vocodeInThread(codes: BigInt64Array, groups: number, frames: number): Promise<Float32Array> {
    if (this.disposed) throw new Error('the model has been disposed');
    const started = performance.now();
    try {
      return await this.vocoderThread!.run(codes, groups, frames);
    } catch (err) {
      throw new ModelFileError(path.join(this.dir, this.precision, 'vocoder.onnx'), `run failed: ${cleanOrtMessage(err)}`);
    } finally {
      const ms = performance.now() - started;
      this.timings.vocoder.calls++;
      this.timings.vocoder.ms += ms;
      this.onRun?.('vocoder', started, ms);
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.textProjection.close();
    await this.vocoderThread?.close();
    await Promise.all(Object.values(this.sessions).map((s) => s.release()));
  }
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
