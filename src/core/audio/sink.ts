// Audio output, speech-dispatcher style: explicit open / write / drain / stop / close, not "play a buffer".

export interface AudioFormat {
  sampleRate: number;
  channels: 1;
}

export interface AudioSink {
  /** Set by sinks with no clock (the null sink): what is written is never "still playing". */
  readonly clockless?: boolean;
  open(format: AudioFormat): Promise<void>;
  /** Queues float PCM in [-1, 1]; resolves when queued (this is the backpressure point). */
  write(pcm: Float32Array): Promise<void>;
  /** Resolves when everything queued has been played (or written). */
  drain(): Promise<void>;
  /** Drops everything queued, now. Safe to call at any time, more than once. */
  stop(): void;
  close(): Promise<void>;
}

/** No usable audio output: a clear, user-facing reason (writing to a file still works). */
export class AudioDeviceError extends Error {
  constructor(message: string) {
    super(`no usable audio output device: ${message}`);
    this.name = 'AudioDeviceError';
  }
}
