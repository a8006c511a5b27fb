// The product path end to end: `q3tts serve` loading a Qwen3-TTS model (the synthetic tiny one, in the
// real layout) in its engine host, driven by the CLI; and the CLI's in-process fallback on the same model.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticModel } from '../engine/fixture.js';
import { cliPath as cli, startServe, type Served } from '../../support/serve.js';
import { maxAbsDiff, readWav } from '../../support/wav.js';

let dir: string;
let model: string;
let env: NodeJS.ProcessEnv;
let daemon: Served;

function q3tts(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { env, cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  model = await syntheticModel('voice_design', 7);
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-qwen3-'));
  env = {
    ...process.env,
    Q3TTS_SOCKET: path.join(dir, 'daemon.sock'),
    Q3TTS_AUDIO: 'null',
    Q3TTS_MODEL_DIR: model,
    Q3TTS_THREADS: '1',
  };
  delete env.Q3TTS_ENGINE;
  daemon = await startServe(env);
});

afterAll(() => {
  daemon?.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('q3tts with a Qwen3-TTS model', () => {
  it("status names the engine and the model; voices lists the model's languages", () => {
    const status = JSON.parse(q3tts(['status', '--json']).stdout);
    expect(status).toMatchObject({ state: 'idle', engine: 'qwen3-tts', engine_loads: 1 });
    const voices = JSON.parse(q3tts(['voices', '--json']).stdout);
    expect(voices.languages).toEqual(expect.arrayContaining(['English', 'Chinese', 'Japanese']));
    expect(voices.supports_instruct).toBe(true);
    expect(voices.supports_clone).toBe(false); // a VoiceDesign model with no Base model installed next to it
  });

  it('speaks to a WAV file with a designed voice; the same seed gives the same audio', () => {
    const args = ['-i', 'a calm, low voice', '-l', 'English', '--seed', '42', '--json'];
    const a = q3tts([...args, '-o', 'a.wav', 'Hello from the daemon.']);
    expect(a.code, a.stderr).toBe(0);
    const answer = JSON.parse(a.stdout);
    expect(answer.status).toBe('ok');
    // A random model may babble past EOS; then the runaway guard must have said so.
    if (answer.truncated) expect(answer.warning).toMatch(/runaway guard/);
    expect(answer.ttfa_ms).toBeGreaterThan(0);
    expect(answer.rtf).toBeGreaterThan(0);
    const wa = readWav(path.join(dir, 'a.wav'));
    expect(wa.samples.length).toBe(answer.frames * 1920);
    expect(wa.samples.some((x) => x !== 0)).toBe(true);
    expect(q3tts([...args, '-o', 'b.wav', 'Hello from the daemon.']).code).toBe(0);
    expect(maxAbsDiff(readWav(path.join(dir, 'b.wav')).samples, wa.samples)).toBe(0);
  });

  it('--codes-out saves [[16 ints], ...] and `q3tts decode` re-renders the same audio', () => {
    expect(q3tts(['--greedy', '-o', 'take.wav', '--codes-out', 'take.json', 'Save the codes.']).code).toBe(0);
    const frames = JSON.parse(readFileSync(path.join(dir, 'take.json'), 'utf8')) as number[][];
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.every((f) => f.length === 16 && f.every((c) => Number.isInteger(c) && c >= 0 && c < 2048))).toBe(
      true,
    );
    const r = q3tts(['decode', 'take.json', '-o', 'redo.wav']);
    expect(r.code, r.stderr).toBe(0);
    expect(
      maxAbsDiff(readWav(path.join(dir, 'redo.wav')).samples, readWav(path.join(dir, 'take.wav')).samples),
    ).toBeLessThanOrEqual(1);
  });

  it("status reports the last request's time to first audio and real-time factor", async () => {
    await new Promise((r) => setTimeout(r, 100)); // let the daemon's log lines arrive (spawnSync held this loop)
    const status = JSON.parse(q3tts(['status', '--json']).stdout);
    expect(status.last.ttfa_ms).toBeGreaterThan(0);
    expect(status.last.rtf).toBeGreaterThan(0);
    expect(daemon.log()).toMatch(/first audio \d+ ms, real-time factor/);
  });

  it('without a daemon the CLI loads the same model in-process and gives the same audio', () => {
    const noDaemon = { ...env, Q3TTS_SOCKET: path.join(dir, 'none.sock') };
    const r = spawnSync(process.execPath, [cli, '--greedy', '-o', 'inproc.wav', 'Save the codes.'], {
      env: noDaemon,
      cwd: dir,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/in-process/);
    expect(maxAbsDiff(readWav(path.join(dir, 'inproc.wav')).samples, readWav(path.join(dir, 'take.wav')).samples)).toBe(
      0,
    );
  });

  it('a broken model directory gives a clear error naming the file', () => {
    const broken = mkdtempSync(path.join(dir, 'broken-'));
    const r = spawnSync(process.execPath, [cli, '--model', broken, 'hi'], {
      env: { ...env, Q3TTS_SOCKET: path.join(dir, 'none.sock') },
      cwd: dir,
      encoding: 'utf8',
    });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/config\.json/);
  });
});
