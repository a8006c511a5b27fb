// Sample conversions (pure).

/** Float [-1, 1] → signed 16-bit, clamped; NaN becomes silence. */
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
