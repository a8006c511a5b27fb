// The client starts fast because it loads no engine, daemon or audio code when a daemon answers:
// walk the static imports of the built CLI and check what they pull in.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const entry = path.resolve(import.meta.dirname, '../../out/cli/q3tts.mjs');

function staticGraph(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  // Static forms only: `import ... from "x"` and `import "x"` (dynamic import() is the lazy path).
  for (const m of source.matchAll(/^\s*(?:import|export)\s+(?:[^'"()]*?\s+from\s+)?["']([^"']+)["'];?$/gm)) {
    const spec = m[1]!;
    if (spec.startsWith('.')) staticGraph(path.resolve(path.dirname(file), spec), seen);
    else seen.add(spec);
  }
  return seen;
}

describe('q3tts start-up', () => {
  it('loads only the client, the protocol and Node built-ins until it needs more', () => {
    const graph = [...staticGraph(entry)];
    const packages = graph.filter((g) => !g.startsWith('/'));
    expect(
      packages.every((p) => p.startsWith('node:')),
      packages.join(', '),
    ).toBe(true);
    const code = graph
      .filter((g) => g.startsWith('/'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    // Module specifiers as written in code (a lazy chunk's file name, e.g. naudiodon-sink-XYZ.mjs, is fine).
    for (const heavy of [
      '"onnxruntime-node"',
      '"naudiodon"',
      'SpeechQueue = class',
      'DaemonCore = class',
      'InferenceSession',
      '"zod"',
    ]) {
      expect(code.includes(heavy), heavy).toBe(false);
    }
    expect(code).toMatch(/DaemonConnection = class/); // the client itself is there
  });
});
