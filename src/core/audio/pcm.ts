// Sample conversions (pure): what the engine makes (float in [-1, 1]) into what devices and files take.

/** Float [-1, 1] → signed 16-bit, clamped; NaN becomes silence. Scale 32767, so ±1 map to ±32767. */
export function floatToInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i]!;
    out[i] = x !== x ? 0 : Math.round(Math.max(-1, Math.min(1, x)) * 32767);
  }
  return out;
}

/** The little-endian bytes of 16-bit samples (what WAV files and s16le devices take). */
export function int16Bytes(samples: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i]!, i * 2);
  return out;
}

/** Float samples straight to s16le bytes. */
export function floatToS16le(samples: Float32Array): Buffer {
  return int16Bytes(floatToInt16(samples));
}

/** s16le bytes back to float samples (exact: floatToS16le of the result gives the same bytes). */
export function s16leToFloat(bytes: Buffer): Float32Array {
  const out = new Float32Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2) / 32767;
  return out;
}

/**
 * Re-cuts a stream of arbitrarily sized pieces into frames of exactly `frameSize` samples, keeping the
 * remainder for the next push. Devices queue whole frames, so a frame bounds how much audio sits in a queue.
 */
export class FrameChunker {
  private pending: Int16Array;
  private fill = 0;

  constructor(readonly frameSize: number) {
    if (!Number.isInteger(frameSize) || frameSize <= 0)
      throw new RangeError(`frame size must be a positive integer, got ${frameSize}`);
    this.pending = new Int16Array(frameSize);
  }

  /** Whole frames completed by these samples (each a fresh array the caller may keep). */
  push(samples: Int16Array): Int16Array[] {
    const frames: Int16Array[] = [];
    let at = 0;
    while (at < samples.length) {
      const take = Math.min(this.frameSize - this.fill, samples.length - at);
      this.pending.set(samples.subarray(at, at + take), this.fill);
      this.fill += take;
      at += take;
      if (this.fill === this.frameSize) {
        frames.push(this.pending);
        this.pending = new Int16Array(this.frameSize);
        this.fill = 0;
      }
    }
    return frames;
  }

  /** The incomplete last frame (not padded), or undefined when nothing is pending. */
  flush(): Int16Array | undefined {
    if (this.fill === 0) return undefined;
    const rest = this.pending.slice(0, this.fill);
    this.fill = 0;
    return rest;
  }

  /** Forgets the pending remainder (after a stop). */
  clear(): void {
    this.fill = 0;
  }
}
