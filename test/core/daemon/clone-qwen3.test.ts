// Cloned and locked voices on Qwen3-TTS models end to end: `q3tts serve` on a VoiceDesign model with a Base model
// beside it (both synthetic, in the real layout), driven by the CLI and the raw protocol. What the daemon speaks
// with a saved clone must be exactly what the Base engine speaks, in this process, with a clone made from the
// same clip: nothing of the voice is lost through the clip reader, the engine host, the settings file and back.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReferenceAudio, MAX_IN_CONTEXT_SECONDS } from '../../../src/core/audio/reference.js';
import { loadQwen3Engine, type Qwen3Engine } from '../../../src/core/engine/qwen3/engine.js';
import type { VoiceClone } from '../../../src/shared/engine.js';
import { syntheticModel } from '../engine/fixture.js';
import { ask } from '../../support/raw-client.js';
import { cliPath as cli, startServe, type Served } from '../../support/serve.js';
import { maxAbsDiff, readWav, toInt16, writeWav } from '../../support/wav.js';

let dir: string;
let env: NodeJS.ProcessEnv;
let daemon: Served;
let baseEngine: Qwen3Engine;
const TRANSCRIPT = 'Hello there, this is how I sound.';
const LINE = 'Read this line, please.';

function q3tts(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { env, cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A 2 s, 44.1 kHz stereo "recording": a gliding vowel-like tone with harmonics, quieter in one channel. */
function recording(file: string, f0: number): string {
  // phase of a tone gliding from f0 up by a fifth over the 2 s: 2π·f0·(t + 0.05·t²)
  const voice = (t: number) => {
    const phase = 2 * Math.PI * f0 * (t + 0.05 * t * t);
    return 0.3 * Math.sin(phase) + 0.15 * Math.sin(2 * phase) + 0.08 * Math.sin(3 * phase);
  };
  return writeWav(path.join(dir, file), 44_100, [voice, (t) => 0.8 * voice(t)], 2);
}

/** What the Base engine speaks, greedy, with a clone it makes itself from `file`. */
async function spokenInProcess(file: string, text: string | null, line: string): Promise<Int16Array> {
  const clip = await readReferenceAudio({ path: file }, { maxSeconds: MAX_IN_CONTEXT_SECONDS });
  const clone: VoiceClone = await baseEngine.cloneVoice!(clip.samples, text, new AbortController().signal);
  const parts: Float32Array[] = [];
  const request = {
    text: line,
    language: 'English',
    instruct: null,
    speaker: null,
    seed: 1,
    sampling: { doSample: false },
    clone,
  };
  for await (const event of baseEngine.synthesize(request, new AbortController().signal))
    if (event.type === 'audio') parts.push(event.samples);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return toInt16(out); // as a 16-bit WAV holds it
}

beforeAll(async () => {
  const [design, base] = await Promise.all([syntheticModel('voice_design', 7), syntheticModel('base', 7)]);
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-clone-qwen3-'));
  env = {
    ...process.env,
    Q3TTS_SOCKET: path.join(dir, 'daemon.sock'),
    Q3TTS_AUDIO: 'null',
    Q3TTS_MODEL_DIR: design,
    Q3TTS_CLONE_MODEL_DIR: base,
    Q3TTS_CONFIG_DIR: path.join(dir, 'config'),
    Q3TTS_DATA_DIR: path.join(dir, 'data'),
    Q3TTS_CACHE_DIR: path.join(dir, 'cache'),
    Q3TTS_THREADS: '1',
  };
  delete env.Q3TTS_ENGINE;
  daemon = await startServe(env);
  baseEngine = await loadQwen3Engine(base, { intraOpNumThreads: 1 });
}, 240_000);

afterAll(async () => {
  daemon?.child.kill('SIGKILL');
  await baseEngine?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('cloned voices on a VoiceDesign model with a Base model beside it', () => {
  it('the daemon says it clones', () => {
    const voices = JSON.parse(q3tts(['voices', '--json']).stdout);
    expect(voices.supports_clone).toBe(true);
  });

  it('clone → save → speak through the CLI: the audio is the Base engine speaking with that clip, sample for sample', async () => {
    const clip = recording('alice.wav', 180);
    const cloned = q3tts(['voices', 'clone', 'Alice', '--from', clip, '--text', TRANSCRIPT]);
    expect(cloned.code, cloned.stderr).toBe(0);
    const list = JSON.parse(q3tts(['voices', 'list', '--json']).stdout) as { voices: Array<Record<string, unknown>> };
    const alice = list.voices.find((v) => v.name === 'Alice')!;
    expect(alice.clone).toMatchObject({ mode: 'in_context', text: TRANSCRIPT, locked: false });
    expect(JSON.stringify(list).length).toBeLessThan(4000); // a summary, not the vector and codes

    const spoke = q3tts(['-v', 'Alice', '-l', 'English', '--greedy', '-o', 'alice-said.wav', LINE]);
    expect(spoke.code, spoke.stderr).toBe(0);
    const daemonAudio = readWav(path.join(dir, 'alice-said.wav')).samples;
    expect(daemonAudio.length).toBeGreaterThan(0);
    const expected = await spokenInProcess(clip, TRANSCRIPT, LINE);
    expect(daemonAudio.length).toBe(expected.length);
    expect(maxAbsDiff(daemonAudio, expected)).toBeLessThanOrEqual(1); // one step of 16-bit rounding
  }, 240_000);

  it('the history keeps the saved voice, so "speak again" speaks with the clone, not the model\'s own voice', () => {
    type Listed = { entries: Array<{ n: number; text: string; voice: string | null }> };
    const before = JSON.parse(q3tts(['history', '--json']).stdout) as Listed;
    const spoken = before.entries.find((e) => e.text === LINE && e.voice === 'Alice');
    expect(spoken).toBeDefined();
    const again = q3tts(['history', 'speak', String(spoken!.n)]);
    expect(again.code, again.stderr).toBe(0);
    const after = JSON.parse(q3tts(['history', '--json']).stdout) as Listed;
    const newest = after.entries.reduce((a, b) => (b.n > a.n ? b : a));
    expect(newest).toMatchObject({ text: LINE, voice: 'Alice' });
    expect(newest.n).toBeGreaterThan(spoken!.n);
  }, 240_000);

  it('another clip is another voice; x-vector-only (no transcript) is another prompt again', async () => {
    const bob = recording('bob.wav', 120);
    expect(q3tts(['voices', 'clone', 'Bob', '--from', bob]).code).toBe(0);
    const list = JSON.parse(q3tts(['voices', 'list', '--json']).stdout) as { voices: Array<Record<string, unknown>> };
    expect(list.voices.find((v) => v.name === 'Bob')!.clone).toMatchObject({ mode: 'x_vector', text: null });
    expect(q3tts(['-v', 'Bob', '-l', 'English', '--greedy', '-o', 'bob-said.wav', LINE]).code).toBe(0);
    const bobAudio = readWav(path.join(dir, 'bob-said.wav')).samples;
    const aliceAudio = readWav(path.join(dir, 'alice-said.wav')).samples;
    expect(bobAudio.length === aliceAudio.length && maxAbsDiff(bobAudio, aliceAudio) === 0).toBe(false);
    const expected = await spokenInProcess(bob, null, LINE);
    expect(bobAudio.length).toBe(expected.length);
    expect(maxAbsDiff(bobAudio, expected)).toBeLessThanOrEqual(1);
  }, 240_000);

  it('the protocol: voices_clone with the clip as base64, then generate with the voice', async () => {
    const bytes = readFileSync(recording('carol.wav', 220)).toString('base64');
    const socket = env.Q3TTS_SOCKET!;
    const cloned = await ask(socket, { action: 'voices_clone', name: 'Carol', audio_base64: bytes, text: TRANSCRIPT });
    expect(cloned).toMatchObject({ status: 'ok', voice: { name: 'Carol', clone: { mode: 'in_context' } } });
    const output = path.join(dir, 'carol-said.wav');
    const spoken = await ask(socket, {
      action: 'generate',
      text: LINE,
      voice: 'Carol',
      output,
      do_sample: false,
    });
    expect(spoken, String(spoken.message)).toMatchObject({ status: 'ok' });
    expect(readWav(output).samples.length).toBe((spoken.frames as number) * 1920);
  }, 240_000);

  it('lock: a designed voice speaks its sentence on the VoiceDesign model, is cloned on the Base model, and speaks the same from then on', () => {
    expect(
      q3tts(['voices', 'save', 'Narrator', '-i', 'a warm, slow narrator', '-l', 'English', '--seed', '5']).code,
    ).toBe(0);
    const locked = q3tts(['voices', 'lock', 'Narrator']);
    expect(locked.code, locked.stderr).toBe(0);
    expect(locked.stdout).toMatch(/seed 5/);
    // A random model never ends its sentence: the clip is cut at 10 s, and a cut clip no longer says its
    // transcript, so the lock keeps the speaker vector only and says so (a real model ends in a few seconds).
    expect(locked.stdout).toMatch(/warning: the sentence ran past 10 s .*speaker vector only/);
    const list = JSON.parse(q3tts(['voices', 'list', '--json']).stdout) as { voices: Array<Record<string, unknown>> };
    const narrator = list.voices.find((v) => v.name === 'Narrator')!;
    expect(narrator.clone).toMatchObject({ mode: 'x_vector', locked: true });
    expect(narrator.clone).toHaveProperty('seconds', expect.any(Number));
    expect((narrator.clone as { seconds: number }).seconds).toBeLessThanOrEqual(10);
    expect(narrator.instruct).toBe('a warm, slow narrator'); // the design is kept with the lock

    const a = q3tts(['-v', 'Narrator', '--greedy', '-o', 'n1.wav', 'The first paragraph. And the second one.']);
    expect(a.code, a.stderr).toBe(0);
    const b = q3tts(['-v', 'Narrator', '--greedy', '-o', 'n2.wav', 'The first paragraph. And the second one.']);
    expect(b.code).toBe(0);
    const n1 = readWav(path.join(dir, 'n1.wav')).samples;
    expect(n1.length).toBeGreaterThan(0);
    expect(maxAbsDiff(readWav(path.join(dir, 'n2.wav')).samples, n1)).toBe(0);
  }, 240_000);
});
