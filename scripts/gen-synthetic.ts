// npm run gen:synthetic -- --size tiny --out DIR [--precision fp32] [--variant voice_design|custom_voice|base] [--seed N]
// Writes a synthetic Qwen3-TTS model directory (docs/model-layout.md) for testing without real weights.
import path from 'node:path';
import { UnsupportedSyntheticOption, buildSyntheticModel } from '../test/synthetic/build.js';
import { USAGE, parseGenSyntheticArgs } from '../test/synthetic/cli.js';

const args = parseGenSyntheticArgs(process.argv.slice(2));
if (args.kind === 'help') {
  console.log(USAGE);
} else if (args.kind === 'error') {
  console.error(`gen-synthetic: ${args.message}\n${USAGE}`);
  process.exitCode = 2;
} else {
  const out = path.resolve(args.out);
  const { size, precision, variant, seed } = args.options;
  const started = performance.now();
  try {
    const model = await buildSyntheticModel(out, args.options);
    const d = model.dims;
    console.log(
      `wrote ${size} ${variant} ${precision} model (seed ${seed}) to ${out} in ${Math.round(performance.now() - started)} ms: ` +
        `talker ${d.talkerLayers}x${d.talkerHidden}, code predictor ${d.cpLayers}x${d.cpHidden}`,
    );
  } catch (err) {
    if (!(err instanceof UnsupportedSyntheticOption)) throw err;
    console.error(`gen-synthetic: ${err.message}`);
    process.exitCode = 2;
  }
}
