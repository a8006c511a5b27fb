// Cloned and locked voices through the protocol: a real daemon on a real socket, its engine host process running
// the tone engine (which clones by measuring the clip's pitch, and speaks a cloned voice at that pitch), the
// settings file the voices live in, and the bad clips users bring (the daemon answers and lives on).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type RunningDaemon } from '../../../src/core/daemon/daemon.js';
import {
  clonedToneFrequency,
  toneCodes,
  toneFrame,
  toneFrequency,
  tonePitch,
  TONE_FRAME_SAMPLES,
} from '../../../src/core/engine/tone.js';
import { LOCK_SENTENCES } from '../../../src/core/voices/lock-sentences.js';
import { encodeFrame } from '../../../src/shared/protocol.js';
import { ask, connectRaw } from '../../support/raw-client.js';
import { readWav, writeWav } from '../../support/wav.js';

const handlersFile = path.resolve(import.meta.dirname, '../../../out/daemon/handlers.mjs');
let dir: string;
let socketPath: string;
let settingsFile: string;
let daemon: RunningDaemon;

beforeAll(async () => {
  process.env.Q3TTS_AUDIO = 'null';
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-clone-'));
  socketPath = path.join(dir, 'run', 'daemon.sock');
  settingsFile = path.join(dir, 'config', 'settings.json');
  daemon = await startDaemon({
    socketPath,
    engine: { kind: 'tone', msPerFrame: 8 },
    handlersFile,
    settingsFile,
    announce: () => undefined,
    log: () => undefined,
  });
});

afterAll(async () => {
  await daemon?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A 16-bit mono WAV of a sine (what a person's recording stands in for here). */
function sineWav(file: string, hz: number, seconds: number, rate = 44_100, amp = 0.4): string {
  return writeWav(path.join(dir, file), rate, [(t) => amp * Math.sin(2 * Math.PI * hz * t)], seconds);
}

/** The frequency of each 80 ms frame of a spoken WAV (rising zero crossings, interpolated). */
function framePitches(file: string): number[] {
  const { samples } = readWav(file);
  const out: number[] = [];
  for (let at = 0; at + TONE_FRAME_SAMPLES <= samples.length; at += TONE_FRAME_SAMPLES) {
    const ups: number[] = [];
    for (let i = at + 1; i < at + TONE_FRAME_SAMPLES; i++)
      if (samples[i - 1]! < 0 && samples[i]! >= 0) ups.push(i - 1 + samples[i - 1]! / (samples[i - 1]! - samples[i]!));
    out.push(ups.length > 2 ? ((ups.length - 1) * 24_000) / (ups.at(-1)! - ups[0]!) : 0);
  }
  return out;
}

const stored = () =>
  (JSON.parse(readFileSync(settingsFile, 'utf8')) as { voices: Array<Record<string, unknown>> }).voices;

async function speak(voice: string, text: string): Promise<number[]> {
  const output = path.join(dir, `${voice}-${text}.wav`);
  const answer = await ask(socketPath, { action: 'generate', text, voice, output });
  expect(answer, JSON.stringify(answer)).toMatchObject({ status: 'ok' });
  return framePitches(output);
}

describe('voices_clone', () => {
  it('the engine says it clones (voices: supports_clone)', async () => {
    expect(await ask(socketPath, { action: 'voices' })).toMatchObject({ status: 'ok', supports_clone: true });
  });

  it('clones a clip with its transcript (in context), stores it compactly, lists a summary, and speaks at its pitch', async () => {
    const ref = sineWav('low.wav', 180, 3);
    const answer = await ask(socketPath, {
      action: 'voices_clone',
      id: 1,
      name: 'Low',
      audio_path: ref,
      text: '  what the clip says ',
      language: 'English',
    });
    expect(answer).toEqual({
      status: 'ok',
      id: 1,
      replaced: false,
      voice: {
        name: 'Low',
        instruct: '',
        language: 'English',
        speaker: null,
        seed: null,
        clone: {
          mode: 'in_context',
          model: 'tone (deterministic test engine)',
          seconds: 3,
          text: 'what the clip says',
          locked: false,
        },
      },
    });
    // the file keeps the vector (16 float32 = 64 bytes) and one 16-code frame per 80 ms of the clip, base64
    const [low] = stored();
    const clone = low!.clone as { vector: string; codes: string; design: unknown };
    expect(Buffer.from(clone.vector, 'base64').length).toBe(64);
    expect(Buffer.from(clone.codes, 'base64').length).toBe(Math.ceil((3 * 24_000) / TONE_FRAME_SAMPLES) * 16 * 2);
    expect(clone.design).toBeNull();
    expect(Buffer.from(clone.vector, 'base64').readFloatLE(0) * 1000).toBeCloseTo(180, 0);

    // a second voice from a higher clip, sent as bytes, without a transcript (x-vector only)
    const high = readFileSync(sineWav('high.wav', 400, 2, 16_000));
    const second = await ask(socketPath, {
      action: 'voices_clone',
      name: 'High',
      audio_base64: high.toString('base64'),
    });
    expect(second).toMatchObject({
      status: 'ok',
      voice: { name: 'High', clone: { mode: 'x_vector', text: null, seconds: 2, locked: false } },
    });

    const listed = await ask(socketPath, { action: 'voices_list' });
    expect(listed.voices).toEqual([
      expect.objectContaining({ name: 'Low', clone: expect.objectContaining({ mode: 'in_context' }) }),
      expect.objectContaining({ name: 'High', clone: expect.objectContaining({ mode: 'x_vector' }) }),
    ]);
    expect(JSON.stringify(listed)).not.toMatch(/"vector"|"codes"|"design"/); // never the kilobytes

    // each cloned voice speaks every character relative to its own clip's pitch
    const [code0] = toneCodes('k')[0]!;
    const lowSpoken = await speak('Low', 'kk');
    const highSpoken = await speak('low ', 'k'.repeat(1)); // names match case-insensitively, trimmed
    expect(lowSpoken).toHaveLength(2);
    for (const hz of [...lowSpoken, ...highSpoken]) expect(hz / clonedToneFrequency(180, code0!)).toBeCloseTo(1, 2);
    const fromHigh = await speak('High', 'k');
    expect(fromHigh[0]! / clonedToneFrequency(400, code0!)).toBeCloseTo(1, 2);
    // and not as the tone engine's own voice
    expect(Math.abs(fromHigh[0]! - toneFrequency(code0!))).toBeGreaterThan(50);
  });

  it('a cloned voice keeps its clone over any instruct the request gives, and a plain request is the model voice', async () => {
    const [code0] = toneCodes('m')[0]!;
    const output = path.join(dir, 'instruct.wav');
    await ask(socketPath, { action: 'voices_clone', name: 'Mid', audio_path: sineWav('mid.wav', 250, 1.5) });
    const a = await ask(socketPath, { action: 'generate', text: 'm', voice: 'Mid', instruct: 'shouting', output });
    expect(a.status).toBe('ok');
    expect(framePitches(output)[0]! / clonedToneFrequency(250, code0!)).toBeCloseTo(1, 2);
    const plain = path.join(dir, 'plain.wav');
    await ask(socketPath, { action: 'generate', text: 'm', output: plain });
    expect(framePitches(plain)[0]! / toneFrequency(code0!)).toBeCloseTo(1, 2);
  });

  it.each<[string, () => Record<string, unknown>, RegExp]>([
    [
      'silence',
      () => ({ audio_path: sineWav('silent.wav', 200, 3, 24_000, 0) }),
      /'silent\.wav' is silent .* below −60 dBFS/,
    ],
    [
      '0.2 s',
      () => ({ audio_path: sineWav('short.wav', 200, 0.2) }),
      /'short\.wav' is 0\.20 s long: a reference needs at least 1 s/,
    ],
    [
      '10 minutes',
      () => ({ audio_path: sineWav('long.wav', 200, 600, 8_000), text: 'hello' }),
      /'long\.wav' is 600\.0 s long: a reference may be at most 10 s with a transcript/,
    ],
    [
      'not audio',
      () => ({ audio_base64: Buffer.from('{"this": "is json, not a recording"}').toString('base64') }),
      /the audio is not audio ffmpeg can read/,
    ],
    ['not base64', () => ({ audio_base64: 'this is not base64!' }), /the audio is not base64/],
    [
      'both a path and bytes',
      () => ({ audio_path: '/x.wav', audio_base64: 'AAAA' }),
      /"audio_path" .* or "audio_base64" .*: one of them/,
    ],
    ['neither', () => ({}), /one of them/],
    [
      'a relative path',
      () => ({ audio_path: 'voice.wav' }),
      /"audio_path" must be an absolute path \(got 'voice\.wav'\)/,
    ],
    ['a missing file', () => ({ audio_path: path.join(dir, 'gone.wav') }), /^no such file: /],
    ['a bad name', () => ({ name: '../etc', audio_path: '/x.wav' }), /'\.\.\/etc' is not a voice name/],
    ['an unknown field', () => ({ url: 'http://example.com/a.wav' }), /url/],
  ])('%s: a clear E_INVALID, nothing saved, the daemon lives on', async (_name, fields, message) => {
    const before = readFileSync(settingsFile, 'utf8');
    const started = performance.now();
    const answer = await ask(socketPath, { action: 'voices_clone', name: 'Bad', ...fields() });
    expect(answer).toMatchObject({ status: 'error', code: 'E_INVALID' });
    expect(answer.message).toMatch(message);
    expect(performance.now() - started).toBeLessThan(15_000); // refused from the header, not after decoding 10 min
    expect(readFileSync(settingsFile, 'utf8')).toBe(before);
    expect((await ask(socketPath, { action: 'ping' })).status).toBe('ok');
  });

  it('cancel stops a clone midway: E_CANCELLED, nothing saved', async () => {
    const ref = sineWav('cancel.wav', 300, 10, 24_000);
    const c = await connectRaw(socketPath);
    c.socket.write(encodeFrame({ action: 'voices_clone', id: 'slow', name: 'Cancelled', audio_path: ref, text: 'hi' }));
    for (let i = 0; ; i++) {
      const queue = await ask(socketPath, { action: 'queue' });
      const jobs = queue.jobs as Array<{ id?: unknown; summary: string }>;
      if (jobs.some((j) => j.id === 'slow')) {
        expect(jobs.find((j) => j.id === 'slow')!.summary).toBe("clone voice 'Cancelled'");
        break;
      }
      expect(i).toBeLessThan(200);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await ask(socketPath, { action: 'cancel', target: 'slow' })).toMatchObject({ status: 'ok', cancelled: 1 });
    const [answer] = await c.next(1, 20_000);
    expect(answer).toMatchObject({ status: 'error', id: 'slow', code: 'E_CANCELLED' });
    c.socket.end();
    expect(stored().map((v) => v.name)).not.toContain('Cancelled');
  });
});

describe('voices_lock', () => {
  it('a designed voice speaks the reference sentence with its seed; that clip becomes its clone', async () => {
    expect(
      await ask(socketPath, { action: 'voices_save', name: 'Narrator', instruct: 'a warm, slow narrator' }),
    ).toMatchObject({
      status: 'ok',
    });
    const answer = await ask(socketPath, { action: 'voices_lock', id: 'l', name: 'narrator' });
    const sentence = LOCK_SENTENCES.english!;
    expect(answer).toMatchObject({
      status: 'ok',
      id: 'l',
      sentence,
      voice: {
        name: 'Narrator',
        instruct: 'a warm, slow narrator',
        clone: { mode: 'in_context', text: sentence, locked: true },
      },
    });
    const seed = answer.seed as number;
    expect(Number.isInteger(seed)).toBe(true);
    const narrator = stored().find((v) => v.name === 'Narrator')!;
    expect(narrator.seed).toBe(seed); // drawn once and kept: the lock can be made again the same
    expect((narrator.clone as { design: unknown }).design).toEqual({
      instruct: 'a warm, slow narrator',
      language: 'auto',
      seed,
      sentence,
    });
    // the clone was made from the sentence as the design spoke it: its pitch is that clip's
    const clip = new Float32Array(toneCodes(sentence).length * TONE_FRAME_SAMPLES);
    toneCodes(sentence).forEach((f, i) => clip.set(toneFrame(f[0]!), i * TONE_FRAME_SAMPLES));
    const pitch = tonePitch(clip);
    const [code0] = toneCodes('z')[0]!;
    const spoken = await speak('Narrator', 'zz');
    for (const hz of spoken) expect(hz / clonedToneFrequency(pitch, code0!)).toBeCloseTo(1, 2);

    // locked again with another sentence (from the design it kept): another clip, another clone
    const again = await ask(socketPath, { action: 'voices_lock', name: 'Narrator', sentence: 'Zzz zzz zzz zzz.' });
    expect(again).toMatchObject({ status: 'ok', seed, voice: { clone: { text: 'Zzz zzz zzz zzz.', locked: true } } });
    const list = (await ask(socketPath, { action: 'voices_list' })).voices as Array<{ name: string; clone?: object }>;
    expect(list.find((v) => v.name === 'Narrator')!.clone).toEqual({
      mode: 'in_context',
      model: 'tone (deterministic test engine)',
      seconds: 1.28,
      text: 'Zzz zzz zzz zzz.',
      locked: true,
    });
  });

  it('cancel stops a lock midway: E_CANCELLED, the voice still the designed one', async () => {
    await ask(socketPath, { action: 'voices_save', name: 'Unlocked', instruct: 'a dry voice' });
    const before = readFileSync(settingsFile, 'utf8');
    const c = await connectRaw(socketPath);
    c.socket.write(encodeFrame({ action: 'voices_lock', id: 'lk', name: 'Unlocked' }));
    for (let i = 0; ; i++) {
      const jobs = (await ask(socketPath, { action: 'queue' })).jobs as Array<{ id?: unknown; summary: string }>;
      if (jobs.some((j) => j.id === 'lk' && j.summary === "lock voice 'Unlocked'")) break;
      expect(i).toBeLessThan(200);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await ask(socketPath, { action: 'cancel' })).toMatchObject({ status: 'ok', cancelled: 1 });
    const [answer] = await c.next(1, 20_000);
    expect(answer).toMatchObject({ status: 'error', id: 'lk', code: 'E_CANCELLED' });
    c.socket.end();
    expect(readFileSync(settingsFile, 'utf8')).toBe(before);
  });

  it('keeps a seed the voice already has, and uses its language for the sentence', async () => {
    await ask(socketPath, { action: 'voices_save', name: 'Erzähler', instruct: 'ruhig', language: 'German', seed: 42 });
    const answer = await ask(socketPath, { action: 'voices_lock', name: 'Erzähler' });
    expect(answer).toMatchObject({ status: 'ok', seed: 42, sentence: LOCK_SENTENCES.german });
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['an unknown voice', { name: 'Nobody' }, 'E_INVALID', /unknown voice 'Nobody' \(saved voices: /],
    [
      'a voice cloned from a recording',
      { name: 'Low' },
      'E_INVALID',
      /'Low' is cloned from a recording: only a voice described in words can be locked/,
    ],
    [
      'a sentence that is too short to be a reference',
      { name: 'Narrator', sentence: 'Hi.' },
      'E_INVALID',
      /is 0\.24 s long: a reference needs at least 1 s/,
    ],
    [
      'a sentence too long for the codec encoder',
      { name: 'Narrator', sentence: 'x'.repeat(200) },
      'E_INVALID',
      /16\.0 s long: a reference may be at most 10 s/,
    ],
  ])('%s: a clear error, the voice unchanged', async (_n, fields, code, message) => {
    const before = readFileSync(settingsFile, 'utf8');
    const answer = await ask(socketPath, { action: 'voices_lock', ...fields });
    expect(answer).toMatchObject({ status: 'error', code });
    expect(answer.message).toMatch(message);
    expect(readFileSync(settingsFile, 'utf8')).toBe(before);
  });
});

describe('settings written by the daemon', () => {
  it('are version 5 and hold nothing the app cannot read back', async () => {
    const { migrateSettings } = await import('../../../src/shared/settings.js');
    const result = migrateSettings(JSON.parse(readFileSync(settingsFile, 'utf8')));
    expect(result.reset).toEqual([]);
    expect(result.settings.version).toBe(5);
    expect(result.settings.voices.filter((v) => v.clone).length).toBeGreaterThanOrEqual(4);
  });
});
