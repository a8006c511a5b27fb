// Which engine to run and with what model: decided once, from flags, environment and the data dir.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ENGINES, PRECISIONS, isPrecision, oneOf, type Precision } from '../../shared/engine-options.js';
import type { PathEnv } from '../../shared/paths.js';
import { ModelsLayout, modelsRoot } from '../models/layout.js';
import { EngineError } from './errors.js';
import { resolveRemoteConfig, type RemoteConfig } from './speech-server/config.js';

export interface Qwen3Config {
  kind: 'qwen3';
  modelDir: string;
  precision?: Precision;
  executionProvider?: string;
  intraOpThreads?: number;
  interOpThreads?: number;
  vocoderThread?: boolean;
}

export type EngineConfig = { kind: 'tone'; msPerFrame?: number } | Qwen3Config | RemoteConfig;

export interface EngineChoice {
  engine?: string | undefined;
  modelDir?: string | undefined;
  executionProvider?: string | undefined;
  /** Which graph set of the model to load (default: int4 when installed, else fp32). */
  precision?: string | undefined;
  threads?: number | undefined;
  /** The speech server for the remote engine (--remote URL); choosing it implies engine 'remote'. */
  remoteUrl?: string | undefined;
}

/**
 * The model to load: --model, then Q3TTS_MODEL_DIR, then the active model named in <data>/models/active,
 * then the only installed model. Never guesses between several.
 */
export function resolveModelDir(p: PathEnv, explicit?: string): string {
  const chosen = explicit || p.env.Q3TTS_MODEL_DIR;
  if (chosen) {
    if (!existsSync(path.join(chosen, 'config.json'))) {
      throw new EngineError(
        'E_NO_MODEL',
        `no model at ${chosen}: config.json is missing (check --model / Q3TTS_MODEL_DIR)`,
      );
    }
    return chosen;
  }
  const root = modelsRoot(p);
  const layout = new ModelsLayout(root);
  const active = layout.active();
  if (active && existsSync(path.join(layout.dir(active), 'config.json'))) return layout.dir(active);
  const installed = layout.installedFolders();
  if (installed.length === 1) return layout.dir(installed[0]!);
  if (installed.length > 1) {
    throw new EngineError(
      'E_NO_MODEL',
      `several models are installed in ${root} (${installed.join(', ')}); choose one with 'q3tts models use NAME', --model or Q3TTS_MODEL_DIR`,
    );
  }
  throw new EngineError(
    'E_NO_MODEL',
    `no model installed. Get one with 'q3tts models pull qwen3-tts-1.7b-voicedesign' (int4, about 5 GB), ` +
      `put a Qwen3-TTS ONNX export in ${path.join(root, '<name>')}, or point Q3TTS_MODEL_DIR (or --model) at one. Without weights, 'npm run gen:synthetic -- --size tiny --out DIR' makes a test model.`,
  );
}

export function resolveEngineConfig(p: PathEnv, choice: EngineChoice = {}): EngineConfig {
  const kind = choice.engine || (choice.remoteUrl ? 'remote' : '') || p.env.Q3TTS_ENGINE || 'qwen3';
  if (kind === 'remote') return resolveRemoteConfig(p, choice, (c) => resolveLocalConfig(p, c));
  if (kind === 'tone') {
    const ms = Number(p.env.Q3TTS_TONE_MS_PER_FRAME ?? 0);
    return ms > 0 ? { kind: 'tone', msPerFrame: ms } : { kind: 'tone' };
  }
  if (kind !== 'qwen3') throw new EngineError('E_ENGINE', `unknown engine '${kind}' (known: ${ENGINES.join(', ')})`);
  return resolveLocalConfig(p, choice);
}

function resolveLocalConfig(p: PathEnv, choice: EngineChoice): Qwen3Config {
  const config: Qwen3Config = { kind: 'qwen3', modelDir: resolveModelDir(p, choice.modelDir) };
  const precision = choice.precision || p.env.Q3TTS_PRECISION;
  if (precision) {
    if (!isPrecision(precision))
      throw new EngineError('E_ENGINE', `unknown precision '${precision}' (${oneOf(PRECISIONS)})`);
    config.precision = precision;
  }
  const ep = choice.executionProvider || p.env.Q3TTS_EXECUTION_PROVIDER;
  if (ep) config.executionProvider = ep;
  const threads = choice.threads ?? (p.env.Q3TTS_THREADS ? Number(p.env.Q3TTS_THREADS) : undefined);
  if (threads !== undefined && Number.isInteger(threads) && threads > 0) config.intraOpThreads = threads;
  if (p.env.Q3TTS_VOCODER_THREAD === '1') config.vocoderThread = true;
  return config;
}
