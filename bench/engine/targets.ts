// Which models the engine benchmark measures: the directories given with --model, or full-size synthetic models
// built once (by gen:synthetic) for each size and precision that fits this machine's RAM and disk.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GB, root } from './common.js';

export interface Target {
  label: string;
  dir: string;
  precision: string;
}

/** Approximate on-disk size before building, to skip what would not fit this machine. */
const EXPECTED_GB: Record<string, number> = { '0.6b-int4': 2.0, '0.6b-fp32': 5.5, '1.7b-int4': 3.6, '1.7b-fp32': 13.5 };

export function benchTargets(values: {
  model?: string[] | undefined;
  sizes: string;
  precisions: string;
  'models-dir': string;
}): Target[] {
  const targets: Target[] = [];
  for (const dir of values.model ?? []) {
    const precision = existsSync(path.join(dir, 'int4')) ? 'int4' : 'fp32';
    targets.push({ label: path.basename(dir), dir: path.resolve(dir), precision });
  }
  if (values.model?.length) return targets;
  const ram = os.totalmem();
  for (const size of values.sizes.split(',')) {
    for (const precision of values.precisions.split(',')) {
      const label = `${size}-${precision}`;
      const dir = path.join(values['models-dir'], label);
      const need = (EXPECTED_GB[label] ?? 20) * 1e9;
      // weights are held once per talker graph plus the KV cache and arenas: leave a quarter of RAM spare
      if (need > ram * 0.75) {
        console.log(`skipping ${label}: ~${GB(need)} of weights does not fit ${GB(ram)} of RAM`);
        continue;
      }
      if (!existsSync(path.join(dir, '.complete'))) {
        const free = statfsSync(path.dirname(dir)).bavail * statfsSync(path.dirname(dir)).bsize;
        if (free < need * 1.2) {
          console.log(`skipping ${label}: ${GB(free)} free on disk, ~${GB(need)} needed`);
          continue;
        }
        console.log(`building ${label} into ${dir} …`);
        execFileSync(
          process.execPath,
          [
            path.join(root, 'out/scripts/gen-synthetic.mjs'),
            '--size',
            size,
            '--precision',
            precision,
            '--seed',
            '1',
            '--out',
            dir,
          ],
          { stdio: 'inherit' },
        );
        writeFileSync(path.join(dir, '.complete'), new Date().toISOString());
      }
      targets.push({ label, dir, precision });
    }
  }
  return targets;
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

/** What the engine loads: config, tokenizer, embeddings and one precision's four graphs. */
export function modelBytes(dir: string, precision: string): number {
  return (
    dirBytes(path.join(dir, precision)) +
    dirBytes(path.join(dir, 'embeddings')) +
    dirBytes(path.join(dir, 'tokenizer')) +
    statSync(path.join(dir, 'config.json')).size
  );
}
