// The engine on int4 graphs (MatMulNBits, as the published export) and on a full-size synthetic model:
// the same load and generation path a real model takes, no special cases.
import { readFileSync, readdirSync, statfsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, describe, expect, it } from 'vitest';
import type { SynthesisRequest } from '../../../src/shared/engine.js';
import { loadQwen3Engine, type Qwen3Engine } from '../../../src/core/engine/qwen3/engine.js';
import { buildSyntheticModel } from '../../synthetic/build.js';
import { REAL_DIMS } from '../../synthetic/config.js';
import { tmpDir } from '../../synthetic/helpers.js';

const { onnx } = onnxProto;
const tmp = tmpDir('q3tts-full-');
const engines: Qwen3Engine[] = [];
afterAll(async () => {
  for (const e of engines) await e.dispose();
  tmp.remove();
});

const request = (maxNewTokens: number): SynthesisRequest => ({
  text: 'Hello there, this is a test.',
  language: 'English',
  instruct: 'A calm voice.',
  speaker: null,
  seed: 3,
  sampling: { doSample: false, maxNewTokens },
});

async function speak(e: Qwen3Engine, maxNewTokens: number): Promise<{ audio: Float32Array; frames: number[][] }> {
  const chunks: Float32Array[] = [];
  const frames: number[][] = [];
  for await (const ev of e.synthesize(request(maxNewTokens), new AbortController().signal)) {
    if (ev.type === 'audio') chunks.push(ev.samples);
    if (ev.type === 'codes') frames.push(...ev.frames);
  }
  const audio = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    audio.set(c, at);
    at += c.length;
  }
  return { audio, frames };
}

function opTypes(file: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const n of onnx.ModelProto.decode(readFileSync(file)).graph?.node ?? [])
    counts.set(n.opType ?? '', (counts.get(n.opType ?? '') ?? 0) + 1);
  return counts;
}

describe('int4 graphs', () => {
  it('a tiny int4 model loads by default (int4 preferred) and speaks, its MatMuls quantized', async () => {
    const dir = path.join(tmp.dir, 'tiny');
    await buildSyntheticModel(dir, { size: 'tiny', precision: 'int4', seed: 7 });
    // 7 projections per layer × 2 layers + the codec head, in both talker graphs
    expect(opTypes(path.join(dir, 'int4', 'talker_decode.onnx')).get('MatMulNBits')).toBe(15);
    expect(opTypes(path.join(dir, 'int4', 'talker_prefill.onnx')).get('MatMulNBits')).toBe(15);
    expect(opTypes(path.join(dir, 'int4', 'vocoder.onnx')).get('MatMulNBits')).toBeUndefined();
    const e = await loadQwen3Engine(dir, { intraOpNumThreads: 1, log: () => undefined });
    engines.push(e);
    expect(e.model.precision).toBe('int4');
    const { audio, frames } = await speak(e, 6);
    expect(frames).toHaveLength(6);
    expect(audio.length).toBe(6 * 1920);
    expect(audio.every(Number.isFinite)).toBe(true);
  });
});

// ~1.9 GB on disk and in memory: a machine without that room skips it, saying so.
const freeBytes = (() => {
  const s = statfsSync(os.tmpdir());
  return s.bavail * s.bsize;
})();
const roomy = freeBytes > 4e9 && os.totalmem() > 6e9;
if (!roomy)
  console.log(
    `full-size model test skipped: ${(freeBytes / 1e9).toFixed(1)} GB free in ${os.tmpdir()}, ${(os.totalmem() / 1e9).toFixed(1)} GB RAM (needs 4 GB and 6 GB)`,
  );

describe.skipIf(!roomy)('a full-size model (0.6B dimensions, int4)', () => {
  it('builds with the published shapes, loads through the same path and speaks', { timeout: 240_000 }, async () => {
    const dir = path.join(tmp.dir, '06b');
    await buildSyntheticModel(dir, { size: '0.6b', precision: 'int4', seed: 1 });
    const d = REAL_DIMS['0.6b'];
    const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, number>;
    expect(config).toMatchObject({
      talker_hidden_size: 1024,
      talker_num_layers: 28,
      talker_num_kv_heads: 8,
      talker_head_dim: 128,
      cp_num_layers: 5,
      cp_hidden_size: 1024,
    });

    // int4 data = K·N/2 bytes + one f32 scale per 128 values, for every projection and the codec head
    const H = d.talkerHidden;
    const perLayer = [H * 2048, H * 1024, H * 1024, 2048 * H, H * 3072, H * 3072, 3072 * H].reduce((a, b) => a + b, 0);
    const quantized = 28 * perLayer + H * 3072;
    const expected = quantized / 2 + (quantized / 128) * 4;
    const talker = statSync(path.join(dir, 'int4', 'talker_decode.onnx.data')).size;
    expect(talker / expected).toBeGreaterThan(1);
    expect(talker / expected).toBeLessThan(1.02); // + norms and small constants
    // the text embedding is the real [151936, 2048] table, as f16
    expect(statSync(path.join(dir, 'embeddings', 'text_embedding.npy')).size).toBeGreaterThan(151936 * 2048 * 2);
    expect(readdirSync(path.join(dir, 'int4')).sort()).toEqual(
      ['code_predictor', 'talker_decode', 'talker_prefill', 'vocoder']
        .flatMap((g) => [`${g}.onnx`, `${g}.onnx.data`])
        .sort(),
    );

    const e = await loadQwen3Engine(dir, { log: () => undefined });
    engines.push(e);
    const { audio, frames } = await speak(e, 2);
    expect(frames).toHaveLength(2);
    expect(frames.every((f) => f.length === 16 && f.every((c) => Number.isInteger(c) && c >= 0 && c < 2048))).toBe(
      true,
    );
    expect(audio.length).toBe(2 * 1920);
    expect(audio.every(Number.isFinite)).toBe(true);
    expect(Math.max(...audio.map(Math.abs))).toBeGreaterThan(0);
  });
});
