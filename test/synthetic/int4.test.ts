// int4 weights as ORT's MatMulNBits reads them: packing checked against ORT itself.
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { dequantizeInt4, INT4_BLOCK, quantizeInt4 } from './int4.js';
import { tmpDir } from './helpers.js';
import { Graph } from './onnx-graph.js';
import { Rng } from './rng.js';
import { addLinear, linear } from './transformer.js';

const tmp = tmpDir('q3tts-int4-');
afterAll(() => tmp.remove());

describe('quantizeInt4', () => {
  it('round-trips within half a step per block, scales from each block’s largest value', () => {
    const K = 200; // one full block of 128 and a partial one
    const N = 5;
    const w = new Rng(1).uniform('w', K * N, 0.3);
    const q = quantizeInt4(w, K, N);
    expect(q.packed.length).toBe(N * 2 * (INT4_BLOCK / 2));
    expect(q.scales.length).toBe(N * 2);
    const back = dequantizeInt4(q);
    for (let n = 0; n < N; n++) {
      for (let k = 0; k < K; k++) {
        const scale = q.scales[n * 2 + Math.floor(k / INT4_BLOCK)]!;
        expect(Math.abs(back[k * N + n]! - w[k * N + n]!)).toBeLessThanOrEqual(scale / 2 + 1e-7);
      }
    }
  });

  it('puts the lower K index in the low nibble', () => {
    const K = 2;
    const w = Float32Array.from([7, -7]); // N = 1: q = 7+8 = 15 and -7+8 = 1
    const q = quantizeInt4(w, K, 1);
    expect(q.scales[0]).toBe(1);
    expect(q.packed[0]).toBe(15 | (1 << 4));
    expect(q.packed[1]).toBe(8 | (8 << 4)); // padding is zero (8)
  });
});

describe('MatMulNBits in onnxruntime-node', () => {
  const sessions: ort.InferenceSession[] = [];
  afterAll(async () => {
    for (const s of sessions) await s.release();
  });

  async function run(file: string, build: (g: Graph) => string, x: Float32Array, K: number): Promise<Float32Array> {
    const g = new Graph(file);
    g.input('x', 'float32', [1, 3, K]);
    g.output('y', build(g), 'float32', [1, 3, 'N']);
    g.save(tmp.dir, file);
    const s = await ort.InferenceSession.create(`${tmp.dir}/${file}.onnx`, {
      intraOpNumThreads: 1,
      logSeverityLevel: 4,
    });
    sessions.push(s);
    const out = await s.run({ x: new ort.Tensor('float32', x, [1, 3, K]) });
    return out.y!.data as Float32Array;
  }

  it('computes x · dequantize(W): exactly at accuracy 0, closely at the export’s accuracy 4', async () => {
    const K = 200;
    const N = 24;
    const rng = new Rng(2);
    const w = { data: rng.linear('w', K * N, K), dims: [K, N] };
    const x = rng.uniform('x', 3 * K, 1);
    const reference = await run(
      'ref',
      (g) => g.op('MatMul', ['x', g.weight('w', dequantizeInt4(quantizeInt4(w.data, K, N)), [K, N])]),
      x,
      K,
    );
    const exact = await run('nbits0', (g) => linear(g, 'x', addLinear(g, 'w', w, 'int4'), 0), x, K);
    const fast = await run('nbits4', (g) => linear(g, 'x', addLinear(g, 'w', w, 'int4')), x, K);
    const fp32 = await run('fp32', (g) => linear(g, 'x', addLinear(g, 'w', w, 'fp32')), x, K);
    let dExact = 0;
    let dFast = 0;
    let dQuant = 0;
    let mag = 0;
    for (let i = 0; i < reference.length; i++) {
      dExact = Math.max(dExact, Math.abs(exact[i]! - reference[i]!));
      dFast = Math.max(dFast, Math.abs(fast[i]! - reference[i]!));
      dQuant = Math.max(dQuant, Math.abs(fp32[i]! - reference[i]!));
      mag = Math.max(mag, Math.abs(reference[i]!));
    }
    expect(dExact).toBeLessThan(1e-4 * mag);
    expect(dFast).toBeLessThan(0.03 * mag);
    // quantization itself is visible: a packing bug that still "worked" would not be this close
    expect(dQuant).toBeGreaterThan(dExact);
  });
});
