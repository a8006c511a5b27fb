// Long texts are cut where a reader pauses: paragraphs, then sentences, then words; nothing lost, none too long.
import { describe, expect, it } from 'vitest';
import { splitText } from '../../src/shared/text/split.js';

const words = (s: string) => s.split(/\s+/).filter(Boolean);

describe('splitText', () => {
  it('keeps a short text whole', () => {
    expect(splitText('One.\n\nTwo.', 100)).toEqual(['One.\n\nTwo.']);
  });

  it('packs whole paragraphs into parts under the limit', () => {
    const paragraphs = Array.from({ length: 10 }, (_, i) => `Paragraph ${i} has some words in it.`);
    const parts = splitText(paragraphs.join('\n\n'), 80);
    expect(parts.every((p) => p.length <= 80)).toBe(true);
    for (const p of parts) for (const para of p.split('\n\n')) expect(paragraphs).toContain(para);
    expect(parts.join('\n\n')).toBe(paragraphs.join('\n\n'));
  });

  it('cuts a long paragraph at sentence ends, and a long sentence at spaces', () => {
    const sentence = 'This sentence is about forty characters.';
    const paragraph = Array.from({ length: 6 }, () => sentence).join(' ');
    const parts = splitText(paragraph, 90);
    expect(parts.every((p) => p.length <= 90 && p.endsWith('.'))).toBe(true);
    expect(words(parts.join(' '))).toEqual(words(paragraph));
    const run = 'word '.repeat(100).trim();
    const cut = splitText(run, 42);
    expect(cut.every((p) => p.length <= 42 && !p.startsWith(' ') && /^(word ?)+$/.test(p))).toBe(true);
    expect(words(cut.join(' '))).toEqual(words(run));
  });

  it('cuts inside a word only when one word is longer than the limit', () => {
    expect(splitText('a ' + 'x'.repeat(25), 10)).toEqual(['a', 'xxxxxxxxxx', 'xxxxxxxxxx', 'xxxxx']);
  });

  it('keeps every word of a 250,000-character document in order, each part within the daemon limit', () => {
    const doc = Array.from(
      { length: 2500 },
      (_, i) => `Paragraph ${i}. ${'Words and more words. '.repeat(4).trim()}`,
    ).join('\n\n');
    const parts = splitText(doc, 100_000);
    expect(parts.length).toBe(3);
    expect(parts.every((p) => p.length <= 100_000)).toBe(true);
    expect(parts.map((p) => p.split('\n\n').length).reduce((a, b) => a + b)).toBe(2500);
  });
});
