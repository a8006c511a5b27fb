// Optional: the engine on real Qwen3-TTS weights, when Q3TTS_MODEL_DIR points at an export in the layout
// of docs/model-layout.md. Skipped (with the reason printed) otherwise.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadQwen3Engine } from '../../../src/core/engine/qwen3/engine.js';

const dir = process.env.Q3TTS_MODEL_DIR;
const reason = !dir
  ? 'Q3TTS_MODEL_DIR is not set'
  : !existsSync(path.join(dir, 'config.json'))
    ? `Q3TTS_MODEL_DIR=${dir} has no config.json`
    : (JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as { tts_model_size?: string })
          .tts_model_size === 'synthetic'
      ? `Q3TTS_MODEL_DIR=${dir} is a synthetic model, not real weights`
      : '';
if (reason) console.log(`real-model test skipped: ${reason}`);

describe('real Qwen3-TTS weights', () => {
  it.skipIf(Boolean(reason))(
    'loads, speaks a sentence greedily and reports TTFA/RTF',
    async () => {
      const engine = await loadQwen3Engine(dir!, {});
      try {
        const language = engine.info.languages.includes('English') ? 'English' : 'Auto';
        const speaker = engine.info.speakers[0] ?? null;
        let samples = 0;
        let peak = 0;
        const frames: number[][] = [];
        let stats;
        for await (const ev of engine.synthesize(
          {
            text: 'Hello! This is a short test of the speech engine.',
            language,
            instruct: engine.info.supportsInstruct ? 'A calm, clear voice.' : null,
            speaker,
            seed: 1,
            sampling: { doSample: false, maxNewTokens: 250 },
          },
          new AbortController().signal,
        )) {
          if (ev.type === 'audio') {
            samples += ev.samples.length;
            for (const x of ev.samples) peak = Math.max(peak, Math.abs(x));
          } else if (ev.type === 'codes') frames.push(...ev.frames);
          else if (ev.type === 'stats') stats = ev.stats;
        }
        console.log(`real model ${engine.info.model}:`, stats);
        expect(frames.length).toBeGreaterThan(10);
        expect(samples).toBe(frames.length * 1920);
        expect(peak).toBeGreaterThan(0.01);
        expect(peak).toBeLessThanOrEqual(1);
      } finally {
        await engine.dispose();
      }
    },
    600_000,
  );
});
