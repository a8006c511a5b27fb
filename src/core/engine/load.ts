// Loads an engine in this process. The daemon calls it inside the engine host process; the CLI's
// in-process fallback calls it directly. Engine code is imported only here, and only when needed.
import type { Engine } from '../../shared/engine.js';
import type { EngineConfig } from './config.js';
import { EngineError } from './errors.js';
import { errorMessage } from '../../shared/errors.js';
import { currentPathEnv } from '../paths.js';

/** How the remote engine gets its stand-in local model (the daemon: in a host process of its own). */
export interface LoadOptions {
  loadLocal?: (config: EngineConfig) => Promise<Engine>;
  log?: (message: string) => void;
  onRemoteChange?: () => void;
}

export async function loadEngine(config: EngineConfig, options: LoadOptions = {}): Promise<Engine> {
  if (config.kind === 'remote') {
    const [{ createSpeechServerEngine }, { withFailover }] = await Promise.all([
      import('./speech-server/engine.js'),
      import('./speech-server/failover.js'),
    ]);
    const server = createSpeechServerEngine({ url: config.url, token: config.token, timeouts: config.timeouts });
    const fallback = config.fallback;
    const engine = withFailover(server, {
      loadLocal: fallback ? () => (options.loadLocal ?? loadEngine)(fallback) : undefined,
      ...(config.recheckMs !== undefined ? { recheckMs: config.recheckMs } : {}),
      ...(options.log ? { log: options.log } : {}),
      ...(options.onRemoteChange ? { onChange: options.onRemoteChange } : {}),
    });
    // Not fatal: a server that is down at start is tried again at each request (or stood in for).
    if (!(await engine.refreshInfo()))
      options.log?.(`speech server ${server.url} does not answer yet; requests will try it`);
    return engine;
  }
  if (config.kind === 'tone') {
    const { createToneEngine } = await import('./tone.js');
    return createToneEngine(config.msPerFrame === undefined ? {} : { msPerFrame: config.msPerFrame });
  }
  const [{ loadQwen3Engine }, pair] = await Promise.all([import('./qwen3/engine.js'), import('./voice-pair.js')]);
  const load = async (dir: string) => {
    try {
      return await loadQwen3Engine(dir, {
        ...(config.precision ? { precision: config.precision } : {}),
        ...(config.executionProvider ? { executionProvider: config.executionProvider } : {}),
        ...(config.intraOpThreads ? { intraOpNumThreads: config.intraOpThreads } : {}),
        ...(config.interOpThreads ? { interOpNumThreads: config.interOpThreads } : {}),
        ...(config.vocoderThread ? { vocoderThread: true } : {}),
      });
    } catch (err) {
      if (err instanceof EngineError) throw err;
      throw new EngineError('E_ENGINE', `cannot load the model in ${dir}: ${errorMessage(err)}`);
    }
  };
  // Cloned voices and designs need a model each: the other one is found and loaded when first needed.
  const pathEnv = currentPathEnv();
  return pair.pairWithCompanion(await load(config.modelDir), {
    kind: pair.modelKind(config.modelDir) ?? 'voice_design',
    find: (want) => pair.findCompanion(pathEnv, config.modelDir, want),
    load,
    ...(options.log ? { log: options.log } : {}),
  });
}
