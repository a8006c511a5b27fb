// Reference clips for cloning: WAVs this test writes byte by byte (every PCM width, float, extensible, any rate
// and channel count), ffmpeg-made MP3/Ogg/FLAC, and the bad clips a user brings (empty, short, long, silent,
// corrupt, not audio), each with the error that says what to do.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MAX_IN_CONTEXT_SECONDS,
  MAX_X_VECTOR_SECONDS,
  readReferenceAudio,
  ReferenceAudioError,
} from '../../../src/core/audio/reference.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-reference-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Enc = 'u8' | 's16' | 's24' | 's32' | 'f32' | 'f64';
const BITS: Record<Enc, number> = { u8: 8, s16: 16, s24: 24, s32: 32, f32: 32, f64: 64 };

/** A WAV written by hand: `channel(c, t)` gives each channel's sample at time t (seconds). */
function wav(
  enc: Enc,
  rate: number,
  channels: number,
  seconds: number,
  channel: (c: number, t: number) => number,
  extensible = false,
): Buffer {
  const bits = BITS[enc];
  const frames = Math.round(rate * seconds);
  const block = (channels * bits) / 8;
  const data = Buffer.alloc(frames * block);
  for (let i = 0; i < frames; i++)
    for (let c = 0; c < channels; c++) {
      const x = channel(c, i / rate);
      const o = i * block + (c * bits) / 8;
      if (enc === 'u8') data[o] = Math.round(x * 127) + 128;
      else if (enc === 's16') data.writeInt16LE(Math.round(x * 32767), o);
      else if (enc === 's24') data.writeIntLE(Math.round(x * 8388607), o, 3);
      else if (enc === 's32') data.writeInt32LE(Math.round(x * 2147483647), o);
      else if (enc === 'f32') data.writeFloatLE(x, o);
      else data.writeDoubleLE(x, o);
    }
  const tag = enc.startsWith('f') ? 3 : 1;
  const fmt = Buffer.alloc(extensible ? 40 : 16);
  fmt.writeUInt16LE(extensible ? 0xfffe : tag, 0);
  fmt.writeUInt16LE(channels, 2);
  fmt.writeUInt32LE(rate, 4);
  fmt.writeUInt32LE(rate * block, 8);
  fmt.writeUInt16LE(block, 12);
  fmt.writeUInt16LE(bits, 14);
  if (extensible) {
    fmt.writeUInt16LE(22, 16); // cbSize
    fmt.writeUInt16LE(bits, 18); // valid bits
    fmt.writeUInt32LE(channels === 2 ? 3 : 4, 20); // channel mask
    fmt.writeUInt16LE(tag, 24); // sub-format GUID, first two bytes
    Buffer.from('000000001000800000aa00389b71', 'hex').copy(fmt, 26);
  }
  const chunk = (id: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.write(id, 0, 'ascii');
    head.writeUInt32LE(body.length, 4);
    return Buffer.concat([head, body, Buffer.alloc(body.length % 2)]);
  };
  const list = chunk('LIST', Buffer.from('INFOISFT\x06\x00\x00\x00q3tts\x00')); // a chunk readers must skip
  const body = Buffer.concat([Buffer.from('WAVE'), chunk('fmt ', fmt), list, chunk('data', data)]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'ascii');
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}

const sine =
  (hz: number, amp = 0.5) =>
  (_c: number, t: number) =>
    amp * Math.sin(2 * Math.PI * hz * t);

/** The frequency of a clean tone, from its rising zero crossings (interpolated). */
function frequency(x: Float32Array, rate = 24_000): number {
  const ups: number[] = [];
  for (let i = 1; i < x.length; i++) if (x[i - 1]! < 0 && x[i]! >= 0) ups.push(i - 1 + x[i - 1]! / (x[i - 1]! - x[i]!));
  return ((ups.length - 1) * rate) / (ups.at(-1)! - ups[0]!);
}

function rms(x: Float32Array): number {
  return Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
}

const read = (bytes: Uint8Array, maxSeconds: number = MAX_IN_CONTEXT_SECONDS) =>
  readReferenceAudio({ bytes }, { maxSeconds });

async function failure(promise: Promise<unknown>): Promise<ReferenceAudioError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ReferenceAudioError);
  return err as ReferenceAudioError;
}

describe('readReferenceAudio: WAV read in-process', () => {
  it.each([
    ['8-bit unsigned', 'u8', 1 / 64],
    ['16-bit', 's16', 1e-4],
    ['24-bit', 's24', 1e-6],
    ['32-bit int', 's32', 1e-6],
    ['32-bit float', 'f32', 1e-7],
    ['64-bit float', 'f64', 1e-7],
  ] as const)('%s at 24 kHz mono comes out sample for sample', async (_name, enc, tolerance) => {
    const got = await read(wav(enc, 24_000, 1, 1.5, sine(220)));
    expect(got.samples.length).toBe(36_000);
    expect(got.source).toEqual({ sampleRate: 24_000, channels: 1, decoder: 'wav' });
    let worst = 0;
    for (let i = 0; i < got.samples.length; i++)
      worst = Math.max(worst, Math.abs(got.samples[i]! - sine(220)(0, i / 24_000)));
    expect(worst).toBeLessThan(tolerance);
  });

  it.each([
    [48_000, 's16'],
    [44_100, 's24'],
    [16_000, 'f32'],
    [8_000, 's16'],
    [96_000, 'f32'],
  ] as const)('%i Hz (%s) is resampled to 24 kHz with its pitch and length kept', async (rate, enc) => {
    const got = await read(wav(enc, rate, 1, 2, sine(440)));
    expect(got.source.sampleRate).toBe(rate);
    expect(got.samples.length).toBe(48_000); // to the sample, the converter's tail included
    expect(frequency(got.samples.subarray(2400, 45_600))).toBeCloseTo(440, 0);
    // sample for sample the tone it was, in phase (the converter's delay is compensated), up to 16-bit rounding
    let worst = 0;
    for (let i = 240; i < 47_760; i++) worst = Math.max(worst, Math.abs(got.samples[i]! - sine(440)(0, i / 24_000)));
    expect(worst).toBeLessThan(2e-4);
    // a good resampler keeps the level (0.5 peak → 0.354 RMS) away from the edges
    expect(rms(got.samples.subarray(2400, 45_600))).toBeCloseTo(0.5 / Math.SQRT2, 2);
  });

  it('averages the channels to mono (stereo and 6-channel WAVE_FORMAT_EXTENSIBLE)', async () => {
    // left a tone, right silent: the average is the tone at half the level
    const stereo = await read(wav('s16', 24_000, 2, 1.2, (c, t) => (c === 0 ? sine(300)(0, t) : 0), true));
    expect(stereo.source.channels).toBe(2);
    expect(rms(stereo.samples)).toBeCloseTo(0.25 / Math.SQRT2, 3);
    // opposite phases cancel: proof that it averages rather than picking a channel
    const six = await read(
      wav('f32', 48_000, 6, 1.2, (c, t) => (c < 3 ? sine(300)(0, t) : -0.5 * sine(300)(0, t)), true),
    );
    expect(six.source.channels).toBe(6);
    expect(rms(six.samples.subarray(1200, -1200))).toBeCloseTo((0.25 * 0.5) / Math.SQRT2, 3);
  });

  it('reads a streamed WAV (sizes 0xFFFFFFFF) to its end', async () => {
    const b = wav('s16', 24_000, 1, 1.25, sine(200));
    b.writeUInt32LE(0xffffffff, 4);
    b.writeUInt32LE(0xffffffff, b.indexOf('data') + 4);
    expect((await read(b)).samples.length).toBe(30_000);
  });

  it('reads a file whose audio comes after 200 KB of other chunks (the header is read on past the probe)', async () => {
    const plain = wav('s16', 24_000, 1, 1.5, sine(250));
    const junk = Buffer.alloc(8 + 200_000);
    junk.write('JUNK', 0, 'ascii');
    junk.writeUInt32LE(200_000, 4);
    const body = Buffer.concat([plain.subarray(12, 36), junk, plain.subarray(36)]); // fmt, JUNK, LIST, data
    const file = path.join(dir, 'padded.wav');
    writeFileSync(file, Buffer.concat([plain.subarray(0, 12), body]));
    const got = await readReferenceAudio({ path: file }, { maxSeconds: MAX_IN_CONTEXT_SECONDS });
    expect(got.samples.length).toBe(36_000);
  });

  it('reads a file by its path', async () => {
    const file = path.join(dir, 'voice.wav');
    writeFileSync(file, wav('s16', 22_050, 2, 3, sine(250)));
    const got = await readReferenceAudio({ path: file }, { maxSeconds: MAX_IN_CONTEXT_SECONDS });
    expect(got.seconds).toBeCloseTo(3, 3);
    expect(got.source).toEqual({ sampleRate: 22_050, channels: 2, decoder: 'wav' });
  });
});

describe('readReferenceAudio: other formats through ffmpeg', () => {
  it.each([
    ['mp3', ['-c:a', 'libmp3lame', '-b:a', '128k']],
    ['ogg', ['-c:a', 'libvorbis', '-q:a', '5']],
    ['flac', ['-c:a', 'flac']],
  ])('%s (44.1 kHz stereo) comes out as a 24 kHz mono tone of the same pitch', async (ext, codec) => {
    const file = path.join(dir, `tone.${ext}`);
    const made = spawnSync('ffmpeg', [
      ...[
        '-y',
        '-hide_banner',
        '-loglevel',
        'error',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=330:duration=2:sample_rate=44100',
      ],
      ...['-ac', '2', ...codec, file],
    ]);
    expect(made.status, made.stderr.toString()).toBe(0);
    const got = await readReferenceAudio({ path: file }, { maxSeconds: MAX_IN_CONTEXT_SECONDS });
    expect(got.source.decoder).toBe('ffmpeg');
    expect(got.source.channels).toBe(2);
    expect(got.seconds).toBeGreaterThan(1.95);
    expect(got.seconds).toBeLessThan(2.1); // mp3 pads a little
    expect(frequency(got.samples.subarray(4800, 43_200))).toBeCloseTo(330, 0);
    // the same bytes sent instead of a path (audio_base64) decode the same (a pipe cannot seek to mp3's
    // gapless-playback header, so its padding stays: a few ms)
    const viaBytes = await read(readFileSync(file));
    expect(Math.abs(viaBytes.seconds - got.seconds)).toBeLessThan(0.03);
    expect(frequency(viaBytes.samples.subarray(4800, 43_200))).toBeCloseTo(330, 0);
  });

  it('a ten-minute clip fails fast, without decoding all of it', async () => {
    const file = path.join(dir, 'long.flac');
    const made = spawnSync('ffmpeg', [
      ...[
        '-y',
        '-hide_banner',
        '-loglevel',
        'error',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=200:duration=600:sample_rate=8000',
      ],
      file,
    ]);
    expect(made.status).toBe(0);
    const err = await failure(readReferenceAudio({ path: file }, { maxSeconds: MAX_IN_CONTEXT_SECONDS }));
    // ffmpeg stopped one second past the limit: the message knows it is too long, not how long
    expect(err.message).toMatch(/'long\.flac' is 11\.0 s long: a reference may be at most 10 s with a transcript/);
  });

  it('a ten-minute WAV is refused from its header alone', async () => {
    const file = path.join(dir, 'long.wav');
    writeFileSync(file, wav('s16', 16_000, 1, 600, sine(200)));
    const err = await failure(readReferenceAudio({ path: file }, { maxSeconds: MAX_X_VECTOR_SECONDS }));
    expect(err.message).toBe("'long.wav' is 600.0 s long: a reference may be at most 30 s (cut it to a few sentences)");
  });

  it('not audio: ffmpeg says so, and without ffmpeg the error says to install it or use WAV', async () => {
    const text = Buffer.from('this is a shopping list, not a recording\n'.repeat(20));
    expect((await failure(read(text))).message).toMatch(/^the audio is not audio ffmpeg can read.*give a WAV, MP3/);
    const noFfmpeg = await failure(
      readReferenceAudio({ bytes: text }, { maxSeconds: 10, ffmpeg: path.join(dir, 'no-such-ffmpeg') }),
    );
    expect(noFfmpeg.message).toBe(
      'the audio is not a WAV file, and ffmpeg (which reads other formats) is not installed: install ffmpeg (or set Q3TTS_FFMPEG), or convert the clip to PCM WAV',
    );
    // a WAV needs no ffmpeg at all
    const ok = await readReferenceAudio(
      { bytes: wav('s16', 48_000, 1, 1.5, sine(300)) },
      { maxSeconds: 10, ffmpeg: path.join(dir, 'no-such-ffmpeg') },
    );
    expect(ok.seconds).toBeCloseTo(1.5, 3);
  });
});

describe('readReferenceAudio: clips that cannot be a reference', () => {
  const wavWith = (edit: (b: Buffer) => Buffer) => edit(wav('s16', 24_000, 1, 2, sine(200)));

  it.each<[string, () => Uint8Array, RegExp, number?]>([
    ['empty', () => new Uint8Array(0), /^the audio is empty \(0 bytes\)$/],
    ['0.2 s', () => wav('s16', 24_000, 1, 0.2, sine(200)), /is 0\.20 s long: a reference needs at least 1 s of speech/],
    ['digital silence', () => wav('s16', 24_000, 1, 3, () => 0), /is silent \(RMS digital silence, below −60 dBFS\)/],
    ['hiss at −70 dBFS', () => wav('f32', 24_000, 1, 3, sine(3000, 0.0004)), /is silent \(RMS -71 dBFS/],
    [
      '12 s with a transcript',
      () => wav('s16', 16_000, 1, 12, sine(200)),
      /12\.0 s long: .* at most 10 s with a transcript/,
    ],
    [
      'cut short',
      () => wavWith((b) => b.subarray(0, 20_000)),
      /is cut short: its header promises 96000 bytes of audio but the file holds 19930; copy or export it again/,
    ],
    [
      'format chunk cut',
      () => wavWith((b) => b.subarray(0, 24)),
      /is not a usable WAV file \(its format chunk is cut short\)/,
    ],
    [
      'no format chunk',
      () => wavWith((b) => (b.write('junk', 12, 'ascii'), b)),
      /is not a usable WAV file \(its audio comes before its format\)/,
    ],
    [
      'block size lies',
      () => wavWith((b) => (b.writeUInt16LE(4, 32), b)),
      /block size 4 does not match 1 channels of 16 bits/,
    ],
    ['zero channels', () => wavWith((b) => (b.writeUInt16LE(0, 22), b)), /\(0 channels\)/],
  ])('%s', async (_name, make, message) => {
    expect((await failure(read(make()))).message).toMatch(message);
  });

  it('x-vector-only mode takes up to 30 s', async () => {
    const clip = wav('s16', 16_000, 1, 12, sine(200));
    expect((await read(clip, MAX_X_VECTOR_SECONDS)).seconds).toBeCloseTo(12, 3);
    expect((await failure(read(wav('s16', 8_000, 1, 31, sine(200)), MAX_X_VECTOR_SECONDS))).message).toMatch(
      /31\.0 s long: a reference may be at most 30 s/,
    );
  });

  it('a path that is missing or a folder', async () => {
    const opts = { maxSeconds: 10 };
    expect((await failure(readReferenceAudio({ path: path.join(dir, 'nope.wav') }, opts))).message).toBe(
      `no such file: ${path.join(dir, 'nope.wav')}`,
    );
    expect((await failure(readReferenceAudio({ path: dir }, opts))).message).toMatch(/is (not a file|a folder)/);
  });
});
