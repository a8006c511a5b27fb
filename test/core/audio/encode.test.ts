// encoderFor(format): the encoders the daemon's files and the HTTP door share, checked by decoding what they
// wrote with ffmpeg (an independent decoder) to the same number of samples and the same tone.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncoderError, encoderFor } from '../../../src/core/audio/encode.js';
import { EncodedFileSink, openOutputFile } from '../../../src/core/audio/output-file.js';
import { WavFileSink } from '../../../src/core/audio/wav.js';
import { AUDIO_FORMATS, formatForFile } from '../../../src/shared/audio-formats.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-encode-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RATE = 24000;
/** 1.5 s of a 440 Hz tone, in pieces of 1920 samples as the engine sends them. */
const tone = Float32Array.from(
  { length: Math.round(1.5 * RATE) },
  (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / RATE),
);
const pieces = Array.from({ length: Math.ceil(tone.length / 1920) }, (_, k) => tone.subarray(k * 1920, (k + 1) * 1920));

function decode(bytesOrFile: Buffer | string): Int16Array {
  const input = typeof bytesOrFile === 'string' ? bytesOrFile : 'pipe:0';
  const r = spawnSync(
    'ffmpeg',
    ['-v', 'error', '-i', input, '-f', 's16le', '-ac', '1', '-ar', String(RATE), 'pipe:1'],
    {
      input: typeof bytesOrFile === 'string' ? undefined : bytesOrFile,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return new Int16Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.length / 2);
}

/** Zero crossings per second / 2: the tone's frequency, robust to codec delay. */
function frequency(samples: Int16Array): number {
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 !== samples[i]! < 0) crossings++;
  return crossings / 2 / (samples.length / RATE);
}

describe('encoderFor', () => {
  it.each(AUDIO_FORMATS)('%s to a stream decodes to the same length and tone', async (format) => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (b: Buffer) => chunks.push(b));
    const encoding = await encoderFor(format).start(RATE, out);
    for (const p of pieces) await encoding.write(p);
    await encoding.end();
    const samples = decode(Buffer.concat(chunks));
    // A streamed MP3 has no seekable header to record the encoder's delay: ~60 ms of padding stay in.
    expect(Math.abs(samples.length - tone.length)).toBeLessThan(0.1 * RATE);
    // The middle second: codec padding at the ends is near-silence whose noise crosses zero at random.
    expect(Math.abs(frequency(samples.subarray(0.25 * RATE, 1.25 * RATE)) - 440) / 440).toBeLessThan(0.03);
  });

  it('names a content type for each format (what an HTTP answer carries)', () => {
    expect(AUDIO_FORMATS.map((f) => encoderFor(f).contentType)).toEqual([
      'audio/wav',
      'audio/mpeg',
      'audio/ogg',
      'audio/flac',
    ]);
  });

  it('a missing ffmpeg is an EncoderError before any audio is made', async () => {
    const saved = process.env.Q3TTS_FFMPEG;
    process.env.Q3TTS_FFMPEG = path.join(dir, 'no-ffmpeg-here');
    try {
      await expect(encoderFor('mp3').start(RATE, new PassThrough())).rejects.toThrow(EncoderError);
      await expect(encoderFor('mp3').start(RATE, new PassThrough())).rejects.toThrow(/needs ffmpeg/);
    } finally {
      if (saved === undefined) delete process.env.Q3TTS_FFMPEG;
      else process.env.Q3TTS_FFMPEG = saved;
    }
  });
});

describe('output files', () => {
  it('the extension picks the sink; unknown ones are refused; none means WAV', () => {
    expect(openOutputFile(path.join(dir, 'a.wav'))).toBeInstanceOf(WavFileSink);
    expect(openOutputFile(path.join(dir, 'a'))).toBeInstanceOf(WavFileSink);
    expect(openOutputFile(path.join(dir, 'a.FLAC'))).toBeInstanceOf(EncodedFileSink);
    expect(() => openOutputFile(path.join(dir, 'a.aac'))).toThrow(/cannot write '\.aac' files/);
    expect(formatForFile('x.tar.ogg')).toEqual({ format: 'opus' });
    expect(formatForFile('.hidden')).toEqual({ format: 'wav' });
  });

  it('a finished file appears whole; a stopped one leaves nothing behind', async () => {
    const done = new EncodedFileSink(path.join(dir, 'whole.flac'), 'flac');
    await done.open({ sampleRate: RATE, channels: 1 });
    for (const p of pieces) await done.write(p);
    await done.close();
    expect(decode(path.join(dir, 'whole.flac')).length).toBe(tone.length); // FLAC is lossless: exact

    const stopped = new EncodedFileSink(path.join(dir, 'stopped.mp3'), 'mp3');
    await stopped.open({ sampleRate: RATE, channels: 1 });
    await stopped.write(pieces[0]!);
    stopped.stop();
    await stopped.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(readdirSync(dir).filter((f) => f.includes('stopped'))).toEqual([]);
  });
});
