// The Base variant's two extra graphs: the export's tensor names, dtypes and ranks (wavekat-tts
// export_speaker_encoder.py / export_tokenizer_encoder.py), what they compute, and the other files unchanged.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSyntheticModel, type SyntheticModel } from './build.js';
import { buildCodecEncoder, CODEC_ENCODER_DIMS } from './codec-encoder.js';
import { f32, tmpDir } from './helpers.js';
import { Rng } from './rng.js';
import { buildSpeakerEncoder, SPEAKER_ENCODER_DIMS } from './speaker-encoder.js';

const { onnx } = onnxProto;
const tmp = tmpDir('q3tts-synth-base-');
let base: SyntheticModel;
let vd: SyntheticModel;
const opts: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, logSeverityLevel: 4 };

beforeAll(async () => {
  base = await buildSyntheticModel(path.join(tmp.dir, 'base'), { variant: 'base', seed: 3 });
  vd = await buildSyntheticModel(path.join(tmp.dir, 'vd'), { variant: 'voice_design', seed: 3 });
});
afterAll(() => tmp.remove());

type Io = { name: string; elem: number; dims: (number | string)[] };
function io(file: string): { inputs: Io[]; outputs: Io[] } {
  const g = onnx.ModelProto.decode(readFileSync(file)).graph!;
  const map = (v: onnxProto.onnx.IValueInfoProto): Io => ({
    name: v.name!,
    elem: v.type!.tensorType!.elemType!,
    dims: v.type!.tensorType!.shape!.dim!.map((d: onnxProto.onnx.TensorShapeProto.IDimension) =>
      d.dimParam ? d.dimParam : Number(d.dimValue),
    ),
  });
  return { inputs: g.input!.map(map), outputs: g.output!.map(map) };
}
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

function noise(n: number, seed: number, scale = 0.5): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return (a / 2 ** 32 - 0.5) * 2 * scale;
  });
}

describe('Base variant layout', () => {
  it('adds speaker_encoder.onnx and tokenizer_encoder.onnx (+ .data) beside config.json, nothing else', () => {
    for (const f of ['speaker_encoder.onnx', 'speaker_encoder.onnx.data', 'tokenizer_encoder.onnx']) {
      expect(existsSync(path.join(base.dir, f)), f).toBe(true);
      expect(existsSync(path.join(vd.dir, f)), f).toBe(false);
    }
    expect(existsSync(path.join(base.dir, 'fp32', 'speaker_encoder.onnx'))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(base.dir, 'config.json'), 'utf8')).tts_model_type).toBe('base');
  });

  it('leaves every other file byte-identical to the VoiceDesign model of the same seed', () => {
    for (const f of [
      'fp32/talker_prefill.onnx.data',
      'fp32/talker_decode.onnx',
      'fp32/code_predictor.onnx.data',
      'fp32/vocoder.onnx.data',
      'embeddings/text_embedding.npy',
      'embeddings/talker_codec_embedding.npy',
      'embeddings/cp_codec_embedding_14.npy',
    ]) {
      expect(readFileSync(path.join(base.dir, f)).equals(readFileSync(path.join(vd.dir, f))), f).toBe(true);
    }
  });

  it('speaker_encoder: mels f32 [batch, mel_frames, 128] → speaker_embedding f32 [batch, H]', () => {
    const g = io(path.join(base.dir, 'speaker_encoder.onnx'));
    expect(g.inputs).toEqual([{ name: 'mels', elem: FLOAT, dims: ['batch', 'mel_frames', 128] }]);
    expect(g.outputs).toEqual([{ name: 'speaker_embedding', elem: FLOAT, dims: ['batch', base.dims.talkerHidden] }]);
  });

  it('tokenizer_encoder: waveform f32 [1, 240000] (fixed 10 s) → audio_codes i64 [1, 16, 125]', () => {
    const g = io(path.join(base.dir, 'tokenizer_encoder.onnx'));
    expect(g.inputs).toEqual([{ name: 'waveform', elem: FLOAT, dims: [1, 240000] }]);
    expect(g.outputs).toEqual([{ name: 'audio_codes', elem: INT64, dims: [1, 16, 125] }]);
  });
});

describe('what the tiny encoders compute', () => {
  it('speaker_encoder: one vector per batch row, each from its own row, and every frame counts', async () => {
    const s = await ort.InferenceSession.create(path.join(base.dir, 'speaker_encoder.onnx'), opts);
    const H = base.dims.talkerHidden;
    const a = noise(40 * 128, 1, 3);
    const b = noise(40 * 128, 2, 3);
    const run = async (data: Float32Array, batch: number) =>
      (await s.run({ mels: f32(data, [batch, data.length / batch / 128, 128]) })).speaker_embedding!;
    const one = await run(a, 1);
    expect(one.dims).toEqual([1, H]);
    const both = await run(Float32Array.from([...a, ...b]), 2);
    expect(both.dims).toEqual([2, H]);
    const rowA = Array.from((both.data as Float32Array).subarray(0, H));
    Array.from(one.data as Float32Array).forEach((v, i) => expect(rowA[i]).toBeCloseTo(v, 4));
    expect(Array.from((both.data as Float32Array).subarray(H))).not.toEqual(rowA);
    // change only the last frame: the pooled vector moves
    const late = Float32Array.from(a);
    late.fill(0, 39 * 128);
    expect(Array.from((await run(late, 1)).data as Float32Array)).not.toEqual(Array.from(one.data as Float32Array));
    // a different length works (dynamic mel_frames)
    expect((await run(noise(7 * 128, 4), 1)).dims).toEqual([1, H]);
    await s.release();
  });

  it('tokenizer_encoder: codes in 0..2047 that vary, frame f depends only on samples before (f+1)·1920', async () => {
    const s = await ort.InferenceSession.create(path.join(base.dir, 'tokenizer_encoder.onnx'), opts);
    const clip = noise(240000, 5, 0.3);
    const codes = async (x: Float32Array) =>
      Array.from((await s.run({ waveform: f32(x, [1, 240000]) })).audio_codes!.data as BigInt64Array, Number);
    const full = await codes(clip);
    expect(full.length).toBe(16 * 125);
    expect(full.every((c) => c >= 0 && c < 2048)).toBe(true);
    expect(new Set(full).size).toBeGreaterThan(200);
    // silence the second half: the first 62 frames (samples < 62·1920 = 119040 < 120000) keep their codes
    const half = Float32Array.from(clip);
    half.fill(0, 120000);
    const cut = await codes(half);
    for (let g = 0; g < 16; g++) {
      expect(cut.slice(g * 125, g * 125 + 62)).toEqual(full.slice(g * 125, g * 125 + 62));
      expect(cut.slice(g * 125 + 63, g * 125 + 125)).not.toEqual(full.slice(g * 125 + 63, g * 125 + 125));
    }
    await s.release();
  });
});

describe('full size (0.6B figures, random weights)', () => {
  it('speaker encoder: the ECAPA-TDNN of §1.5 is ~36 MB and gives [1, 1024]; codec encoder ~220 MB', async () => {
    const dir = path.join(tmp.dir, 'full');
    buildSpeakerEncoder(new Rng(1), { ...SPEAKER_ENCODER_DIMS, encDim: 1024 }).save(dir, 'speaker_encoder');
    buildCodecEncoder(new Rng(1), CODEC_ENCODER_DIMS).save(dir, 'tokenizer_encoder');
    const mb = (f: string) => statSync(path.join(dir, f)).size / 1e6;
    // published: speaker_encoder 35.6 MB (0.6B). Mimi's encoder, counted from its config (SEANet 64→1024 ≈ 12.6 M,
    // 8-layer transformer ≈ 25 M, downsample 1 M, 32 codebooks of 2048 × 256 ≈ 16.8 M parameters): ≈ 221 MB
    expect(mb('speaker_encoder.onnx.data')).toBeGreaterThan(30);
    expect(mb('speaker_encoder.onnx.data')).toBeLessThan(42);
    expect(mb('tokenizer_encoder.onnx.data')).toBeGreaterThan(170);
    expect(mb('tokenizer_encoder.onnx.data')).toBeLessThan(240);
    const s = await ort.InferenceSession.create(path.join(dir, 'speaker_encoder.onnx'), opts);
    const out = (await s.run({ mels: f32(noise(300 * 128, 6, 3), [1, 300, 128]) })).speaker_embedding!;
    expect(out.dims).toEqual([1, 1024]);
    expect(Array.from(out.data as Float32Array).every(Number.isFinite)).toBe(true);
    await s.release();
  });
});
