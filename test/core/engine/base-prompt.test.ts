// Base (voice clone) prompt layouts as plain row tables (qwen3-tts.md §5.4): the speaker-vector row, the streaming
// text layout, and in-context mode in both layouts. The embeddings are pinned on real sessions in base-clone.test.ts.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseQwen3Config } from '../../../src/core/engine/qwen3/config.js';
import { prefixKey } from '../../../src/core/engine/qwen3/prefix-cache.js';
import {
  assistantTemplate,
  defaultLayout,
  planPrefill,
  refTextTemplate,
  resolveVoice,
  splitRefIds,
  splitTargetIds,
  type ClonePrompt,
  type PrefillRow,
} from '../../../src/core/engine/qwen3/prompt.js';
import { Qwen2Tokenizer } from '../../../src/core/engine/qwen3/tokenizer.js';
import { modelConfig, TINY_DIMS } from '../../synthetic/config.js';
import { writeTokenizerFiles } from '../../synthetic/tokenizer-files.js';

const base = parseQwen3Config(modelConfig('base', { ...TINY_DIMS }, 'b'), 'b/config.json');
const vd = parseQwen3Config(modelConfig('voice_design', { ...TINY_DIMS }, 'vd'), 'vd/config.json');
let tok: Qwen2Tokenizer;
beforeAll(() => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-base-prompt-'));
  writeTokenizerFiles(dir);
  tok = Qwen2Tokenizer.fromDir(dir);
});

const PAD = 151671;
const BOS = 151672;
const EOS = 151673;
const C_PAD = 2148;
const C_BOS = 2149;
const vector = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i));
const frame = (seed: number) => Array.from({ length: 16 }, (_, k) => (seed * 131 + k * 17) % 2048);
const target = (text: string) => splitTargetIds(tok.encode(assistantTemplate(text)), 151644, 151645);
const english = () => resolveVoice(base, 'English', null);

/** Role and think block with the speaker-vector row: the same for every Base layout. */
const head = (): PrefillRow[] => [
  { textId: 151644, codecId: null },
  { textId: 77091, codecId: null },
  { textId: 198, codecId: null },
  { textId: PAD, codecId: 2154 }, // think
  { textId: PAD, codecId: 2156 }, // think_bos
  { textId: PAD, codecId: 2050 }, // english
  { textId: PAD, codecId: 2157 }, // think_eos
  { textId: PAD, codecId: null, speakerVector: vector }, // the clone's vector where CustomVoice has its speaker
  { textId: BOS, codecId: C_PAD },
];

describe('reference transcript template', () => {
  it('tokenizes "<|im_start|>assistant\\n…<|im_end|>\\n" whole and keeps [3, L-2)', () => {
    const ids = tok.encode(refTextTemplate('Hello world, 12345 test.'));
    expect(ids.slice(0, 3)).toEqual([151644, 77091, 198]);
    expect(ids.slice(-2)).toEqual([151645, 198]);
    expect(splitRefIds(ids, 151644, 151645)).toEqual([9707, 1879, 11, 220, 16, 17, 18, 19, 20, 1273, 13]);
    expect(() => splitRefIds([151644, 1, 2, 3], 151644, 151645)).toThrow(/tokenized unexpectedly/);
  });
});

describe('x-vector mode (speaker vector only)', () => {
  it('defaults to the streaming layout on Base, non-streaming elsewhere (the official wrappers)', () => {
    expect(defaultLayout(base)).toBe('streaming');
    expect(defaultLayout(vd)).toBe('non_streaming');
  });

  it('streaming: first text token over codec_bos, the rest and tts_eos trailing', () => {
    const t = target('Hello world, 12345 test.');
    const clone: ClonePrompt = { speakerVector: vector, reference: null };
    const plan = planPrefill(base, t, null, english(), { clone });
    expect(plan.rows).toEqual([...head(), { textId: 9707, codecId: C_BOS }]);
    expect(plan.trailing).toEqual([...t.text.slice(1), EOS]);
    expect(plan.voiceRows).toBe(9);
    expect(plan.textTokens).toBe(11);
  });

  it('streaming with no text: the first row is <|im_end|> over codec_bos', () => {
    const clone: ClonePrompt = { speakerVector: vector, reference: null };
    const plan = planPrefill(base, { role: [151644, 77091, 198], text: [] }, null, english(), { clone });
    expect(plan.rows.at(-1)).toEqual({ textId: 151645, codecId: C_BOS });
    expect(plan.trailing).toEqual([EOS]);
  });

  it('non-streaming when asked: text+eos over codec_pad, pad over codec_bos (M+N+11 rows with a language)', () => {
    const t = target('Hi there.');
    const clone: ClonePrompt = { speakerVector: vector, reference: null };
    const plan = planPrefill(base, t, null, english(), { clone, layout: 'non_streaming' });
    expect(plan.rows).toEqual([
      ...head(),
      ...t.text.map((id) => ({ textId: id, codecId: C_PAD })),
      { textId: EOS, codecId: C_PAD },
      { textId: PAD, codecId: C_BOS },
    ]);
    expect(plan.rows.length).toBe(t.text.length + 11);
    expect(plan.trailing).toEqual([PAD]);
  });

  it('auto: the nothink block, still with the vector row', () => {
    const clone: ClonePrompt = { speakerVector: vector, reference: null };
    const plan = planPrefill(base, target('Hi'), null, resolveVoice(base, 'auto', null), { clone });
    expect(plan.rows.slice(3, 8)).toEqual([
      { textId: PAD, codecId: 2155 },
      { textId: PAD, codecId: 2156 },
      { textId: PAD, codecId: 2157 },
      { textId: PAD, codecId: null, speakerVector: vector },
      { textId: BOS, codecId: C_PAD },
    ]);
  });
});

describe('in-context mode (reference frames + transcript)', () => {
  const refText = 'Good day.';
  const refIds = () => splitRefIds(tok.encode(refTextTemplate(refText)), 151644, 151645);
  const clone = (frames: number): ClonePrompt => ({
    speakerVector: vector,
    reference: { textIds: refIds(), codes: Array.from({ length: frames }, (_, f) => frame(f)) },
  });
  const codecBlock = (frames: number) => [
    { codecId: C_BOS },
    ...Array.from({ length: frames }, (_, f) => ({ codecId: null, refFrame: frame(f) })),
  ];

  it('streaming, T1 > T2: text block[:T2] against codec_bos and the frames; the rest trailing', () => {
    const t = target('Hello world, 12345 test.');
    const textBlock = [...refIds(), ...t.text, EOS]; // T1 = 3 + 11 + 1
    const plan = planPrefill(base, t, null, english(), { clone: clone(4) }); // T2 = 5
    expect(textBlock.length).toBeGreaterThan(5);
    expect(plan.rows).toEqual([...head(), ...codecBlock(4).map((c, j) => ({ textId: textBlock[j], ...c }))]);
    expect(plan.trailing).toEqual(textBlock.slice(5));
    // exactly T2 rows after the head: the plain layout's first-text-token row is not added
    expect(plan.rows.length).toBe(9 + 5);
    expect(plan.voiceRows).toBe(9 + refIds().length);
  });

  it('streaming, T1 ≤ T2: the text block padded with tts_pad to T2; trailing tts_pad', () => {
    const t = target('Hi.');
    const textBlock = [...refIds(), ...t.text, EOS];
    const T2 = 1 + 12;
    expect(textBlock.length).toBeLessThanOrEqual(T2);
    const plan = planPrefill(base, t, null, english(), { clone: clone(12) });
    expect(plan.rows).toEqual([
      ...head(),
      ...codecBlock(12).map((c, j) => ({ textId: j < textBlock.length ? textBlock[j] : PAD, ...c })),
    ]);
    expect(plan.trailing).toEqual([PAD]);
  });

  it('non-streaming: text block over codec_pad, then the codec block over tts_pad', () => {
    const t = target('Hello world.');
    const textBlock = [...refIds(), ...t.text, EOS];
    const plan = planPrefill(base, t, null, english(), { clone: clone(3), layout: 'non_streaming' });
    expect(plan.rows).toEqual([
      ...head(),
      ...textBlock.map((id) => ({ textId: id, codecId: C_PAD })),
      ...codecBlock(3).map((c) => ({ textId: PAD, ...c })),
    ]);
    expect(plan.trailing).toEqual([PAD]);
    expect(plan.voiceRows).toBe(9 + refIds().length);
  });

  it('a transcript longer than the codec block leaves no text row for the target: all rows are the voice', () => {
    const long: ClonePrompt = {
      speakerVector: vector,
      reference: { textIds: tok.encode(' one two three four five six'), codes: [frame(1)] },
    };
    const plan = planPrefill(base, target('Hi.'), null, english(), { clone: long });
    expect(plan.rows.length).toBe(9 + 2);
    expect(plan.voiceRows).toBe(plan.rows.length);
  });
});

describe('prefix cache key', () => {
  it('tells speaker vectors and reference frames apart, and equal ones alike', () => {
    const rows = (v: Float32Array, f: number[]): PrefillRow[] => [
      { textId: PAD, codecId: null, speakerVector: v },
      { textId: 9707, codecId: null, refFrame: f },
    ];
    const a = prefixKey(rows(vector, frame(1)), 2);
    expect(prefixKey(rows(Float32Array.from(vector), frame(1)), 2)).toBe(a);
    const other = Float32Array.from(vector);
    other[63] = other[63]! + 1e-6;
    expect(prefixKey(rows(other, frame(1)), 2)).not.toBe(a);
    expect(prefixKey(rows(vector, frame(2)), 2)).not.toBe(a);
    // a vector row never keys like a plain row with the same ids
    expect(prefixKey(rows(vector, frame(1)), 1)).not.toBe(prefixKey([{ textId: PAD, codecId: null }], 1));
  });
});
