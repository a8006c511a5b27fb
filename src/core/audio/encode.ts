// Encoders for audio files and streams: float PCM in, WAV / MP3 / Ogg Opus / FLAC bytes out. WAV is written
// here; the compressed formats by an ffmpeg child process (decision 0021), fed s16le on stdin. Used by the
// daemon's `output` files and by any door that answers with encoded audio (`encoderFor(format)`).
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { AudioFileFormat } from '../../shared/audio-formats.js';
import { floatToS16le } from './pcm.js';
import { WavFileSink } from './wav.js';
import { streamingWavHeader } from './wav-header.js';

/**
 * What an encoder can make: the file formats, plus AAC (ADTS) for streams only — OpenAI's `response_format`
 * offers it, but as a file it would be expected as .m4a (MP4), which cannot be written as a stream.
 */
export type EncodedFormat = AudioFileFormat | 'aac';

export interface Encoder {
  readonly format: EncodedFormat;
  readonly contentType: string;
  /**
   * Starts one encoding. `to` is a file path (seekable: headers get their final sizes) or a stream (bytes go
   * out as they are encoded: what a pipe or an HTTP response needs).
   */
  start(sampleRate: number, to: string | Writable): Promise<Encoding>;
}

export interface Encoding {
  /** Encodes float PCM in [-1, 1]; resolves when the encoder has taken it (backpressure). */
  write(pcm: Float32Array): Promise<void>;
  /** Finishes the file or stream; rejects when the encoder failed. */
  end(): Promise<void>;
  /** Stops now; what was written is incomplete and up to the caller to discard. */
  abort(): void;
}

/** The encoder could not run or failed (ffmpeg missing, a codec missing, its exit status). */
export class EncoderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncoderError';
  }
}

/** ffmpeg's arguments per compressed format: bit rates chosen for a single 24 kHz voice. */
const FFMPEG_CODECS: Record<Exclude<EncodedFormat, 'wav'>, { args: string[]; muxer: string; contentType: string }> = {
  mp3: { args: ['-c:a', 'libmp3lame', '-b:a', '64k'], muxer: 'mp3', contentType: 'audio/mpeg' },
  opus: { args: ['-c:a', 'libopus', '-b:a', '32k', '-application', 'voip'], muxer: 'ogg', contentType: 'audio/ogg' },
  flac: { args: ['-c:a', 'flac'], muxer: 'flac', contentType: 'audio/flac' },
  aac: { args: ['-c:a', 'aac', '-b:a', '48k'], muxer: 'adts', contentType: 'audio/aac' },
};

/** The ffmpeg to run: Q3TTS_FFMPEG, else `ffmpeg` on PATH. */
export function ffmpegCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.Q3TTS_FFMPEG || 'ffmpeg';
}

export function encoderFor(format: EncodedFormat): Encoder {
  if (format === 'wav') return wavEncoder;
  const codec = FFMPEG_CODECS[format];
  return {
    format,
    contentType: codec.contentType,
    start: (sampleRate, to) => startFfmpeg(format, codec.args, codec.muxer, sampleRate, to),
  };
}

/**
 * WAV to a stream carries "unknown length" sizes (0xFFFFFFFF, as streaming WAV writers do: readers go on to
 * the end). To a file it is written with its real sizes (WavFileSink does the same for the daemon's files).
 */
const wavEncoder: Encoder = {
  format: 'wav',
  contentType: 'audio/wav',
  async start(sampleRate, to) {
    if (typeof to === 'string') {
      const sink = new WavFileSink(to);
      await sink.open({ sampleRate, channels: 1 });
      return { write: (pcm) => sink.write(pcm), end: () => sink.close(), abort: () => sink.stop() };
    }
    await writeTo(to, streamingWavHeader(sampleRate));
    return { write: (pcm) => writeTo(to, floatToS16le(pcm)), end: async () => undefined, abort: () => undefined };
  },
};

function writeTo(stream: Writable, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream.write(bytes, (err) => err && reject(err))) resolve();
    else stream.once('drain', resolve);
  });
}

async function startFfmpeg(
  format: EncodedFormat,
  codecArgs: string[],
  muxer: string,
  sampleRate: number,
  to: string | Writable,
): Promise<Encoding> {
  const command = ffmpegCommand();
  const target = typeof to === 'string' ? to : 'pipe:1';
  // -y: the caller owns `to` (a fresh temp file); -nostdin is not used: stdin is our PCM.
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    's16le',
    '-ar',
    String(sampleRate),
    '-ac',
    '1',
    '-i',
    'pipe:0',
    ...codecArgs,
    '-f',
    muxer,
    '-y',
    target,
  ];
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(command, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    if (stderr.length < 4000) stderr += s;
  });
  if (typeof to !== 'string') child.stdout.pipe(to, { end: false });
  else child.stdout.resume();
  const exited = new Promise<void>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new EncoderError(
          err.code === 'ENOENT'
            ? `writing ${format} needs ffmpeg, which is not installed (or set Q3TTS_FFMPEG); WAV needs nothing`
            : `cannot run ${command}: ${err.message}`,
        ),
      ),
    );
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new EncoderError(
            `ffmpeg could not encode ${format}${signal ? ` (${signal})` : ` (exit ${String(code)})`}${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-1)[0]}` : ''}`,
          ),
        );
    });
  });
  exited.catch(() => undefined); // observed by end(); an early failure also surfaces through write()
  // Wait until ffmpeg has started (or could not): a missing ffmpeg is an error before any audio is made.
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    exited.catch(reject);
  });
  child.stdin.on('error', () => undefined); // EPIPE when ffmpeg dies: reported by its exit status instead
  let failed: unknown;
  exited.catch((err: unknown) => (failed = err));
  return {
    write: (pcm) => {
      if (failed) return Promise.reject(failed);
      return new Promise((resolve, reject) => {
        if (child.stdin.write(floatToS16le(pcm))) return resolve();
        const onDrain = () => resolve();
        child.stdin.once('drain', onDrain);
        exited.catch((err: unknown) => {
          child.stdin.off('drain', onDrain);
          reject(err);
        });
      });
    },
    end: async () => {
      child.stdin.end();
      await exited;
    },
    abort: () => {
      child.stdin.destroy();
      child.kill('SIGKILL');
    },
  };
}
