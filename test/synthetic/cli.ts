// Argument parsing of scripts/gen-synthetic.ts, kept here so tests can cover it without a build.
import { parseArgs } from 'node:util';
import type { SyntheticModelOptions, SyntheticPrecision, SyntheticSize } from './build.js';
import type { SyntheticVariant } from './config.js';

export const USAGE =
  'usage: gen-synthetic --size tiny|0.6b|1.7b --out DIR [--precision fp32|int4] [--variant voice_design|custom_voice|base] [--seed N]\n' +
  '       (0.6b/1.7b: the published dimensions with random weights, for benchmarks; 1.7b fp32 writes ~14 GB)';

const SIZES: readonly SyntheticSize[] = ['tiny', '0.6b', '1.7b'];
const PRECISIONS: readonly SyntheticPrecision[] = ['fp32', 'int4'];
const VARIANTS: readonly SyntheticVariant[] = ['voice_design', 'custom_voice', 'base'];

export type GenArgs =
  | { kind: 'help' }
  | { kind: 'error'; message: string }
  | { kind: 'build'; out: string; options: Required<SyntheticModelOptions> };

class ArgError extends Error {}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a === value);
  if (found === undefined) throw new ArgError(`--${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  return found;
}

/** Parses the CLI arguments. */
export function parseGenSyntheticArgs(argv: readonly string[]): GenArgs {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        size: { type: 'string' },
        out: { type: 'string' },
        precision: { type: 'string', default: 'fp32' },
        variant: { type: 'string', default: 'voice_design' },
        seed: { type: 'string', default: '0' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) return { kind: 'help' };
    if (values.size === undefined) throw new ArgError('--size is required');
    if (values.out === undefined) throw new ArgError('--out is required');
    const seed = Number(values.seed);
    if (!/^-?\d+$/.test(values.seed) || !Number.isSafeInteger(seed))
      throw new ArgError(`--seed must be an integer, got "${values.seed}"`);
    return {
      kind: 'build',
      out: values.out,
      options: {
        size: oneOf('size', values.size, SIZES),
        precision: oneOf('precision', values.precision, PRECISIONS),
        variant: oneOf('variant', values.variant, VARIANTS),
        seed,
      },
    };
  } catch (err) {
    // parseArgs throws TypeErrors with a code for unknown options / missing values.
    if (err instanceof ArgError || (err instanceof TypeError && 'code' in err))
      return { kind: 'error', message: err.message };
    throw err;
  }
}
