// CustomVoice on real sessions: preset speakers, the speaker row in the prompt, the dialect rule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SynthesisRequest } from '../../../src/shared/engine.js';
import { loadQwen3Engine, type Qwen3Engine } from '../../../src/core/engine/qwen3/engine.js';
import { syntheticModel } from './fixture.js';

let engine: Qwen3Engine;
beforeAll(async () => {
  engine = await loadQwen3Engine(await syntheticModel('custom_voice', 11), { intraOpNumThreads: 1 });
});
afterAll(async () => {
  await engine?.dispose();
});

const request = (speaker: string, language = 'auto'): SynthesisRequest => ({
  text: '你好，世界。',
  language,
  instruct: null,
  speaker,
  seed: 1,
  sampling: { doSample: false, maxNewTokens: 5 },
});

async function frames(req: SynthesisRequest): Promise<number[][]> {
  const out: number[][] = [];
  for await (const ev of engine.synthesize(req, new AbortController().signal))
    if (ev.type === 'codes') out.push(...ev.frames);
  return out;
}

describe('CustomVoice', () => {
  it('lists the preset speakers', () => {
    expect(engine.info.speakers).toEqual([
      'vivian',
      'serena',
      'uncle_fu',
      'ryan',
      'aiden',
      'ono_anna',
      'sohee',
      'eric',
      'dylan',
    ]);
    expect(engine.info.supportsInstruct).toBe(true); // synthetic size behaves as 1.7B
  });

  it('speaks with each speaker differently; names are case-insensitive', async () => {
    const vivian = await frames(request('Vivian'));
    expect(vivian).toHaveLength(5);
    expect(await frames(request('vivian'))).toEqual(vivian);
    expect(await frames(request('ryan'))).not.toEqual(vivian);
  });

  it('applies the dialect rule: a dialect speaker in auto equals its dialect, in Chinese too', async () => {
    // eric → sichuan_dialect: auto and chinese both become the sichuan think block, so codes agree;
    // english keeps English, so they differ.
    const auto = await frames(request('eric', 'auto'));
    expect(await frames(request('eric', 'Chinese'))).toEqual(auto);
    expect(await frames(request('eric', 'English'))).not.toEqual(auto);
  });

  it('needs a speaker', async () => {
    await expect(frames({ ...request('x'), speaker: null })).rejects.toMatchObject({
      code: 'E_INVALID',
      message: expect.stringMatching(/needs a speaker/),
    });
  });
});
