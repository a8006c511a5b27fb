// The engine's choices, named once: the CLI (parser and --help), the engine, the model manager, the settings
// schema and the window all read them here, so a new provider or precision cannot reach only some of them.
// No zod and no Node: the renderer bundles this file.

/** Graph sets of a model (docs/model-layout.md); int4 is the default where installed. */
export const PRECISIONS = ['int4', 'fp32'] as const;
export type Precision = (typeof PRECISIONS)[number];

/**
 * onnxruntime execution providers q3tts can ask for; whether this build has one is checked at load. 'auto' (the
 * default) picks a GPU provider onnxruntime can use here, else the CPU (docs/gpu.md).
 */
export const EXECUTION_PROVIDERS = ['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];

/** Engines: the real model, the deterministic test engine (beeps, no model), and a speech server's (remote). */
export const ENGINES = ['qwen3', 'tone', 'remote'] as const;
export type EngineName = (typeof ENGINES)[number];

/** How the window names them. */
export const PRECISION_LABELS: Record<Precision, string> = {
  int4: 'int4 — smaller, faster',
  fp32: 'fp32 — full precision',
};
export const EXECUTION_PROVIDER_LABELS: Record<ExecutionProvider, string> = {
  auto: 'Automatic (a GPU when available, else CPU)',
  cpu: 'CPU',
  cuda: 'CUDA (NVIDIA GPU)',
  dml: 'DirectML (Windows GPU)',
  coreml: 'Core ML (Apple)',
  webgpu: 'WebGPU',
};

export const isPrecision = (v: unknown): v is Precision => (PRECISIONS as readonly unknown[]).includes(v);
export const isExecutionProvider = (v: unknown): v is ExecutionProvider =>
  (EXECUTION_PROVIDERS as readonly unknown[]).includes(v);

/** "int4 or fp32", "cpu, cuda, dml, coreml or webgpu": for error messages. */
export function oneOf(values: readonly string[]): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)!}`;
}
