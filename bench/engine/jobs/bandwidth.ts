// Job 'bandwidth': one core's copy bandwidth, to turn the weight bytes a frame touches into a time.
import { median } from '../../report.js';

/** Single-thread copy bandwidth: what one core moves per second (GB/s). */
export function jobBandwidth() {
  const n = 256 * 2 ** 20; // 1 GiB of floats
  const a = new Float32Array(n).fill(1);
  const b = new Float32Array(n);
  const ms: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    b.set(a);
    ms.push(performance.now() - t);
  }
  // a copy reads and writes each byte
  return { gbPerS: (2 * n * 4) / (median(ms) / 1000) / 1e9 };
}
