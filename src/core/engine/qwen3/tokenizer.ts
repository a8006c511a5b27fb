// Qwen2 byte-level BPE (what Qwen3-TTS's Qwen2TokenizerFast does, qwen3-tts.md §4): added tokens matched first,
// NFC, the Qwen2 split regex (every digit alone), GPT-2 byte-to-unicode map, BPE by merge rank.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ModelFileError } from './errors.js';
import { errorMessage } from '../../../shared/errors.js';

/** Added tokens that must always be single ids: chat markers and the audio/TTS block (qwen3-tts.md §4). */
export const REQUIRED_ADDED_TOKENS: Readonly<Record<string, number>> = {
  '<|endoftext|>': 151643,
  '<|im_start|>': 151644,
  '<|im_end|>': 151645,
  '<|audio_start|>': 151669,
  '<|audio_end|>': 151670,
  '<tts_pad>': 151671,
  '<tts_text_bos>': 151672,
  '<tts_text_eod>': 151673,
  '<tts_text_bos_single>': 151674,
  '<|audio_pad|>': 151675,
};

// Qwen2's pre-tokenizer: `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`.
// JS has no inline (?i:), so the contractions are spelled out; \s is Unicode White_Space as in the Rust
// regex engine (JS's own \s also matches U+FEFF and misses U+0085).
const WS = '\\p{White_Space}';
const NWS = '\\P{White_Space}';
const PRETOKENIZE = new RegExp(
  `'[sS\u017f]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]` +
    `|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+` +
    `|\\p{N}` +
    `| ?[^${WS}\\p{L}\\p{N}]+[\\r\\n]*` +
    `|${WS}*[\\r\\n]+` +
    `|${WS}+(?!${NWS})` +
    `|${WS}+`,
  'gu',
);

/** Splits text (without added tokens) into pre-tokens. */
export function preTokenize(text: string): string[] {
  return text.match(PRETOKENIZE) ?? [];
}

/** GPT-2's reversible map from bytes to printable characters. */
export function bytesToUnicodeTable(): string[] {
  const table: string[] = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    table[b] = String.fromCharCode(printable ? b : 256 + extra++);
  }
  return table;
}

/**
 * merges.txt → pairs in rank order. The Qwen3-TTS file has no "#version" header, so line 1 is skipped
 * only when it is one (qwen3-tts.md §4); a loader that always skips it would lose the first merge.
 */
export function parseMerges(text: string, file = 'merges.txt'): [string, string][] {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.startsWith('#version')) lines.shift();
  const out: [string, string][] = [];
  lines.forEach((line, i) => {
    if (line.length === 0) return;
    const parts = line.split(' ');
    if (parts.length !== 2 || !parts[0] || !parts[1])
      throw new ModelFileError(file, `line ${i + 1} is not a merge pair: ${JSON.stringify(line)}`);
    out.push([parts[0], parts[1]]);
  });
  return out;
}

export interface TokenizerData {
  vocab: Record<string, number>;
  merges: [string, string][];
  /** Added-token strings → ids, matched in raw text before anything else. */
  addedTokens?: Record<string, number>;
}

const CACHE_LIMIT = 50_000;

export class Qwen2Tokenizer {
  private readonly vocab: Map<string, number>;
  private readonly idToToken: Map<number, string>;
  private readonly ranks: Map<string, number>;
  private readonly added: Map<string, number>;
  private readonly addedPattern: RegExp | undefined;
  private readonly byteChar = bytesToUnicodeTable();
  private readonly charByte = new Map<string, number>(this.byteChar.map((c, b) => [c, b]));
  private readonly cache = new Map<string, number[]>();
  private readonly encoder = new TextEncoder();

  constructor(data: TokenizerData) {
    this.vocab = new Map(Object.entries(data.vocab));
    this.ranks = new Map(data.merges.map(([a, b], i) => [`${a} ${b}`, i]));
    this.added = new Map(Object.entries({ ...REQUIRED_ADDED_TOKENS, ...data.addedTokens }));
    this.idToToken = new Map([...this.vocab].map(([t, id]) => [id, t]));
    for (const [t, id] of this.added) this.idToToken.set(id, t);
    // Longest first so that a token that prefixes another never wins.
    const alternatives = [...this.added.keys()]
      .sort((a, b) => b.length - a.length)
      .map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.addedPattern = alternatives.length ? new RegExp(alternatives.join('|'), 'g') : undefined;
  }

  /** Loads tokenizer/vocab.json, merges.txt and (when present) tokenizer_config.json's added tokens. */
  static fromDir(dir: string): Qwen2Tokenizer {
    const read = (name: string): string => {
      const file = path.join(dir, name);
      try {
        return readFileSync(file, 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new ModelFileError(
          file,
          code === 'ENOENT' ? 'file is missing' : `cannot read (${code ?? errorMessage(err)})`,
        );
      }
    };
    const vocabFile = path.join(dir, 'vocab.json');
    let vocab: Record<string, number>;
    try {
      vocab = JSON.parse(read('vocab.json')) as Record<string, number>;
    } catch (err) {
      if (err instanceof ModelFileError) throw err;
      throw new ModelFileError(vocabFile, `is not valid JSON: ${errorMessage(err)}`);
    }
    const merges = parseMerges(read('merges.txt'), path.join(dir, 'merges.txt'));
    const addedTokens: Record<string, number> = {};
    const configFile = path.join(dir, 'tokenizer_config.json');
    if (existsSync(configFile)) {
      try {
        const config = JSON.parse(read('tokenizer_config.json')) as {
          added_tokens_decoder?: Record<string, { content?: unknown }>;
        };
        for (const [id, tok] of Object.entries(config.added_tokens_decoder ?? {})) {
          if (typeof tok.content === 'string' && Number.isInteger(Number(id))) addedTokens[tok.content] = Number(id);
        }
      } catch (err) {
        if (err instanceof ModelFileError) throw err;
        throw new ModelFileError(configFile, `is not valid JSON: ${errorMessage(err)}`);
      }
    }
    return new Qwen2Tokenizer({ vocab, merges, addedTokens });
  }

  /** Token ids of `text`; added tokens written literally (e.g. "<|im_start|>") become their single ids. */
  encode(text: string): number[] {
    const ids: number[] = [];
    let last = 0;
    if (this.addedPattern) {
      this.addedPattern.lastIndex = 0;
      for (let m = this.addedPattern.exec(text); m; m = this.addedPattern.exec(text)) {
        this.encodeOrdinary(text.slice(last, m.index), ids);
        ids.push(this.added.get(m[0])!);
        last = m.index + m[0].length;
      }
    }
    this.encodeOrdinary(text.slice(last), ids);
    return ids;
  }

  decode(ids: readonly number[]): string {
    const bytes: number[] = [];
    let out = '';
    const flush = () => {
      out += new TextDecoder().decode(new Uint8Array(bytes));
      bytes.length = 0;
    };
    for (const id of ids) {
      const tok = this.idToToken.get(id);
      if (tok === undefined) continue;
      if (this.added.has(tok)) {
        flush();
        out += tok;
        continue;
      }
      for (const ch of tok) bytes.push(this.charByte.get(ch) ?? 0x3f);
    }
    flush();
    return out;
  }

  private encodeOrdinary(text: string, ids: number[]): void {
    if (text.length === 0) return;
    for (const word of preTokenize(text.normalize('NFC'))) {
      let cached = this.cache.get(word);
      if (!cached) {
        cached = this.bpe(word);
        if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
        this.cache.set(word, cached);
      }
      for (const id of cached) ids.push(id);
    }
  }

  private bpe(word: string): number[] {
    let symbols = Array.from(this.encoder.encode(word), (b) => this.byteChar[b]!);
    while (symbols.length > 1) {
      let best = Infinity;
      let bestAt = -1;
      for (let i = 0; i < symbols.length - 1; i++) {
        const r = this.ranks.get(`${symbols[i]} ${symbols[i + 1]}`);
        if (r !== undefined && r < best) {
          best = r;
          bestAt = i;
        }
      }
      if (bestAt < 0) break;
      const a = symbols[bestAt]!;
      const b = symbols[bestAt + 1]!;
      const merged: string[] = [];
      for (let i = 0; i < symbols.length; i++) {
        if (i < symbols.length - 1 && symbols[i] === a && symbols[i + 1] === b) {
          merged.push(a + b);
          i++;
        } else merged.push(symbols[i]!);
      }
      symbols = merged;
    }
    return symbols.map((s) => {
      const id = this.vocab.get(s);
      if (id === undefined)
        throw new Error(`tokenizer: '${s}' is not in vocab.json (the vocabulary lacks a byte token)`);
      return id;
    });
  }
}
