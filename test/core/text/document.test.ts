// Documents as a person would hear them: what Markdown and HTML become once parsed (marked, htmlparser2).
import { describe, expect, it } from 'vitest';
import { documentToSpeech, htmlToSpeech, kindForFile, sniffKind } from '../../../src/core/text/document.js';

const README = `# Getting started

Install it with **npm**:

\`\`\`sh
npm install q3tts --save
\`\`\`

- fast
- private
- see [the docs](https://example.com/docs) or https://www.github.com/q3tts

| tool | speed |
|---|---|
| q3tts | quick |

Done &amp; dusted: \`q3tts serve\` keeps it loaded.`;

describe('Markdown', () => {
  it('reads headings, lists, links and tables; code blocks are not read; paragraphs stay apart', () => {
    const said = documentToSpeech(README, 'markdown');
    expect(said.split('\n\n')).toEqual([
      'Getting started.',
      'Install it with npm:',
      'fast.',
      'private.',
      'see the docs or link to github.com.',
      'tool, speed.',
      'q3tts, quick.',
      'Done & dusted: q3tts serve keeps it loaded.',
    ]);
    expect(said).not.toMatch(/npm install|\*\*|```|\[|\]\(|https?:|&amp;|\|/);
  });

  it('nested emphasis, block quotes and setext headings', () => {
    expect(
      documentToSpeech('Title\n=====\n\n> quoted *words* here\n\n1. one\n2. two!', 'markdown').split('\n\n'),
    ).toEqual(['Title.', 'quoted words here', 'one.', 'two!']);
  });
});

describe('HTML', () => {
  it('skips the head, scripts and styles; line breaks become spaces; a link that is its address is "link to host"', () => {
    const html =
      '<!doctype html><html><head><title>T</title><style>p{color:red}</style></head><body><h2>Hi</h2><p>One<br>two <a href="http://foo.org/bar">http://foo.org/bar</a></p><script>alert(1)</script><img alt="a cat"><pre>code()</pre></body></html>';
    expect(htmlToSpeech(html).split('\n\n')).toEqual(['Hi.', 'One two link to foo.org', 'a cat']);
  });

  it('entities are decoded once', () => {
    expect(htmlToSpeech('<p>Fish &amp; chips &lt;3 &nbsp;&eacute;t&eacute; &amp;amp;</p>')).toBe(
      'Fish & chips <3 été &amp;',
    );
  });
});

describe('what a file or stdin holds', () => {
  it.each([
    ['notes.md', 'markdown'],
    ['page.HTML', 'html'],
    ['a.txt', 'text'],
    ['README', 'text'],
  ])('%s is %s', (file, kind) => expect(kindForFile(file)).toBe(kind));

  it('PDF and EPUB by their extension (read by pdf.ts and epub.ts: books.test.ts)', () => {
    expect([kindForFile('book.epub'), kindForFile('paper.PDF')]).toEqual(['epub', 'pdf']);
  });

  it.each([
    ['# Title\n\ntext', 'markdown'],
    ['Some *plain* text, 3 * 4 = 12.', 'markdown'], // and read as "Some plain text, 3 * 4 = 12."
    ['3 * 4 = 12, a_b_c and 2 < 3.', 'text'],
    ['A line.\n\n    indented code', 'markdown'],
    ['See [this](http://x.org).', 'markdown'],
    ['- item\n- item', 'markdown'],
    ['<!DOCTYPE html><p>x</p>', 'html'],
    ['Hello there. How are you?', 'text'],
  ])('%j sniffs as %s', (text, kind) => expect(sniffKind(text)).toBe(kind));
});
