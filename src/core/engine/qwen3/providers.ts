// Which onnxruntime execution provider runs the graphs: the one asked for, or with 'auto' (the default) the GPU
// provider this onnxruntime-node build can use on this platform, falling back to the CPU (decision 0020).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { ModelFileError } from './errors.js';
import { EXECUTION_PROVIDERS, isExecutionProvider } from '../../../shared/engine-options.js';

/** GPU providers 'auto' tries, best first, per platform; the CPU always comes last. WebGPU stays opt-in. */
const AUTO_ORDER: Record<string, readonly string[]> = { linux: ['cuda'], win32: ['dml', 'cuda'], darwin: ['coreml'] };

/** What the guide says when a provider's runtime is missing (docs/gpu.md). */
export function providerHelp(ep: string, platform: NodeJS.Platform = process.platform): string {
  if (ep === 'cuda' && platform === 'linux') {
    return "onnxruntime-node's npm package does not include its CUDA libraries: with CUDA 12 and cuDNN 9 installed, run `node node_modules/onnxruntime-node/script/install.js --onnxruntime-node-install` once (docs/gpu.md), or use --provider cpu";
  }
  return 'its runtime libraries may be missing (docs/gpu.md); use --provider cpu';
}

export interface Backend {
  name: string;
  /** Whether the npm package ships the provider's libraries (onnxruntime-node's listSupportedBackends). */
  bundled: boolean;
}

/**
 * The providers to try in order for `requested` ('auto' or a name): for 'auto', the platform's GPU providers this
 * build lists and whose libraries are present, then 'cpu'; otherwise the one named, checked to exist in this build.
 */
export function providerCandidates(
  requested: string | undefined,
  platform: NodeJS.Platform,
  backends: readonly Backend[],
  installed: (ep: string) => boolean,
): string[] {
  const ep = (requested ?? 'auto').toLowerCase();
  if (!isExecutionProvider(ep))
    throw new ModelFileError(
      'executionProvider',
      `unknown execution provider '${requested}' (known: ${EXECUTION_PROVIDERS.join(', ')})`,
    );
  const listed = (name: string) => backends.find((b) => b.name === name);
  if (ep === 'auto') {
    const gpus = (AUTO_ORDER[platform] ?? []).filter((name) => {
      const b = listed(name);
      return b !== undefined && (b.bundled || installed(name));
    });
    return [...gpus, 'cpu'];
  }
  if (ep !== 'cpu' && !listed(ep)) {
    throw new ModelFileError(
      'executionProvider',
      `execution provider '${ep}' is not available in this onnxruntime-node build on ${platform}/${process.arch} (available: ${backends.map((b) => b.name).join(', ')})`,
    );
  }
  return [ep];
}

/** Whether a provider that the npm package does not bundle has had its libraries added beside the binding. */
export function providerInstalled(ep: string): boolean {
  try {
    const pkg = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
    const dir = path.join(path.dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch);
    const lib = process.platform === 'win32' ? `onnxruntime_providers_${ep}.dll` : `libonnxruntime_providers_${ep}.so`;
    return existsSync(path.join(dir, lib));
  } catch {
    return false;
  }
}

/** providerCandidates on this machine. */
export function localProviderCandidates(requested: string | undefined): string[] {
  return providerCandidates(requested, process.platform, ort.listSupportedBackends(), providerInstalled);
}
