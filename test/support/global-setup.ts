// Builds out/ once per test run: the daemon, CLI and engine-host tests run the built files, as users do.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '../..');
  const result = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) {
    // Not fatal here: tests that need out/ fail with their own clear error, the others still run.
    console.warn(`build failed; tests that run out/ will fail:\n${result.stderr}`);
  }
}
