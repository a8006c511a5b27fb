// Session creation, in one place: the execution provider, onnxruntime's session options, and opening the four
// graphs (talker_decode rewritten on the way, the vocoder optionally in a worker), each checked against its spec.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { DecodeGraphError, rewriteDecodeGraph } from './decode-graph.js';
import { cleanOrtMessage, ModelFileError } from './errors.js';
import { checkGraph, GRAPH_NAMES, type GraphName, type GraphSpec } from './graph-spec.js';
import { VocoderThread } from './vocoder-thread.js';
import { providerHelp } from './providers.js';

/** A provider's runtime could not start (its libraries missing, no device): 'auto' goes on to the next one. */
export class ProviderStartError extends ModelFileError {
  constructor(
    file: string,
    readonly provider: string,
    why: string,
  ) {
    super(file, why);
  }
}

/** How the sessions run; part of the model's load options. */
export interface SessionSettings {
  /** 'auto' (the default: a GPU provider this build can use, else the CPU; providers.ts), 'cpu', 'cuda', …. */
  executionProvider?: string;
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  /**
   * Run the vocoder in a worker thread so it overlaps generation (default false: on a 2-core machine the two
   * compete for the same cores and measured no faster, BENCHMARKS.md; for machines with cores to spare; Q3TTS_VOCODER_THREAD=1).
   */
  vocoderThread?: boolean;
  /**
   * Prefill with talker_decode as well where the export allows it (probed at load), so the talker's weights are
   * loaded once (decision 0019; default true). false opens talker_prefill too, as before.
   */
  singleTalkerSession?: boolean;
  /** Let ORT's intra-op threads spin while waiting for work (ORT's default, true); false yields the core instead. */
  spinning?: boolean;
}

/**
 * The talker and code predictor sessions live on the engine's thread; the vocoder may live in a worker, and
 * talker_prefill is opened only when talker_decode cannot prefill (decision 0019).
 */
export type ModelSessions = Record<'talker_decode' | 'code_predictor', ort.InferenceSession> & {
  talker_prefill?: ort.InferenceSession;
  vocoder?: ort.InferenceSession;
};

/** The four graphs, open: the sessions, the input names each one takes, and the vocoder's worker if it has one. */
export interface OpenGraphs {
  sessions: ModelSessions;
  feeds: Record<GraphName, Set<string>>;
  vocoderThread: VocoderThread | undefined;
}

export function sessionOptions(settings: SessionSettings): ort.InferenceSession.SessionOptions {
  const ep = (settings.executionProvider ?? 'cpu').toLowerCase(); // resolved by load.ts; 'cpu' for the helper graphs
  const so: ort.InferenceSession.SessionOptions = {
    executionProviders: [ep],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    logSeverityLevel: 3,
  };
  if (settings.intraOpNumThreads !== undefined) so.intraOpNumThreads = settings.intraOpNumThreads;
  if (settings.interOpNumThreads !== undefined) so.interOpNumThreads = settings.interOpNumThreads;
  if (settings.spinning === false)
    so.extra = { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } };
  return so;
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

async function startVocoderThread(file: string, settings: SessionSettings): Promise<VocoderThread> {
  if (!existsSync(file)) throw new ModelFileError(file, 'file is missing');
  try {
    return await VocoderThread.start(file, sessionOptions({ ...settings, executionProvider: 'cpu' }));
  } catch (err) {
    throw new ModelFileError(file, `onnxruntime cannot load this graph: ${cleanOrtMessage(err)}`);
  }
}

async function createSession(
  file: string,
  settings: SessionSettings,
  ep: string,
  graph: GraphName,
): Promise<ort.InferenceSession> {
  if (!existsSync(file)) throw new ModelFileError(file, 'file is missing');
  try {
    const so = sessionOptions({ ...settings, executionProvider: ep });
    if (graph !== 'talker_decode') return await ort.InferenceSession.create(file, so);
    const extra = { session: { model_external_initializers_file_folder_path: path.dirname(file) } };
    return await ort.InferenceSession.create(decodeGraphBytes(file), { ...so, extra });
  } catch (err) {
    if (err instanceof ModelFileError) throw err;
    const msg = cleanOrtMessage(err);
    if (ep !== 'cpu' && /provider|shared library|Failed to load/i.test(msg)) {
      throw new ProviderStartError(
        file,
        ep,
        `execution provider '${ep}' could not start (${msg}); ${providerHelp(ep)}`,
      );
    }
    throw new ModelFileError(file, `onnxruntime cannot load this graph: ${msg}`);
  }
}

/**
 * Opens the graphs of `files` on `ep` (all but those in `later`) and checks each against `specs`; on any failure,
 * whatever was opened is closed again before the error is rethrown.
 */
export async function openGraphs(
  files: Record<GraphName, string>,
  specs: Record<GraphName, GraphSpec>,
  settings: SessionSettings,
  ep: string,
  later: readonly GraphName[] = [],
): Promise<OpenGraphs> {
  const graphs: OpenGraphs = {
    sessions: {} as ModelSessions,
    feeds: {} as Record<GraphName, Set<string>>,
    vocoderThread: undefined,
  };
  try {
    for (const g of GRAPH_NAMES) {
      if (later.includes(g)) continue;
      const file = files[g];
      if (g === 'vocoder' && settings.vocoderThread === true && ep === 'cpu') {
        graphs.vocoderThread = await startVocoderThread(file, settings);
        graphs.feeds[g] = checkGraph(file, graphs.vocoderThread.session, specs[g]);
        continue;
      }
      await openGraph(graphs, g, file, specs[g], settings, ep);
    }
  } catch (err) {
    await closeGraphs(graphs).catch(() => undefined);
    throw err;
  }
  return graphs;
}

/** Opens one more graph into `graphs` (talker_prefill, when talker_decode turns out unable to prefill). */
export async function openGraph(
  graphs: OpenGraphs,
  g: GraphName,
  file: string,
  spec: GraphSpec,
  settings: SessionSettings,
  ep: string,
): Promise<void> {
  const session = await createSession(file, settings, ep, g);
  try {
    graphs.feeds[g] = checkGraph(file, session, spec);
  } catch (err) {
    await session.release().catch(() => undefined);
    throw err;
  }
  (graphs.sessions as Partial<Record<GraphName, ort.InferenceSession>>)[g] = session;
}

export async function closeGraphs(graphs: OpenGraphs): Promise<void> {
  await graphs.vocoderThread?.close();
  await Promise.all(Object.values(graphs.sessions).map((s) => s.release()));
}
