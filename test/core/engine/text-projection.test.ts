import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readNpy } from '../../../src/core/engine/qwen3/npy.js';
import { TextProjection } from '../../../src/core/engine/qwen3/text-projection.js';
import { syntheticModel } from './fixture.js';

let dir: string;
beforeAll(async () => {
  dir = path.join(await syntheticModel('voice_design', 7), 'embeddings');
});

describe('text projection TP(id) = fc2(silu(fc1(e)+b1))+b2 (qwen3-tts.md §5.2)', () => {
  it('matches a float64 computation from the whole tables, batched, with and without the cache', async () => {
    const tp = await TextProjection.open(
      dir,
      { textVocab: 151936, textHidden: 32, hidden: 64 },
      { intraOpNumThreads: 1 },
    );
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
    // one batch, with a repeated id: row i is TP(ids[i])
    const ids = [0, 1, 9707, 151644, 9707, 151671, 151935];
    const got = await tp.project(ids);
    expect(got.length).toBe(ids.length * 64);
    ids.forEach((id, r) => reference(id).forEach((v, i) => expect(got[r * 64 + i]).toBeCloseTo(v, 4)));
    // a single id gives the same row as inside a batch
    expect(Array.from(await tp.project([9707]))).toEqual(Array.from(got.subarray(2 * 64, 3 * 64)));

    const before = await tp.project([151672]);
    await tp.remember([151672]);
    const mixed = await tp.project([1, 151672]);
    expect(Array.from(mixed.subarray(64))).toEqual(Array.from(before));
    // the cache hands out copies
    (await tp.project([151672]))[0] = 1e9;
    expect((await tp.project([151672]))[0]).toBe(before[0]);
    await expect(tp.project([151936])).rejects.toThrow(/text_embedding\.npy: row 151936 is out of range/);

    // recent ids are kept, least recently used dropped first, at most 2048
    const many = Array.from({ length: 2100 }, (_, i) => 1000 + i);
    const first = await tp.project(many);
    expect(tp.recentSize).toBe(2048);
    const again = await tp.project([1000 + 2099, 1000 + 60]); // one kept, one computed again
    expect(Array.from(again.subarray(0, 64))).toEqual(Array.from(first.subarray(2099 * 64, 2100 * 64)));
    expect(Array.from(again.subarray(64))).toEqual(Array.from(first.subarray(60 * 64, 61 * 64)));
    // kept rows need no table read: with the table closed they still come, others fail
    (tp as unknown as { table: { close(): void } }).table.close();
    expect(Array.from(await tp.project([1000 + 2099]))).toEqual(Array.from(again.subarray(0, 64)));
    await expect(tp.project([1000 + 10])).rejects.toThrow(/read after close/);
    await tp.close();
  });
});
