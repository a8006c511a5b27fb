import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floatToInt16 } from '../../../src/core/audio/pcm.js';
import { OutputFileError, WavFileSink, wavHeader } from '../../../src/core/audio/wav.js';
import { readWav } from '../../support/wav.js';
import { buildChild, runChild, tempDir } from './harness.js';

const fmt = { sampleRate: 24_000, channels: 1 } as const;
let tmp: ReturnType<typeof tempDir>;
let child: string;

beforeAll(async () => {
  tmp = tempDir('wav');
  child = await buildChild(tmp.dir);
});
afterAll(() => tmp.remove());

describe('wavHeader', () => {
  it('matches the golden bytes for 24 kHz, mono, 16-bit, 4 data bytes', () => {
    expect(wavHeader(24_000, 1, 4).toString('hex')).toBe(
      '52494646' +
        '28000000' +
        '57415645' + // RIFF, 36 + 4, WAVE
        '666d7420' +
        '10000000' +
        '0100' +
        '0100' + // "fmt ", 16, PCM, 1 channel
        'c05d0000' +
        '80bb0000' +
        '0200' +
        '1000' + // 24000 Hz, 48000 B/s, block 2, 16 bits
        '64617461' +
        '04000000', // "data", 4
    );
  });
});

describe('WavFileSink', () => {
  it('writes atomically: only a hidden temp file until close, then the complete WAV', async () => {
    const dir = path.join(tmp.dir, 'atomic');
    mkdirSync(dir);
    const file = path.join(dir, 'out.wav');
    const sink = new WavFileSink(file);
    await sink.open(fmt);
    const a = Float32Array.of(0, 0.5, -0.5, 1);
    const b = Float32Array.of(-1, 2, NaN);
    await sink.write(a);
    await sink.write(b);
    await sink.drain();
    expect(existsSync(file)).toBe(false);
    const [temp, ...others] = readdirSync(dir);
    expect(others).toEqual([]);
    expect(temp).toMatch(new RegExp(`^\\.out\\.wav\\.tmp-${process.pid}-[0-9a-f]+$`));
    await sink.close();
    expect(readdirSync(dir)).toEqual(['out.wav']);
    const wav = readWav(file);
    expect({ rate: wav.sampleRate, ch: wav.channels, bits: wav.bits }).toEqual({ rate: 24_000, ch: 1, bits: 16 });
    expect(Array.from(wav.samples)).toEqual([...floatToInt16(a), ...floatToInt16(b)]);
    expect(readFileSync(file).length).toBe(44 + 7 * 2);
  });

  it('stop() removes the temp file and leaves no file at the target', async () => {
    const dir = path.join(tmp.dir, 'stopped');
    mkdirSync(dir);
    const sink = new WavFileSink(path.join(dir, 'out.wav'));
    await sink.open(fmt);
    await sink.write(new Float32Array(2400));
    const late = sink.write(new Float32Array(2400)); // a write racing the stop is not an error
    sink.stop();
    await late;
    await sink.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a missing directory is a clear OutputFileError', async () => {
    const file = path.join(tmp.dir, 'no-such-dir', 'out.wav');
    const sink = new WavFileSink(file);
    const err = await sink.open(fmt).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OutputFileError);
    expect((err as Error).message).toBe(`cannot write ${file}: the directory does not exist`);
  });

  it('a directory without write permission is a clear error and leaves nothing behind', async () => {
    const dir = path.join(tmp.dir, 'locked');
    mkdirSync(dir, { mode: 0o500 });
    const file = path.join(dir, 'out.wav');
    // root ignores permissions: then the writer runs as nobody, which cannot enter a 0500 root directory.
    const asRoot = process.getuid?.() === 0;
    const res = await runChild(child, { op: 'wav', file, seconds: 0.1 }, {}, asRoot ? { uid: 65534, gid: 65534 } : {});
    expect(res.json, res.stderr).toMatchObject({
      ok: false,
      name: 'OutputFileError',
      message: `cannot write ${file}: permission denied`,
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a full disk (ENOSPC) is a clear error and the temp file is removed', async (ctx) => {
    // A 64 KiB tmpfs in a private mount namespace; 2 s of audio (96 KB) cannot fit.
    const dir = path.join(tmp.dir, 'small-disk');
    mkdirSync(dir);
    const file = path.join(dir, 'out.wav');
    const scenario = JSON.stringify({ op: 'wav', file, seconds: 2 });
    const probe = spawnSync('unshare', ['-Urm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs "$0"', dir], {
      encoding: 'utf8',
    });
    if (probe.status !== 0) {
      console.warn(
        `skipped: cannot mount a small tmpfs with unshare -Urm (${(probe.stderr || probe.error?.message || '').trim()})`,
      );
      ctx.skip();
    }
    const res = spawnSync(
      'unshare',
      [
        '-Urm',
        'sh',
        '-c',
        'mount -t tmpfs -o size=64k tmpfs "$0" && exec "$1" "$2" "$3"',
        dir,
        process.execPath,
        child,
        scenario,
      ],
      {
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    const json = JSON.parse(res.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    expect(json, res.stderr).toMatchObject({
      ok: false,
      name: 'OutputFileError',
      message: `cannot write ${file}: the disk is full`,
      files: [],
    });
  });
});
