// Issue 16, items 3 and 8: an output path naming a FIFO, a device node or a symlink is refused and left as it
// was; temporaries left by a writer that was killed are removed on the next write to their directory.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notReplaceable, removeStaleTemporaries, writeFileAtomic } from '../../src/core/atomic-file.js';
import { OutputFileError, WavFileSink } from '../../src/core/audio/wav.js';

const fmt = { sampleRate: 24_000, channels: 1 } as const;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-output-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function saveWav(file: string): Promise<void> {
  const sink = new WavFileSink(file);
  await sink.open(fmt);
  await sink.write(Float32Array.of(0, 0.5, -0.5));
  await sink.close();
}

describe('non-regular output targets', () => {
  it('a FIFO is refused by the WAV sink and by writeFileAtomic, and stays a FIFO', async () => {
    const fifo = path.join(dir, 'pipe.wav');
    execFileSync('mkfifo', [fifo]);
    await expect(saveWav(fifo)).rejects.toThrow(OutputFileError);
    await expect(saveWav(fifo)).rejects.toThrow(/it is a FIFO/);
    await expect(writeFileAtomic(fifo, 'x')).rejects.toThrow(/cannot write .*pipe\.wav: it is a FIFO/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('a character device is refused and untouched', async () => {
    // a private node (mknod needs root); else the real /dev/null, which the check refuses before writing
    const dev = path.join(dir, 'full');
    const made = spawnSync('mknod', [dev, 'c', '1', '7']).status === 0;
    const target = made ? dev : '/dev/null';
    await expect(saveWav(target)).rejects.toThrow(/it is a character device/);
    expect(lstatSync(target).isCharacterDevice()).toBe(true);
    expect(notReplaceable('/dev/full')).toMatch(/character device/);
  });

  it('a symlink is refused (renaming over it would replace the link, not its target)', async () => {
    const real = path.join(dir, 'real.wav');
    writeFileSync(real, 'keep');
    const link = path.join(dir, 'link.wav');
    symlinkSync(real, link);
    await expect(saveWav(link)).rejects.toThrow(/symbolic link/);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('keep');
  });

  it('a target replaced by a FIFO while the WAV was being written is not replaced at close', async () => {
    const file = path.join(dir, 'late.wav');
    const sink = new WavFileSink(file);
    await sink.open(fmt);
    await sink.write(Float32Array.of(0.1));
    execFileSync('mkfifo', [file]);
    await expect(sink.close()).rejects.toThrow(/it is a FIFO/);
    expect(lstatSync(file).isFIFO()).toBe(true);
  });

  it('a regular file is still replaced', async () => {
    const file = path.join(dir, 'again.wav');
    writeFileSync(file, 'old');
    await saveWav(file);
    expect(readFileSync(file).subarray(0, 4).toString()).toBe('RIFF');
    await writeFileAtomic(path.join(dir, 'codes.json'), '[]');
    await writeFileAtomic(path.join(dir, 'codes.json'), '[[1]]');
    expect(readFileSync(path.join(dir, 'codes.json'), 'utf8')).toBe('[[1]]');
  });
});

describe('stale temporaries', () => {
  it('the first write to a directory removes temporaries of a writer that is gone, and only those', async () => {
    const out = path.join(dir, 'stale');
    mkdirSync(out);
    // a process that has exited: its pid is free (reuse within this test is practically impossible)
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const stale = `.song.wav.tmp-${dead}-0123abcd`;
    const live = `.other.wav.tmp-${process.ppid}-89abcdef`; // a live process (our parent)
    const foreign = `.notes.tmp-${dead}`; // not our naming
    for (const n of [stale, live, foreign]) writeFileSync(path.join(out, n), 'x');
    await saveWav(path.join(out, 'new.wav'));
    expect(existsSync(path.join(out, stale))).toBe(false);
    expect(existsSync(path.join(out, live))).toBe(true);
    expect(existsSync(path.join(out, foreign))).toBe(true);
    expect(existsSync(path.join(out, 'new.wav'))).toBe(true);
    expect(removeStaleTemporaries(out)).toEqual([]);
  });
});
