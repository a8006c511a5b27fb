// The Linux fallback through a real player: aplay with the same test-only ALSA file device.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floatToInt16 } from '../../../src/core/audio/pcm.js';
import { PipeSink, findOnPath, pipeCommands, pipeTool } from '../../../src/core/audio/pipe-sink.js';
import { AudioDeviceError } from '../../../src/core/audio/sink.js';
import { testSignal } from './fixtures/signals.js';
import {
  buildChild,
  fileDevice,
  findSignal,
  runChild,
  s16le,
  startPacedDevice,
  tempDir,
  writeAlsaConfig,
} from './harness.js';

const aplay = findOnPath('aplay');
if (!aplay) console.warn('pipe sink playback tests skipped: aplay is not installed (alsa-utils, see scripts/setup.sh)');
const sizeOf = (file: string) => (existsSync(file) ? statSync(file).size : 0);

let tmp: ReturnType<typeof tempDir>;
let child: string;
beforeAll(async () => {
  tmp = tempDir('pipe');
  child = await buildChild(tmp.dir);
});
afterAll(() => tmp.remove());

describe('pipe sink commands', () => {
  it('are the documented command lines, in order of preference', () => {
    expect(pipeCommands({ sampleRate: 24_000, channels: 1 }).map((c) => [c.cmd, ...c.args].join(' '))).toEqual([
      'pw-cat --playback --format=s16 --rate=24000 --channels=1 --latency=50ms -',
      'paplay --raw --format=s16le --rate=24000 --channels=1 --latency-msec=50',
      'aplay -q -t raw -f S16_LE -r 24000 -c 1',
    ]);
  });

  it('finds the first player on PATH, and none on an empty PATH', () => {
    expect(pipeTool('')).toBeUndefined();
    expect(pipeTool(path.join(tmp.dir, 'nothing-here'))).toBeUndefined();
    if (aplay && !findOnPath('pw-cat') && !findOnPath('paplay')) expect(pipeTool()).toBe('aplay');
  });

  it('no player on PATH is an AudioDeviceError', async () => {
    const saved = process.env.PATH;
    process.env.PATH = path.join(tmp.dir, 'nothing-here');
    try {
      const err = await new PipeSink().open({ sampleRate: 24_000, channels: 1 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AudioDeviceError);
      expect((err as Error).message).toBe('no usable audio output device: none of pw-cat, paplay, aplay is installed');
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe.skipIf(!aplay)('pipe sink through aplay', () => {
  it('plays exactly the samples it was given', async () => {
    const raw = path.join(tmp.dir, 'aplay.raw');
    const asoundrc = writeAlsaConfig(tmp.dir, fileDevice(raw));
    const res = await runChild(child, { op: 'play', kind: 'pipe' }, { ALSA_CONFIG_PATH: asoundrc });
    expect(res.json, res.stderr).toMatchObject({ ok: true, sink: 'PipeSink' });
    const found = findSignal(s16le(readFileSync(raw)), floatToInt16(testSignal()));
    expect(found).toMatchObject({ mismatches: 0, trailingNonZero: 0 });
  });

  it('a player that cannot open the device makes drain() fail with AudioDeviceError', async () => {
    const asoundrc = writeAlsaConfig(tmp.dir, '  type hw\n  card 99');
    const res = await runChild(child, { op: 'play', kind: 'pipe' }, { ALSA_CONFIG_PATH: asoundrc });
    expect(res.json).toMatchObject({ ok: false, name: 'AudioDeviceError' });
    expect(res.json.message as string).toMatch(/^no usable audio output device: aplay failed: /);
  });

  it('stop() kills the player at once, against a device with a real-time clock', async (ctx) => {
    const dir = path.join(tmp.dir, 'paced');
    mkdirSync(dir);
    const device = await startPacedDevice(dir);
    if (typeof device === 'string') {
      console.warn(`skipped: ${device}`);
      return ctx.skip();
    }
    try {
      const asoundrc = writeAlsaConfig(dir, `  type file\n  slave.pcm "null"\n  file "${device.fifo}"\n  format "raw"`);
      const res = await runChild(
        child,
        { op: 'stop', kind: 'pipe', seconds: 5, stopAfterMs: 300 },
        { ALSA_CONFIG_PATH: asoundrc },
      );
      expect(res.json, res.stderr).toMatchObject({ ok: true });
      const { releasedMs } = res.json as { releasedMs: number };
      await new Promise((r) => setTimeout(r, 200));
      const played = sizeOf(device.out) / 2 / 24_000;
      console.info(
        `pipe stop: player gone in ${releasedMs.toFixed(1)} ms; ${played.toFixed(3)} s of 5 s reached the device`,
      );
      expect(releasedMs).toBeLessThan(100);
      expect(played).toBeLessThan(0.8);
    } finally {
      await device.stop();
    }
  });
});
