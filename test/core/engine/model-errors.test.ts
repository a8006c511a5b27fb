// Each kind of broken model directory fails at load with a message naming the file and the tensor/field.
import { readFileSync, renameSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadQwen3Engine } from '../../../src/core/engine/qwen3/engine.js';
import { copyModel, syntheticModel } from './fixture.js';

const { onnx } = onnxProto;
let good: string;

beforeAll(async () => {
  good = await syntheticModel('voice_design', 7);
});

/** Rewrites one graph of a copied model with `edit` applied to its ModelProto. */
function editGraph(dir: string, graph: string, edit: (m: ReturnType<typeof onnx.ModelProto.decode>) => void): void {
  const file = path.join(dir, 'fp32', `${graph}.onnx`);
  const model = onnx.ModelProto.decode(readFileSync(file));
  edit(model);
  writeFileSync(file, onnx.ModelProto.encode(model).finish());
}

function renameInput(m: ReturnType<typeof onnx.ModelProto.decode>, from: string, to: string): void {
  const g = m.graph!;
  for (const i of g.input ?? []) if (i.name === from) i.name = to;
  for (const n of g.node ?? []) n.input = (n.input ?? []).map((x) => (x === from ? to : x));
}

async function loadError(dir: string, options = {}): Promise<Error> {
  try {
    const e = await loadQwen3Engine(dir, { intraOpNumThreads: 1, ...options });
    await e.dispose();
  } catch (err) {
    return err as Error;
  }
  throw new Error('the model loaded');
}

describe('bad model directories', () => {
  it.each([
    [
      'missing graph',
      (d: string) => rmSync(path.join(d, 'fp32', 'vocoder.onnx')),
      /fp32\/vocoder\.onnx: file is missing/,
    ],
    [
      'missing external weights',
      (d: string) => rmSync(path.join(d, 'fp32', 'code_predictor.onnx.data')),
      /fp32\/code_predictor\.onnx: onnxruntime cannot load this graph/,
    ],
    [
      'missing embedding table',
      (d: string) => rmSync(path.join(d, 'embeddings', 'cp_codec_embedding_3.npy')),
      /embeddings\/cp_codec_embedding_3\.npy: file is missing/,
    ],
    [
      'missing text embedding',
      (d: string) => rmSync(path.join(d, 'embeddings', 'text_embedding.npy')),
      /embeddings\/text_embedding\.npy: file is missing/,
    ],
    [
      'truncated text embedding',
      (d: string) =>
        truncateSync(
          path.join(d, 'embeddings', 'text_embedding.npy'),
          statSync(path.join(d, 'embeddings', 'text_embedding.npy')).size - 10,
        ),
      /text_embedding\.npy: truncated/,
    ],
    [
      'missing merges',
      (d: string) => rmSync(path.join(d, 'tokenizer', 'merges.txt')),
      /tokenizer\/merges\.txt: file is missing/,
    ],
    ['missing config', (d: string) => rmSync(path.join(d, 'config.json')), /config\.json: file is missing/],
    [
      'config id mismatch',
      (d: string) => {
        const f = path.join(d, 'config.json');
        writeFileSync(f, JSON.stringify({ ...JSON.parse(readFileSync(f, 'utf8')), codec_bos_id: 2150 }));
      },
      /config\.json: field 'codec_bos_id' is 2150, expected 2149/,
    ],
    [
      'config size disagrees with the graphs',
      (d: string) => {
        const f = path.join(d, 'config.json');
        writeFileSync(f, JSON.stringify({ ...JSON.parse(readFileSync(f, 'utf8')), cp_head_dim: 16 }));
      },
      /code_predictor\.onnx: input 'past_keys' has dim 4 = 8, expected 16/,
    ],
    [
      'config hidden size disagrees with the tables',
      (d: string) => {
        const f = path.join(d, 'config.json');
        writeFileSync(f, JSON.stringify({ ...JSON.parse(readFileSync(f, 'utf8')), talker_hidden_size: 32 }));
      },
      /talker_codec_embedding\.npy: shape is \[3072, 64\], expected \[3072, 32\]/,
    ],
    [
      'decode graph without the stacked cache',
      (d: string) => editGraph(d, 'talker_decode', (m) => renameInput(m, 'past_values', 'past_vals')),
      /talker_decode\.onnx: graph has no input 'past_values'/,
    ],
    [
      'decode graph whose cache has the wrong rank',
      (d: string) =>
        editGraph(d, 'talker_decode', (m) => {
          m.graph!.input!.find((i) => i.name === 'past_keys')!.type!.tensorType!.shape!.dim!.splice(1, 1);
        }),
      /talker_decode\.onnx: input 'past_keys' has rank 4, expected 5/,
    ],
    [
      'decode graph without its present output',
      (d: string) =>
        editGraph(d, 'talker_decode', (m) => {
          m.graph!.output = m.graph!.output!.filter((o) => o.name !== 'present_keys');
        }),
      /talker_decode\.onnx: graph has no output 'present_keys'/,
    ],
    [
      'decode graph that is not ONNX',
      (d: string) => writeFileSync(path.join(d, 'fp32', 'talker_decode.onnx'), 'not a model'),
      /talker_decode\.onnx: cannot read this graph/,
    ],
    [
      'renamed input',
      (d: string) => editGraph(d, 'code_predictor', (m) => renameInput(m, 'generation_steps', 'generation_step')),
      /code_predictor\.onnx: graph has no input 'generation_steps' \(its inputs: inputs_embeds, generation_step, past_keys, past_values\)/,
    ],
    [
      'renamed output',
      (d: string) =>
        editGraph(d, 'code_predictor', (m) => {
          const g = m.graph!;
          for (const o of g.output ?? []) if (o.name === 'present_values') o.name = 'present_vals';
          for (const n of g.node ?? [])
            n.output = (n.output ?? []).map((x) => (x === 'present_values' ? 'present_vals' : x));
          for (const n of g.node ?? [])
            n.input = (n.input ?? []).map((x) => (x === 'present_values' ? 'present_vals' : x));
        }),
      /code_predictor\.onnx: graph has no output 'present_values'/,
    ],
    [
      'wrong dtype',
      (d: string) =>
        editGraph(d, 'vocoder', (m) => {
          m.graph!.input![0]!.type!.tensorType!.elemType = onnx.TensorProto.DataType.INT32;
        }),
      /vocoder\.onnx: input 'codes' has dtype int32, expected int64/,
    ],
    [
      'wrong rank',
      (d: string) =>
        editGraph(d, 'code_predictor', (m) => {
          // a scalar step, as some other exports have it (ORT loads this fine)
          m.graph!.input!.find((i) => i.name === 'generation_steps')!.type!.tensorType!.shape!.dim = [];
        }),
      /code_predictor\.onnx: input 'generation_steps' has rank 0 \[\], expected rank 1/,
    ],
  ] as [string, (dir: string) => void, RegExp][])('%s', async (name, breakIt, message) => {
    const dir = copyModel(good, name.replace(/\W+/g, '-'));
    breakIt(dir);
    const err = await loadError(dir);
    expect(err.message).toMatch(message);
    expect(err.message).not.toMatch(/\n\s+at /); // no native stack
    expect((err as { code?: string }).code).toBe('E_ENGINE');
    rmSync(dir, { recursive: true, force: true });
  });

  it('names unavailable or unknown execution providers', async () => {
    expect((await loadError(good, { executionProvider: 'dml' })).message).toMatch(
      /execution provider 'dml' is not available in this onnxruntime-node build/,
    );
    expect((await loadError(good, { executionProvider: 'tpu' })).message).toMatch(/unknown execution provider 'tpu'/);
    if (process.platform === 'linux') {
      // onnxruntime-node lists CUDA on Linux without shipping its libraries: the error says how to add them
      const cuda = (await loadError(good, { executionProvider: 'cuda' })).message;
      expect(cuda).toMatch(/execution provider 'cuda' could not start/);
      expect(cuda).toMatch(
        /does not include its CUDA libraries: with CUDA 12 and cuDNN 9 installed, run `node node_modules\/onnxruntime-node\/script\/install\.js --onnxruntime-node-install`.*docs\/gpu\.md/,
      );
    }
  });

  it('names a missing precision set', async () => {
    expect((await loadError(good, { precision: 'int4' })).message).toMatch(
      /int4\/talker_prefill\.onnx: file is missing \(no int4 graph set/,
    );
  });
});

describe('a model with only an int4 folder (issue 16, found driving q3tts serve)', () => {
  it('an incomplete int4 set names its missing int4 file, not an fp32 set the model never had', async () => {
    const dir = copyModel(good, 'int4-only');
    renameSync(path.join(dir, 'fp32'), path.join(dir, 'int4'));
    rmSync(path.join(dir, 'int4', 'vocoder.onnx'));
    try {
      const message = (await loadError(dir)).message;
      expect(message).toMatch(/int4\/vocoder\.onnx: file is missing \(the int4 graph set in .* is incomplete\)/);
      expect(message).not.toMatch(/fp32/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
