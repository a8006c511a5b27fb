// The pairing of models (decision 0033): which installed model is the companion, when it is loaded, and which of
// the two each request goes to. Two tone engines stand in for the models; each is told apart by its model name.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createToneEngine, TONE_MODEL } from '../../../src/core/engine/tone.js';
import { EngineError } from '../../../src/core/engine/errors.js';
import {
  findCompanion,
  modelKind,
  pairWithCompanion,
  PULL_BASE,
  PULL_DESIGN,
  type ModelKind,
} from '../../../src/core/engine/voice-pair.js';
import type { Engine, SynthesisRequest } from '../../../src/shared/engine.js';
import type { PathEnv } from '../../../src/shared/paths.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'q3tts-pair-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function model(folder: string, type: string): string {
  const dir = path.join(root, 'models', folder);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ tts_model_type: type }));
  return dir;
}

/** A tone engine named `name`, recording which requests it served. */
function named(name: string, served: string[]): Engine {
  const tone = createToneEngine();
  return {
    ...tone,
    info: { ...tone.info, model: name, supportsInstruct: name.includes('design') },
    synthesize(request, signal) {
      served.push(`${name}: ${request.text}`);
      return tone.synthesize(request, signal);
    },
    async cloneVoice(audio, text, signal) {
      served.push(`${name}: clone`);
      return tone.cloneVoice!(audio, text, signal);
    },
  };
}

const request = (text: string, clone = false): SynthesisRequest => ({
  text,
  language: 'English',
  instruct: null,
  speaker: null,
  seed: null,
  sampling: {},
  ...(clone
    ? { clone: { speakerVector: new Float32Array([0.2]), refCodes: null, refText: null, model: TONE_MODEL } }
    : {}),
});

async function drain(engine: Engine, r: SynthesisRequest): Promise<void> {
  for await (const _ of engine.synthesize(r, new AbortController().signal));
}

function pair(kind: ModelKind, companions: { base?: string; design?: string }) {
  const served: string[] = [];
  const loads: string[] = [];
  const logs: string[] = [];
  const engine = pairWithCompanion(named(kind === 'base' ? 'active base' : 'active design', served), {
    kind,
    find: (want) => companions[want],
    load: async (dir) => {
      loads.push(dir);
      return named(`companion ${path.basename(dir)}`, served);
    },
    log: (m) => logs.push(m),
  });
  return { engine, served, loads, logs };
}

describe('pairWithCompanion', () => {
  it('a VoiceDesign model clones and speaks cloned voices on the Base companion, loaded once when first needed', async () => {
    const { engine, served, loads, logs } = pair('voice_design', { base: '/models/base-int4' });
    expect(engine.info).toMatchObject({ model: 'active design', supportsClone: true, supportsInstruct: true });
    await drain(engine, request('designed'));
    expect(loads).toEqual([]); // nothing loaded for a design
    const clip = new Float32Array(24_000).map((_, i) => Math.sin(i / 10));
    await engine.cloneVoice!(clip, null, new AbortController().signal);
    await drain(engine, request('cloned', true));
    await drain(engine, request('designed again'));
    expect(served).toEqual([
      'active design: designed',
      'companion base-int4: clone',
      'companion base-int4: cloned',
      'active design: designed again',
    ]);
    expect(loads).toEqual(['/models/base-int4']);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(
      /^loaded companion base-int4 from \/models\/base-int4 for cloned voices in \d+ ms; both models are loaded now \(engine process memory \d+ → \d+ MB\)$/,
    );
  });

  it('without a Base model, cloning says which model to pull', async () => {
    const { engine } = pair('voice_design', {});
    expect(engine.info.supportsClone).toBe(false);
    const err = await engine.cloneVoice!(new Float32Array(100), null, new AbortController().signal).catch((e) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ code: 'E_NO_MODEL' });
    expect((err as Error).message).toContain(`'${PULL_BASE}'`);
    expect((err as Error).message).toContain('Q3TTS_CLONE_MODEL_DIR');
    const speak = await drain(engine, request('x', true)).catch((e) => e);
    expect((speak as Error).message).toMatch(/^speaking a cloned voice needs a Qwen3-TTS Base model/);
  });

  it('a Base model speaks designs on a VoiceDesign companion when there is one, else itself', async () => {
    const withDesign = pair('base', { design: '/models/design-int4' });
    expect(withDesign.engine.info).toMatchObject({ supportsClone: true, supportsInstruct: true });
    await drain(withDesign.engine, request('designed'));
    await drain(withDesign.engine, request('cloned', true));
    expect(withDesign.served).toEqual(['companion design-int4: designed', 'active base: cloned']);

    const alone = pair('base', {});
    expect(alone.engine.info).toMatchObject({ supportsClone: true, supportsInstruct: false });
    await drain(alone.engine, request('plain'));
    expect(alone.served).toEqual(['active base: plain']);
    expect(PULL_DESIGN).toMatch(/voicedesign/);
  });

  it('a companion that fails to load is tried again at the next request', async () => {
    let attempts = 0;
    const engine = pairWithCompanion(named('active design', []), {
      kind: 'voice_design',
      find: () => '/models/broken',
      load: async () => {
        attempts++;
        throw new Error('graph missing');
      },
      log: () => undefined,
    });
    for (let i = 0; i < 2; i++) {
      const err = await engine.cloneVoice!(new Float32Array(10), null, new AbortController().signal).catch((e) => e);
      expect((err as Error).message).toBe('cannot load the base model in /models/broken: graph missing');
    }
    expect(attempts).toBe(2);
  });
});

describe('findCompanion', () => {
  const design = model('qwen3-tts-1.7b-voicedesign-int4', 'voice_design');
  const baseFp32 = model('qwen3-tts-0.6b-base-fp32', 'base');
  const baseInt4 = model('qwen3-tts-0.6b-base-int4', 'base');
  model('broken-int4', 'nonsense');
  const env = (extra: Record<string, string> = {}): PathEnv => ({
    env: { Q3TTS_DATA_DIR: root, ...extra },
    platform: 'linux',
    uid: 1000,
    username: 'test',
    homedir: root,
    tmpdir: root,
  });

  it('reads each model kind from config.json', () => {
    expect(modelKind(design)).toBe('voice_design');
    expect(modelKind(baseInt4)).toBe('base');
    expect(modelKind(path.join(root, 'models', 'broken-int4'))).toBeUndefined();
    expect(modelKind(path.join(root, 'nowhere'))).toBeUndefined();
  });

  it('picks an installed model of the other kind, the same precision first; never the active one', () => {
    expect(findCompanion(env(), design, 'base')).toBe(baseInt4);
    expect(findCompanion(env(), path.join(root, 'elsewhere', 'x-fp32'), 'base')).toBe(baseFp32);
    expect(findCompanion(env(), baseInt4, 'design')).toBe(design);
    expect(findCompanion(env(), design, 'design')).toBeUndefined();
  });

  it('Q3TTS_CLONE_MODEL_DIR names the Base model', () => {
    expect(findCompanion(env({ Q3TTS_CLONE_MODEL_DIR: '/opt/base' }), design, 'base')).toBe('/opt/base');
  });
});
