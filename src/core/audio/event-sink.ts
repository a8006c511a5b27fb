// Audio sent back to the requesting client instead of played: each piece becomes an "audio" event carrying
// 24 kHz s16le mono PCM in base64 (docs/protocol.md, "stream"). What `q3tts --raw` and `q3tts -o -` read.
import { floatToS16le } from './pcm.js';
import type { AudioFormat, AudioSink } from './sink.js';

export class EventSink implements AudioSink {
  private stopped = false;

  constructor(private readonly send: (pcmBase64: string, sampleRate: number) => void) {}

  private sampleRate = 24000;

  async open(format: AudioFormat): Promise<void> {
    this.sampleRate = format.sampleRate;
  }

  async write(pcm: Float32Array): Promise<void> {
    if (!this.stopped && pcm.length) this.send(floatToS16le(pcm).toString('base64'), this.sampleRate);
  }

  async drain(): Promise<void> {}

  stop(): void {
    this.stopped = true;
  }

  async close(): Promise<void> {}
}
