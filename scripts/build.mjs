// Builds everything that runs outside vitest into out/ with esbuild.
// - node: the CLI, the daemon and the engine host, with shared chunks (the CLI loads no engine code
//   unless it falls back to in-process synthesis).
// - handlers: one self-contained file, so the daemon can re-import it (hot reload) and a user can copy it.
// - electron: main (ESM, split like the node build) and preload (one CJS file, as sandboxed preloads require); renderer: browser bundle.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, chmodSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'out');
const here = (p) => path.join(root, p);
const existing = (entries) => Object.fromEntries(Object.entries(entries).filter(([, p]) => existsSync(here(p))));

// No wipe of out/ first: tests and a running daemon may be reading it; esbuild overwrites in place.
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  packages: 'external',
};

const nodeEntries = existing({
  'cli/q3tts': 'src/cli/q3tts.ts',
  'engine/host': 'src/core/engine/host.ts',
  'scripts/gen-synthetic': 'scripts/gen-synthetic.ts',
  'bench/daemon': 'bench/daemon.ts',
  'bench/doors': 'bench/doors.ts',
  'bench/engine': 'bench/engine.ts',
  'bench/audio': 'bench/audio.ts',
  'bench/playback': 'bench/playback.ts',
  'bench/soak': 'bench/soak.ts',
  'bench/documents': 'bench/documents.ts',
  'bench/heap-probe': 'bench/heap-probe.ts',
  'bench/remote': 'bench/remote.ts',
  'bench/clone': 'bench/clone.ts',
  'bench/clone-prefill': 'bench/clone-prefill.ts',
  'bench/pair-memory': 'bench/pair-memory.ts',
});
if (Object.keys(nodeEntries).length) {
  await build({
    ...common,
    entryPoints: nodeEntries,
    outdir: out,
    format: 'esm',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    banner: { js: '#!/usr/bin/env node' },
  });
  if (nodeEntries['cli/q3tts']) chmodSync(path.join(out, 'cli', 'q3tts.mjs'), 0o755);
}

const handlers = existing({ 'daemon/handlers': 'src/core/daemon/handlers.ts' });
if (Object.keys(handlers).length) {
  // Self-contained (zod included): a copy of this one file works anywhere (docs/handlers.md).
  await build({
    ...common,
    packages: undefined,
    entryPoints: handlers,
    outdir: out,
    format: 'esm',
    outExtension: { '.js': '.mjs' },
  });
}

const main = existing({ 'main/index': 'src/main/electron/index.ts' });
if (Object.keys(main).length) {
  // Split, so the engine's lazy import() stays a separate chunk: the main process must start (tray, error
  // dialog) without loading onnxruntime's native library (test/main/electron/main-bundle.test.ts).
  await build({
    ...common,
    entryPoints: main,
    outdir: out,
    format: 'esm',
    splitting: true,
    chunkNames: 'main/chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
  });
}
const preload = existing({ 'preload/index': 'src/preload/index.ts' });
if (Object.keys(preload).length) {
  await build({
    ...common,
    entryPoints: preload,
    outdir: out,
    format: 'cjs',
    packages: undefined,
    external: ['electron'],
    outExtension: { '.js': '.cjs' },
  });
}
const renderer = existing({ 'renderer/main': 'src/renderer/main.ts' });
if (Object.keys(renderer).length) {
  await build({
    bundle: true,
    platform: 'browser',
    target: 'chrome130',
    format: 'esm',
    sourcemap: 'linked',
    logLevel: 'warning',
    entryPoints: renderer,
    outdir: out,
  });
  for (const f of ['index.html', 'styles.css']) {
    if (existsSync(here(`src/renderer/${f}`))) cpSync(here(`src/renderer/${f}`), path.join(out, 'renderer', f));
  }
}
mkdirSync(out, { recursive: true });
console.log('built', out);
