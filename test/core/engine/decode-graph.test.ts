// The load-time rewrite of talker_decode (decision 0006): what it builds, and that both of its ways of
// taking the last position give the frames the published graph gives.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SynthesisRequest } from '../../../src/shared/engine.js';
import { DECODE_KV, rewriteDecodeGraph } from '../../../src/core/engine/qwen3/decode-graph.js';
import { loadQwen3Engine, type Qwen3Engine } from '../../../src/core/engine/qwen3/engine.js';
import { copyModel, syntheticModel } from './fixture.js';

const { onnx } = onnxProto;
let dir: string;
const engines: Qwen3Engine[] = [];
beforeAll(async () => {
  dir = await syntheticModel('voice_design', 7);
});
afterAll(async () => {
  for (const e of engines) await e.dispose();
});

const decodeFile = (d: string) => path.join(d, 'fp32', 'talker_decode.onnx');
const nodes = (bytes: Uint8Array) => onnx.ModelProto.decode(bytes).graph!.node!;

async function frames(modelDir: string): Promise<number[][]> {
  const e = await loadQwen3Engine(modelDir, { intraOpNumThreads: 1, log: () => undefined });
  engines.push(e);
  const req: SynthesisRequest = {
    text: 'One two three four.',
    language: 'English',
    instruct: null,
    speaker: null,
    seed: null,
    sampling: { doSample: false, maxNewTokens: 12 },
  };
  const out: number[][] = [];
  for await (const ev of e.synthesize(req, new AbortController().signal))
    if (ev.type === 'codes') out.push(...ev.frames);
  return out;
}

describe('rewriteDecodeGraph', () => {
  it('takes the last position of each layer before the export stacks them, and drops the stacked cache', () => {
    const original = nodes(readFileSync(decodeFile(dir)));
    const rewritten = nodes(rewriteDecodeGraph(readFileSync(decodeFile(dir))));
    expect(original.some((n) => n.output?.includes('present_keys'))).toBe(true);
    expect(rewritten.some((n) => n.output?.includes('present_keys') || n.output?.includes('present_values'))).toBe(
      false,
    );
    const producer = (name: string) => rewritten.find((n) => n.output?.includes(name))!;
    for (const name of [DECODE_KV.stepKeys, DECODE_KV.stepValues]) {
      // the new positions come out time-major, [N,L,1,KV,D]
      const timeMajor = producer(name);
      expect(timeMajor.opType).toBe('Transpose');
      const stack = producer(timeMajor.input![0]!);
      expect(stack.opType).toBe('Concat');
      expect(stack.input).toHaveLength(2); // one per layer of the tiny model
      for (const input of stack.input!) expect(rewritten.find((n) => n.output?.includes(input))!.opType).toBe('Slice');
    }
    // the cache inputs come in time-major and are transposed back for the original nodes
    const first = rewritten.find((n) => n.input?.includes(DECODE_KV.pastKeys))!;
    expect(first.opType).toBe('Transpose');
    expect(rewritten.indexOf(first)).toBeLessThan(rewritten.findIndex((n) => n.input?.includes('past_keys')));
  });

  it('falls back to slicing the present itself when it is not a stacking Concat, with the same frames', async () => {
    const edited = copyModel(dir, 'present-through-identity');
    const model = onnx.ModelProto.decode(readFileSync(decodeFile(edited)));
    const g = model.graph!;
    for (const name of ['present_keys', 'present_values']) {
      const producer = g.node!.find((n) => n.output?.includes(name))!;
      producer.output = producer.output!.map((o) => (o === name ? `${name}_inner` : o));
      g.node!.push({ opType: 'Identity', input: [`${name}_inner`], output: [name], name: `identity_${name}` });
    }
    writeFileSync(decodeFile(edited), onnx.ModelProto.encode(model).finish());
    const rewritten = nodes(rewriteDecodeGraph(readFileSync(decodeFile(edited))));
    const timeMajor = rewritten.find((n) => n.output?.includes(DECODE_KV.stepKeys))!;
    expect(rewritten.find((n) => n.output?.includes(timeMajor.input![0]!))!.opType).toBe('Slice');
    expect(await frames(edited)).toEqual(await frames(dir));
  });
});
