// Reference audio for voice cloning: a file (or its bytes) in any format, rate and channel count, turned into
// what the speaker and codec encoders take, 24 kHz mono float. WAV is read here; anything else is decoded by
// ffmpeg into a float WAV first, so one path does the rest: averaging the channels, resampling with
// libsamplerate (decision 0033), and the checks that give a bad clip a clear error before any model runs.
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { SAMPLE_RATE } from '../../shared/engine.js';
import { errorMessage } from '../../shared/errors.js';
import { ffmpegCommand } from './encode.js';

/** Shorter clips do not hold enough of a voice (the issue's 0.2 s example must fail). */
export const MIN_REFERENCE_SECONDS = 1;
/** In-context mode: the Base codec encoder graph takes at most 10 s. */
export const MAX_IN_CONTEXT_SECONDS = 10;
/** x-vector-only mode: the speaker vector is an average; past 30 s it changes little and only costs time. */
export const MAX_X_VECTOR_SECONDS = 30;
/** RMS below this (−60 dBFS) is silence, not a voice. */
export const SILENCE_RMS = 0.001;
/** ffmpeg gets this long to decode a clip (it stops after the limit + 1 s of audio, so this is generous). */
const FFMPEG_TIMEOUT_MS = 30_000;
/** How much of a file is read to find a WAV's data chunk before deciding whether to read the rest. */
const HEADER_PROBE_BYTES = 64 * 1024;

/** A reference clip that cannot be used, with a message that says what to do instead. */
export class ReferenceAudioError extends Error {
  readonly code = 'E_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'ReferenceAudioError';
  }
}

export type ReferenceSource = { path: string } | { bytes: Uint8Array };

export interface ReferenceAudio {
  /** 24 kHz mono float samples. */
  samples: Float32Array;
  seconds: number;
  /** What the clip was: its rate, channel count, and whether ffmpeg decoded it. */
  source: { sampleRate: number; channels: number; decoder: 'wav' | 'ffmpeg' };
}

export interface ReferenceOptions {
  /** The longest clip accepted, in seconds (MAX_IN_CONTEXT_SECONDS or MAX_X_VECTOR_SECONDS). */
  maxSeconds: number;
  signal?: AbortSignal;
  /** The ffmpeg to run (default: Q3TTS_FFMPEG, else ffmpeg on PATH). */
  ffmpeg?: string;
}

/** Reads a reference clip into 24 kHz mono, or throws a ReferenceAudioError saying what is wrong with it. */
export async function readReferenceAudio(source: ReferenceSource, options: ReferenceOptions): Promise<ReferenceAudio> {
  const what = 'path' in source ? `'${path.basename(source.path)}'` : 'the audio';
  const head = await readHead(source);
  if (head.total === 0) throw new ReferenceAudioError(`${what} is empty (0 bytes)`);
  let pcm: Pcm;
  let decoder: 'wav' | 'ffmpeg' = 'wav';
  let wav: WavFormat | undefined;
  for (;;) {
    try {
      wav = isWav(head.bytes) ? parseWavHeader(head.bytes, head.total, what) : undefined;
      break;
    } catch (err) {
      if (!(err instanceof HeaderBeyondProbe)) throw err;
      // chunks before the audio (metadata, padding) longer than the probe: read on to the next chunk header
      head.bytes = await readRange(source, { bytes: new Uint8Array(0), total: head.total }, 0, err.needed);
    }
  }
  if (wav && wav.encoding) {
    checkLength(wav.dataBytes / wav.blockAlign / wav.sampleRate, options.maxSeconds, what); // before reading the rest
    const data = await readRange(source, head, wav.dataOffset, wav.dataBytes);
    pcm = toFloat(data, wav);
  } else {
    decoder = 'ffmpeg';
    const decoded = await decodeWithFfmpeg(source, what, wav !== undefined, options);
    const inner = parseWavHeader(decoded, decoded.length, `ffmpeg's output for ${what}`, true);
    if (!inner.encoding) throw new ReferenceAudioError(`ffmpeg's output for ${what} is not float PCM`);
    pcm = toFloat(decoded.subarray(inner.dataOffset, inner.dataOffset + inner.dataBytes), inner);
  }
  const seconds = pcm.frames / pcm.sampleRate;
  checkLength(seconds, options.maxSeconds, what);
  let mono = downmix(pcm);
  checkLoudness(mono, what);
  if (pcm.sampleRate !== SAMPLE_RATE) mono = await resample(mono, pcm.sampleRate, SAMPLE_RATE);
  return {
    samples: mono,
    seconds: mono.length / SAMPLE_RATE,
    source: { sampleRate: pcm.sampleRate, channels: pcm.channels, decoder },
  };
}

/** The checks a clip made some other way (a locked voice's reference sentence) gets too: length and level. */
export function checkReferenceClip(mono24k: Float32Array, maxSeconds: number, what: string): void {
  checkLength(mono24k.length / SAMPLE_RATE, maxSeconds, what);
  checkLoudness(mono24k, what);
}

/** Peak and RMS of a clip. */
export function loudness(samples: Float32Array): { peak: number; rms: number } {
  let peak = 0;
  let sum = 0;
  for (const x of samples) {
    peak = Math.max(peak, Math.abs(x));
    sum += x * x;
  }
  return { peak, rms: samples.length ? Math.sqrt(sum / samples.length) : 0 };
}

function checkLength(seconds: number, maxSeconds: number, what: string): void {
  if (seconds < MIN_REFERENCE_SECONDS)
    throw new ReferenceAudioError(
      `${what} is ${seconds.toFixed(2)} s long: a reference needs at least ${MIN_REFERENCE_SECONDS} s of speech (3–10 s works best)`,
    );
  if (seconds > maxSeconds + 1e-6)
    throw new ReferenceAudioError(
      `${what} is ${seconds > 3600 ? 'over an hour' : `${seconds.toFixed(1)} s`} long: a reference may be at most ${maxSeconds} s` +
        (maxSeconds === MAX_IN_CONTEXT_SECONDS
          ? ` with a transcript (cut it to one or two sentences, 3–10 s, or leave out the transcript for up to ${MAX_X_VECTOR_SECONDS} s)`
          : ' (cut it to a few sentences)'),
    );
}

function checkLoudness(mono: Float32Array, what: string): void {
  const { rms } = loudness(mono);
  if (rms < SILENCE_RMS) {
    const db = rms > 0 ? `${(20 * Math.log10(rms)).toFixed(0)} dBFS` : 'digital silence';
    throw new ReferenceAudioError(
      `${what} is silent (RMS ${db}, below −60 dBFS): record the voice again closer to the microphone, or check the input level`,
    );
  }
}

// ---- WAV ----

const MAX_HEADER_BYTES = 16 * 1024 * 1024;

/** The WAV's chunks go on past the bytes probed: `needed` bytes from the start hold the next chunk header. */
class HeaderBeyondProbe extends Error {
  constructor(readonly needed: number) {
    super('the WAV header goes on past the bytes read');
  }
}

interface WavFormat {
  /** null: a WAV codec this reader does not decode (ADPCM, µ-law, …): ffmpeg's job. */
  encoding: 'int' | 'uint8' | 'float' | null;
  bits: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  dataOffset: number;
  dataBytes: number;
}

function isWav(b: Uint8Array): boolean {
  return b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WAVE';
}

function ascii(b: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...b.subarray(from, Math.min(to, b.length)));
}

/**
 * The format and data chunk of a WAV, from its first bytes (`total` = the whole file's length). A data size
 * of 0 or 0xFFFFFFFF is a stream's "to the end"; `streamed` (ffmpeg writing to a pipe) accepts any size.
 */
function parseWavHeader(b: Uint8Array, total: number, what: string, streamed = false): WavFormat {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const corrupt = (why: string) =>
    new ReferenceAudioError(`${what} is not a usable WAV file (${why}); export it again or convert it to WAV`);
  let at = 12;
  let fmt: Omit<WavFormat, 'dataOffset' | 'dataBytes'> | undefined;
  while (at + 8 <= b.length) {
    const id = ascii(b, at, at + 4);
    const size = view.getUint32(at + 4, true);
    if (id === 'fmt ') {
      if (size < 16 || at + 8 + size > b.length) throw corrupt('its format chunk is cut short');
      const tag = view.getUint16(at + 8, true);
      const channels = view.getUint16(at + 10, true);
      const sampleRate = view.getUint32(at + 12, true);
      const blockAlign = view.getUint16(at + 20, true);
      const bits = view.getUint16(at + 22, true);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
      const real = tag === 0xfffe && size >= 40 ? view.getUint16(at + 32, true) : tag;
      if (channels < 1 || channels > 64) throw corrupt(`${channels} channels`);
      if (sampleRate < 1000 || sampleRate > 768_000) throw corrupt(`a sample rate of ${sampleRate} Hz`);
      const encoding =
        real === 1 && bits === 8
          ? 'uint8'
          : real === 1 && [16, 24, 32].includes(bits)
            ? 'int'
            : real === 3 && (bits === 32 || bits === 64)
              ? 'float'
              : null;
      if (encoding && blockAlign !== (channels * bits) / 8)
        throw corrupt(`block size ${blockAlign} does not match ${channels} channels of ${bits} bits`);
      fmt = { encoding, bits, channels, sampleRate, blockAlign: blockAlign || 1 };
    } else if (id === 'data') {
      if (!fmt) throw corrupt('its audio comes before its format');
      const dataOffset = at + 8;
      const available = total - dataOffset;
      let dataBytes = size;
      if (size === 0 || size === 0xffffffff || streamed) dataBytes = available;
      else if (size > available)
        throw new ReferenceAudioError(
          `${what} is cut short: its header promises ${size} bytes of audio but the file holds ${Math.max(0, available)}; copy or export it again`,
        );
      dataBytes -= dataBytes % fmt.blockAlign;
      return { ...fmt, dataOffset, dataBytes };
    }
    at += 8 + size + (size % 2);
  }
  // The next chunk starts past the bytes read so far: say how much to read (a header is not worth over 16 MB).
  if (b.length < total && at + 8 <= total && at + 8 <= MAX_HEADER_BYTES) throw new HeaderBeyondProbe(at + 8 + 4096);
  throw corrupt(fmt ? 'it has no audio (data) chunk' : 'it has no format chunk');
}

interface Pcm {
  /** Interleaved float samples. */
  data: Float32Array;
  channels: number;
  sampleRate: number;
  frames: number;
}

function toFloat(bytes: Uint8Array, f: Pick<WavFormat, 'encoding' | 'bits' | 'channels' | 'sampleRate'>): Pcm {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = f.bits / 8;
  const n = Math.floor(bytes.length / width);
  const data = new Float32Array(n);
  for (let i = 0, o = 0; i < n; i++, o += width) {
    switch (f.encoding === 'float' ? f.bits : f.encoding === 'uint8' ? 8 : -f.bits) {
      case 8:
        data[i] = (bytes[o]! - 128) / 128;
        break;
      case -16:
        data[i] = view.getInt16(o, true) / 32768;
        break;
      case -24:
        data[i] = ((bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16)) << 8) / 2147483648;
        break;
      case -32:
        data[i] = view.getInt32(o, true) / 2147483648;
        break;
      case 32:
        data[i] = view.getFloat32(o, true);
        break;
      case 64:
        data[i] = view.getFloat64(o, true);
        break;
    }
  }
  return { data, channels: f.channels, sampleRate: f.sampleRate, frames: Math.floor(n / f.channels) };
}

/** Mono by averaging the channels (a voice recorded in stereo is the same voice in both). */
function downmix(pcm: Pcm): Float32Array {
  if (pcm.channels === 1) return pcm.data;
  const out = new Float32Array(pcm.frames);
  for (let i = 0; i < pcm.frames; i++) {
    let sum = 0;
    for (let c = 0; c < pcm.channels; c++) sum += pcm.data[i * pcm.channels + c]!;
    out[i] = sum / pcm.channels;
  }
  return out;
}

/**
 * libsamplerate's medium sinc converter (decision 0033): 121 dB of signal-to-noise is far past what a 16-bit
 * recording holds, at a third of the best converter's time (about 0.2 s for 10 s of 48 kHz audio here). The
 * input gets 0.1 s of silence after it, so the converter's last samples come out too, and the output is cut to
 * the exact length.
 */
export async function resample(samples: Float32Array, from: number, to: number): Promise<Float32Array> {
  // A webpack UMD bundle: Node's ESM loader gives it as the default export (its .d.ts names the members).
  type Libsamplerate = typeof import('@alexanderolsen/libsamplerate-js');
  const { create, ConverterType } = ((await import('@alexanderolsen/libsamplerate-js')) as { default: Libsamplerate })
    .default;
  const src = await create(1, from, to, { converterType: ConverterType.SRC_SINC_MEDIUM_QUALITY });
  try {
    const padded = new Float32Array(samples.length + Math.ceil(from / 10));
    // Non-finite samples (a corrupt float WAV) would poison the filter: they count as silence.
    samples.forEach((x, i) => (padded[i] = Number.isFinite(x) ? x : 0));
    return Float32Array.from(src.simple(padded).subarray(0, Math.round((samples.length * to) / from)));
  } finally {
    src.destroy();
  }
}

// ---- reading ----

interface Head {
  bytes: Uint8Array;
  total: number;
}

async function readHead(source: ReferenceSource): Promise<Head> {
  if ('bytes' in source) return { bytes: source.bytes, total: source.bytes.length };
  let file;
  try {
    file = await open(source.path, 'r');
  } catch (err) {
    throw new ReferenceAudioError(cannotRead(source.path, err));
  }
  try {
    const stat = await file.stat();
    if (!stat.isFile()) throw new ReferenceAudioError(`${source.path} is not a file`);
    const bytes = new Uint8Array(Math.min(stat.size, HEADER_PROBE_BYTES));
    const { bytesRead } = await file.read(bytes, 0, bytes.length, 0);
    return { bytes: bytes.subarray(0, bytesRead), total: stat.size };
  } catch (err) {
    if (err instanceof ReferenceAudioError) throw err;
    throw new ReferenceAudioError(cannotRead(source.path, err));
  } finally {
    await file.close();
  }
}

function cannotRead(file: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `no such file: ${file}`;
  if (code === 'EACCES') return `cannot read ${file}: permission denied`;
  if (code === 'EISDIR') return `${file} is a folder, not an audio file`;
  return `cannot read ${file}: ${errorMessage(err)}`;
}

async function readRange(source: ReferenceSource, head: Head, offset: number, length: number): Promise<Uint8Array> {
  if (offset + length <= head.bytes.length) return head.bytes.subarray(offset, offset + length);
  if ('bytes' in source) return source.bytes.subarray(offset, offset + length);
  const file = await open(source.path, 'r');
  try {
    const out = new Uint8Array(length);
    const { bytesRead } = await file.read(out, 0, length, offset);
    return out.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/**
 * Any format ffmpeg reads → a float WAV at the clip's own rate and channels (resampled and mixed here, the same
 * as WAV). It stops decoding one second past the limit, so a ten-minute file fails in a moment, not after it
 * has all been decoded. Only the file (or stdin) may be opened: a playlist inside cannot reach the network.
 */
async function decodeWithFfmpeg(
  source: ReferenceSource,
  what: string,
  wasWav: boolean,
  options: ReferenceOptions,
): Promise<Uint8Array> {
  const command = options.ffmpeg ?? ffmpegCommand();
  const input = 'path' in source ? `file:${path.resolve(source.path)}` : 'pipe:0';
  const args = [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
    ...['-protocol_whitelist', 'path' in source ? 'file' : 'pipe', '-i', input],
    ...['-map', '0:a:0', '-vn', '-t', String(options.maxSeconds + 1)],
    ...['-c:a', 'pcm_f32le', '-f', 'wav', 'pipe:1'],
  ];
  const child = spawn(command, args, { stdio: ['bytes' in source ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => chunks.push(c));
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  if ('bytes' in source && child.stdin) {
    child.stdin.on('error', () => undefined); // EPIPE once ffmpeg has read enough: its exit status tells
    child.stdin.end(source.bytes);
  }
  const onAbort = () => child.kill('SIGKILL');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => child.kill('SIGKILL'), FFMPEG_TIMEOUT_MS);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c) => resolve(c));
    });
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('cancelled');
    const out = Buffer.concat(chunks);
    if (code !== 0 || out.length < 44) {
      const said = stderr.trim().split('\n').slice(-1)[0] ?? '';
      const noAudio = /does not contain any stream|matches no streams/i.test(stderr);
      throw new ReferenceAudioError(
        noAudio
          ? `${what} holds no audio`
          : `${what} is not audio ffmpeg can read${said ? ` (${said.replace(/^.*?: /, '')})` : ''}; give a WAV, MP3, FLAC, Ogg or M4A recording of the voice`,
      );
    }
    return out;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new ReferenceAudioError(
        `${what} is ${wasWav ? 'a compressed WAV' : 'not a WAV file'}, and ffmpeg (which reads other formats) is not installed: ` +
          `install ffmpeg (or set Q3TTS_FFMPEG), or convert the clip to PCM WAV`,
      );
    throw err;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
