// The remote engine's settings from flags and the environment: the server, its token, the timeouts, and the
// local model that stands in (on by default when one is installed).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveEngineConfig } from '../../../src/core/engine/config.js';
import { parseArgs } from '../../../src/cli/args.js';
import type { PathEnv } from '../../../src/shared/paths.js';

const model = mkdtempSync(path.join(os.tmpdir(), 'q3tts-remote-cfg-'));
writeFileSync(path.join(model, 'config.json'), '{}');
const empty = mkdtempSync(path.join(os.tmpdir(), 'q3tts-remote-data-'));
afterAll(() => {
  rmSync(model, { recursive: true, force: true });
  rmSync(empty, { recursive: true, force: true });
});

const env = (vars: Record<string, string>, withModel = true): PathEnv => ({
  platform: 'linux',
  env: { Q3TTS_DATA_DIR: empty, ...(withModel ? { Q3TTS_MODEL_DIR: model } : {}), ...vars },
  uid: 1000,
  username: 'u',
  homedir: '/home/u',
  tmpdir: '/tmp',
});

describe('the remote engine from the environment', () => {
  it('Q3TTS_ENGINE=remote with a URL and token; the installed model stands in by default', () => {
    const config = resolveEngineConfig(
      env({ Q3TTS_ENGINE: 'remote', Q3TTS_REMOTE_URL: 'https://gpu.lan:8091', Q3TTS_REMOTE_TOKEN: 's3cret' }),
    );
    expect(config).toEqual({
      kind: 'remote',
      url: 'https://gpu.lan:8091',
      token: 's3cret',
      timeouts: { connectMs: 5000, firstByteMs: 60000, stallMs: 15000 },
      fallback: { kind: 'qwen3', modelDir: model },
    });
  });

  it('--remote URL picks the remote engine by itself', () => {
    expect(resolveEngineConfig(env({}), { remoteUrl: 'http://10.0.0.2:8880' })).toMatchObject({
      kind: 'remote',
      url: 'http://10.0.0.2:8880',
    });
  });

  it('no local model: no failover (auto); asked for with on: the missing model is the error', () => {
    const vars = { Q3TTS_ENGINE: 'remote', Q3TTS_REMOTE_URL: 'http://x:1' };
    expect(resolveEngineConfig(env(vars, false))).not.toHaveProperty('fallback');
    expect(() => resolveEngineConfig(env({ ...vars, Q3TTS_REMOTE_FAILOVER: 'on' }, false))).toThrow(
      /no model installed/,
    );
    expect(resolveEngineConfig(env({ ...vars, Q3TTS_REMOTE_FAILOVER: 'off' }))).not.toHaveProperty('fallback');
  });

  it('timeouts and the recheck interval; bad values are refused with what is expected', () => {
    const vars = { Q3TTS_ENGINE: 'remote', Q3TTS_REMOTE_URL: 'http://x:1' };
    expect(
      resolveEngineConfig(env({ ...vars, Q3TTS_REMOTE_TIMEOUTS: '1000,,2000', Q3TTS_REMOTE_RECHECK_MS: '0' })),
    ).toMatchObject({ timeouts: { connectMs: 1000, firstByteMs: 60000, stallMs: 2000 }, recheckMs: 0 });
    expect(() => resolveEngineConfig(env({ ...vars, Q3TTS_REMOTE_TIMEOUTS: 'soon' }))).toThrow(
      /should be up to three positive milliseconds: connect,first-byte,stall/,
    );
    expect(() => resolveEngineConfig(env({ ...vars, Q3TTS_REMOTE_FAILOVER: 'maybe' }))).toThrow(/auto, on, off/);
  });

  it('no URL, or one that is not http(s): a clear error', () => {
    expect(() => resolveEngineConfig(env({ Q3TTS_ENGINE: 'remote' }))).toThrow(/--remote URL or set Q3TTS_REMOTE_URL/);
    expect(() => resolveEngineConfig(env({}), { remoteUrl: 'gpu-box' })).toThrow(/is not a URL/);
    expect(() => resolveEngineConfig(env({}), { remoteUrl: 'ftp://gpu-box' })).toThrow(/http:\/\/ or https:\/\//);
  });

  it('the CLI takes --remote on serve only', () => {
    expect(parseArgs(['serve', '--remote', 'http://gpu:8091']).remote).toBe('http://gpu:8091');
    expect(() => parseArgs(['--remote', 'http://gpu:8091', 'Hello'])).toThrow(/use it with 'q3tts serve'/);
    expect(() => parseArgs(['serve', '--remote', 'http://gpu:8091', '--engine', 'tone'])).toThrow(/does not go with/);
  });
});
