// The OpenAI-compatible HTTP door, driven by OpenAI's official `openai` client against a real daemon (tone engine in
// its host process) on 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonCore, type RequestExtras } from '../../../src/core/daemon/core.js';
import { startDaemon, type RunningDaemon } from '../../../src/core/daemon/daemon.js';
import { openOpenAiDoor, type OpenDoor } from '../../../src/core/doors/http/openai.js';
import { loadOrCreateToken } from '../../../src/core/doors/token.js';
import { toneCodes, toneFrame } from '../../../src/core/engine/tone.js';
import type { Answer, EventMessage, Request } from '../../../src/shared/protocol.js';
import { maxAbsDiff, toInt16 } from '../../support/wav.js';

const root = path.resolve(import.meta.dirname, '../../..');
const handlersFile = path.join(root, 'out/daemon/handlers.mjs');

let dir: string;
let daemon: RunningDaemon;
let door: OpenDoor;
let client: OpenAI;
/** Every answer the core gave to a request that came through the door. */
const answers: { request: Request; answer: Answer }[] = [];

beforeAll(async () => {
  process.env.Q3TTS_AUDIO = 'null';
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-http-'));
  process.env.Q3TTS_CONFIG_DIR = path.join(dir, 'config'); // saved voices: this test's own settings file
  daemon = await startDaemon({
    socketPath: path.join(dir, 'run', 'daemon.sock'),
    engine: { kind: 'tone', msPerFrame: 15 },
    handlersFile,
    announce: () => undefined,
    log: () => undefined,
  });
  const request = daemon.core.request.bind(daemon.core) as (
    req: Request,
    emit?: (e: EventMessage) => void,
    extras?: RequestExtras,
  ) => Promise<Answer>;
  (daemon.core as { request: typeof request }).request = async (req, emit, extras) => {
    const answer = await request(req, emit, extras);
    answers.push({ request: req, answer });
    return answer;
  };
  door = await openOpenAiDoor(daemon.core, { host: '127.0.0.1', port: 0, token: null, maxBodyBytes: 64 * 1024 });
  client = new OpenAI({ apiKey: 'unused-on-loopback', baseURL: `${door.address}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await door?.close();
  await daemon?.close();
  rmSync(dir, { recursive: true, force: true });
});

function expectedPcm(text: string): Int16Array {
  const frames = toneCodes(text).map((f) => toneFrame(f[0]!));
  const all = new Float32Array(frames.length * 1920);
  frames.forEach((f, i) => all.set(f, i * 1920));
  return toInt16(all);
}

const s16 = (b: Buffer) => new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));

async function apiError(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OpenAI.APIError) return err;
    throw err;
  }
  throw new Error('expected an API error');
}

describe('speech through the official openai client', () => {
  it("wav: a 24 kHz 16-bit mono WAV holding exactly the engine's samples", async () => {
    const response = await client.audio.speech.create({
      model: 'tts-1',
      voice: 'alloy',
      input: 'Hi there',
      response_format: 'wav',
    });
    expect(response.headers.get('content-type')).toBe('audio/wav');
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.toString('ascii', 0, 4)).toBe('RIFF');
    expect(body.toString('ascii', 8, 16)).toBe('WAVEfmt ');
    expect([body.readUInt16LE(22), body.readUInt32LE(24), body.readUInt16LE(34)]).toEqual([1, 24000, 16]);
    expect(body.toString('ascii', 36, 40)).toBe('data');
    expect(maxAbsDiff(s16(body.subarray(44)), expectedPcm('Hi there'))).toBeLessThanOrEqual(1);
  });

  it("pcm: raw s16le, the same samples; vLLM-Omni's fields are accepted", async () => {
    const response = await client.audio.speech.create({
      model: 'Qwen/Qwen3-TTS-12Hz-1.7B-CustomVoice',
      voice: 'default',
      input: 'Plain PCM.',
      response_format: 'pcm',
      instructions: 'a calm voice',
      // vLLM-Omni's extra fields, sent the way its clients send them
      ...({ language: 'English', task_type: 'VoiceDesign', max_new_tokens: 2048, seed: 7 } as object),
    });
    expect(response.headers.get('content-type')).toBe('audio/pcm');
    const body = Buffer.from(await response.arrayBuffer());
    expect(maxAbsDiff(s16(body), expectedPcm('Plain PCM.'))).toBeLessThanOrEqual(1);
    const sent = answers.at(-1)!.request;
    expect(sent).toMatchObject({
      action: 'generate',
      text: 'Plain PCM.',
      language: 'English',
      instruct: 'a calm voice',
      seed: 7,
      max_new_tokens: 2048,
    });
  });

  it('streams: the first bytes arrive while the job is still being generated', async () => {
    const text = 'This sentence is long enough to take a while to generate.';
    const response = await client.audio.speech.create({
      model: 'tts-1',
      voice: 'alloy',
      input: text,
      response_format: 'pcm',
      stream_format: 'audio',
    });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    // The job is still speaking when the first audio reached the client: it was streamed, not buffered.
    expect(daemon.core.queue.list().map((j) => j.state)).toEqual(['speaking']);
    const chunks = [Buffer.from(first.value!)];
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(Buffer.from(r.value));
    expect(chunks.length).toBeGreaterThan(1);
    expect(maxAbsDiff(s16(Buffer.concat(chunks)), expectedPcm(text))).toBeLessThanOrEqual(1);
  });

  it('speed: 2 gives half the samples, 0.5 twice as many (pitch kept; test/core/audio/tempo.test.ts)', async () => {
    const text = 'Speed test.';
    const samples = async (speed: number) =>
      (
        await (
          await client.audio.speech.create({
            model: 'tts-1',
            voice: 'alloy',
            input: text,
            response_format: 'pcm',
            speed,
          })
        ).arrayBuffer()
      ).byteLength / 2;
    const normal = expectedPcm(text).length;
    // Sonic stretches to within 5 % of the exact length
    expect(Math.abs((await samples(2)) - normal / 2) / (normal / 2)).toBeLessThan(0.05);
    expect(Math.abs((await samples(0.5)) - normal * 2) / (normal * 2)).toBeLessThan(0.05);
  });

  it('sse: speech.audio.delta events carry the audio in base64, then speech.audio.done', async () => {
    const response = await client.audio.speech.create({
      model: 'tts-1',
      voice: 'alloy',
      input: 'Events.',
      response_format: 'pcm',
      stream_format: 'sse',
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = (await response.text())
      .split('\n\n')
      .filter(Boolean)
      .map((e) => JSON.parse(e.replace(/^data: /, '')) as { type: string; audio?: string });
    expect(events.at(-1)!.type).toBe('speech.audio.done');
    const deltas = events.filter((e) => e.type === 'speech.audio.delta');
    expect(deltas.length).toBeGreaterThan(1);
    const pcm = Buffer.concat(deltas.map((e) => Buffer.from(e.audio!, 'base64')));
    expect(maxAbsDiff(s16(pcm), expectedPcm('Events.'))).toBeLessThanOrEqual(1);
  });

  it('requests are answered in the order they came, through the one queue', async () => {
    const texts = ['one', 'two', 'three', 'four'];
    const order: string[] = [];
    await Promise.all(
      texts.map(async (t, i) => {
        await new Promise((r) => setTimeout(r, i * 20));
        const body = Buffer.from(
          await (
            await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: t, response_format: 'pcm' })
          ).arrayBuffer(),
        );
        expect(maxAbsDiff(s16(body), expectedPcm(t))).toBeLessThanOrEqual(1);
        order.push(t);
      }),
    );
    expect(order).toEqual(texts);
  });

  it('a client that disconnects mid-stream cancels its job', async () => {
    const text = 'x'.repeat(400); // 400 frames at 15 ms each: about six seconds of generation
    const abort = new AbortController();
    const response = await client.audio.speech.create(
      { model: 'tts-1', voice: 'alloy', input: text, response_format: 'pcm' },
      { signal: abort.signal },
    );
    const reader = response.body!.getReader();
    await reader.read();
    const seen = answers.length;
    abort.abort();
    await expect
      .poll(() => answers.slice(seen).find((a) => a.request.action === 'generate'), { timeout: 5000, interval: 20 })
      .toBeTruthy();
    const { answer } = answers.slice(seen).find((a) => a.request.action === 'generate')!;
    expect(answer).toMatchObject({ status: 'error', code: 'E_CANCELLED' });
    expect(daemon.core.queue.length).toBe(0);
    // and the daemon serves the next client as before
    const after = Buffer.from(
      await (
        await client.audio.speech.create({
          model: 'tts-1',
          voice: 'alloy',
          input: 'still here',
          response_format: 'pcm',
        })
      ).arrayBuffer(),
    );
    expect(maxAbsDiff(s16(after), expectedPcm('still here'))).toBeLessThanOrEqual(1);
  });
});

describe('compressed response formats, encoded by ffmpeg as the audio is made', () => {
  /** Decodes with ffmpeg (independent of our encoder) to 24 kHz mono s16 samples. */
  function decode(bytes: Buffer): Int16Array {
    const r = spawnSync(
      'ffmpeg',
      ['-v', 'error', '-i', 'pipe:0', '-f', 's16le', '-ac', '1', '-ar', '24000', 'pipe:1'],
      {
        input: bytes,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    if (r.status !== 0) throw new Error(`ffmpeg could not decode it: ${r.stderr.toString()}`);
    return s16(r.stdout);
  }
  /** What ffprobe names the container and codec. */
  function probe(bytes: Buffer): string {
    const r = spawnSync(
      'ffprobe',
      ['-v', 'error', '-show_entries', 'format=format_name:stream=codec_name', '-of', 'compact=p=0:nk=1', 'pipe:0'],
      { input: bytes },
    );
    return r.stdout.toString().trim().split('\n').join(' ');
  }
  const text = 'Compressed formats, streamed to the client.';

  it.each([
    ['mp3', 'audio/mpeg', /mp3.*mp3|mp3/],
    ['opus', 'audio/ogg', /opus.*ogg|ogg.*opus/],
    ['flac', 'audio/flac', /flac/],
    ['aac', 'audio/aac', /aac/],
  ] as const)('%s: %s that decodes to the right duration', async (format, type, codec) => {
    const response = await client.audio.speech.create({
      model: 'tts-1',
      voice: 'alloy',
      input: text,
      response_format: format,
    });
    expect(response.headers.get('content-type')).toBe(type);
    const body = Buffer.from(await response.arrayBuffer());
    expect(probe(body)).toMatch(codec);
    const expected = expectedPcm(text).length / 24000;
    const seconds = decode(body).length / 24000;
    // Codec padding (MP3 ~60 ms, AAC ~43 ms of priming) is all a stream may add: within 0.1 s of the engine's.
    expect(Math.abs(seconds - expected)).toBeLessThan(0.1);
  });

  it('flac is lossless: the very samples the engine made', async () => {
    const response = await client.audio.speech.create({
      model: 'tts-1',
      voice: 'alloy',
      input: 'Lossless.',
      response_format: 'flac',
    });
    const samples = decode(Buffer.from(await response.arrayBuffer()));
    expect(maxAbsDiff(samples, expectedPcm('Lossless.'))).toBeLessThanOrEqual(1);
  });

  it('mp3 streams: the first bytes arrive while the job is still being generated', async () => {
    const long = 'This sentence is long enough to take a while to generate, so it streams. '.repeat(3);
    const response = await client.audio.speech.create({
      model: 'tts-1',
      voice: 'alloy',
      input: long,
      response_format: 'mp3',
    });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    expect(daemon.core.queue.list().map((j) => j.state)).toEqual(['speaking']);
    const chunks = [Buffer.from(first.value!)];
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(Buffer.from(r.value));
    const seconds = decode(Buffer.concat(chunks)).length / 24000;
    expect(Math.abs(seconds - expectedPcm(long).length / 24000)).toBeLessThan(0.1);
  });

  it('sse with opus: the deltas carry Ogg Opus bytes that decode to the right duration', async () => {
    const response = await client.audio.speech.create({
      model: 'tts-1',
      voice: 'alloy',
      input: 'Events in opus.',
      response_format: 'opus',
      stream_format: 'sse',
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = (await response.text())
      .split('\n\n')
      .filter(Boolean)
      .map((e) => JSON.parse(e.replace(/^data: /, '')) as { type: string; audio?: string });
    expect(events.at(-1)!.type).toBe('speech.audio.done');
    const bytes = Buffer.concat(
      events.filter((e) => e.type === 'speech.audio.delta').map((e) => Buffer.from(e.audio!, 'base64')),
    );
    expect(bytes.toString('ascii', 0, 4)).toBe('OggS');
    const seconds = decode(bytes).length / 24000;
    expect(Math.abs(seconds - expectedPcm('Events in opus.').length / 24000)).toBeLessThan(0.1);
  });

  it('a client that hangs up mid-mp3 cancels its job and leaves no ffmpeg behind', async () => {
    const abort = new AbortController();
    const response = await client.audio.speech.create(
      { model: 'tts-1', voice: 'alloy', input: 'y'.repeat(400), response_format: 'mp3' },
      { signal: abort.signal },
    );
    await response.body!.getReader().read();
    const seen = answers.length;
    abort.abort();
    await expect
      .poll(() => answers.slice(seen).find((a) => a.request.action === 'generate'), { timeout: 5000, interval: 20 })
      .toBeTruthy();
    expect(answers.slice(seen).find((a) => a.request.action === 'generate')!.answer).toMatchObject({
      code: 'E_CANCELLED',
    });
    await expect.poll(() => ffmpegChildren(), { timeout: 5000, interval: 50 }).toEqual([]);
  });

  it('without ffmpeg: a clear 500 before anything is generated; wav and pcm still work', async () => {
    const saved = process.env.Q3TTS_FFMPEG;
    process.env.Q3TTS_FFMPEG = path.join(dir, 'no-such-ffmpeg');
    try {
      const seen = answers.length;
      const err = await apiError(
        client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hi', response_format: 'mp3' }),
      );
      expect(err.status).toBe(500);
      expect(err.error).toMatchObject({ code: 'encoder_unavailable', param: 'response_format' });
      expect((err.error as { message: string }).message).toMatch(/writing mp3 needs ffmpeg/);
      expect(answers.slice(seen).filter((a) => a.request.action === 'generate')).toEqual([]);
      const wav = await client.audio.speech.create({
        model: 'tts-1',
        voice: 'alloy',
        input: 'hi',
        response_format: 'wav',
      });
      expect(wav.headers.get('content-type')).toBe('audio/wav');
    } finally {
      if (saved === undefined) delete process.env.Q3TTS_FFMPEG;
      else process.env.Q3TTS_FFMPEG = saved;
    }
  });
});

/** The ffmpeg processes this test process started and that are still running. */
function ffmpegChildren(): string[] {
  const r = spawnSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)]);
  return r.stdout
    .toString()
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /\bffmpeg$/.test(l));
}

describe('the other endpoints', () => {
  it('GET /v1/models lists this model and the OpenAI names it answers to', async () => {
    const ids = (await client.models.list()).data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['tone (deterministic test engine)', 'tts-1', 'gpt-4o-mini-tts']));
  });

  it('GET /v1/audio/voices and GET /health', async () => {
    const voices = (await (await fetch(`${door.address}/v1/audio/voices`)).json()) as Record<string, unknown>;
    expect(voices).toMatchObject({ voices: ['default'], speakers: [], languages: ['Auto', 'English'] });
    const health = await fetch(`${door.address}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
  });

  it('status lists the open door', async () => {
    expect(daemon.core.doors).toEqual([{ door: 'openai-http', address: door.address, auth: false }]);
  });
});

describe("errors in OpenAI's shape", () => {
  const speak = (body: Record<string, unknown>) =>
    client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hi', ...body } as never);

  it.each([
    ['empty input', 400, { input: '  ' }, 'empty_input', /text is empty/],
    [
      'an unknown voice (the answer lists the valid ones)',
      400,
      { voice: 'nobody' },
      'unknown_voice',
      /unknown voice 'nobody'.*default/,
    ],
    ['a format nobody knows', 400, { response_format: 'ogg' }, 'invalid_value', /response_format/],
    ['speed out of range', 400, { speed: 5 }, 'invalid_value', /speed/],
    ['an unknown field', 400, { volume: 3 }, 'invalid_value', /unknown field 'volume'/],
    ['an unknown language', 400, { language: 'Klingon' }, 'invalid_value', /unknown language 'Klingon'/],
    ['an unknown model', 404, { model: 'dall-e-3' }, 'model_not_found', /model 'dall-e-3' does not exist.*tts-1/],
  ])('%s → %i', async (_name, status, body, code, message) => {
    const err = await apiError(speak(body));
    expect(err.status).toBe(status);
    expect(err.error).toMatchObject({ type: 'invalid_request_error', code });
    expect((err.error as { message: string }).message).toMatch(message);
  });

  it('a body over the limit → 413', async () => {
    const err = await apiError(speak({ input: 'a'.repeat(70 * 1024) }));
    expect(err.status).toBe(413);
    expect(err.error).toMatchObject({ code: 'body_too_large' });
  });

  it('a body that is not JSON → 400; an unknown path → 404; the daemon is unharmed', async () => {
    const bad = await fetch(`${door.address}/v1/audio/speech`, { method: 'POST', body: '{"input": "hi",' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_json' } });
    const missing = await fetch(`${door.address}/v1/chat/completions`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'not_found' } });
    expect((await client.models.list()).data.length).toBeGreaterThan(0);
  });

  it('fuzz: mangled bodies, headers and raw bytes get 4xx answers (or a closed connection), never a crash', async () => {
    let seed = 11;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const valid = JSON.stringify({ model: 'tts-1', input: 'fuzz', voice: 'alloy', response_format: 'pcm' });
    for (let round = 0; round < 60; round++) {
      const bytes = Buffer.from(valid);
      for (let k = 0; k < 3; k++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      const r = await fetch(`${door.address}/v1/audio/speech`, {
        method: 'POST',
        body: bytes,
        headers: { 'Content-Type': 'application/json' },
      });
      expect(r.status === 200 || (r.status >= 400 && r.status < 500), `status ${r.status}`).toBe(true);
      await r.arrayBuffer();
    }
    // raw requests a fetch client would never send: broken request lines, a lying Content-Length, no headers at all
    const { connect } = await import('node:net');
    const raw = [
      'GARBAGE\r\n\r\n',
      'POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n{}',
      'POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{"input":',
      'POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    ];
    for (const text of raw) {
      const socket = connect(door.port, '127.0.0.1');
      socket.on('error', () => undefined);
      let answer = '';
      socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
      socket.end(text); // the client has said all it will say: the server answers (or closes), it does not wait
      const closed = await Promise.race([
        new Promise((r) => socket.once('close', () => r(true))),
        new Promise((r) => setTimeout(() => r(false), 3000)),
      ]);
      socket.destroy();
      expect(closed, `${JSON.stringify(text.slice(0, 60))} left hanging`).toBe(true);
      if (answer) expect(answer).toMatch(/^HTTP\/1\.1 4\d\d /);
    }
    expect((await client.models.list()).data.length).toBeGreaterThan(0);
    expect(daemon.core.queue.length).toBe(0);
  });

  it('a full queue → 429', async () => {
    // fill the daemon's queue (1000 waiting jobs) from the socket side, then ask over HTTP
    // (the first is long, so none of them finishes while the others are added)
    for (let i = 0; i < 1000; i++)
      void daemon.core.request({
        action: 'generate',
        text: i === 0 ? 'x'.repeat(5000) : 'queued',
        wait: false,
        id: `fill-${i}`,
      });
    try {
      const err = await apiError(speak({}));
      expect(err.status).toBe(429);
      expect(err.error).toMatchObject({ type: 'rate_limit_error', code: 'queue_full' });
    } finally {
      daemon.core.queue.cancel();
    }
  });

  it('503 while the model loads, with Retry-After', async () => {
    let finish!: () => void;
    const loading = new DaemonCore({
      handlersFile,
      audio: {
        openPlayback: () => Promise.reject(new Error('unused')),
        openFile: () => Promise.reject(new Error('unused')),
        writeFileAtomic: async () => undefined,
      },
      loadEngine: () => new Promise((_resolve, reject) => (finish = () => reject(new Error('gave up')))),
      log: () => undefined,
    });
    void loading.ensureEngine().catch(() => undefined);
    const slow = await openOpenAiDoor(loading, { host: '127.0.0.1', port: 0, token: null });
    try {
      const c = new OpenAI({ apiKey: 'x', baseURL: `${slow.address}/v1`, maxRetries: 0 });
      const err = await apiError(c.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hi' }));
      expect(err.status).toBe(503);
      expect(err.error).toMatchObject({ type: 'server_error', code: 'model_loading' });
      expect(err.headers?.get('retry-after')).toBe('2');
      expect(await (await fetch(`${slow.address}/health`)).json()).toMatchObject({ status: 'loading' });
    } finally {
      finish();
      await slow.close();
      await loading.close();
    }
  });
});

describe('auth', () => {
  it('beyond loopback a door without a token is refused before it binds', async () => {
    await expect(openOpenAiDoor(daemon.core, { host: '0.0.0.0', port: 0, token: null })).rejects.toThrow(
      /needs a bearer token/,
    );
  });

  it('with a token: no or a wrong token → 401, the right one → audio; /health stays open', async () => {
    const token = loadOrCreateToken(path.join(dir, 'config'));
    const locked = await openOpenAiDoor(daemon.core, { host: '127.0.0.1', port: 0, token });
    try {
      const wrong = new OpenAI({ apiKey: 'not-the-token', baseURL: `${locked.address}/v1`, maxRetries: 0 });
      const err = await apiError(
        wrong.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hi', response_format: 'pcm' }),
      );
      expect(err.status).toBe(401);
      expect(err.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key' });
      expect((await fetch(`${locked.address}/v1/models`)).status).toBe(401);
      expect((await fetch(`${locked.address}/health`)).status).toBe(200);
      const right = new OpenAI({ apiKey: token, baseURL: `${locked.address}/v1`, maxRetries: 0 });
      const body = Buffer.from(
        await (
          await right.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hi', response_format: 'pcm' })
        ).arrayBuffer(),
      );
      expect(maxAbsDiff(s16(body), expectedPcm('hi'))).toBeLessThanOrEqual(1);
      expect(daemon.core.doors).toContainEqual({ door: 'openai-http', address: locked.address, auth: true });
    } finally {
      await locked.close();
    }
  });

  it('the token is made once, kept 0600, and read back the same', () => {
    const config = path.join(dir, 'config2');
    const first = loadOrCreateToken(config);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(statSync(path.join(config, 'http-token')).mode & 0o777).toBe(0o600);
    expect(loadOrCreateToken(config)).toBe(first);
  });

  it('no CORS headers unless origins are configured', async () => {
    const r = await fetch(`${door.address}/health`, { headers: { Origin: 'https://evil.example' } });
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    const open = await openOpenAiDoor(daemon.core, {
      host: '127.0.0.1',
      port: 0,
      token: null,
      corsOrigins: ['https://app.example'],
    });
    try {
      const allowed = await fetch(`${open.address}/health`, { headers: { Origin: 'https://app.example' } });
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
      const other = await fetch(`${open.address}/health`, { headers: { Origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await open.close();
    }
  });
});

describe('saved voices (q3tts voices save) at the HTTP door', () => {
  it('lists them as voices, and a voice named after one speaks with its fields', async () => {
    const saved = await daemon.core.request({ action: 'voices_save', name: 'Narrator', instruct: 'a deep voice' });
    expect(saved.status).toBe('ok');
    await daemon.core.request({ action: 'voices_save', name: 'Alien', instruct: 'odd', language: 'Klingon' });
    const voices = (await (await fetch(`${door.address}/v1/audio/voices`)).json()) as Record<string, unknown>;
    expect(voices.voices).toEqual(['Narrator', 'Alien', 'default']);
    expect(voices.saved_voices).toEqual([
      { name: 'Narrator', instructions: 'a deep voice', language: 'auto', kind: 'designed' },
      { name: 'Alien', instructions: 'odd', language: 'Klingon', kind: 'designed' },
    ]);

    const before = answers.length;
    const response = await client.audio.speech.create({
      model: 'tts-1',
      voice: 'narrator' as 'alloy',
      input: 'Hi there',
      response_format: 'pcm',
    });
    expect(maxAbsDiff(s16(Buffer.from(await response.arrayBuffer())), expectedPcm('Hi there'))).toBe(0);
    expect(answers.slice(before).map((a) => a.request)).toContainEqual(
      expect.objectContaining({ action: 'generate', voice: 'Narrator' }),
    );

    // the preset's fields reach the handlers: its language is one the tone engine does not know
    const err = await apiError(
      client.audio.speech.create({ model: 'tts-1', voice: 'Alien' as 'alloy', input: 'Hi', response_format: 'pcm' }),
    );
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/unknown language 'Klingon'/);
    // and what the request says itself wins over the preset
    const fixed = await client.audio.speech.create({
      model: 'tts-1',
      voice: 'Alien' as 'alloy',
      input: 'Hi',
      response_format: 'pcm',
      ...({ language: 'English' } as object),
    });
    expect(Buffer.from(await fixed.arrayBuffer()).length).toBeGreaterThan(0);

    const unknown = await apiError(
      client.audio.speech.create({ model: 'tts-1', voice: 'Nobody' as 'alloy', input: 'Hi', response_format: 'pcm' }),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.message).toMatch(/unknown voice 'Nobody' \(this model has: Narrator, Alien, default\)/);
    await daemon.core.request({ action: 'voices_remove', name: 'Narrator' });
    await daemon.core.request({ action: 'voices_remove', name: 'Alien' });
  });
});

describe('bytes Node cannot parse (issue 16)', () => {
  /** Sends raw bytes on a connection of its own; resolves with all it got once the door closes it. */
  async function raw(text: string): Promise<string> {
    const { connect } = await import('node:net');
    const socket = connect(door.port, '127.0.0.1');
    socket.on('error', () => undefined);
    let got = '';
    socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
    socket.write(text); // not end(): the client waits for its answer, as a real one does
    const closed = await Promise.race([
      new Promise((r) => socket.once('close', () => r(true))),
      new Promise((r) => setTimeout(() => r(false), 5000)),
    ]);
    socket.destroy();
    expect(closed, `${JSON.stringify(text.slice(0, 60))}: the connection was left open`).toBe(true);
    return got;
  }
  const head = (length: number) =>
    `POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
  /** The one response in `got`: its status and JSON error (a second response would fail the count). */
  function onlyResponse(got: string): { status: number; error: Record<string, unknown> } {
    expect(got.match(/HTTP\/1\.1 \d{3} /g) ?? [], got).toHaveLength(1);
    const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(got)?.[1]);
    const body = got.slice(got.indexOf('\r\n\r\n') + 4);
    return { status, error: (JSON.parse(body) as { error: Record<string, unknown> }).error };
  }

  it('a Content-Length shorter than the body → one 400 naming the mismatch, then the connection closes', async () => {
    const before = answers.length;
    const body = JSON.stringify({ model: 'tts-1', input: 'Hello.', voice: 'alloy', response_format: 'pcm' });
    // cut inside the JSON, and cut right after a complete JSON (the rest is trailing bytes, not a request)
    for (const text of [head(9) + body, head(body.length) + body + 'and then some more bytes']) {
      const { status, error } = onlyResponse(await raw(text));
      expect(status).toBe(400);
      expect(error).toMatchObject({ type: 'invalid_request_error', code: 'content_length_mismatch' });
      expect(error.message).toMatch(/longer than its Content-Length/);
    }
    expect(answers.slice(before).filter((a) => a.request.action === 'generate')).toEqual([]); // nothing spoken
    expect((await client.models.list()).data.length).toBeGreaterThan(0); // the daemon is unharmed
  });

  it('bytes that are no request at all → 400 in the same JSON shape; oversized headers → 431', async () => {
    const garbage = onlyResponse(await raw('GARBAGE\r\n\r\n'));
    expect(garbage.status).toBe(400);
    expect(garbage.error).toMatchObject({ type: 'invalid_request_error', code: 'bad_request' });
    expect(garbage.error.message).toMatch(/not valid HTTP/);
    const big = onlyResponse(await raw(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    expect(big.status).toBe(431);
    expect(big.error).toMatchObject({ code: 'headers_too_large' });
    const pcm = await client.audio.speech.create({
      model: 'tts-1',
      voice: 'alloy',
      input: 'hi',
      response_format: 'pcm',
    });
    expect((await pcm.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });
});
