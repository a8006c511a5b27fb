// Speakers through PortAudio (naudiodon, patched at install: scripts/patch-naudiodon.mjs and
// docs/decisions/0002-naudiodon-patched.md). Loaded lazily, so a missing or broken addon is a clear
// AudioDeviceError rather than a crash at start-up.
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { FrameChunker, floatToInt16, int16Bytes } from './pcm.js';
import { AudioDeviceError, type AudioFormat, type AudioSink } from './sink.js';
import { errorMessage } from '../../shared/errors.js';

interface AudioIOStream extends Writable {
  start(): void;
  /** Patched: drops the queue and stops the device now; the callback runs when PortAudio is closed. */
  abort(cb?: () => void): void;
}
interface Naudiodon {
  SampleFormat16Bit: number;
  getDevices(): Array<{ id: number; name: string; maxOutputChannels: number; hostAPIName: string }>;
  AudioIO(options: { outOptions: Record<string, unknown> }): AudioIOStream;
}

// Latency budget for stop(): the native queue holds at most QUEUE frames plus the one being played, and
// the patched abort drops them, so what is still heard after stop() is the device's own buffer.
const FRAME_MS = 20;
const QUEUE = 2;

let cached: Naudiodon | Error | undefined;

/** The addon, loaded once; throws AudioDeviceError when it is missing or does not load. */
export function loadNaudiodon(): Naudiodon {
  if (cached === undefined) {
    try {
      cached = createRequire(import.meta.url)('naudiodon') as Naudiodon;
    } catch (err) {
      cached = err as Error;
    }
  }
  if (cached instanceof Error)
    throw new AudioDeviceError(`PortAudio (naudiodon) cannot be loaded: ${cached.message.split('\n')[0]}`);
  return cached;
}

export interface OutputDevice {
  id: number;
  name: string;
  hostApi: string;
}

/** PortAudio's output devices, in its order. */
export function outputDevices(): OutputDevice[] {
  return loadNaudiodon()
    .getDevices()
    .filter((d) => d.maxOutputChannels > 0)
    .map((d) => ({ id: d.id, name: d.name, hostApi: d.hostAPIName }));
}

/**
 * The PortAudio device id for a name the user chose (exact, else the one device whose name contains it,
 * case-insensitive); -1 = the system default. An unknown or ambiguous name is a clear error listing the choices.
 */
export function chooseDevice(devices: readonly OutputDevice[], wanted: string | null | undefined): number {
  if (!wanted) return -1;
  const w = wanted.toLowerCase();
  const exact = devices.find((d) => d.name.toLowerCase() === w);
  if (exact) return exact.id;
  const partial = devices.filter((d) => d.name.toLowerCase().includes(w));
  if (partial.length === 1) return partial[0]!.id;
  const names = devices.map((d) => `'${d.name}'`).join(', ') || 'none';
  throw new AudioDeviceError(
    partial.length
      ? `'${wanted}' matches several output devices (${partial.map((d) => `'${d.name}'`).join(', ')})`
      : `no output device named '${wanted}' (there are: ${names})`,
  );
}

/** Whether PortAudio lists any output device (cheap check before choosing this sink). */
export function portAudioHasOutput(): boolean {
  return loadNaudiodon()
    .getDevices()
    .some((d) => d.maxOutputChannels > 0);
}

export class NaudiodonSink implements AudioSink {
  private format: AudioFormat | undefined;
  private stream: AudioIOStream | undefined;
  private chunker: FrameChunker | undefined;
  /** Set once the stream was ended: naudiodon is then playing out its queue (quit "WAIT"). */
  private ending = false;
  private stopped = false;
  private failure: Error | undefined;
  /** Resolves when PortAudio has let go of the device (after drain or stop). */
  private released: Promise<void> = Promise.resolve();
  private deviceId = -1;

  /** @param device an output device name (see chooseDevice); empty = the system default. */
  constructor(private readonly device: string | null = null) {}

  async open(format: AudioFormat): Promise<void> {
    this.deviceId = chooseDevice(outputDevices(), this.device);
    this.format = format;
    this.stopped = false;
    this.chunker = new FrameChunker(Math.round((format.sampleRate * FRAME_MS) / 1000));
    this.startStream();
  }

  private startStream(): AudioIOStream {
    const pa = loadNaudiodon();
    const format = this.format;
    if (!format) throw new Error('NaudiodonSink: write() before open()');
    let stream: AudioIOStream;
    try {
      stream = pa.AudioIO({
        outOptions: {
          channelCount: format.channels,
          sampleFormat: pa.SampleFormat16Bit,
          sampleRate: format.sampleRate,
          deviceId: this.deviceId, // -1: the system default
          framesPerBuffer: Math.round(format.sampleRate / 100), // 10 ms device periods
          maxQueue: QUEUE,
          highwaterMark: this.chunker!.frameSize * 2 * QUEUE,
          closeOnError: false, // an underrun is a glitch, not a reason to give up the utterance
        },
      });
      stream.start();
    } catch (err) {
      throw new AudioDeviceError(
        `PortAudio cannot open ${this.device ? `'${this.device}'` : 'the default output'}: ${errorMessage(err)}`,
      );
    }
    stream.on('error', (err: Error) => (this.failure ??= err));
    stream.once('finish', () => (this.ending = true));
    this.stream = stream;
    this.ending = false;
    this.released = new Promise((resolve) => {
      stream.once('finished', () => resolve());
      stream.once('q3tts-aborted', () => resolve());
    });
    return stream;
  }

  async write(pcm: Float32Array): Promise<void> {
    if (this.stopped || !this.chunker) return;
    // After a drain the device was released: the next utterance opens it again.
    const stream = this.stream && !this.stream.writableEnded ? this.stream : (await this.released, this.startStream());
    for (const frame of this.chunker.push(floatToInt16(pcm))) {
      if (this.stopped) return;
      if (!stream.write(int16Bytes(frame))) await waitFor(stream, 'drain');
    }
    if (this.failure) throw new AudioDeviceError(`PortAudio playback failed: ${this.failure.message}`);
  }

  /** Plays out what is queued; resolves when PortAudio has stopped the device after the last sample. */
  async drain(): Promise<void> {
    const stream = this.stream;
    if (!stream || this.stopped || stream.writableEnded) return this.released;
    const rest = this.chunker?.flush();
    if (rest) stream.write(int16Bytes(rest));
    stream.end();
    await this.released;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.chunker?.clear();
    const stream = this.stream;
    if (!stream) return;
    // Once naudiodon is playing out its queue (quit WAIT in flight), a second native quit would race it;
    // that queue is at most QUEUE+1 frames (60 ms), so letting it finish is as fast as aborting.
    if (this.ending) return;
    stream.destroy(); // drops what is still buffered on the JS side
    stream.abort(() => stream.emit('q3tts-aborted'));
  }

  async close(): Promise<void> {
    if (this.stream && !this.stream.writableEnded && !this.stopped) this.stop();
    await this.released;
    this.stream = undefined;
  }
}

function waitFor(stream: Writable, event: string): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off(event, done);
      stream.off('close', done);
      resolve();
    };
    stream.once(event, done);
    stream.once('close', done);
  });
}
