// The audio sink a front door hands to the daemon for one request: speech comes back to that door's client
// as 16-bit PCM pieces instead of going to the speakers (decision 0017). Same queue, cancel and error paths.
import { floatToS16le } from '../audio/pcm.js';
import type { AudioFormat, AudioSink } from '../audio/sink.js';

export interface PcmStreamTarget {
  /** The job has started and audio in this format follows (called once, before any chunk). */
  start?(format: AudioFormat): void;
  /** One piece of s16le mono PCM, as the engine made it. */
  chunk(pcm: Buffer, format: AudioFormat): void;
}

export class PcmStreamSink implements AudioSink {
  private format: AudioFormat = { sampleRate: 24000, channels: 1 };
  private stopped = false;
  private started = false;
  /** Bytes of PCM handed on so far. */
  bytes = 0;

  constructor(private readonly target: PcmStreamTarget) {}

  async open(format: AudioFormat): Promise<void> {
    this.format = format;
    if (!this.started) this.target.start?.(format);
    this.started = true;
  }

  async write(pcm: Float32Array): Promise<void> {
    if (this.stopped || pcm.length === 0) return;
    const bytes = floatToS16le(pcm);
    this.bytes += bytes.length;
    this.target.chunk(bytes, this.format);
  }

  async drain(): Promise<void> {}

  /** A cancel: nothing more reaches the client. */
  stop(): void {
    this.stopped = true;
  }

  async close(): Promise<void> {}
}
