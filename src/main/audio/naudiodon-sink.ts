// Speakers through PortAudio (naudiodon, patched at install: scripts/patch-naudiodon.mjs and
// docs/decisions/0002-naudiodon-patched.md). Loaded lazily, so a missing or broken addon is a clear
// AudioDeviceError rather than a crash at start-up.
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { floatToInt16, int16Bytes } from './pcm.js';
import { AudioDeviceError, type AudioFormat, type AudioSink } from './sink.js';

interface AudioIOStream extends Writable {
  start(): void;
  abort(cb?: () => void): void;
}
interface Naudiodon {
  SampleFormat16Bit: number;
  getDevices(): Array<{ id: number; name: string; maxOutputChannels: number; hostAPIName: string }>;
  AudioIO: new (options: { outOptions: Record<string, unknown> }) => AudioIOStream;
}

let cached: Naudiodon | Error | undefined;

export function loadNaudiodon(): Naudiodon {
  if (cached === undefined) {
    try {
      cached = createRequire(import.meta.url)('naudiodon') as Naudiodon;
    } catch (err) {
      cached = err as Error;
    }
  }
  if (cached instanceof Error) throw new AudioDeviceError(`PortAudio (naudiodon) cannot be loaded: ${cached.message.split('\n')[0]}`);
  return cached;
}

export class NaudiodonSink implements AudioSink {
  private stream: AudioIOStream | undefined;
  private stopped = false;

  async open(format: AudioFormat): Promise<void> {
    const pa = loadNaudiodon();
    if (!pa.getDevices().some((d) => d.maxOutputChannels > 0)) throw new AudioDeviceError('PortAudio finds no output device');
    try {
      this.stream = new pa.AudioIO({
        outOptions: {
          channelCount: format.channels,
          sampleFormat: pa.SampleFormat16Bit,
          sampleRate: format.sampleRate,
          deviceId: -1, // the system default
          closeOnError: true,
          framesPerBuffer: 480, // 20 ms: a stop is heard at once
          highwaterMark: 9600,
        },
      });
      this.stream.on('error', () => undefined); // reported through write()/drain() instead
      this.stream.start();
    } catch (err) {
      throw new AudioDeviceError(`PortAudio cannot open the default output: ${(err as Error).message}`);
    }
  }

  async write(pcm: Float32Array): Promise<void> {
    const stream = this.stream;
    if (!stream || this.stopped) return;
    if (!stream.write(int16Bytes(floatToInt16(pcm)))) {
      await new Promise<void>((resolve) => {
        const done = () => {
          stream.off('drain', done);
          stream.off('close', done);
          resolve();
        };
        stream.once('drain', done);
        stream.once('close', done);
      });
    }
  }

  /** Ends the stream; naudiodon then plays out what is queued and emits "finished". */
  async drain(): Promise<void> {
    const stream = this.stream;
    if (!stream || this.stopped) return;
    await new Promise<void>((resolve) => {
      stream.once('finished', resolve);
      stream.once('close', resolve);
      stream.end();
    });
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stream?.abort();
  }

  async close(): Promise<void> {
    this.stream = undefined;
  }
}
