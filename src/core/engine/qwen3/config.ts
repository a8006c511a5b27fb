// config.json of the model directory (docs/model-layout.md): every key validated, ids and sizes checked
// against the constants of docs/qwen3-tts.md §1.4 and §2.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ModelFileError } from './errors.js';
import { errorMessage } from '../../../shared/errors.js';

const int = z.number().int();
const count = z.number().int().positive();

const GenerateConfigSchema = z.object({
  do_sample: z.boolean(),
  temperature: z.number().positive(),
  top_k: z.number().int().nonnegative(),
  top_p: z.number().gt(0).lte(1),
  repetition_penalty: z.number().positive(),
  subtalker_dosample: z.boolean(),
  subtalker_temperature: z.number().positive(),
  subtalker_top_k: z.number().int().nonnegative(),
  subtalker_top_p: z.number().gt(0).lte(1),
  max_new_tokens: count,
});

const ConfigSchema = z.object({
  model_id: z.string().optional(),
  tts_model_type: z.enum(['voice_design', 'custom_voice', 'base']),
  tts_model_size: z.enum(['0b6', '1b7', 'synthetic']),
  im_start_token_id: int,
  im_end_token_id: int,
  tts_pad_token_id: int,
  tts_bos_token_id: int,
  tts_eos_token_id: int,
  codec_eos_token_id: int,
  codec_think_id: int,
  codec_nothink_id: int,
  codec_think_bos_id: int,
  codec_think_eos_id: int,
  codec_pad_id: int,
  codec_bos_id: int,
  talker_hidden_size: count,
  talker_num_layers: count,
  talker_num_attention_heads: count,
  talker_num_kv_heads: count,
  talker_head_dim: count,
  talker_vocab_size: count,
  talker_text_hidden_size: count,
  talker_num_code_groups: count,
  cp_hidden_size: count,
  cp_num_layers: count,
  cp_num_attention_heads: count,
  cp_num_kv_heads: count,
  cp_head_dim: count,
  cp_vocab_size: count,
  cp_num_code_groups: count,
  spk_id: z.record(z.string(), z.union([int, z.array(int).min(1)])),
  spk_is_dialect: z.record(z.string(), z.union([z.string(), z.literal(false)])),
  codec_language_id: z.record(z.string(), int),
  sample_rate: count,
  generate_config: GenerateConfigSchema,
});

export type RawQwen3Config = z.infer<typeof ConfigSchema>;

/** Ids, vocab sizes and rates every Qwen3-TTS 12 Hz checkpoint shares (synthetic models included). */
export const SPEC_IDS = {
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
  talker_vocab_size: 3072,
  talker_num_code_groups: 16,
  cp_vocab_size: 2048,
  cp_num_code_groups: 16,
  sample_rate: 24000,
} as const satisfies Partial<Record<keyof RawQwen3Config, number>>;

export const SPEC_LANGUAGE_IDS: Readonly<Record<string, number>> = {
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
};

const CP_DIMS = {
  cp_hidden_size: 1024,
  cp_num_layers: 5,
  cp_num_attention_heads: 16,
  cp_num_kv_heads: 8,
  cp_head_dim: 128,
};
const TALKER_COMMON = {
  talker_num_layers: 28,
  talker_num_attention_heads: 16,
  talker_num_kv_heads: 8,
  talker_head_dim: 128,
  talker_text_hidden_size: 2048,
};

/** Dimensions of the real sizes; synthetic models only have their ids checked. */
export const SPEC_DIMS: Readonly<Record<'0b6' | '1b7', Partial<Record<keyof RawQwen3Config, number>>>> = {
  '0b6': { talker_hidden_size: 1024, ...TALKER_COMMON, ...CP_DIMS },
  '1b7': { talker_hidden_size: 2048, ...TALKER_COMMON, ...CP_DIMS },
};

/** Text vocabulary rows of the embedding table. */
export const TEXT_VOCAB_SIZE = 151936;

export interface GenerationDefaults {
  doSample: boolean;
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  subDoSample: boolean;
  subTemperature: number;
  subTopK: number;
  subTopP: number;
  maxNewTokens: number;
}

export interface Qwen3Config {
  file: string;
  raw: RawQwen3Config;
  modelId: string | undefined;
  type: RawQwen3Config['tts_model_type'];
  size: RawQwen3Config['tts_model_size'];
  ids: {
    imStart: number;
    imEnd: number;
    ttsPad: number;
    ttsBos: number;
    ttsEos: number;
    codecEos: number;
    codecThink: number;
    codecNothink: number;
    codecThinkBos: number;
    codecThinkEos: number;
    codecPad: number;
    codecBos: number;
  };
  talker: {
    hidden: number;
    layers: number;
    heads: number;
    kvHeads: number;
    headDim: number;
    vocab: number;
    textHidden: number;
    codeGroups: number;
  };
  cp: {
    hidden: number;
    layers: number;
    heads: number;
    kvHeads: number;
    headDim: number;
    vocab: number;
    codeGroups: number;
  };
  /** Lower-case language name → codec id (dialects included). */
  languageIds: Record<string, number>;
  /** Lower-case speaker name → codec id. */
  speakerIds: Record<string, number>;
  /** Lower-case speaker name → dialect key of languageIds, or false. */
  speakerDialect: Record<string, string | false>;
  sampleRate: number;
  generation: GenerationDefaults;
}

function fieldError(file: string, field: string, why: string): ModelFileError {
  return new ModelFileError(file, `field '${field}' ${why}`);
}

/** Validates a parsed config.json; `file` names it in errors. */
export function parseQwen3Config(json: unknown, file: string): Qwen3Config {
  const parsed = ConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length ? issue.path.join('.') : '(root)';
    let value: unknown = json;
    for (const key of issue.path)
      value =
        value !== null && typeof value === 'object'
          ? (value as Record<PropertyKey, unknown>)[key as PropertyKey]
          : undefined;
    throw fieldError(file, field, value === undefined ? 'is missing' : `is invalid: ${issue.message}`);
  }
  const c = parsed.data;
  for (const [key, expected] of Object.entries(SPEC_IDS)) {
    const actual = c[key as keyof typeof SPEC_IDS];
    if (actual !== expected) throw fieldError(file, key, `is ${actual}, expected ${expected} (Qwen3-TTS 12 Hz)`);
  }
  if (c.tts_model_size !== 'synthetic') {
    for (const [key, expected] of Object.entries(SPEC_DIMS[c.tts_model_size])) {
      const actual = c[key as keyof RawQwen3Config];
      if (actual !== expected)
        throw fieldError(
          file,
          key,
          `is ${String(actual)}, expected ${expected} for tts_model_size '${c.tts_model_size}'`,
        );
    }
  }
  if (c.talker_num_attention_heads % c.talker_num_kv_heads !== 0)
    throw fieldError(file, 'talker_num_kv_heads', 'does not divide talker_num_attention_heads');
  if (c.cp_num_attention_heads % c.cp_num_kv_heads !== 0)
    throw fieldError(file, 'cp_num_kv_heads', 'does not divide cp_num_attention_heads');

  const languageIds: Record<string, number> = {};
  for (const [name, id] of Object.entries(c.codec_language_id)) {
    const key = name.toLowerCase();
    const expected = SPEC_LANGUAGE_IDS[key];
    if (expected !== undefined && expected !== id)
      throw fieldError(file, `codec_language_id.${name}`, `is ${id}, expected ${expected}`);
    if (id < 2048 || id >= c.talker_vocab_size)
      throw fieldError(
        file,
        `codec_language_id.${name}`,
        `is ${id}, outside the control-token range 2048..${c.talker_vocab_size - 1}`,
      );
    languageIds[key] = id;
  }

  const speakerIds: Record<string, number> = {};
  for (const [name, value] of Object.entries(c.spk_id)) {
    // Public copies write either 3065 or [3065] (qwen3-tts.md §2.2).
    const id = Array.isArray(value) ? value[0]! : value;
    if (id < 0 || id >= c.talker_vocab_size)
      throw fieldError(file, `spk_id.${name}`, `is ${id}, outside the codec vocabulary 0..${c.talker_vocab_size - 1}`);
    speakerIds[name.toLowerCase()] = id;
  }
  const speakerDialect: Record<string, string | false> = {};
  for (const [name, dialect] of Object.entries(c.spk_is_dialect)) {
    if (dialect !== false && languageIds[dialect.toLowerCase()] === undefined) {
      throw fieldError(file, `spk_is_dialect.${name}`, `names '${dialect}', which codec_language_id lacks`);
    }
    speakerDialect[name.toLowerCase()] = dialect === false ? false : dialect.toLowerCase();
  }

  const g = c.generate_config;
  return {
    file,
    raw: c,
    modelId: c.model_id,
    type: c.tts_model_type,
    size: c.tts_model_size,
    ids: {
      imStart: c.im_start_token_id,
      imEnd: c.im_end_token_id,
      ttsPad: c.tts_pad_token_id,
      ttsBos: c.tts_bos_token_id,
      ttsEos: c.tts_eos_token_id,
      codecEos: c.codec_eos_token_id,
      codecThink: c.codec_think_id,
      codecNothink: c.codec_nothink_id,
      codecThinkBos: c.codec_think_bos_id,
      codecThinkEos: c.codec_think_eos_id,
      codecPad: c.codec_pad_id,
      codecBos: c.codec_bos_id,
    },
    talker: {
      hidden: c.talker_hidden_size,
      layers: c.talker_num_layers,
      heads: c.talker_num_attention_heads,
      kvHeads: c.talker_num_kv_heads,
      headDim: c.talker_head_dim,
      vocab: c.talker_vocab_size,
      textHidden: c.talker_text_hidden_size,
      codeGroups: c.talker_num_code_groups,
    },
    cp: {
      hidden: c.cp_hidden_size,
      layers: c.cp_num_layers,
      heads: c.cp_num_attention_heads,
      kvHeads: c.cp_num_kv_heads,
      headDim: c.cp_head_dim,
      vocab: c.cp_vocab_size,
      codeGroups: c.cp_num_code_groups,
    },
    languageIds,
    speakerIds,
    speakerDialect,
    sampleRate: c.sample_rate,
    generation: {
      doSample: g.do_sample,
      temperature: g.temperature,
      topK: g.top_k,
      topP: g.top_p,
      repetitionPenalty: g.repetition_penalty,
      subDoSample: g.subtalker_dosample,
      subTemperature: g.subtalker_temperature,
      subTopK: g.subtalker_top_k,
      subTopP: g.subtalker_top_p,
      maxNewTokens: g.max_new_tokens,
    },
  };
}

export function readQwen3Config(file: string): Qwen3Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelFileError(
      file,
      code === 'ENOENT' ? 'file is missing' : `cannot read (${code ?? errorMessage(err)})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelFileError(file, `is not valid JSON: ${errorMessage(err)}`);
  }
  return parseQwen3Config(json, file);
}
