// Loads an engine in this process. The daemon calls it inside the engine host process; the CLI's
// in-process fallback calls it directly. Engine code is imported only here, and only when needed.
import type { Engine } from '../../shared/engine.js';
import type { EngineConfig } from './config.js';
import { EngineError } from './errors.js';
import { errorMessage } from '../../shared/errors.js';

export async function loadEngine(config: EngineConfig): Promise<Engine> {
  if (config.kind === 'tone') {
    const { createToneEngine } = await import('./tone.js');
    return createToneEngine(config.msPerFrame === undefined ? {} : { msPerFrame: config.msPerFrame });
  }
  const { loadQwen3Engine } = await import('./qwen3/engine.js');
  try {
    return await loadQwen3Engine(config.modelDir, {
      ...(config.precision ? { precision: config.precision } : {}),
      ...(config.executionProvider ? { executionProvider: config.executionProvider } : {}),
      ...(config.intraOpThreads ? { intraOpNumThreads: config.intraOpThreads } : {}),
      ...(config.interOpThreads ? { interOpNumThreads: config.interOpThreads } : {}),
      ...(config.vocoderThread ? { vocoderThread: true } : {}),
    });
  } catch (err) {
    if (err instanceof EngineError) throw err;
    throw new EngineError('E_ENGINE', `cannot load the model in ${config.modelDir}: ${errorMessage(err)}`);
  }
}
