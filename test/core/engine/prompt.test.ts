import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseQwen3Config, type Qwen3Config } from '../../../src/core/engine/qwen3/config.js';
import {
  assistantTemplate,
  codecThinkIds,
  instructSupported,
  instructTemplate,
  planPrefill,
  resolveVoice,
  splitTargetIds,
  supportedLanguages,
} from '../../../src/core/engine/qwen3/prompt.js';
import { Qwen2Tokenizer } from '../../../src/core/engine/qwen3/tokenizer.js';
import { modelConfig, TINY_DIMS } from '../../synthetic/config.js';
import { writeTokenizerFiles } from '../../synthetic/tokenizer-files.js';

const vd = parseQwen3Config(modelConfig('voice_design', { ...TINY_DIMS }, 'vd'), 'vd/config.json');
const cv = parseQwen3Config(modelConfig('custom_voice', { ...TINY_DIMS }, 'cv'), 'cv/config.json');
let tok: Qwen2Tokenizer;
beforeAll(() => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-prompt-'));
  writeTokenizerFiles(dir);
  tok = Qwen2Tokenizer.fromDir(dir);
});

const target = (text: string) => splitTargetIds(tok.encode(assistantTemplate(text)), 151644, 151645);

describe('templates (qwen3-tts.md §5.1)', () => {
  it('tokenizes the assistant template and slices [3, L-5)', () => {
    const ids = tok.encode(assistantTemplate('Hello world, 12345 test.'));
    expect(ids.slice(0, 3)).toEqual([151644, 77091, 198]);
    expect(ids.slice(-5)).toEqual([151645, 198, 151644, 77091, 198]);
    const t = target('Hello world, 12345 test.');
    expect(t.role).toEqual([151644, 77091, 198]);
    expect(t.text).toEqual([9707, 1879, 11, 220, 16, 17, 18, 19, 20, 1273, 13]);
  });

  it('tokenizes the instruct template as qwen3-tts.md §4 lists', () => {
    expect(tok.encode(instructTemplate('Speak in a warm voice.'))).toEqual([
      151644, 872, 198, 95845, 304, 264, 8205, 7743, 13, 151645, 198,
    ]);
  });

  it('rejects ids that do not have the template frame', () => {
    expect(() => splitTargetIds([1, 2, 3, 4, 5, 6, 7, 8], 151644, 151645)).toThrow(/tokenized unexpectedly/);
  });
});

describe('prefill plan (qwen3-tts.md §5.3): length M+N+10 / M+N+9', () => {
  const cases: [string, Qwen3Config, string, string | null, string | null, number][] = [
    // [name, config, language, instruct, speaker, expected extra over M+N]
    ['VoiceDesign with language', vd, 'English', 'Speak in a warm voice.', null, 10],
    ['VoiceDesign auto', vd, 'auto', 'Speak in a warm voice.', null, 9],
    ['VoiceDesign no instruct', vd, 'German', null, null, 10],
    ['CustomVoice speaker + language', cv, 'english', null, 'Vivian', 11],
    ['CustomVoice speaker auto', cv, 'Auto', null, 'ryan', 10],
  ];
  it.each(cases)('%s', (_name, config, language, instruct, speaker, extra) => {
    const t = target('Hi there. 你好');
    const instructIds = instruct ? tok.encode(instructTemplate(instruct)) : null;
    const M = instructIds?.length ?? 0;
    const plan = planPrefill(config, t, instructIds, resolveVoice(config, language, speaker));
    expect(plan.rows.length).toBe(M + t.text.length + extra);
    expect(plan.trailing).toEqual([151671]);
    expect(plan.textTokens).toBe(t.text.length);
  });

  it('lays the rows out exactly (VoiceDesign, English, instruct)', () => {
    const t = target('Hello world, 12345 test.');
    const instructIds = tok.encode(instructTemplate('Speak in a warm voice.'));
    const { rows } = planPrefill(vd, t, instructIds, resolveVoice(vd, 'English', null));
    const expected = [
      ...instructIds.map((id) => ({ textId: id, codecId: null })),
      { textId: 151644, codecId: null },
      { textId: 77091, codecId: null },
      { textId: 198, codecId: null },
      { textId: 151671, codecId: 2154 }, // pad + think
      { textId: 151671, codecId: 2156 }, // pad + think_bos
      { textId: 151671, codecId: 2050 }, // pad + english
      { textId: 151671, codecId: 2157 }, // pad + think_eos
      { textId: 151672, codecId: 2148 }, // bos + codec_pad
      ...t.text.map((id) => ({ textId: id, codecId: 2148 })),
      { textId: 151673, codecId: 2148 }, // eos + codec_pad
      { textId: 151671, codecId: 2149 }, // pad + codec_bos
    ];
    expect(rows).toEqual(expected);
  });

  it('puts the CustomVoice speaker row after the think block, paired with tts_pad', () => {
    const { rows } = planPrefill(cv, target('Hi'), null, resolveVoice(cv, 'auto', 'vivian'));
    expect(rows.slice(3, 8)).toEqual([
      { textId: 151671, codecId: 2155 },
      { textId: 151671, codecId: 2156 },
      { textId: 151671, codecId: 2157 },
      { textId: 151671, codecId: 3065 },
      { textId: 151672, codecId: 2148 },
    ]);
  });
});

describe('think block and the dialect rule (qwen3-tts.md §5.3)', () => {
  it.each([
    ['auto, no speaker', vd, 'auto', null, [2155, 2156, 2157]],
    ['english', vd, 'English', null, [2154, 2156, 2050, 2157]],
    ['dialect speaker, auto → sichuan', cv, 'auto', 'eric', [2154, 2156, 2062, 2157]],
    ['dialect speaker, chinese → beijing', cv, 'Chinese', 'dylan', [2154, 2156, 2074, 2157]],
    ['dialect speaker, english stays english', cv, 'English', 'eric', [2154, 2156, 2050, 2157]],
    ['plain speaker, auto', cv, 'auto', 'serena', [2155, 2156, 2157]],
  ] as [string, Qwen3Config, string, string | null, number[]][])('%s', (_n, config, language, speaker, ids) => {
    expect(codecThinkIds(config, resolveVoice(config, language, speaker))).toEqual(ids);
  });
});

describe('voice resolution', () => {
  it('lists languages without dialects, capitalized, plus Auto', () => {
    const langs = supportedLanguages(vd);
    expect(langs[0]).toBe('Auto');
    expect(langs).toContain('English');
    expect(langs).toContain('Chinese');
    expect(langs.some((l) => /dialect/i.test(l))).toBe(false);
    expect(langs).toHaveLength(11);
  });

  it('rejects unknown languages, dialects as languages, missing or unknown speakers', () => {
    expect(() => resolveVoice(vd, 'Klingon', null)).toThrow(/unknown language 'Klingon'/);
    expect(() => resolveVoice(vd, 'sichuan_dialect', null)).toThrow(/unknown language/);
    expect(() => resolveVoice(cv, 'auto', null)).toThrow(/needs a speaker/);
    expect(() => resolveVoice(cv, 'auto', 'bob')).toThrow(/unknown speaker 'bob'/);
    expect(() => resolveVoice(vd, 'auto', 'vivian')).toThrow(/no preset speakers/);
  });

  it('honours instruct on VoiceDesign and 1.7B CustomVoice, not on 0.6B CustomVoice', () => {
    expect(instructSupported(vd)).toBe(true);
    expect(instructSupported(cv)).toBe(true);
    expect(instructSupported({ ...cv, size: '0b6' })).toBe(false);
  });
});
