// `q3tts voices clone|lock` and `-v` with a cloned voice, end to end: the built CLI against `q3tts serve` running
// the tone engine (which clones by the clip's pitch and speaks a cloned voice at it), and the same commands with
// no daemon running (the model loaded in the CLI's own process).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clonedToneFrequency,
  toneCodes,
  toneFrame,
  tonePitch,
  TONE_FRAME_SAMPLES,
} from '../../src/core/engine/tone.js';
import { LOCK_SENTENCES } from '../../src/core/voices/lock-sentences.js';
import { cliPath as cli, startServe, type Served } from '../support/serve.js';
import { readWav } from '../support/wav.js';

let dir: string;
let env: NodeJS.ProcessEnv;
let daemon: Served;
const noDaemon = () => ({ Q3TTS_SOCKET: path.join(dir, 'nobody.sock') });

function q3tts(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    env: { ...env, ...extraEnv },
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A reference clip: ffmpeg's tone of `hz` (`volume` 0 = silence), any format by the file's extension. */
function clip(name: string, hz: number, seconds: number, volume = 1, rate = 44_100): string {
  const file = path.join(dir, name);
  const made = spawnSync('ffmpeg', [
    ...['-y', '-hide_banner', '-loglevel', 'error', '-f', 'lavfi'],
    ...[
      '-i',
      `sine=frequency=${hz}:duration=${seconds}:sample_rate=${rate}`,
      '-af',
      `volume=${volume}`,
      '-ac',
      '2',
      file,
    ],
  ]);
  expect(made.status, made.stderr.toString()).toBe(0);
  return file;
}

/** The pitch of each 80 ms frame of a WAV the CLI wrote. */
function pitches(file: string): number[] {
  const { samples } = readWav(path.join(dir, file));
  const out: number[] = [];
  for (let at = 0; at + TONE_FRAME_SAMPLES <= samples.length; at += TONE_FRAME_SAMPLES) {
    const ups: number[] = [];
    for (let i = at + 1; i < at + TONE_FRAME_SAMPLES; i++)
      if (samples[i - 1]! < 0 && samples[i]! >= 0) ups.push(i - 1 + samples[i - 1]! / (samples[i - 1]! - samples[i]!));
    out.push(((ups.length - 1) * 24_000) / (ups.at(-1)! - ups[0]!));
  }
  return out;
}

const [K] = toneCodes('k')[0]!;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-cli-clone-'));
  env = {
    ...process.env,
    Q3TTS_SOCKET: path.join(dir, 'daemon.sock'),
    Q3TTS_AUDIO: 'null',
    Q3TTS_ENGINE: 'tone',
    Q3TTS_CONFIG_DIR: path.join(dir, 'config'),
    Q3TTS_DATA_DIR: path.join(dir, 'data'),
  };
  daemon = await startServe(env);
});

afterAll(() => {
  daemon?.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('q3tts voices clone → list → -v (with the daemon)', () => {
  it('clones an mp3 (a path relative to the working directory), lists it as cloned, and speaks at its pitch', () => {
    clip('radio.mp3', 210, 2.5);
    let r = q3tts([
      'voices',
      'clone',
      'Radio',
      '--from',
      'radio.mp3',
      '--text',
      'Good evening, listeners.',
      '-l',
      'English',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(
      /^saved voice 'Radio', cloned from a 2\.5 s clip \(with its transcript in context\)$/,
    );
    r = q3tts(['voices', 'clone', 'Plain', '--from', clip('plain.flac', 320, 1.5)]);
    expect(r.stdout.trim()).toMatch(/x-vector only: add --text "what it says" for a closer match\)$/);

    r = q3tts(['voices', 'list']);
    expect(r.stdout.trim().split('\n')).toEqual([
      'Radio\tcloned\tEnglish\t-\t-\t2.5 s clip: "Good evening, listeners."',
      'Plain\tcloned\tauto\t-\t-\t1.5 s clip (x-vector only)',
    ]);
    const json = JSON.parse(q3tts(['voices', 'list', '--json']).stdout);
    expect(json.voices[0].clone).toEqual({
      mode: 'in_context',
      model: 'tone (deterministic test engine)',
      seconds: 2.5,
      text: 'Good evening, listeners.',
      locked: false,
    });

    r = q3tts(['-v', 'Radio', '-o', 'radio-out.wav', 'kk']);
    expect(r.code, r.stderr).toBe(0);
    for (const hz of pitches('radio-out.wav')) expect(hz / clonedToneFrequency(210, K!)).toBeCloseTo(1, 2);
    r = q3tts(['-v', 'plain', '-o', 'plain-out.wav', 'k']);
    expect(r.code, r.stderr).toBe(0);
    expect(pitches('plain-out.wav')[0]! / clonedToneFrequency(320, K!)).toBeCloseTo(1, 2);
  });

  it('locks a designed voice: it speaks the reference sentence, is listed as locked, and keeps its seed', () => {
    expect(q3tts(['voices', 'save', 'Narrator', '-i', 'a warm, slow narrator', '--seed', '77']).code).toBe(0);
    const r = q3tts(['voices', 'lock', 'Narrator']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(
      `locked voice 'Narrator': it said "${LOCK_SENTENCES.english}" (seed 77), and speaks every sentence from that clip now`,
    );
    expect(q3tts(['voices', 'list']).stdout).toMatch(/^Narrator\tlocked\tauto\t-\t77\ta warm, slow narrator$/m);
    const again = q3tts(['voices', 'lock', 'Narrator', '--sentence', 'Kkk kkk kkk kkk.', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'ok', seed: 77, sentence: 'Kkk kkk kkk kkk.' });
    const spoken = q3tts(['-v', 'Narrator', '-o', 'narrator.wav', 'k']);
    expect(spoken.code, spoken.stderr).toBe(0);
    // the clone came from "Kkk kkk…" as the design spoke it: the voice now has that clip's pitch
    const sentence = toneCodes('Kkk kkk kkk kkk.');
    const spokenClip = new Float32Array(sentence.length * TONE_FRAME_SAMPLES);
    sentence.forEach((f, i) => spokenClip.set(toneFrame(f[0]!), i * TONE_FRAME_SAMPLES));
    expect(pitches('narrator.wav')[0]! / clonedToneFrequency(tonePitch(spokenClip), K!)).toBeCloseTo(1, 2);
  });

  it.each<[string, () => string[], number, RegExp]>([
    [
      'a silent clip',
      () => ['voices', 'clone', 'Quiet', '--from', clip('quiet.wav', 300, 3, 0)],
      1,
      /'quiet\.wav' is silent/,
    ],
    [
      'a 0.2 s clip',
      () => ['voices', 'clone', 'Blip', '--from', clip('blip.ogg', 300, 0.2)],
      1,
      /is 0\.\d+ s long: a reference needs at least 1 s/,
    ],
    [
      'ten minutes',
      () => ['voices', 'clone', 'Long', '--from', clip('long.mp3', 300, 600, 1, 8000), '--text', 'hello'],
      1,
      /'long\.mp3' is 11\.0 s long: a reference may be at most 10 s with a transcript/,
    ],
    ['not audio', () => ['voices', 'clone', 'Notes', '--from', cli], 1, /'q3tts\.mjs' is not audio ffmpeg can read/],
    ['a missing file', () => ['voices', 'clone', 'Gone', '--from', 'gone.wav'], 1, /no such file: .*gone\.wav/],
    [
      'no --from',
      () => ['voices', 'clone', 'Nothing'],
      1,
      /'voices clone Nothing' needs the reference clip: --from FILE/,
    ],
    [
      '--sentence with clone',
      () => ['voices', 'clone', 'X', '--from', 'a.wav', '--sentence', 'hi'],
      1,
      /--sentence goes with 'q3tts voices lock'/,
    ],
    [
      '--text with lock',
      () => ['voices', 'lock', 'Narrator', '--text', 'hi'],
      1,
      /--text goes with 'q3tts voices clone'/,
    ],
    ['locking a cloned voice', () => ['voices', 'lock', 'Radio'], 1, /'Radio' is cloned from a recording/],
  ])('%s: a clear error, nothing saved, the daemon lives on', (_name, args, code, message) => {
    const before = readFileSync(path.join(dir, 'config', 'settings.json'), 'utf8');
    const r = q3tts(args());
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(readFileSync(path.join(dir, 'config', 'settings.json'), 'utf8')).toBe(before);
    expect(q3tts(['status']).code).toBe(0);
  });
});

describe('Ctrl-C', () => {
  it('cancels the clone in the daemon too: nothing saved, the queue free', async () => {
    const slowEnv = {
      ...env,
      Q3TTS_SOCKET: path.join(dir, 'slow.sock'),
      Q3TTS_TONE_MS_PER_FRAME: '60',
    };
    const slow = await startServe(slowEnv);
    try {
      const ref = clip('slow.wav', 300, 9);
      const child = spawn(process.execPath, [cli, 'voices', 'clone', 'Slow', '--from', ref, '--text', 'hi'], {
        env: slowEnv,
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const queued = () => spawnSync(process.execPath, [cli, 'queue'], { env: slowEnv, encoding: 'utf8' }).stdout;
      for (let i = 0; !queued().includes("clone voice 'Slow'"); i++) {
        expect(i).toBeLessThan(100);
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill('SIGINT');
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      expect(code).not.toBe(0);
      expect(stderr).toMatch(/cancelled/);
      expect(queued()).not.toContain('Slow');
      const listed = spawnSync(process.execPath, [cli, 'voices', 'list'], { env: slowEnv, encoding: 'utf8' });
      expect(listed.stdout).not.toMatch(/^Slow\t/m);
    } finally {
      slow.child.kill('SIGKILL');
    }
  });
});

describe('without a daemon', () => {
  it('clones and speaks in-process, on the same settings file', () => {
    let r = q3tts(['voices', 'clone', 'Offline', '--from', clip('offline.wav', 260, 2)], noDaemon());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/no daemon running: loading the model in this process/);
    r = q3tts(['-v', 'Offline', '-o', 'offline-out.wav', 'k'], noDaemon());
    expect(r.code, r.stderr).toBe(0);
    expect(pitches('offline-out.wav')[0]! / clonedToneFrequency(260, K!)).toBeCloseTo(1, 2);
    // the daemon sees it too (it reads the file at each request)
    expect(q3tts(['voices', 'list']).stdout).toMatch(/^Offline\tcloned\t/m);
    r = q3tts(['voices', 'clone', 'Hush', '--from', clip('hush.wav', 300, 2, 0)], noDaemon());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is silent/);
  });
});
