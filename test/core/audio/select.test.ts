import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NullSink, openPlaybackSink } from '../../../src/core/audio/select.js';
import { AudioDeviceError } from '../../../src/core/audio/sink.js';
import { buildChild, runChild, tempDir, writeAlsaConfig } from './harness.js';

let tmp: ReturnType<typeof tempDir>;
let child: string;
beforeAll(async () => {
  tmp = tempDir('select');
  child = await buildChild(tmp.dir);
});
afterAll(() => tmp.remove());

describe('openPlaybackSink', () => {
  it('gives the null sink only when asked for, by option or Q3TTS_AUDIO', async () => {
    expect(await openPlaybackSink({ kind: 'null' })).toBeInstanceOf(NullSink);
    const saved = process.env.Q3TTS_AUDIO;
    process.env.Q3TTS_AUDIO = 'null';
    try {
      const sink = await openPlaybackSink();
      expect(sink).toBeInstanceOf(NullSink);
      await sink.open({ sampleRate: 24_000, channels: 1 });
      await sink.write(new Float32Array(10));
      await sink.drain();
      await sink.close();
    } finally {
      if (saved === undefined) delete process.env.Q3TTS_AUDIO;
      else process.env.Q3TTS_AUDIO = saved;
    }
  });

  it('rejects an unknown Q3TTS_AUDIO value with a clear error', async () => {
    const saved = process.env.Q3TTS_AUDIO;
    process.env.Q3TTS_AUDIO = 'speakers';
    try {
      await expect(openPlaybackSink()).rejects.toThrow(
        new AudioDeviceError("unknown Q3TTS_AUDIO 'speakers' (use auto, portaudio, pipe or null)"),
      );
    } finally {
      if (saved === undefined) delete process.env.Q3TTS_AUDIO;
      else process.env.Q3TTS_AUDIO = saved;
    }
  });

  it('with no usable device and no player on PATH: AudioDeviceError naming what was tried', async () => {
    // The default PCM is a sound card that does not exist; PATH holds no player.
    const asoundrc = writeAlsaConfig(tmp.dir, '  type hw\n  card 99');
    const env = { ALSA_CONFIG_PATH: asoundrc, PATH: path.join(tmp.dir, 'empty-bin') };
    const auto = await runChild(child, { op: 'open', kind: 'auto' }, env);
    expect(auto.json, auto.stderr).toMatchObject({ ok: false, name: 'AudioDeviceError' });
    const message = auto.json.message as string;
    expect(message).toMatch(/^no usable audio output device: tried /);
    expect(message).toMatch(/PortAudio/);
    expect(message).toMatch(/pw-cat, paplay, aplay: none on PATH/);
    expect(message).toMatch(/-o out\.wav\) still works\.$/);

    const forced = await runChild(child, { op: 'open', kind: 'portaudio' }, env);
    expect(forced.json).toMatchObject({ ok: false, name: 'AudioDeviceError' });
    expect(forced.json.message as string).toMatch(/^no usable audio output device: PortAudio /);
  });
});
