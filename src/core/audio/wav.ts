// WAV output: 16-bit PCM, written to a hidden temp file beside the target and renamed into place on close,
// so the target is never seen half-written; a stop or an error removes the temp file. Only a regular file
// (or nothing) is replaced (src/core/atomic-file.ts).
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { assertReplaceable, OutputFileError, sweepOnce, tempPathFor } from '../atomic-file.js';
import { floatToInt16, int16Bytes } from './pcm.js';
import type { AudioFormat, AudioSink } from './sink.js';

export { OutputFileError } from '../atomic-file.js';

export function wavHeader(sampleRate: number, channels: number, dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * channels * 2, 28);
  h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

export class WavFileSink implements AudioSink {
  private handle: FileHandle | undefined;
  private readonly temp: string;
  private format: AudioFormat = { sampleRate: 24000, channels: 1 };
  private dataBytes = 0;
  private stopped = false;
  private finished = false;

  constructor(readonly file: string) {
    this.temp = tempPathFor(file);
  }

  async open(format: AudioFormat): Promise<void> {
    this.format = format;
    try {
      assertReplaceable(this.file);
      sweepOnce(path.dirname(this.file));
      this.handle = await open(this.temp, 'wx', 0o644);
      await this.handle.write(wavHeader(format.sampleRate, format.channels, 0), 0, 44, 0);
    } catch (err) {
      await this.discard();
      throw new OutputFileError(this.file, err);
    }
  }

  async write(pcm: Float32Array): Promise<void> {
    if (this.stopped || !this.handle) return;
    const bytes = int16Bytes(floatToInt16(pcm));
    const at = 44 + this.dataBytes;
    this.dataBytes += bytes.length;
    try {
      await this.handle.write(bytes, 0, bytes.length, at);
    } catch (err) {
      await this.discard();
      if (this.stopped) return; // stop() closed the file under this write: not an error
      throw new OutputFileError(this.file, err);
    }
  }

  async drain(): Promise<void> {}

  stop(): void {
    this.stopped = true;
    void this.discard();
  }

  /** Completes the header and renames the file into place (unless stopped: then only cleans up). */
  async close(): Promise<void> {
    if (this.finished || this.stopped || !this.handle) return this.discard();
    this.finished = true;
    try {
      await this.handle.write(wavHeader(this.format.sampleRate, this.format.channels, this.dataBytes), 0, 44, 0);
      await this.handle.sync();
      await this.handle.close();
      this.handle = undefined;
      assertReplaceable(this.file); // something else may have been put there meanwhile
      await rename(this.temp, this.file);
    } catch (err) {
      await this.discard();
      throw new OutputFileError(this.file, err);
    }
  }

  private discarding: Promise<void> | undefined;

  /** Closes and removes the temp file; once, however many callers. */
  private discard(): Promise<void> {
    this.discarding ??= (async () => {
      const h = this.handle;
      this.handle = undefined;
      await h?.close().catch(() => undefined);
      // A failure here must not hide the error that got us here (e.g. EACCES: nothing was created).
      await rm(this.temp, { force: true }).catch(() => undefined);
    })();
    return this.discarding;
  }
}
