// npm run gen:synthetic -- --size tiny --out DIR [--precision fp32] [--variant voice_design|custom_voice] [--seed N]
// Writes a synthetic Qwen3-TTS model directory (docs/model-layout.md) for testing without real weights.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UnsupportedSyntheticOption, buildSyntheticModel, type SyntheticPrecision, type SyntheticSize } from '../test/synthetic/build.js';
import type { SyntheticVariant } from '../test/synthetic/config.js';

const USAGE =
  'usage: gen-synthetic --size tiny --out DIR [--precision fp32] [--variant voice_design|custom_voice] [--seed N]\n' +
  '       (--size 0.6b|1.7b and --precision int4 are planned, not yet supported)';

const SIZES: readonly SyntheticSize[] = ['tiny', '0.6b', '1.7b'];
const PRECISIONS: readonly SyntheticPrecision[] = ['fp32', 'int4'];
const VARIANTS: readonly SyntheticVariant[] = ['voice_design', 'custom_voice'];

function fail(message: string): never {
  console.error(`gen-synthetic: ${message}\n${USAGE}`);
  process.exit(2);
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a === value);
  if (found === undefined) fail(`--${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  return found;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        size: { type: 'string' },
        out: { type: 'string' },
        precision: { type: 'string', default: 'fp32' },
        variant: { type: 'string', default: 'voice_design' },
        seed: { type: 'string', default: '0' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.size === undefined) fail('--size is required');
  if (values.out === undefined) fail('--out is required');
  const size = oneOf('size', values.size, SIZES);
  const precision = oneOf('precision', values.precision, PRECISIONS);
  const variant = oneOf('variant', values.variant, VARIANTS);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed)) fail(`--seed must be an integer, got "${values.seed}"`);

  const out = path.resolve(values.out);
  const started = performance.now();
  try {
    const model = await buildSyntheticModel(out, { size, precision, variant, seed });
    const d = model.dims;
    console.log(
      `wrote ${size} ${variant} ${precision} model (seed ${seed}) to ${out} in ${Math.round(performance.now() - started)} ms: ` +
        `talker ${d.talkerLayers}x${d.talkerHidden}, code predictor ${d.cpLayers}x${d.cpHidden}`,
    );
  } catch (err) {
    if (err instanceof UnsupportedSyntheticOption) {
      console.error(`gen-synthetic: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
}

await main();
