// Engine settings from the environment: what reaches the engine, and what is refused.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveEngineConfig } from '../../../src/core/engine/config.js';
import type { PathEnv } from '../../../src/shared/paths.js';

const model = mkdtempSync(path.join(os.tmpdir(), 'q3tts-cfg-'));
writeFileSync(path.join(model, 'config.json'), '{}'); // what marks a model directory
afterAll(() => rmSync(model, { recursive: true, force: true }));

const env = (vars: Record<string, string>): PathEnv => ({
  platform: 'linux',
  env: { Q3TTS_MODEL_DIR: model, ...vars },
  uid: 1000,
  username: 'u',
  homedir: '/home/u',
  tmpdir: '/tmp',
});

describe('resolveEngineConfig', () => {
  it.each([
    [{}, { kind: 'qwen3', modelDir: model }],
    [
      { Q3TTS_PRECISION: 'fp32', Q3TTS_THREADS: '3' },
      { precision: 'fp32', intraOpThreads: 3 },
    ],
    [{ Q3TTS_VOCODER_THREAD: '1' }, { vocoderThread: true }],
    [{ Q3TTS_THREADS: 'many' }, { kind: 'qwen3' }],
  ] as [Record<string, string>, object][])('%j', (vars, expected) => {
    expect(resolveEngineConfig(env(vars))).toMatchObject(expected);
  });

  it('leaves the vocoder on the engine thread unless asked', () => {
    expect(resolveEngineConfig(env({ Q3TTS_VOCODER_THREAD: '0' }))).not.toHaveProperty('vocoderThread');
    expect(resolveEngineConfig(env({ Q3TTS_THREADS: 'many' }))).not.toHaveProperty('intraOpThreads');
  });

  it('refuses an unknown precision', () => {
    expect(() => resolveEngineConfig(env({ Q3TTS_PRECISION: 'fp8' }))).toThrow(/unknown precision 'fp8'/);
  });
});
