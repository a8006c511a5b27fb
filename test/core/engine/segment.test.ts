import { describe, expect, it } from 'vitest';
import { splitText, textUnits } from '../../../src/core/engine/qwen3/segment.js';

const words = (s: string) => s.split(/\s+/).filter(Boolean);

describe('splitText', () => {
  it.each([
    ['empty', '', 300, []],
    ['blank', '  \n\n \t ', 300, []],
    ['one short sentence', 'Hello there.', 300, ['Hello there.']],
    ['short sentences pack together', 'One. Two! Three? Four.', 300, ['One. Two! Three? Four.']],
    [
      'paragraphs always split',
      'First paragraph.\n\nSecond one.\r\n\r\nThird.',
      300,
      ['First paragraph.', 'Second one.', 'Third.'],
    ],
    [
      'sentences split when over budget',
      'Aaaa bbbb cccc. Dddd eeee ffff. Gggg.',
      20,
      ['Aaaa bbbb cccc.', 'Dddd eeee ffff.', 'Gggg.'],
    ],
    [
      'decimal point is not a sentence end',
      'Pi is 3.14159 roughly. E is 2.718.',
      25,
      ['Pi is 3.14159 roughly.', 'E is 2.718.'],
    ],
    [
      'long sentence cut at commas',
      'alpha beta gamma, delta epsilon zeta, eta theta iota.',
      24,
      ['alpha beta gamma,', 'delta epsilon zeta,', 'eta theta iota.'],
    ],
    [
      'long clause cut at spaces, never mid-word',
      'aaaa bbbb cccc dddd eeee ffff',
      10,
      ['aaaa bbbb', 'cccc dddd', 'eeee ffff'],
    ],
    [
      'a word over the budget stays whole',
      'see https://example.com/a/very/long/path/indeed ok',
      12,
      ['see', 'https://example.com/a/very/long/path/indeed', 'ok'],
    ],
    [
      'CJK sentences end at 。！？ without spaces',
      '今天天气很好。我们去公园吧！好不好？',
      14,
      ['今天天气很好。', '我们去公园吧！', '好不好？'],
    ],
    ['CJK clauses at ，', '今天天气很好，我们去公园吧，好不好。', 14, ['今天天气很好，', '我们去公园吧，', '好不好。']],
    ['unpunctuated CJK run cut by characters', '一二三四五六七八九十', 8, ['一二三四', '五六七八', '九十']],
  ] as [string, string, number, string[]][])('%s', (_name, text, maxUnits, expected) => {
    expect(splitText(text, { maxUnits })).toEqual(expected);
  });

  it('keeps every word, in order, and respects the budget on long prose', () => {
    const sentence = (i: number) =>
      `Sentence number ${i} talks about things, places and ideas that matter to someone somewhere.`;
    const text =
      Array.from({ length: 40 }, (_, i) => sentence(i)).join(' ') +
      '\n\n' +
      Array.from({ length: 10 }, (_, i) => sentence(100 + i)).join(' ');
    const segs = splitText(text);
    expect(segs.flatMap(words)).toEqual(words(text));
    expect(segs.every((s) => textUnits(s) <= 300)).toBe(true);
    expect(segs.length).toBeGreaterThan(10);
    expect(segs.every((s) => /[.]$/.test(s))).toBe(true); // whole sentences here
  });

  it('counts CJK characters double', () => {
    expect(textUnits('ab你好')).toBe(6);
  });
});
