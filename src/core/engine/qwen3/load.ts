// Loading a model directory (docs/model-layout.md) into the parts a Qwen3Model runs on: config, tokenizer,
// embedding tables, text projection and the four open graphs. Every file is checked as it is read, so a wrong
// or partial download fails with a message naming the file.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readQwen3Config, TEXT_VOCAB_SIZE, type Qwen3Config } from './config.js';
import { ModelFileError } from './errors.js';
import { GRAPH_NAMES, graphSpecs, type GraphName, type GraphSpec } from './graph-spec.js';
import { readNpy } from './npy.js';
import { localProviderCandidates } from './providers.js';
import { openGraphs, ProviderStartError, sessionOptions, type OpenGraphs, type SessionSettings } from './sessions.js';
import { TextProjection } from './text-projection.js';
import { Qwen2Tokenizer } from './tokenizer.js';
import type { Precision } from '../../../shared/engine-options.js';

export type { Precision } from '../../../shared/engine-options.js';

export interface Qwen3ModelOptions extends SessionSettings {
  /** Which graph set to load; default: int4 when the directory has it, else fp32. */
  precision?: Precision;
}

/** Everything a Qwen3Model holds, loaded and checked. */
export interface Qwen3ModelParts {
  dir: string;
  config: Qwen3Config;
  precision: Precision;
  /** The provider the graphs run on ('auto' resolved). */
  executionProvider: string;
  /** Providers 'auto' tried first and why each could not start. */
  providerNotes: string[];
  tokenizer: Qwen2Tokenizer;
  textProjection: TextProjection;
  /** talker codec embedding [talker_vocab, H]. */
  codecEmbedding: Float32Array;
  /** 15 code-predictor tables [cp_vocab, H]; table k embeds codebook k+1. */
  cpEmbeddings: Float32Array[];
  graphs: OpenGraphs;
  /** Every graph's file and spec, for a graph opened after load (openGraph). */
  files: Record<GraphName, string>;
  specs: Record<GraphName, GraphSpec>;
  settings: SessionSettings;
}

/** int4 when its set is complete, else fp32; but a model with only an (incomplete) int4 folder stays int4, so the
 * error names the int4 file that is missing rather than an fp32 set the user never had. */
function pickPrecision(dir: string, wanted: Precision | undefined): Precision {
  if (wanted) return wanted;
  const complete = (p: Precision) => GRAPH_NAMES.every((g) => existsSync(path.join(dir, p, `${g}.onnx`)));
  if (complete('int4')) return 'int4';
  if (!existsSync(path.join(dir, 'fp32')) && existsSync(path.join(dir, 'int4'))) return 'int4';
  return 'fp32';
}

function loadTable(file: string, rows: number, cols: number): Float32Array {
  const a = readNpy(file);
  if (a.shape.length !== 2 || a.shape[0] !== rows || a.shape[1] !== cols) {
    throw new ModelFileError(file, `shape is [${a.shape.join(', ')}], expected [${rows}, ${cols}]`);
  }
  return a.data;
}

export async function loadModelParts(dir: string, options: Qwen3ModelOptions = {}): Promise<Qwen3ModelParts> {
  const config = readQwen3Config(path.join(dir, 'config.json'));
  const providers = localProviderCandidates(options.executionProvider);
  const precision = pickPrecision(dir, options.precision);
  const H = config.talker.hidden;
  const emb = (name: string) => path.join(dir, 'embeddings', `${name}.npy`);

  // Check every graph file first so a partial download names what is missing before the slow loads.
  const files = Object.fromEntries(GRAPH_NAMES.map((g) => [g, path.join(dir, precision, `${g}.onnx`)])) as Record<
    GraphName,
    string
  >;
  for (const g of GRAPH_NAMES) {
    if (!existsSync(files[g]))
      throw new ModelFileError(
        files[g],
        existsSync(path.join(dir, precision))
          ? `file is missing (the ${precision} graph set in ${dir} is incomplete)`
          : `file is missing (no ${precision} graph set in ${dir})`,
      );
  }
  const tokenizer = Qwen2Tokenizer.fromDir(path.join(dir, 'tokenizer'));
  const codecEmbedding = loadTable(emb('talker_codec_embedding'), config.talker.vocab, H);
  const cpEmbeddings: Float32Array[] = [];
  for (let k = 0; k < config.cp.codeGroups - 1; k++)
    cpEmbeddings.push(loadTable(emb(`cp_codec_embedding_${k}`), config.cp.vocab, H));
  // Two small Gemms per prompt: the CPU does them at once, without a device round trip.
  const textProjection = await TextProjection.open(
    path.join(dir, 'embeddings'),
    { textVocab: TEXT_VOCAB_SIZE, textHidden: config.talker.textHidden, hidden: H },
    sessionOptions({ ...options, executionProvider: 'cpu' }),
  );

  // talker_prefill waits until the model knows whether talker_decode can prefill (Qwen3Model.load).
  const specs = graphSpecs(config);
  let graphs: OpenGraphs | undefined;
  let executionProvider = 'cpu';
  const skipped: string[] = [];
  try {
    for (const ep of providers) {
      try {
        graphs = await openGraphs(
          files,
          specs,
          options,
          ep,
          options.singleTalkerSession === false ? [] : ['talker_prefill'],
        );
        executionProvider = ep;
        break;
      } catch (err) {
        // 'auto' goes on to the next provider (the CPU last) when a GPU provider cannot start
        if (!(err instanceof ProviderStartError) || ep === providers.at(-1)) throw err;
        skipped.push(`${ep}: ${err.message}`);
      }
    }
  } catch (err) {
    await textProjection.close();
    throw err;
  }
  if (!graphs) throw new ModelFileError(dir, 'no execution provider to open the graphs with');
  await textProjection.remember([
    config.ids.ttsPad,
    config.ids.ttsBos,
    config.ids.ttsEos,
    config.ids.imStart,
    config.ids.imEnd,
  ]);
  return {
    dir,
    config,
    precision,
    executionProvider,
    providerNotes: skipped,
    tokenizer,
    textProjection,
    codecEmbedding,
    cpEmbeddings,
    graphs,
    files,
    specs,
    settings: options,
  };
}
