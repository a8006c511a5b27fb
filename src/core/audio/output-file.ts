// The daemon's output files: the format follows the extension (shared/audio-formats.ts). WAV streams into
// its own sink; the other formats go through an encoder into a hidden temp file renamed into place on close,
// so the target is never seen half-written, and a stop or a failure leaves nothing behind.
import { rename, rm } from 'node:fs/promises';
import { formatForFile, type AudioFileFormat } from '../../shared/audio-formats.js';
import path from 'node:path';
import { assertReplaceable, sweepOnce, tempPathFor } from '../atomic-file.js';
import { encoderFor, type Encoding } from './encode.js';
import type { AudioFormat, AudioSink } from './sink.js';
import { OutputFileError, WavFileSink } from './wav.js';

/** A sink for `file` in the format its extension names (throws OutputFileError for an unknown one). */
export function openOutputFile(file: string): AudioSink {
  const chosen = formatForFile(file);
  if ('error' in chosen) throw new OutputFileError(file, new Error(chosen.error));
  return chosen.format === 'wav' ? new WavFileSink(file) : new EncodedFileSink(file, chosen.format);
}

export class EncodedFileSink implements AudioSink {
  private readonly temp: string;
  private encoding: Encoding | undefined;
  private stopped = false;
  private finished = false;

  constructor(
    readonly file: string,
    readonly format: AudioFileFormat,
  ) {
    this.temp = tempPathFor(file);
  }

  async open(format: AudioFormat): Promise<void> {
    try {
      // Only a regular file (or nothing) is replaced, as for WAV (src/core/atomic-file.ts).
      assertReplaceable(this.file);
      sweepOnce(path.dirname(this.file));
      this.encoding = await encoderFor(this.format).start(format.sampleRate, this.temp);
    } catch (err) {
      await this.discard();
      throw new OutputFileError(this.file, err);
    }
  }

  async write(pcm: Float32Array): Promise<void> {
    if (this.stopped || !this.encoding) return;
    try {
      await this.encoding.write(pcm);
    } catch (err) {
      if (this.stopped) return;
      await this.discard();
      throw new OutputFileError(this.file, err);
    }
  }

  async drain(): Promise<void> {}

  stop(): void {
    this.stopped = true;
    this.encoding?.abort();
    void this.discard();
  }

  async close(): Promise<void> {
    if (this.finished || this.stopped || !this.encoding) return this.discard();
    this.finished = true;
    try {
      await this.encoding.end();
      assertReplaceable(this.file); // something else may have been put there meanwhile
      await rename(this.temp, this.file);
    } catch (err) {
      await this.discard();
      throw new OutputFileError(this.file, err);
    }
  }

  private discard(): Promise<void> {
    this.encoding?.abort();
    this.encoding = undefined;
    return rm(this.temp, { force: true }).catch(() => undefined);
  }
}
