// Saved voices end to end: `q3tts voices save|list|remove` and `q3tts -v NAME` against `q3tts serve` on the
// synthetic tiny Qwen3-TTS model, the protocol actions on the socket, and the settings file they live in.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticModel } from '../core/engine/fixture.js';
import { cliPath as cli, startServe, type Served } from '../support/serve.js';
import { maxAbsDiff, readWav } from '../support/wav.js';
import { DaemonConnection } from '../../src/core/client.js';
import { SETTINGS_VERSION } from '../../src/shared/settings.js';

let dir: string;
let env: NodeJS.ProcessEnv;
let daemon: Served;
const settingsFile = () => path.join(dir, 'config', 'settings.json');
const onDisk = () => JSON.parse(readFileSync(settingsFile(), 'utf8')) as Record<string, unknown>;

function q3tts(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    env: { ...env, ...extraEnv },
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SHORT = ['--max-frames', '12', '--seed', '5'];

beforeAll(async () => {
  const model = await syntheticModel('voice_design', 7);
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-voices-'));
  env = {
    ...process.env,
    Q3TTS_SOCKET: path.join(dir, 'daemon.sock'),
    Q3TTS_AUDIO: 'null',
    Q3TTS_MODEL_DIR: model,
    Q3TTS_CONFIG_DIR: path.join(dir, 'config'),
    Q3TTS_DATA_DIR: path.join(dir, 'data'),
    Q3TTS_THREADS: '1',
  };
  delete env.Q3TTS_ENGINE;
  daemon = await startServe(env);
});

afterAll(() => {
  daemon?.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('q3tts voices save | list | remove', () => {
  it('saves into the settings file, lists one line each, replaces by name, removes', () => {
    let r = q3tts(['voices', 'list']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/no saved voices/);

    r = q3tts(['voices', 'save', 'Narrator', '-i', 'a deep,\nslow voice', '-l', 'English', '--seed', '11']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`saved voice 'Narrator'`);
    r = q3tts(['voices', 'save', 'bright one', '-i', 'a bright, quick voice']);
    expect(r.code, r.stderr).toBe(0);
    // the daemon wrote the app's settings file, upgraded to the current version
    expect(onDisk()).toMatchObject({
      version: SETTINGS_VERSION,
      voices: [
        { name: 'Narrator', instruct: 'a deep,\nslow voice', language: 'English', speaker: null, seed: 11 },
        { name: 'bright one', instruct: 'a bright, quick voice', language: 'auto', speaker: null, seed: null },
      ],
    });

    r = q3tts(['voices', 'list']);
    expect(r.stdout.trim().split('\n')).toEqual([
      'Narrator\tdesigned\tEnglish\t-\t11\ta deep, slow voice', // one line, whatever the description holds
      'bright one\tdesigned\tauto\t-\t-\ta bright, quick voice',
    ]);
    const listed = JSON.parse(q3tts(['voices', 'list', '--json']).stdout);
    expect(listed).toMatchObject({ status: 'ok', voices: [{ name: 'Narrator' }, { name: 'bright one' }] });

    r = q3tts(['voices', 'save', 'narrator', '-i', 'a deep voice', '--seed', '12']);
    expect(r.stdout.trim()).toBe(`replaced voice 'narrator'`);
    expect((onDisk().voices as unknown[]).length).toBe(2);

    r = q3tts(['voices', 'remove', 'BRIGHT ONE']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`removed voice 'bright one'`);
    expect(onDisk().voices).toEqual([
      { name: 'narrator', instruct: 'a deep voice', language: 'auto', speaker: null, seed: 12 },
    ]);
    q3tts(['voices', 'remove', 'narrator']);
  });

  it.each([
    [['voices', 'save', '../evil', '-i', 'x'], /not a voice name/],
    [['voices', 'save', 'default', '-i', 'x'], /reserved/],
    [['voices', 'save', 'a'.repeat(41), '-i', 'x'], /not a voice name/],
    [['voices', 'save', 'Nameless'], /needs the voice: -i/],
    [['voices', 'save'], /needs one voice name/],
    [['voices', 'remove', 'a', 'b'], /needs one voice name/],
    [['voices', 'rename', 'x'], /unknown voices command 'rename'/],
    [['status', '-v', 'x'], /-v picks a saved voice/],
  ])('%j is a usage error', (args, message) => {
    const r = q3tts(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    const json = q3tts([...args, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'error', code: 'E_USAGE' });
  });

  it('removing an unknown voice says which are saved', () => {
    q3tts(['voices', 'save', 'Calm', '-i', 'a calm voice']);
    const r = q3tts(['voices', 'remove', 'Loud']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown voice 'Loud' \(saved voices: Calm\)/);
    q3tts(['voices', 'remove', 'Calm']);
  });

  it('works without a daemon too, on the same file', () => {
    const noDaemon = { Q3TTS_SOCKET: path.join(dir, 'nobody.sock') };
    let r = q3tts(['voices', 'save', 'Offline', '-i', 'a quiet voice'], noDaemon);
    expect(r.code, r.stderr).toBe(0);
    r = q3tts(['voices', 'list'], noDaemon);
    expect(r.stdout).toMatch(/^Offline\tdesigned\tauto/m);
    // the running daemon reads the file on each request: it sees the voice saved without it
    expect(q3tts(['voices', 'list']).stdout).toMatch(/^Offline\t/m);
    q3tts(['voices', 'remove', 'Offline']);
  });
});

describe('speaking with a saved voice (-v, and "voice" on the socket)', () => {
  it("the preset's description, language and seed reach the engine: same audio as the explicit flags", () => {
    expect(q3tts(['voices', 'save', 'Deep', '-i', 'a deep, slow voice', '-l', 'English', '--seed', '5']).code).toBe(0);
    const viaPreset = q3tts(['-v', 'Deep', '--max-frames', '12', '-o', 'preset.wav', 'Hello there.']);
    expect(viaPreset.code, viaPreset.stderr).toBe(0);
    const explicit = q3tts(['-i', 'a deep, slow voice', '-l', 'English', ...SHORT, '-o', 'flags.wav', 'Hello there.']);
    expect(explicit.code, explicit.stderr).toBe(0);
    const other = q3tts(['-i', 'a high, bright voice', '-l', 'English', ...SHORT, '-o', 'other.wav', 'Hello there.']);
    expect(other.code, other.stderr).toBe(0);
    const a = readWav(path.join(dir, 'preset.wav')).samples;
    const b = readWav(path.join(dir, 'flags.wav')).samples;
    const c = readWav(path.join(dir, 'other.wav')).samples;
    expect(a.length).toBeGreaterThan(0);
    expect(a.length).toBe(b.length);
    expect(maxAbsDiff(a, b)).toBe(0);
    // the description matters to this model: another one, same seed, sounds different
    expect(a.length !== c.length || maxAbsDiff(a, c) > 0).toBe(true);
  });

  it('an explicit -i wins over the saved description', () => {
    const mixed = q3tts([
      '-v',
      'Deep',
      '-i',
      'a high, bright voice',
      '--max-frames',
      '12',
      '-o',
      'mixed.wav',
      'Hello there.',
    ]);
    expect(mixed.code, mixed.stderr).toBe(0);
    const other = q3tts(['-i', 'a high, bright voice', '-l', 'English', ...SHORT, '-o', 'other2.wav', 'Hello there.']);
    const a = readWav(path.join(dir, 'mixed.wav')).samples;
    const b = readWav(path.join(dir, 'other2.wav')).samples;
    expect(other.code).toBe(0);
    expect(a.length).toBe(b.length);
    expect(maxAbsDiff(a, b)).toBe(0);
  });

  it('an unknown -v is a clear error listing the saved voices, and nothing is spoken', () => {
    const r = q3tts(['-v', 'Nobody', '-o', 'none.wav', 'Hello.']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown voice 'Nobody' \(saved voices: Deep\)/);
    const json = JSON.parse(q3tts(['-v', 'Nobody', '--json', 'Hello.']).stdout);
    expect(json).toMatchObject({ status: 'error', code: 'E_INVALID' });
  });

  it('the protocol: voices_save / voices_list / voices_remove and generate "voice"', async () => {
    const c = await DaemonConnection.connect(env.Q3TTS_SOCKET!);
    try {
      const saved = await c.request({
        action: 'voices_save',
        id: 1,
        name: 'Proto',
        instruct: 'a deep, slow voice',
        language: 'English',
        seed: 5,
      });
      expect(saved).toMatchObject({
        status: 'ok',
        id: 1,
        replaced: false,
        voice: { name: 'Proto', seed: 5, speaker: null },
      });
      expect(await c.request({ action: 'voices_save', name: 'x/y', instruct: '' })).toMatchObject({
        status: 'error',
        code: 'E_INVALID',
        message: expect.stringMatching(/not a voice name/),
      });
      expect(await c.request({ action: 'voices_save', name: 'Bad', seed: -1 } as never)).toMatchObject({
        status: 'error',
        code: 'E_INVALID',
      });
      expect(await c.request({ action: 'voices_save', name: 'Odd', colour: 'red' } as never)).toMatchObject({
        code: 'E_INVALID',
        message: expect.stringMatching(/colour/),
      });
      const list = await c.request({ action: 'voices_list' });
      expect(list.status === 'ok' && list.voices.map((v) => v.name)).toEqual(['Deep', 'Proto']);
      const spoken = await c.request({
        action: 'generate',
        text: 'Hello there.',
        voice: 'proto',
        max_new_tokens: 12,
        output: path.join(dir, 'proto.wav'),
      });
      expect(spoken.status, JSON.stringify(spoken)).toBe('ok');
      expect(
        maxAbsDiff(readWav(path.join(dir, 'proto.wav')).samples, readWav(path.join(dir, 'flags.wav')).samples),
      ).toBe(0);
      expect(await c.request({ action: 'generate', text: 'Hi.', voice: 'nope' })).toMatchObject({
        status: 'error',
        code: 'E_INVALID',
        message: expect.stringMatching(/unknown voice 'nope' \(saved voices: Deep, Proto\)/),
      });
      expect(await c.request({ action: 'voices_remove', name: 'Proto' })).toMatchObject({
        status: 'ok',
        removed: { name: 'Proto' },
      });
      expect(await c.request({ action: 'voices_remove', name: 'Proto' })).toMatchObject({
        status: 'error',
        code: 'E_INVALID',
      });
    } finally {
      c.close();
    }
  });

  it('an unusable settings file is reported, never overwritten', () => {
    const good = readFileSync(settingsFile(), 'utf8');
    writeFileSync(settingsFile(), '{"version": 4, "voices": [');
    try {
      const r = q3tts(['voices', 'save', 'Lost', '-i', 'x']);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/settings file .* is unusable/);
      expect(readFileSync(settingsFile(), 'utf8')).toBe('{"version": 4, "voices": [');
      // speaking without -v does not need the file
      expect(q3tts(['--max-frames', '4', '-o', 'plain.wav', 'Hi.']).code).toBe(0);
    } finally {
      writeFileSync(settingsFile(), good);
    }
  });

  it('a settings directory that does not exist yet is created on the first save', () => {
    const fresh = path.join(dir, 'fresh', 'config');
    const r = q3tts(['voices', 'save', 'First', '-i', 'x'], {
      Q3TTS_CONFIG_DIR: fresh,
      Q3TTS_SOCKET: path.join(dir, 'none.sock'),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(fresh, 'settings.json'), 'utf8')).voices[0].name).toBe('First');
  });
});
