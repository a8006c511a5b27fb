// Dimensions of the synthetic sizes and the flat config.json of docs/model-layout.md. Ids and vocab
// sizes are the real ones (qwen3-tts.md §2); only the dimensions shrink.

export type SyntheticVariant = 'voice_design' | 'custom_voice' | 'base';

export interface ModelDims {
  talkerHidden: number;
  textHidden: number;
  talkerLayers: number;
  talkerHeads: number;
  talkerKvHeads: number;
  talkerHeadDim: number;
  talkerIntermediate: number;
  cpHidden: number;
  cpLayers: number;
  cpHeads: number;
  cpKvHeads: number;
  cpHeadDim: number;
  cpIntermediate: number;
  vocoderEmbed: number;
  vocoderChannels: number;
}

export const TINY_DIMS: Readonly<ModelDims> = {
  talkerHidden: 64,
  textHidden: 32,
  talkerLayers: 2,
  talkerHeads: 4,
  talkerKvHeads: 2,
  talkerHeadDim: 16,
  talkerIntermediate: 128,
  cpHidden: 32,
  cpLayers: 2,
  cpHeads: 4,
  cpKvHeads: 2,
  cpHeadDim: 8,
  cpIntermediate: 64,
  vocoderEmbed: 32,
  vocoderChannels: 32,
};

/** The published checkpoints' dimensions (qwen3-tts.md §1.4); weights are random, costs are real. */
const REAL_COMMON = {
  textHidden: 2048,
  talkerLayers: 28,
  talkerHeads: 16,
  talkerKvHeads: 8,
  talkerHeadDim: 128,
  cpHidden: 1024,
  cpLayers: 5,
  cpHeads: 16,
  cpKvHeads: 8,
  cpHeadDim: 128,
  cpIntermediate: 3072,
  // the real-size vocoder is the codec decoder of codec-decoder.ts; these two size only the tiny stand-in
  vocoderEmbed: 0,
  vocoderChannels: 0,
} as const;

export const REAL_DIMS: Readonly<Record<'0.6b' | '1.7b', Readonly<ModelDims>>> = {
  '0.6b': { ...REAL_COMMON, talkerHidden: 1024, talkerIntermediate: 3072 },
  '1.7b': { ...REAL_COMMON, talkerHidden: 2048, talkerIntermediate: 6144 },
};

export const TEXT_VOCAB_SIZE = 151936;
export const TALKER_VOCAB_SIZE = 3072;
export const CP_VOCAB_SIZE = 2048;
export const NUM_CODE_GROUPS = 16;
export const SAMPLE_RATE = 24000;
export const CODEC_EOS_ID = 2150;

export const CODEC_LANGUAGE_ID: Readonly<Record<string, number>> = {
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

/**
 * CustomVoice speakers (qwen3-tts.md §2.2). Public copies disagree on int vs [int]; the synthetic config uses
 * both forms on purpose so the engine's parser handles either.
 */
const CUSTOM_VOICE_SPK_ID: Readonly<Record<string, number | number[]>> = {
  vivian: 3065,
  serena: 3066,
  uncle_fu: 3010,
  ryan: 3061,
  aiden: [2861],
  ono_anna: 2873,
  sohee: 2864,
  eric: [2875],
  dylan: 2878,
};

const CUSTOM_VOICE_DIALECT: Readonly<Record<string, string | false>> = {
  vivian: false,
  serena: false,
  uncle_fu: false,
  ryan: false,
  aiden: false,
  ono_anna: false,
  sohee: false,
  eric: 'sichuan_dialect',
  dylan: 'beijing_dialect',
};

export interface ModelConfig {
  model_id: string;
  tts_model_type: SyntheticVariant;
  tts_model_size: 'synthetic';
  im_start_token_id: number;
  im_end_token_id: number;
  tts_pad_token_id: number;
  tts_bos_token_id: number;
  tts_eos_token_id: number;
  codec_eos_token_id: number;
  codec_think_id: number;
  codec_nothink_id: number;
  codec_think_bos_id: number;
  codec_think_eos_id: number;
  codec_pad_id: number;
  codec_bos_id: number;
  talker_hidden_size: number;
  talker_num_layers: number;
  talker_num_attention_heads: number;
  talker_num_kv_heads: number;
  talker_head_dim: number;
  talker_vocab_size: number;
  talker_text_hidden_size: number;
  talker_num_code_groups: number;
  cp_hidden_size: number;
  cp_num_layers: number;
  cp_num_attention_heads: number;
  cp_num_kv_heads: number;
  cp_head_dim: number;
  cp_vocab_size: number;
  cp_num_code_groups: number;
  spk_id: Record<string, number | number[]>;
  spk_is_dialect: Record<string, string | false>;
  codec_language_id: Record<string, number>;
  sample_rate: number;
  generate_config: {
    do_sample: boolean;
    temperature: number;
    top_k: number;
    top_p: number;
    repetition_penalty: number;
    subtalker_dosample: boolean;
    subtalker_temperature: number;
    subtalker_top_k: number;
    subtalker_top_p: number;
    max_new_tokens: number;
  };
}

export function modelConfig(variant: SyntheticVariant, d: ModelDims, modelId: string): ModelConfig {
  const custom = variant === 'custom_voice';
  return {
    model_id: modelId,
    tts_model_type: variant,
    tts_model_size: 'synthetic',
    im_start_token_id: 151644,
    im_end_token_id: 151645,
    tts_pad_token_id: 151671,
    tts_bos_token_id: 151672,
    tts_eos_token_id: 151673,
    codec_eos_token_id: CODEC_EOS_ID,
    codec_think_id: 2154,
    codec_nothink_id: 2155,
    codec_think_bos_id: 2156,
    codec_think_eos_id: 2157,
    codec_pad_id: 2148,
    codec_bos_id: 2149,
    talker_hidden_size: d.talkerHidden,
    talker_num_layers: d.talkerLayers,
    talker_num_attention_heads: d.talkerHeads,
    talker_num_kv_heads: d.talkerKvHeads,
    talker_head_dim: d.talkerHeadDim,
    talker_vocab_size: TALKER_VOCAB_SIZE,
    talker_text_hidden_size: d.textHidden,
    talker_num_code_groups: NUM_CODE_GROUPS,
    cp_hidden_size: d.cpHidden,
    cp_num_layers: d.cpLayers,
    cp_num_attention_heads: d.cpHeads,
    cp_num_kv_heads: d.cpKvHeads,
    cp_head_dim: d.cpHeadDim,
    cp_vocab_size: CP_VOCAB_SIZE,
    cp_num_code_groups: NUM_CODE_GROUPS,
    spk_id: custom ? structuredClone(CUSTOM_VOICE_SPK_ID) : {},
    spk_is_dialect: custom ? { ...CUSTOM_VOICE_DIALECT } : {},
    codec_language_id: { ...CODEC_LANGUAGE_ID },
    sample_rate: SAMPLE_RATE,
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
  };
}
