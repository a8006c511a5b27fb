// Chooses where speech is played: PortAudio first, then (Linux) a pipe to the desktop's player.
// Q3TTS_AUDIO=portaudio|pipe|null forces one; "null" (discard) is only ever used when asked for.
import { NaudiodonSink, loadNaudiodon } from './naudiodon-sink.js';
import { PipeSink, findOnPath } from './pipe-sink.js';
import { AudioDeviceError, type AudioSink } from './sink.js';

export type SinkKind = 'auto' | 'portaudio' | 'pipe' | 'null';

export class NullSink implements AudioSink {
  async open(): Promise<void> {}
  async write(): Promise<void> {}
  async drain(): Promise<void> {}
  stop(): void {}
  async close(): Promise<void> {}
}

export async function openPlaybackSink(options: { kind?: SinkKind } = {}): Promise<AudioSink> {
  const kind = options.kind ?? ((process.env.Q3TTS_AUDIO as SinkKind | undefined) || 'auto');
  switch (kind) {
    case 'null':
      return new NullSink();
    case 'portaudio':
      loadNaudiodon();
      return new NaudiodonSink();
    case 'pipe':
      return new PipeSink();
    case 'auto': {
      const tried: string[] = [];
      try {
        const pa = loadNaudiodon();
        if (pa.getDevices().some((d) => d.maxOutputChannels > 0)) return new NaudiodonSink();
        tried.push('PortAudio (no output device)');
      } catch (err) {
        tried.push(`PortAudio (${(err as Error).message})`);
      }
      if (process.platform === 'linux' && ['pw-cat', 'paplay', 'aplay'].some((c) => findOnPath(c))) return new PipeSink();
      if (process.platform === 'linux') tried.push('pw-cat/paplay/aplay (not installed)');
      throw new AudioDeviceError(`tried ${tried.join('; ')}. Saving to a file (-o out.wav) still works.`);
    }
    default:
      throw new AudioDeviceError(`unknown Q3TTS_AUDIO '${String(kind)}' (use auto, portaudio, pipe or null)`);
  }
}
