// The Base entry of the shipped catalog selects and requires the Base layout: the VoiceDesign files plus the two
// encoder graphs at the root, in both precision sets.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCatalog, fileMatcher, findModel, requiredFiles } from '../../../src/core/models/catalog.js';
import { syntheticModel } from '../engine/fixture.js';

describe('catalog: qwen3-tts-0.6b-base', () => {
  const catalog = defaultCatalog();
  const base = findModel(catalog, 'qwen3-tts-0.6b-base');

  it('is wavekat’s 0.6B Base export, tracking main (nothing pinned upstream) and saying so', () => {
    expect(base).toMatchObject({
      repo: 'wavekat/Qwen3-TTS-0.6B-Base-ONNX',
      variant: 'base',
      size_class: '0.6B',
      revision: 'main',
      revision_pinned: false,
      layout_verified: true,
    });
    expect(base.revision_note).toMatch(/download\.rs/);
    expect(findModel(catalog, 'wavekat/qwen3-tts-0.6b-base-onnx')).toBe(base);
  });

  it('takes both encoders (and their weights) with either precision; the VoiceDesign entry takes neither', () => {
    const vd = findModel(catalog, 'qwen3-tts-1.7b-voicedesign');
    for (const p of ['int4', 'fp32'] as const) {
      const take = fileMatcher(base, p);
      for (const f of ['speaker_encoder.onnx', 'speaker_encoder.onnx.data', 'tokenizer_encoder.onnx', 'tokenizer_encoder.onnx.data'])
        expect(take(f), `${p}: ${f}`).toBe(true);
      expect(take(`${p}/talker_decode.onnx`)).toBe(true);
      expect(take('embeddings/small_to_mtp_projection_bias.npy') || take('generate_clone_onnx.py')).toBe(false);
      expect(requiredFiles(base, p)).toEqual(expect.arrayContaining(['speaker_encoder.onnx', 'tokenizer_encoder.onnx', `${p}/vocoder.onnx`]));
      expect(fileMatcher(vd, p)('speaker_encoder.onnx')).toBe(false);
    }
  });

  it('requires exactly files the synthetic Base model (the layout the engine loads) has', async () => {
    const dir = await syntheticModel('base', 7);
    const present = new Set(readdirSync(dir, { recursive: true }).map(String).map((p) => p.split(path.sep).join('/')));
    for (const f of requiredFiles(base, 'fp32')) expect(present.has(f), f).toBe(true);
    const take = fileMatcher(base, 'fp32');
    const files = [...present].filter((f) => statSync(path.join(dir, f)).isFile() && !f.startsWith('.'));
    for (const f of files) expect(take(f), f).toBe(true);
  });
});
