// The built main process (out/main/index.mjs, from scripts/build.mjs) must start without the engine's
// native modules: they load in the engine's utilityProcess, and only lazily in this one. Checked on the
// build output twice: its static import graph, and a real start where those modules fail to load.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const mainDir = path.join(root, 'out/main');
const entry = path.join(mainDir, 'index.mjs');
/** What the engine loads that is native (or only there for native code): never at the main process's start. */
const NATIVE = ['onnxruntime-node', 'onnxruntime-common', 'onnx-proto', 'naudiodon', 'segfault-handler'];

/** esbuild's own parse of the built files: every file reachable from the entry, with its imports. */
async function importGraph(): Promise<Metafile['inputs']> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    logLevel: 'silent',
    absWorkingDir: root,
  });
  return result.metafile.inputs;
}

/** Packages reached from the entry through the given kinds of import. */
function packagesReached(inputs: Metafile['inputs'], kinds: string[]): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of inputs[file]?.imports ?? []) {
      if (!kinds.includes(i.kind)) continue;
      if (i.external) packages.add(i.path);
      else visit(i.path);
    }
  };
  visit(path.relative(root, entry));
  return packages;
}

describe('built main bundle', () => {
  it('imports no native engine module at top level, and still reaches the engine lazily', async () => {
    const inputs = await importGraph();
    const eager = packagesReached(inputs, ['import-statement']);
    expect(eager).toContain('electron'); // the walk really follows the static graph
    for (const native of NATIVE) expect(eager, native).not.toContain(native);
    const lazy = packagesReached(inputs, ['import-statement', 'dynamic-import']);
    expect(lazy).toContain('onnxruntime-node'); // behind import(): the in-process engine, never used by the app
  });

  it('finds the engine host beside it: the code resolving ../engine/host.mjs sits directly in out/main, not in a chunk', () => {
    const files = readdirSync(mainDir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.mjs'));
    const resolving = files.filter((f) => readFileSync(path.join(mainDir, f), 'utf8').includes('"../engine/host.mjs"'));
    expect(resolving).toEqual(['index.mjs']); // from out/main/chunks/ it would name out/main/engine/host.mjs
    expect(existsSync(path.resolve(mainDir, '../engine/host.mjs'))).toBe(true);
  });

  const run = (file: string) =>
    spawnSync(process.execPath, ['--import', path.join(import.meta.dirname, 'fixtures/block-native.mjs'), file], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, Q3TTS_BUNDLE_DIR: mainDir, Q3TTS_BLOCKED: NATIVE.join(',') },
      timeout: 20_000,
    });

  it('starts (up to the single-instance check) where onnxruntime cannot load', () => {
    const r = run(entry);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('call app.requestSingleInstanceLock');
    expect(r.stdout).toContain('call app.quit'); // the stub refuses the lock: the module ran to its end
  });

  it('the blocked modules really break what imports them (the engine chunk)', () => {
    const engineChunk = readdirSync(path.join(mainDir, 'chunks')).find((f) => /^engine-.*\.mjs$/.test(f));
    expect(engineChunk).toBeDefined();
    const r = run(path.join(mainDir, 'chunks', engineChunk!));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/native library failed to load \(blocked by the test\)/);
  });
});
