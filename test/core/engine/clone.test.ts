// Cloning on the tiny synthetic Base model: loading the Base layout (and its broken variants), cloneVoice's
// speaker vector and reference codes checked against the graphs run directly, and bad reference audio.
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadQwen3Engine, type Qwen3Engine } from '../../../src/core/engine/qwen3/engine.js';
import { logMel } from '../../../src/core/engine/qwen3/mel.js';
import type { VoiceClone } from '../../../src/shared/engine.js';
import { Rng } from '../../synthetic/rng.js';
import { buildCodecEncoder, TINY_CODEC_ENCODER_DIMS } from '../../synthetic/codec-encoder.js';
import { buildSpeakerEncoder, TINY_SPEAKER_ENCODER_DIMS } from '../../synthetic/speaker-encoder.js';
import { copyModel, syntheticModel } from './fixture.js';

const { onnx } = onnxProto;
const H = 64; // tiny talker hidden = the speaker vector's length
let dir: string;
let engine: Qwen3Engine;
const signal = () => new AbortController().signal;

beforeAll(async () => {
  dir = await syntheticModel('base', 7);
  engine = await loadQwen3Engine(dir, { intraOpNumThreads: 1 });
});
afterAll(async () => {
  await engine?.dispose();
});

function tone(n: number, hz: number, seed = 0): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, (_, i) => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return 0.4 * Math.sin((2 * Math.PI * hz * i) / 24000) + 0.05 * (a / 2 ** 32 - 0.5);
  });
}

async function directRun(file: string, feeds: Record<string, ort.Tensor>): Promise<ort.Tensor> {
  const s = await ort.InferenceSession.create(path.join(dir, file), { intraOpNumThreads: 1 });
  try {
    return Object.values(await s.run(feeds))[0]!;
  } finally {
    await s.release();
  }
}

async function errorOf(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('it succeeded');
}

describe('loading a Base model', () => {
  it('opens the two encoders and says it clones; a VoiceDesign model does not', async () => {
    expect(engine.info.supportsClone).toBe(true);
    expect(engine.model.encoders?.codecWindow).toBe(240000);
    const vd = await loadQwen3Engine(await syntheticModel('voice_design', 7), { intraOpNumThreads: 1 });
    try {
      expect(vd.info.supportsClone).toBeUndefined();
      expect(vd.model.encoders).toBeUndefined();
      expect(vd.cloneVoice).toBeUndefined(); // the Engine contract: only engines with supportsClone have it
    } finally {
      await vd.dispose();
    }
  });

  const editGraph = (d: string, file: string, edit: (g: onnxProto.onnx.IGraphProto) => void) => {
    const f = path.join(d, file);
    const m = onnx.ModelProto.decode(readFileSync(f));
    edit(m.graph!);
    writeFileSync(f, onnx.ModelProto.encode(m).finish());
  };
  it.each([
    [
      'missing speaker encoder',
      (d: string) => rmSync(path.join(d, 'speaker_encoder.onnx')),
      /speaker_encoder\.onnx: file is missing \(a Base model needs it to clone voices/,
    ],
    [
      'missing codec encoder',
      (d: string) => rmSync(path.join(d, 'tokenizer_encoder.onnx')),
      /tokenizer_encoder\.onnx: file is missing/,
    ],
    [
      'missing codec encoder weights',
      (d: string) => rmSync(path.join(d, 'tokenizer_encoder.onnx.data')),
      /tokenizer_encoder\.onnx: onnxruntime cannot load this graph/,
    ],
    [
      'renamed codec encoder input',
      (d: string) =>
        editGraph(d, 'tokenizer_encoder.onnx', (g) => {
          g.input![0]!.name = 'audio';
          for (const n of g.node ?? []) n.input = (n.input ?? []).map((x) => (x === 'waveform' ? 'audio' : x));
        }),
      /tokenizer_encoder\.onnx: graph has no input 'waveform' \(its inputs: audio\)/,
    ],
    [
      'speaker encoder of another model size (vector width 32, talker 64)',
      (d: string) =>
        buildSpeakerEncoder(new Rng(1), { ...TINY_SPEAKER_ENCODER_DIMS, encDim: 32 }).save(d, 'speaker_encoder'),
      /speaker_encoder\.onnx: output 'speaker_embedding' has dim 1 = 32, expected 64/,
    ],
    [
      "another graph in the codec encoder's place",
      (d: string) => {
        // its weights come along under their own name, as the graph refers to them
        copyFileSync(path.join(d, 'fp32', 'vocoder.onnx'), path.join(d, 'tokenizer_encoder.onnx'));
        copyFileSync(path.join(d, 'fp32', 'vocoder.onnx.data'), path.join(d, 'vocoder.onnx.data'));
      },
      /tokenizer_encoder\.onnx: graph has no input 'waveform' \(its inputs: codes\)/,
    ],
  ])('%s: a clear error naming the file', async (name, breakIt, message) => {
    const d = copyModel(dir, name.replace(/\W+/g, '-'));
    try {
      breakIt(d);
      const err = await errorOf(loadQwen3Engine(d, { intraOpNumThreads: 1 }));
      expect(err.message).toMatch(message);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('cloneVoice', () => {
  it('x-vector mode: the speaker encoder on the official mel, row 0; no codes', async () => {
    const clip = tone(3 * 24000, 180, 1);
    const clone = await engine.cloneVoice!(clip, null, signal());
    expect(clone.refCodes).toBeNull();
    expect(clone.refText).toBeNull();
    expect(clone.model).toBe('q3tts/synthetic-tiny-base-seed7');
    expect(clone.speakerVector).toBeInstanceOf(Float32Array);
    expect(clone.speakerVector.length).toBe(H);
    const mel = logMel(clip);
    const direct = await directRun('speaker_encoder.onnx', {
      mels: new ort.Tensor('float32', mel.data, [1, mel.frames, 128]),
    });
    expect(Array.from(clone.speakerVector)).toEqual(Array.from(direct.data as Float32Array));
    // a blank transcript is x-vector mode too
    expect((await engine.cloneVoice!(clip, '   ', signal())).refCodes).toBeNull();
  });

  it('is deterministic, and different audio gives a different vector', async () => {
    const a1 = await engine.cloneVoice!(tone(48000, 150, 2), null, signal());
    const a2 = await engine.cloneVoice!(tone(48000, 150, 2), null, signal());
    const b = await engine.cloneVoice!(tone(48000, 420, 2), null, signal());
    expect(Array.from(a2.speakerVector)).toEqual(Array.from(a1.speakerVector));
    let diff = 0;
    for (let i = 0; i < H; i++) diff = Math.max(diff, Math.abs(b.speakerVector[i]! - a1.speakerVector[i]!));
    expect(diff).toBeGreaterThan(1e-3);
  });

  it('in-context mode: ceil(n/1920) frames of 16 codes, the codec encoder output transposed to [F][16]', async () => {
    const clip = tone(50001, 300, 3); // 26.04 frames → 27
    const clone: VoiceClone = await engine.cloneVoice!(clip, '  Hello there.  ', signal());
    expect(clone.refText).toBe('Hello there.');
    expect(clone.refCodes!.length).toBe(27);
    expect(
      clone.refCodes!.every((f) => f.length === 16 && f.every((c) => Number.isInteger(c) && c >= 0 && c < 2048)),
    ).toBe(true);
    // the same vector as x-vector mode
    const x = await engine.cloneVoice!(clip, null, signal());
    expect(Array.from(clone.speakerVector)).toEqual(Array.from(x.speakerVector));
    // against the graph run directly on the zero-padded 10 s window: codes[g][f] → refCodes[f][g]
    const window = new Float32Array(240000);
    window.set(clip);
    const direct = await directRun('tokenizer_encoder.onnx', {
      waveform: new ort.Tensor('float32', window, [1, 240000]),
    });
    const d = direct.data as BigInt64Array;
    for (let f = 0; f < 27; f++)
      for (let g = 0; g < 16; g++) expect(clone.refCodes![f]![g]).toBe(Number(d[g * 125 + f]));
  });

  it.each([
    [1920, 1],
    [1921, 2],
    [24000, 13],
    [240000, 125],
  ])('%i samples give %i reference frames', async (n, frames) => {
    expect((await engine.cloneVoice!(tone(n, 220, n), 'Hi.', signal())).refCodes!.length).toBe(frames);
  });

  it('refuses what it cannot clone, with what to do, as E_INVALID', async () => {
    const cases: [Float32Array, string | null, RegExp][] = [
      [new Float32Array(0), null, /too short: 0 samples \(0\.00 s\).*at least 385 samples/],
      [tone(384, 200), 'Hi.', /too short: 384 samples/],
      [
        tone(240001, 200),
        'A long clip.',
        /reference audio is 10\.00 s; .* at most 10\.00 s for in-context cloning: trim the clip .*or clone without a transcript/,
      ],
      [Float32Array.from({ length: 5000 }, (_, i) => (i === 777 ? NaN : 0.1)), null, /non-finite sample at index 777/],
      [new Float32Array(30 * 24000 + 1), null, /reference audio is 30\.00 s; cloning takes at most 30\.00 s: trim it/],
    ];
    for (const [audio, text, message] of cases) {
      const err = await errorOf(engine.cloneVoice!(audio, text, signal()));
      expect(err.code, String(message)).toBe('E_INVALID');
      expect(err.message).toMatch(message);
    }
    // longer than the codec window is fine without a transcript: only the speaker encoder runs
    const long = await engine.cloneVoice!(tone(12 * 24000, 200, 9), null, signal());
    expect(long.speakerVector.length).toBe(H);
  });

  it('a codec encoder with a dynamic sample axis encodes the whole clip, 10 s or more', async () => {
    const d = copyModel(dir, 'dynamic-codec-encoder');
    // the same weights (same seed and tensor names as the fixture's build), only the input axis differs
    buildCodecEncoder(new Rng(7), TINY_CODEC_ENCODER_DIMS, { dynamic: true }).save(d, 'tokenizer_encoder');
    const e = await loadQwen3Engine(d, { intraOpNumThreads: 1 });
    try {
      expect(e.model.encoders!.codecWindow).toBeNull();
      const long = tone(12 * 24000 + 5, 250, 4);
      const clone = await e.cloneVoice!(long, 'A long reference.', signal());
      expect(clone.refCodes!.length).toBe(151); // ceil(288005 / 1920)
      expect(clone.refCodes!.every((f) => f.length === 16 && f.every((c) => c >= 0 && c < 2048))).toBe(true);
      // the padding never mattered (the encoder is causal): a short clip gives the fixed-window model's codes
      const short = tone(3 * 24000, 250, 4);
      const a = (await e.cloneVoice!(short, 'Hi.', signal())).refCodes!;
      const b = (await engine.cloneVoice!(short, 'Hi.', signal())).refCodes!;
      expect(a).toEqual(b);
    } finally {
      await e.dispose();
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('stops when the signal is aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const err = await errorOf(engine.cloneVoice!(tone(24000, 200), 'Hi.', ac.signal));
    expect(err.name).toBe('AbortError');
  });
});
