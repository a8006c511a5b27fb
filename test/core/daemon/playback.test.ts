// The real audio path from the socket to the device: `q3tts serve` plays through PortAudio into an ALSA
// device that (in this test's environment only) writes what it plays into a file.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneCodes, toneFrame } from '../../../src/core/engine/tone.js';
import { fileDevice, tempDir, writeAlsaConfig } from '../audio/harness.js';
import { cliPath as cli, startServe, type Served } from '../../support/serve.js';
import { toInt16 } from '../../support/wav.js';

const tmp = tempDir('playback');
const played = path.join(tmp.dir, 'played.raw');
let env: NodeJS.ProcessEnv;
let daemon: Served;

beforeAll(async () => {
  env = {
    ...process.env,
    ALSA_CONFIG_PATH: writeAlsaConfig(tmp.dir, fileDevice(played)),
    Q3TTS_AUDIO: 'portaudio',
    Q3TTS_SOCKET: path.join(tmp.dir, 'daemon.sock'),
  };
  daemon = await startServe(env, ['--engine', 'tone']);
});

afterAll(() => {
  daemon?.child.kill('SIGKILL');
  tmp.remove();
});

describe('playback through PortAudio', () => {
  it('the samples the engine produced reach the device, in order, and q3tts returns when they have played', () => {
    const text = 'Hi you';
    const r = spawnSync(process.execPath, [cli, text], { env, encoding: 'utf8', timeout: 30_000 });
    expect(r.status, `${r.stderr}\n${daemon.log()}`).toBe(0);
    expect(existsSync(played)).toBe(true);
    const raw = readFileSync(played);
    const got = new Int16Array(raw.buffer, raw.byteOffset, raw.length >> 1);
    const frames = toneCodes(text).map((f) => toneFrame(f[0]!));
    const expected = toInt16(Float32Array.from(frames.flatMap((f) => Array.from(f))));
    // The device may pad with silence around the stream; the signal itself must be there unchanged.
    const start = got.findIndex((x) => x !== 0);
    expect(start).toBeGreaterThanOrEqual(0);
    const firstNonZero = expected.findIndex((x) => x !== 0);
    const aligned = got.subarray(start - firstNonZero, start - firstNonZero + expected.length);
    expect(aligned.length).toBe(expected.length);
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(aligned[i]! - expected[i]!));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('with no usable device, speaking fails clearly (exit 3) while -o still works', async () => {
    const broken = tempDir('nodevice');
    const benv = {
      ...process.env,
      ALSA_CONFIG_PATH: writeAlsaConfig(broken.dir, '  type hw\n  card 99'),
      PATH: broken.dir, // no pw-cat, paplay or aplay to fall back to
      Q3TTS_AUDIO: 'auto',
      Q3TTS_SOCKET: path.join(broken.dir, 'daemon.sock'),
    };
    const d = await startServe(benv, ['--engine', 'tone']);
    try {
      const run = (args: string[]) =>
        spawnSync(process.execPath, [cli, ...args], { env: benv, cwd: broken.dir, encoding: 'utf8', timeout: 30_000 });
      const speak = run(['Hello']);
      expect(speak.status).toBe(3);
      expect(speak.stderr).toMatch(/no usable audio output device/);
      expect(speak.stderr).toMatch(/out\.wav/);
      const save = run(['-o', 'still.wav', 'Hello']);
      expect(save.status, save.stderr).toBe(0);
      expect(existsSync(path.join(broken.dir, 'still.wav'))).toBe(true);
    } finally {
      d.child.kill('SIGKILL');
      broken.remove();
    }
  });

  it('q3tts devices lists the outputs; a named device plays, an unknown one fails clearly', () => {
    const list = spawnSync(process.execPath, [cli, 'devices', '--json'], { env, encoding: 'utf8', timeout: 30_000 });
    expect(list.status, list.stderr).toBe(0);
    const names = (JSON.parse(list.stdout) as { devices: Array<{ name: string }> }).devices.map((d) => d.name);
    expect(names).toContain('default');
    // In-process (no daemon at this socket), so the variable applies where the audio is opened.
    const alone = { ...env, Q3TTS_SOCKET: path.join(tmp.dir, 'none.sock'), Q3TTS_ENGINE: 'tone' };
    const named = spawnSync(process.execPath, [cli, 'Hi'], {
      env: { ...alone, Q3TTS_AUDIO_DEVICE: 'default' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(named.status, named.stderr).toBe(0);
    const unknown = spawnSync(process.execPath, [cli, 'Hi'], {
      env: { ...alone, Q3TTS_AUDIO_DEVICE: 'no such card' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(unknown.status).toBe(3);
    expect(unknown.stderr).toMatch(/no output device named 'no such card' \(there are: .*'default'/);
  });
});
