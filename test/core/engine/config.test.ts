import { describe, expect, it } from 'vitest';
import { parseQwen3Config, SPEC_DIMS } from '../../../src/core/engine/qwen3/config.js';
import { modelConfig, TINY_DIMS } from '../../synthetic/config.js';

const FILE = '/models/x/config.json';
const synthetic = (variant: 'voice_design' | 'custom_voice' = 'voice_design') =>
  JSON.parse(JSON.stringify(modelConfig(variant, { ...TINY_DIMS }, 'test'))) as Record<string, unknown>;

/** A config with the real 1.7B dimensions. */
function real(size: '0b6' | '1b7'): Record<string, unknown> {
  return { ...synthetic('custom_voice'), ...SPEC_DIMS[size], tts_model_size: size };
}

describe('config.json validation', () => {
  it('accepts the synthetic and real-size configs and reads ids, maps and defaults', () => {
    const c = parseQwen3Config(synthetic('custom_voice'), FILE);
    expect(c.ids.codecEos).toBe(2150);
    expect(c.talker.hidden).toBe(TINY_DIMS.talkerHidden);
    expect(c.speakerIds.aiden).toBe(2861); // written as [2861]
    expect(c.speakerIds.vivian).toBe(3065); // written as 3065
    expect(c.speakerDialect.eric).toBe('sichuan_dialect');
    expect(c.generation).toMatchObject({
      doSample: true,
      temperature: 0.9,
      topK: 50,
      topP: 1,
      repetitionPenalty: 1.05,
      maxNewTokens: 8192,
    });
    expect(parseQwen3Config(real('1b7'), FILE).talker.hidden).toBe(2048);
    expect(parseQwen3Config(real('0b6'), FILE).talker.hidden).toBe(1024);
  });

  it.each([
    [
      'missing field',
      (c: Record<string, unknown>) => delete c.codec_pad_id,
      /config\.json: field 'codec_pad_id' is missing/,
    ],
    [
      'wrong id',
      (c: Record<string, unknown>) => (c.codec_eos_token_id = 2151),
      /config\.json: field 'codec_eos_token_id' is 2151, expected 2150/,
    ],
    [
      'wrong text id',
      (c: Record<string, unknown>) => (c.tts_pad_token_id = 151670),
      /field 'tts_pad_token_id' is 151670, expected 151671/,
    ],
    [
      'wrong vocab',
      (c: Record<string, unknown>) => (c.talker_vocab_size = 4096),
      /field 'talker_vocab_size' is 4096, expected 3072/,
    ],
    [
      'wrong type',
      (c: Record<string, unknown>) => (c.talker_num_layers = 'two'),
      /field 'talker_num_layers' is invalid/,
    ],
    [
      'unknown model type',
      (c: Record<string, unknown>) => (c.tts_model_type = 'clone'),
      /field 'tts_model_type' is invalid/,
    ],
    [
      'language id',
      (c: Record<string, unknown>) => ((c.codec_language_id as Record<string, number>).chinese = 2051),
      /field 'codec_language_id\.chinese' is 2051, expected 2055/,
    ],
    [
      'nested generate_config',
      (c: Record<string, unknown>) => delete (c.generate_config as Record<string, unknown>).top_k,
      /field 'generate_config\.top_k' is missing/,
    ],
    [
      'dialect not a language',
      (c: Record<string, unknown>) => ((c.spk_is_dialect as Record<string, unknown>).eric = 'klingon_dialect'),
      /field 'spk_is_dialect\.eric' names 'klingon_dialect'/,
    ],
  ])('%s names the file and field', (_name, mutate, message) => {
    const c = synthetic('custom_voice');
    mutate(c);
    expect(() => parseQwen3Config(c, FILE)).toThrow(message);
  });

  it('checks dimensions (qwen3-tts.md §1.4) for real sizes only', () => {
    const c = real('1b7');
    c.talker_num_kv_heads = 4;
    expect(() => parseQwen3Config(c, FILE)).toThrow(
      /field 'talker_num_kv_heads' is 4, expected 8 for tts_model_size '1b7'/,
    );
    const d = real('0b6');
    d.talker_hidden_size = 2048;
    expect(() => parseQwen3Config(d, FILE)).toThrow(
      /field 'talker_hidden_size' is 2048, expected 1024 for tts_model_size '0b6'/,
    );
    const s = synthetic();
    s.talker_num_kv_heads = 1; // synthetic: any consistent size
    expect(parseQwen3Config(s, FILE).talker.kvHeads).toBe(1);
  });
});
