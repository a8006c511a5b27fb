// Chooses where speech is played: PortAudio first, then (Linux) a pipe to the desktop's player.
// Q3TTS_AUDIO=portaudio|pipe|null forces one; "null" (discard) is only ever used when asked for.
import { NaudiodonSink, loadNaudiodon, portAudioHasOutput } from './naudiodon-sink.js';
import { PipeSink, pipeTool } from './pipe-sink.js';
import { AudioDeviceError, type AudioFormat, type AudioSink } from './sink.js';
import { errorMessage } from '../../shared/errors.js';

export type SinkKind = 'auto' | 'portaudio' | 'pipe' | 'null';
const KINDS: readonly string[] = ['auto', 'portaudio', 'pipe', 'null'];
const HINT = 'Saving to a file (-o out.wav) still works.';

/** Discards audio and drains at once: for tests and explicit Q3TTS_AUDIO=null only. */
export class NullSink implements AudioSink {
  readonly clockless = true;
  async open(): Promise<void> {}
  async write(): Promise<void> {}
  async drain(): Promise<void> {}
  stop(): void {}
  async close(): Promise<void> {}
}

/**
 * @param options.device a PortAudio output device name (Q3TTS_AUDIO_DEVICE; empty = system default). Naming a
 * device means PortAudio: there is no silent fallback to another device.
 */
export async function openPlaybackSink(options: { kind?: SinkKind; device?: string | null } = {}): Promise<AudioSink> {
  const device = options.device ?? (process.env.Q3TTS_AUDIO_DEVICE || null);
  const kind = options.kind ?? (process.env.Q3TTS_AUDIO || (device ? 'portaudio' : 'auto'));
  if (!KINDS.includes(kind))
    throw new AudioDeviceError(`unknown Q3TTS_AUDIO '${kind}' (use auto, portaudio, pipe or null)`);
  switch (kind as SinkKind) {
    case 'null':
      return new NullSink();
    case 'portaudio':
      loadNaudiodon();
      return new NaudiodonSink(device);
    case 'pipe':
      return new PipeSink();
    case 'auto':
      return autoSink();
  }
}

interface Candidate {
  name: string;
  make: () => AudioSink;
}

function autoSink(): AudioSink {
  const tried: string[] = [];
  const candidates: Candidate[] = [];
  try {
    if (portAudioHasOutput()) candidates.push({ name: 'PortAudio', make: () => new NaudiodonSink() });
    else tried.push('PortAudio: no output device');
  } catch (err) {
    tried.push(errorMessage(err).replace(/^no usable audio output device: /, ''));
  }
  if (process.platform === 'linux') {
    const tool = pipeTool();
    if (tool) candidates.push({ name: tool, make: () => new PipeSink(tool) });
    else tried.push('pw-cat, paplay, aplay: none on PATH');
  }
  if (candidates.length === 0) throw new AudioDeviceError(`tried ${tried.join('; ')}. ${HINT}`);
  return new FirstWorkingSink(candidates, tried);
}

/** Opens the first candidate that can actually open its device (a listed device may still fail). */
class FirstWorkingSink implements AudioSink {
  private sink: AudioSink | undefined;

  constructor(
    private readonly candidates: Candidate[],
    private readonly tried: string[],
  ) {}

  async open(format: AudioFormat): Promise<void> {
    const tried = [...this.tried];
    for (const c of this.candidates) {
      const sink = c.make();
      try {
        await sink.open(format);
        this.sink = sink;
        return;
      } catch (err) {
        if (!(err instanceof AudioDeviceError)) throw err;
        tried.push(err.message.replace(/^no usable audio output device: /, ''));
      }
    }
    throw new AudioDeviceError(`tried ${tried.join('; ')}. ${HINT}`);
  }

  write(pcm: Float32Array): Promise<void> {
    return this.sink ? this.sink.write(pcm) : Promise.resolve();
  }
  drain(): Promise<void> {
    return this.sink ? this.sink.drain() : Promise.resolve();
  }
  stop(): void {
    this.sink?.stop();
  }
  close(): Promise<void> {
    return this.sink ? this.sink.close() : Promise.resolve();
  }
}
