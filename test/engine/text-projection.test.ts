import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readNpy } from '../../src/main/engine/qwen3/npy.js';
import { TextProjection } from '../../src/main/engine/qwen3/text-projection.js';
import { syntheticModel } from './fixture.js';

let dir: string;
beforeAll(async () => {
  dir = path.join(await syntheticModel('voice_design', 7), 'embeddings');
});

describe('text projection TP(id) = fc2(silu(fc1(e)+b1))+b2 (spec §2.3)', () => {
  it('matches a float64 computation from the whole tables, with and without the cache', () => {
    const tp = new TextProjection(dir, { textVocab: 151936, textHidden: 32, hidden: 64 });
    const table = readNpy(path.join(dir, 'text_embedding.npy')); // small in the tiny model: fine to read whole here
    const w1 = readNpy(path.join(dir, 'text_projection_fc1_weight.npy')).data;
    const b1 = readNpy(path.join(dir, 'text_projection_fc1_bias.npy')).data;
    const w2 = readNpy(path.join(dir, 'text_projection_fc2_weight.npy')).data;
    const b2 = readNpy(path.join(dir, 'text_projection_fc2_bias.npy')).data;
    const reference = (id: number) => {
      const e = table.data.subarray(id * 32, id * 32 + 32);
      const h = Array.from({ length: 32 }, (_, o) => {
        let a = b1[o]!;
        for (let i = 0; i < 32; i++) a += w1[o * 32 + i]! * e[i]!;
        return a / (1 + Math.exp(-a));
      });
      return Array.from({ length: 64 }, (_, o) => {
        let a = b2[o]!;
        for (let i = 0; i < 32; i++) a += w2[o * 32 + i]! * h[i]!;
        return a;
      });
    };
    for (const id of [0, 1, 9707, 151644, 151671, 151935]) {
      const got = tp.project(id);
      reference(id).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 4));
    }
    const before = tp.project(151672);
    tp.remember([151672]);
    const out = new Float32Array(70);
    tp.project(151672, out, 3);
    expect(Array.from(out.subarray(3, 67))).toEqual(Array.from(before));
    // the cache hands out copies
    tp.project(151672)[0] = 1e9;
    expect(tp.project(151672)[0]).toBe(before[0]);
    expect(() => tp.project(151936)).toThrow(/text_embedding\.npy: row 151936 is out of range/);
    tp.close();
  });
});
