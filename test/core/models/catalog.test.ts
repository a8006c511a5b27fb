// The shipped catalog is valid and names files in the layout the engine reads; the inventory operations
// (list, use, remove, verify) on real folders.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveModelDir } from '../../../src/core/engine/config.js';
import { currentPathEnv } from '../../../src/core/paths.js';
import { defaultCatalog, fileMatcher, findModel, parseCatalog, requiredFiles } from '../../../src/core/models/catalog.js';
import { listModels, removeModel, useModel, verifyModel } from '../../../src/core/models/inventory.js';
import { ModelsLayout } from '../../../src/core/models/layout.js';
import catalogJson from '../../../models/catalog.json' with { type: 'json' };
import { syntheticModel } from '../engine/fixture.js';

describe('catalog', () => {
  const catalog = defaultCatalog();

  it('the shipped catalog validates; the VoiceDesign export is first, int4 by default, pinned to the revision models/README.md names', () => {
    const first = catalog.models[0]!;
    expect(first).toMatchObject({ name: 'qwen3-tts-1.7b-voicedesign', repo: 'wavekat/Qwen3-TTS-1.7B-VoiceDesign-ONNX', revision: '2026-04-06', default_precision: 'int4', variant: 'voice_design' });
    expect(catalog.models.filter((m) => m.variant === 'custom_voice').map((m) => m.repo)).toEqual([
      'elbruno/Qwen3-TTS-12Hz-1.7B-CustomVoice-ONNX',
      'elbruno/Qwen3-TTS-12Hz-0.6B-CustomVoice-ONNX',
    ]);
    // Unverified entries say so instead of pretending.
    for (const m of catalog.models.filter((x) => !x.revision_pinned || !x.layout_verified)) expect(m.revision_note).toBeTruthy();
  });

  it('each set selects exactly the files of the layout (the synthetic model in the real layout as the reference)', async () => {
    const dir = await syntheticModel('voice_design', 7);
    const m = findModel(catalog, 'wavekat/qwen3-tts-1.7b-voicedesign-onnx'); // by repo id, any case
    const fp32 = fileMatcher(m, 'fp32');
    const int4 = fileMatcher(m, 'int4');
    expect(fp32('config.json') && fp32('tokenizer/vocab.json') && fp32('embeddings/text_embedding.npy') && fp32('fp32/vocoder.onnx.data')).toBe(true);
    expect(fp32('int4/vocoder.onnx') || int4('fp32/vocoder.onnx')).toBe(false);
    expect(fp32('embeddings/small_to_mtp_projection_weight.npy')).toBe(false); // baked into the graph: not downloaded
    expect(fp32('generate_onnx.py') || fp32('README.md') || fp32('tokenizer/sub/x')).toBe(false);
    const present = new Set(readdirSync(dir, { recursive: true }).map(String).map((p) => p.split(path.sep).join('/')));
    for (const f of requiredFiles(m, 'fp32')) expect(present.has(f), f).toBe(true);
    expect(requiredFiles(m, 'int4')).toContain('int4/talker_decode.onnx');
  });

  it('invalid catalogs are refused with the field named', () => {
    const broken = structuredClone(catalogJson) as { models: Array<Record<string, unknown>> };
    broken.models[0]!.default_precision = 'fp16';
    expect(() => parseCatalog(broken)).toThrow(/models\.0\.default_precision/);
    const dup = structuredClone(catalogJson) as { models: unknown[] };
    dup.models.push(dup.models[0]);
    expect(() => parseCatalog(dup)).toThrow(/unique/);
  });
});

describe('inventory', () => {
  let tmp: string;
  let layout: ModelsLayout;
  const catalog = defaultCatalog();
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'q3tts-inventory-'));
    layout = new ModelsLayout(path.join(tmp, 'models'));
    const src = await syntheticModel('voice_design', 7);
    // Two installs without manifests (as if copied by hand), one catalog-named, one not.
    cpSync(src, layout.dir('qwen3-tts-1.7b-voicedesign-fp32'), { recursive: true });
    cpSync(src, layout.dir('my-own-export'), { recursive: true });
    mkdirSync(layout.stagingDir('qwen3-tts-1.7b-voicedesign-int4'), { recursive: true });
    writeFileSync(path.join(layout.stagingDir('qwen3-tts-1.7b-voicedesign-int4'), 'config.json'), '{}');
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('lists catalog entries (installed or not), hand-installed folders, and interrupted pulls', () => {
    const l = listModels(catalog, layout);
    expect(l.models.find((m) => m.folder === 'qwen3-tts-1.7b-voicedesign-fp32')).toMatchObject({ installed: true, approx: false });
    expect(l.models.find((m) => m.folder === 'qwen3-tts-1.7b-voicedesign-int4')).toMatchObject({ installed: false, approx: true, bytes: 5_240_000_000, partial_bytes: 2 });
    expect(l.models.find((m) => m.folder === 'my-own-export')).toMatchObject({ installed: true, title: null });
    // The staging folder is not a model: two real ones, so the engine asks which (no guessing).
    expect(() => resolveModelDir(currentPathEnv({ Q3TTS_DATA_DIR: tmp }))).toThrow(/several models are installed/);
  });

  it('use writes the active file the engine reads; remove clears it', async () => {
    await expect(useModel(catalog, layout, 'nope')).rejects.toThrow(/no installed model is called 'nope'/);
    const used = await useModel(catalog, layout, 'qwen3-tts-1.7b-voicedesign');
    expect(used.folder).toBe('qwen3-tts-1.7b-voicedesign-fp32');
    expect(resolveModelDir(currentPathEnv({ Q3TTS_DATA_DIR: tmp }))).toBe(layout.dir('qwen3-tts-1.7b-voicedesign-fp32'));
    await useModel(catalog, layout, 'my-own-export');
    expect(resolveModelDir(currentPathEnv({ Q3TTS_DATA_DIR: tmp }))).toBe(layout.dir('my-own-export'));
    expect((await verifyModel(layout, 'my-own-export')).ok).toBeNull(); // no manifest: presence only
    const r = await removeModel(catalog, layout, 'my-own-export');
    expect(r).toMatchObject({ folder: 'my-own-export', wasActive: true });
    expect(layout.active()).toBeUndefined();
    // Removing an interrupted pull cleans its staging folder.
    expect(await removeModel(catalog, layout, 'qwen3-tts-1.7b-voicedesign', 'int4')).toMatchObject({ folder: 'qwen3-tts-1.7b-voicedesign (partial download)' });
  });
});
