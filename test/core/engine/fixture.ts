// Builds a synthetic tiny model once per (variant, seed, builder version) in os.tmpdir() and shares it
// between test files and runs; the builder's sources are hashed so a changed builder rebuilds.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSyntheticModel } from '../../synthetic/build.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const syntheticDir = path.join(here, '..', '..', 'synthetic');

function builderHash(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(syntheticDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort()) {
    h.update(f).update(readFileSync(path.join(syntheticDir, f)));
  }
  return h.digest('hex').slice(0, 12);
}

export type Variant = 'voice_design' | 'custom_voice' | 'base';

export async function syntheticModel(variant: Variant = 'voice_design', seed = 7): Promise<string> {
  const root = path.join(os.tmpdir(), 'q3tts-engine-tests');
  const dir = path.join(root, `${variant}-s${seed}-${builderHash()}`);
  if (existsSync(path.join(dir, '.complete'))) return dir;
  mkdirSync(root, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await buildSyntheticModel(tmp, { size: 'tiny', precision: 'fp32', variant, seed });
  cpSync(path.join(tmp, 'config.json'), path.join(tmp, '.complete'));
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another worker won the race
  }
  return dir;
}

/** A private, writable copy of a model directory (for the broken-model tests). */
export function copyModel(dir: string, name: string): string {
  const out = path.join(os.tmpdir(), 'q3tts-engine-tests', 'broken', `${name}-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  cpSync(dir, out, { recursive: true });
  return out;
}
