// Cloned voices at the OpenAI-compatible HTTP door, through OpenAI's official `openai` client (vLLM-Omni's extra
// fields sent as its clients send them): a saved cloned voice by name, `task_type: "Base"` with `ref_audio` as a
// data: URL (and `ref_text`), and the 400s for what cannot be. The tone engine clones by the clip's pitch.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type RunningDaemon } from '../../../src/core/daemon/daemon.js';
import { openOpenAiDoor, type OpenDoor } from '../../../src/core/doors/http/openai.js';
import { clonedToneFrequency, toneCodes, toneFrequency, TONE_FRAME_SAMPLES } from '../../../src/core/engine/tone.js';

const handlersFile = path.resolve(import.meta.dirname, '../../../out/daemon/handlers.mjs');
let dir: string;
let daemon: RunningDaemon;
let door: OpenDoor;
let client: OpenAI;

beforeAll(async () => {
  process.env.Q3TTS_AUDIO = 'null';
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-http-clone-'));
  daemon = await startDaemon({
    socketPath: path.join(dir, 'run', 'daemon.sock'),
    engine: { kind: 'tone' },
    handlersFile,
    settingsFile: path.join(dir, 'config', 'settings.json'),
    announce: () => undefined,
    log: () => undefined,
  });
  door = await openOpenAiDoor(daemon.core, { host: '127.0.0.1', port: 0, token: null });
  client = new OpenAI({ apiKey: 'unused-on-loopback', baseURL: `${door.address}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await door?.close();
  await daemon?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A reference clip made by ffmpeg: a tone of `hz` for `seconds`, in `format`. */
function clip(hz: number, seconds: number, format: 'mp3' | 'wav' | 'ogg'): Buffer {
  const file = path.join(dir, `ref-${hz}-${seconds}.${format}`);
  const made = spawnSync('ffmpeg', [
    ...['-y', '-hide_banner', '-loglevel', 'error', '-f', 'lavfi'],
    ...['-i', `sine=frequency=${hz}:duration=${seconds}:sample_rate=24000`, '-ac', '1', file],
  ]);
  expect(made.status, made.stderr.toString()).toBe(0);
  return readFileSync(file);
}

function silentWav(seconds: number): Buffer {
  const bytes = seconds * 24_000 * 2;
  const b = Buffer.alloc(44 + bytes);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + bytes, 4);
  b.write('WAVEfmt ', 8, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(24_000, 24);
  b.writeUInt32LE(48_000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(bytes, 40);
  return b;
}

/** The pitch of the first 80 ms tone of a 24 kHz s16le body. */
function firstPitch(pcm: Buffer): number {
  const s = new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.length)).subarray(
    0,
    TONE_FRAME_SAMPLES,
  );
  const ups: number[] = [];
  for (let i = 1; i < s.length; i++) if (s[i - 1]! < 0 && s[i]! >= 0) ups.push(i - 1 + s[i - 1]! / (s[i - 1]! - s[i]!));
  return ((ups.length - 1) * 24_000) / (ups.at(-1)! - ups[0]!);
}

async function speakPcm(fields: object, input = 'q'): Promise<Buffer> {
  const response = await client.audio.speech.create({
    model: 'tts-1',
    voice: 'default',
    input,
    response_format: 'pcm',
    ...(fields as object),
  });
  return Buffer.from(await response.arrayBuffer());
}

async function apiError(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OpenAI.APIError) return err;
    throw err;
  }
  throw new Error('expected an API error');
}

const [Q] = toneCodes('q')[0]!;

describe('the HTTP door speaks cloned voices', () => {
  it('task_type Base with ref_audio as a data: URL (and ref_text) speaks at the clip pitch; nothing is saved', async () => {
    const mp3 = clip(220, 2, 'mp3');
    const pcm = await speakPcm({
      task_type: 'Base',
      ref_audio: `data:audio/mpeg;base64,${mp3.toString('base64')}`,
      ref_text: 'what the clip says',
      language: 'English',
    });
    expect(firstPitch(pcm) / clonedToneFrequency(220, Q!)).toBeCloseTo(1, 2);
    // bare base64 and x-vector-only mode work too
    const wav = clip(330, 1.5, 'wav');
    const pcm2 = await speakPcm({ task_type: 'Base', ref_audio: wav.toString('base64'), x_vector_only_mode: true });
    expect(firstPitch(pcm2) / clonedToneFrequency(330, Q!)).toBeCloseTo(1, 2);
    expect((await daemon.core.request({ action: 'voices_list' })).status).toBe('ok');
    const listed = await daemon.core.request({ action: 'voices_list' });
    expect(listed.status === 'ok' && listed.voices).toEqual([]);
  });

  it('a saved cloned voice by name, listed with its kind in /v1/audio/voices', async () => {
    const file = path.join(dir, 'saved.ogg');
    spawnSync('ffmpeg', [
      ...['-y', '-hide_banner', '-loglevel', 'error', '-f', 'lavfi'],
      ...['-i', 'sine=frequency=260:duration=2', file],
    ]);
    const cloned = await daemon.core.request({ action: 'voices_clone', name: 'Radio', audio_path: file });
    expect(cloned.status).toBe('ok');
    await daemon.core.request({ action: 'voices_save', name: 'Calm', instruct: 'calm' });

    const voices = (await (await fetch(`${door.address}/v1/audio/voices`)).json()) as Record<string, unknown>;
    expect(voices.saved_voices).toEqual([
      { name: 'Radio', instructions: '', language: 'auto', kind: 'cloned' },
      { name: 'Calm', instructions: 'calm', language: 'auto', kind: 'designed' },
    ]);
    expect(voices.voices).toEqual(expect.arrayContaining(['Radio', 'Calm', 'default']));

    const byName = await speakPcm({ voice: 'Radio' });
    expect(firstPitch(byName) / clonedToneFrequency(260, Q!)).toBeCloseTo(1, 2);
    // task_type Base with a saved cloned voice needs no ref_audio
    const base = await speakPcm({ voice: 'radio', task_type: 'Base' });
    expect(firstPitch(base) / clonedToneFrequency(260, Q!)).toBeCloseTo(1, 2);
    // and a plain request is still the model's own voice
    expect(firstPitch(await speakPcm({})) / toneFrequency(Q!)).toBeCloseTo(1, 2);
  });

  it.each<[string, object, RegExp, string]>([
    ['Base without ref_audio', { task_type: 'Base' }, /task_type 'Base' needs 'ref_audio'/, 'ref_audio'],
    [
      'an http URL (not fetched)',
      { task_type: 'Base', ref_audio: 'http://192.168.1.1/voice.wav' },
      /'ref_audio' as a URL is not fetched by this server: send the clip itself, as a base64 data: URL/,
      'ref_audio',
    ],
    [
      'a data: URL that is not base64',
      { task_type: 'Base', ref_audio: 'data:audio/wav,RIFF....' },
      /must be a base64 data: URL/,
      'ref_audio',
    ],
    [
      'silence',
      { task_type: 'Base', ref_audio: `data:audio/wav;base64,${silentWav(2).toString('base64')}` },
      /ref_audio: the audio is silent \(RMS digital silence, below −60 dBFS\)/,
      'ref_audio',
    ],
    ['an empty data: URL', { task_type: 'Base', ref_audio: 'data:audio/mpeg;base64,' }, /is not base64/, 'ref_audio'],
    [
      'ref_text without ref_audio',
      { ref_text: 'hello' },
      /'ref_text' and 'x_vector_only_mode' go with 'ref_audio'/,
      'ref_text',
    ],
    [
      'ref_audio with another task type',
      { task_type: 'VoiceDesign', ref_audio: 'AAAA' },
      /it goes with task_type 'Base', not 'VoiceDesign'/,
      'task_type',
    ],
  ])('%s: a clear 400', async (_name, fields, message, param) => {
    const err = await apiError(speakPcm(fields));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(message);
    expect((err.error as { param?: string }).param).toBe(param);
  });

  it('a real 0.2 s clip and a clip too long are refused with the reason', async () => {
    const short = await apiError(
      speakPcm({ task_type: 'Base', ref_audio: `data:audio/mpeg;base64,${clip(200, 0.2, 'mp3').toString('base64')}` }),
    );
    expect(short.status).toBe(400);
    expect(short.message).toMatch(/ref_audio: the audio is 0\.\d+ s long: a reference needs at least 1 s/);
    const long = await apiError(
      speakPcm({
        task_type: 'Base',
        ref_audio: `data:audio/ogg;base64,${clip(200, 40, 'ogg').toString('base64')}`,
        ref_text: 'hello',
      }),
    );
    expect(long.status).toBe(400);
    expect(long.message).toMatch(/a reference may be at most 10 s with a transcript/);
  });
});
