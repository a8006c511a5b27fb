import { describe, expect, it } from 'vitest';
import { cacheDir, configDir, dataDir, socketPath, type PathEnv } from '../../src/shared/paths.js';

const base: PathEnv = { platform: 'linux', env: {}, uid: 1000, username: 'ada', homedir: '/home/ada', tmpdir: '/tmp' };
const at = (over: Partial<PathEnv>, env: Record<string, string> = {}): PathEnv => ({ ...base, ...over, env });

describe('socketPath', () => {
  it.each([
    ['linux with XDG_RUNTIME_DIR', at({}, { XDG_RUNTIME_DIR: '/run/user/1000' }), '/run/user/1000/q3tts/daemon.sock'],
    ['linux trailing slash', at({}, { XDG_RUNTIME_DIR: '/run/user/1000/' }), '/run/user/1000/q3tts/daemon.sock'],
    ['linux without XDG_RUNTIME_DIR', at({}), '/tmp/q3tts-1000/daemon.sock'],
    [
      'linux with a relative XDG_RUNTIME_DIR (ignored)',
      at({}, { XDG_RUNTIME_DIR: 'run' }),
      '/tmp/q3tts-1000/daemon.sock',
    ],
    ['override wins everywhere', at({ platform: 'win32' }, { Q3TTS_SOCKET: '/x/s.sock' }), '/x/s.sock'],
    [
      'macOS uses the per-user TMPDIR',
      at({ platform: 'darwin' }, { TMPDIR: '/var/folders/ab/T/' }),
      '/var/folders/ab/T/q3tts/daemon.sock',
    ],
    ['windows named pipe', at({ platform: 'win32' }), '\\\\.\\pipe\\q3tts-ada'],
  ])('%s', (_name, env, expected) => {
    expect(socketPath(env)).toBe(expected);
  });
});

describe('dataDir and configDir', () => {
  it.each([
    [at({}), '/home/ada/.local/share/q3tts', '/home/ada/.config/q3tts'],
    [at({}, { XDG_DATA_HOME: '/d', XDG_CONFIG_HOME: '/c' }), '/d/q3tts', '/c/q3tts'],
    [
      at({ platform: 'darwin', homedir: '/Users/ada' }),
      '/Users/ada/Library/Application Support/q3tts',
      '/Users/ada/Library/Application Support/q3tts',
    ],
    [
      at({ platform: 'win32', homedir: 'C:\\Users\\ada' }, { LOCALAPPDATA: 'C:\\L', APPDATA: 'C:\\R' }),
      'C:\\L\\q3tts',
      'C:\\R\\q3tts',
    ],
    [at({}, { Q3TTS_DATA_DIR: '/data', Q3TTS_CONFIG_DIR: '/conf' }), '/data', '/conf'],
  ])('%#', (env, data, config) => {
    expect(dataDir(env)).toBe(data);
    expect(configDir(env)).toBe(config);
  });
});

describe('cacheDir (the history of utterances)', () => {
  it.each([
    [at({}), '/home/ada/.cache/q3tts'],
    [at({}, { XDG_CACHE_HOME: '/k/' }), '/k/q3tts'],
    [at({}, { XDG_CACHE_HOME: 'relative' }), '/home/ada/.cache/q3tts'],
    [at({ platform: 'darwin', homedir: '/Users/ada' }), '/Users/ada/Library/Caches/q3tts'],
    [at({ platform: 'win32', homedir: 'C:\\Users\\ada' }, { LOCALAPPDATA: 'C:\\L' }), 'C:\\L\\q3tts\\Cache'],
    [at({}, { Q3TTS_CACHE_DIR: '/cache' }), '/cache'],
  ])('%#', (env, cache) => {
    expect(cacheDir(env)).toBe(cache);
  });
});
