// --provider auto (decision 0020): which execution providers are tried, in which order, on each platform; and on
// this machine (no GPU libraries), that auto runs on the CPU and says nothing.
import { afterAll, describe, expect, it } from 'vitest';
import { loadQwen3Engine, type Qwen3Engine } from '../../../src/core/engine/qwen3/engine.js';
import {
  providerCandidates,
  providerHelp,
  providerInstalled,
  type Backend,
} from '../../../src/core/engine/qwen3/providers.js';
import { syntheticModel } from './fixture.js';

const LINUX: Backend[] = [
  { name: 'cpu', bundled: true },
  { name: 'webgpu', bundled: true },
  { name: 'cuda', bundled: false },
  { name: 'tensorrt', bundled: false },
];
const WINDOWS: Backend[] = [
  { name: 'cpu', bundled: true },
  { name: 'dml', bundled: true },
  { name: 'webgpu', bundled: true },
];
const MAC: Backend[] = [
  { name: 'cpu', bundled: true },
  { name: 'coreml', bundled: true },
];
const none = () => false;
const all = () => true;

describe('providerCandidates', () => {
  it.each([
    ['linux without the CUDA libraries', 'linux', LINUX, none, ['cpu']],
    ['linux with the CUDA libraries added', 'linux', LINUX, all, ['cuda', 'cpu']],
    ['windows: DirectML (bundled)', 'win32', WINDOWS, none, ['dml', 'cpu']],
    ['macOS: Core ML (bundled)', 'darwin', MAC, none, ['coreml', 'cpu']],
    ['a platform with no GPU provider', 'freebsd', [{ name: 'cpu', bundled: true }], all, ['cpu']],
  ] as const)('auto on %s', (_, platform, backends, installed, want) => {
    expect(providerCandidates('auto', platform, backends, installed)).toEqual(want);
    expect(providerCandidates(undefined, platform, backends, installed)).toEqual(want); // auto is the default
  });

  it('never picks WebGPU or TensorRT by itself, and honours a provider asked for by name', () => {
    expect(providerCandidates('auto', 'linux', LINUX, all)).not.toContain('webgpu');
    expect(providerCandidates('auto', 'linux', LINUX, all)).not.toContain('tensorrt');
    expect(providerCandidates('CPU', 'linux', LINUX, all)).toEqual(['cpu']);
    expect(providerCandidates('webgpu', 'win32', WINDOWS, none)).toEqual(['webgpu']);
    expect(providerCandidates('cuda', 'linux', LINUX, none)).toEqual(['cuda']); // tried; fails at load with providerHelp
  });

  it('refuses unknown providers and ones this build lacks, naming what there is', () => {
    expect(() => providerCandidates('tpu', 'linux', LINUX, all)).toThrow(
      /unknown execution provider 'tpu' \(known: auto, cpu, cuda/,
    );
    expect(() => providerCandidates('dml', 'linux', LINUX, all)).toThrow(
      /'dml' is not available in this onnxruntime-node build on linux\/.*\(available: cpu, webgpu, cuda, tensorrt\)/,
    );
  });

  it('tells Linux users how to add the CUDA libraries', () => {
    expect(providerHelp('cuda', 'linux')).toMatch(/install\.js --onnxruntime-node-install.*docs\/gpu\.md/);
    expect(providerHelp('dml', 'win32')).toMatch(/docs\/gpu\.md/);
  });
});

describe('auto on this machine', () => {
  const engines: Qwen3Engine[] = [];
  afterAll(async () => {
    for (const e of engines) await e.dispose();
  });

  it('runs on the CPU when no GPU provider can be used, and says nothing about it', async () => {
    const logs: string[] = [];
    const e = await loadQwen3Engine(await syntheticModel('voice_design', 7), {
      intraOpNumThreads: 1,
      log: (m) => logs.push(m),
    });
    engines.push(e);
    if (process.platform === 'linux' && !providerInstalled('cuda')) {
      expect(e.model.executionProvider).toBe('cpu');
      expect(logs).toEqual([]);
    }
  });
});
