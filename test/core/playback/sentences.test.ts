// Sentences with their place in the text as sent: offsets are UTF-16 code units (JavaScript string indices).
import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../../src/core/playback/sentences.js';

const pieces = (text: string) => splitSentences(text).map((s) => text.slice(s.start, s.end));

describe('splitSentences', () => {
  it('cuts after . ! ? … and 。！？, trims, and keeps paragraphs apart', () => {
    const text = '  Hello there.  How are you?\n\nFine!   Really… yes\n好的。谢谢！';
    // (a line break is not a sentence end: "yes" runs on into the next line, as the engine reads it)
    expect(pieces(text)).toEqual(['Hello there.', 'How are you?', 'Fine!', 'Really…', 'yes\n好的。', '谢谢！']);
    for (const s of splitSentences(text)) expect(text.slice(s.start, s.end)).toBe(s.text);
  });

  it('counts emoji as two code units and leaves combining marks where they were (no NFC)', () => {
    const text = 'Hi 👋🏽 there. Cafe\u0301 au lait! 😀😀 Done.';
    const got = splitSentences(text);
    expect(got.map((s) => s.text)).toEqual(['Hi 👋🏽 there.', 'Cafe\u0301 au lait!', '😀😀 Done.']);
    expect(got[1]!.start).toBe(text.indexOf('Cafe'));
    expect(got[2]!.start).toBe(text.indexOf('😀'));
    expect(got[2]!.end).toBe(text.length);
    // the emoji are surrogate pairs: "👋🏽" is 4 code units, and the offsets count them so
    expect(got[1]!.start).toBe(15);
    expect(got[0]).toEqual({ start: 0, end: 14, text: 'Hi 👋🏽 there.' });
    expect(got[1]!.end - got[1]!.start).toBe('Cafe\u0301 au lait!'.length); // 17: the mark is its own code unit
  });

  it('a period inside a number or a name does not end a sentence; a text without an end is one sentence', () => {
    expect(pieces('Version 2.5 is out. See e.g.the notes')).toEqual(['Version 2.5 is out.', 'See e.g.the notes']);
    expect(pieces('no end here')).toEqual(['no end here']);
    expect(pieces('   \n\n  ')).toEqual([]);
  });

  it('CRLF paragraphs are paragraphs, and offsets still point into the text as sent', () => {
    const text = 'One.\r\n\r\nTwo three.';
    expect(splitSentences(text)).toEqual([
      { start: 0, end: 4, text: 'One.' },
      { start: 8, end: 18, text: 'Two three.' },
    ]);
  });
});
