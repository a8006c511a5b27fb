// The one cleaner for text of unknown kind (the clipboard, stdin): `speakable()` sniffs HTML, Markdown or plain
// text and reads it through the same parsers as `-f FILE` (marked, htmlparser2). Paragraphs come back apart
// (a blank line between them); the rows compare the words and stops a voice reads, one space apart.
import { describe, expect, it } from 'vitest';
import { speakable, speakUrl } from '../../../src/core/text/document.js';
import { normalizeText } from '../../../src/shared/text/normalize.js';

/** What the daemon says for it: the cleaned text, normalised as every request's text is. */
const heard = (text: string) => normalizeText(speakable(text)).replace(/\s+/g, ' ');

// [name, input, expected]
const rows: Array<[string, string, string]> = [
  ['plain text unchanged', 'Hello there.', 'Hello there.'],
  ['empty', '', ''],
  ['only whitespace', ' \n\t \n', ''],
  ['collapses whitespace', 'a   b\t\tc', 'a b c'],
  ['joins soft-wrapped lines', 'one\ntwo\nthree', 'one two three'],
  ['keeps paragraphs as sentences', 'First.\n\nSecond.', 'First. Second.'],
  ['CRLF newlines', 'a\r\nb\r\n\r\nc', 'a b c'],
  ['atx heading gets a stop', '# Title\nBody text.', 'Title. Body text.'],
  ['atx heading level 6 with closing hashes', '###### Deep ##', 'Deep.'],
  ['heading with punctuation keeps it', '## Why?', 'Why?'],
  ['setext heading =', 'Title\n=====\n\nText', 'Title. Text'],
  ['setext heading -', 'Title\n-----\n\nText', 'Title. Text'],
  ['hash without space is not a heading', '#hashtag rocks', '#hashtag rocks'],
  ['bold', 'This is **bold** text', 'This is bold text'],
  ['bold underscores', 'This is __bold__ text', 'This is bold text'],
  ['italic star', 'an *italic* word', 'an italic word'],
  ['italic underscore', 'an _italic_ word', 'an italic word'],
  ['bold italic', '***both***', 'both'],
  ['snake_case survives', 'call my_function_name now', 'call my_function_name now'],
  ['strikethrough', 'a ~~wrong~~ right', 'a wrong right'],
  ['lone asterisk kept', '2 * 3 = 6', '2 * 3 = 6'],
  ['inline code keeps content', 'run `npm test` now', 'run npm test now'],
  ['inline code protects markup', 'the `**kwargs` parameter', 'the **kwargs parameter'],
  ['fenced code skipped', 'Before.\n```js\nconst a = 1;\n```\nAfter.', 'Before. After.'],
  ['tilde fence skipped', 'A\n~~~\ncode\n~~~\nB', 'A B'],
  ['longer fence needs longer close', '````\n```\nstill code\n````\nDone', 'Done'],
  ['unclosed fence skips to end', 'Text\n```\ncode forever', 'Text'],
  ['indented code skipped', 'Intro:\n\n    let x = 1;\n    let y = 2;\n\nOutro.', 'Intro: Outro.'],
  ['tab-indented code skipped', 'Intro.\n\n\tcode()\n\nEnd.', 'Intro. End.'],
  ['indented continuation of paragraph is not code', 'one\n    two', 'one two'],
  ['link becomes its text', 'see [the docs](https://example.com/docs) now', 'see the docs now'],
  ['link with title', '[home](/ "Home page")', 'home'],
  ['reference link', 'read [this][1] please\n\n[1]: https://example.com', 'read this please'],
  ['link whose text is a url', '[https://github.com/x/y](https://github.com/x/y)', 'link to github.com'],
  ['image becomes alt', '![A cat](cat.png) sleeps', 'A cat sleeps'],
  ['image without alt vanishes', 'x ![](a.png) y', 'x y'],
  ['bare url shortened', 'go to https://www.example.com/path?q=1 today', 'go to link to example.com today'],
  ['url trailing period', 'Visit https://example.org/a.', 'Visit link to example.org.'],
  ['url in parentheses', '(see https://example.org/a)', '(see link to example.org)'],
  [
    'wikipedia url keeps its paren',
    'https://en.wikipedia.org/wiki/Foo_(bar) is good',
    'link to en.wikipedia.org is good',
  ],
  ['www url without scheme', 'www.python.org/downloads is it', 'link to python.org is it'],
  ['autolink', '<https://example.net/x>', 'link to example.net'],
  ['email autolink', 'mail <me@example.com>', 'mail me@example.com'],
  ['url with underscores not emphasised', 'https://a.com/x_y_z and _y_', 'link to a.com and y'],
  ['bullet list', '- apples\n- pears\n- plums', 'apples. pears. plums.'],
  ['star and plus bullets', '* one\n+ two', 'one. two.'],
  ['ordered list', '1. first\n2) second', 'first. second.'],
  ['task list', '- [ ] todo\n- [x] done', 'todo. done.'],
  ['list item punctuation kept', '- Is it?\n- Yes!', 'Is it? Yes!'],
  ['wrapped list item', '- a long\n  item\n- next', 'a long item. next.'],
  ['nested list', '- a\n  - b', 'a. b.'],
  ['blockquote', '> quoted words\n> more', 'quoted words more'],
  ['nested blockquote', '>> deep', 'deep'],
  ['thematic break', 'a\n\n***\n\nb', 'a b'],
  ['table', '| Name | Age |\n|------|----:|\n| Ann | 31 |\n| Bob | 42 |', 'Name, Age. Ann, 31. Bob, 42.'],
  ['table without outer pipes', 'a | b\n--|--\n1 | 2', 'a, b. 1, 2.'],
  ['escaped pipe in table', '| a \\| b | c |\n|---|---|', 'a | b, c.'],
  ['html tags stripped', 'a <b>bold</b> <span class="x">move</span>', 'a bold move'],
  ['html br', 'line<br/>break', 'line break'],
  ['html comment removed', 'a <!-- hidden --> b', 'a b'],
  ['multi-line html comment', 'a <!--\nhidden\n--> b', 'a b'],
  ['less-than in maths kept', 'if a < b and c > d', 'if a < b and c > d'],
  ['entities decoded', 'Tom &amp; Jerry &lt;3 &#8364; &#x41;', 'Tom & Jerry <3 € A'],
  ['unknown entity kept', '&bogus;', '&bogus;'],
  ['escapes', '\\*not emphasis\\*', '*not emphasis*'],
  ['footnote reference and definition dropped', 'fact[^1].\n\n[^1]: source', 'fact.'],
  ['unicode kept', 'Grüße, 世界!', 'Grüße, 世界!'],
  ['space before punctuation tidied', 'word **.**', 'word.'],
  ['nul characters removed', 'a\u0000b', 'ab'],
  [
    'chat answer',
    '## Summary\n\nUse **npm**:\n\n```bash\nnpm i\n```\n\n- Fast\n- See [docs](https://docs.npmjs.com/cli)\n',
    'Summary. Use npm: Fast. See docs.',
  ],
];

describe('speakable: clipboard and stdin text, as heard', () => {
  it.each(rows)('%s', (_name, input, expected) => {
    expect(heard(input)).toBe(expected);
  });

  it('keeps paragraphs apart, so a long text can be cut at them', () => {
    expect(speakable('# Title\n\nOne *two*.\n\nThree.')).toBe('Title.\n\nOne two.\n\nThree.');
    expect(speakable('Plain one.\n\nPlain two.')).toBe('Plain one.\n\nPlain two.');
  });

  // Escapes, entities and code spans yield literal markup characters on purpose, so those rows are left out.
  it('is idempotent on its own output', () => {
    for (const [, input] of rows.filter(([, i]) => !/[\\&`]/.test(i))) {
      const once = speakable(input);
      expect(speakable(once)).toBe(once);
    }
  });
});

describe('speakUrl', () => {
  it.each([
    ['https://www.example.com/a', 'link to example.com'],
    ['http://localhost:8080/x', 'link to localhost'],
    ['example.org', 'link to example.org'],
    ['https://', 'link'],
  ])('%s', (url, expected) => expect(speakUrl(url)).toBe(expected));
});
