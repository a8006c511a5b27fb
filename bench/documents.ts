// What reading a book costs before any speech is made (BENCHMARKS.md, "Documents"): a 100-page PDF and a
// 50-chapter EPUB, written by the test suite's fixture writers, turned into the text to speak. Run:
// npm run bench:documents
import { epubToSpeech } from '../src/core/text/epub.js';
import { pdfToSpeech } from '../src/core/text/pdf.js';
import { makeEpub } from '../test/support/epub.js';
import { bodyLines, makePdf } from '../test/support/pdf.js';

const PAGES = 100;
const CHAPTERS = 50;
const sentence = 'The quick brown fox jumps over the lazy dog while the band plays on. ';
// A typeset page: a running header, 45 lines of body text (one word hyphenated per page), a page number.
const pdf = makePdf(
  Array.from({ length: PAGES }, (_, p) => ({
    texts: [
      { x: 72, y: 760, text: 'A Benchmark Book', size: 9 },
      ...bodyLines(
        Array.from({ length: 45 }, (_, i) => (i === 10 ? 'a line that ends in a hyphen-' : sentence.slice(0, 66))),
        730,
        72,
        11,
      ),
      { x: 300, y: 40, text: String(p + 1), size: 9 },
    ],
  })),
);
const epub = makeEpub(
  Array.from({ length: CHAPTERS }, (_, c) => ({
    id: `c${c}`,
    href: `Text/chapter${c}.xhtml`,
    body: `<h1>Chapter ${c + 1}</h1>${`<p>${sentence.repeat(8)}</p>`.repeat(20)}`,
  })),
);

const rows: string[] = [];
let start = performance.now();
await import('unpdf');
rows.push(`| load pdf.js (unpdf), once per process | ${(performance.now() - start).toFixed(0)} ms |`);
for (const run of ['first', 'second']) {
  start = performance.now();
  const text = await pdfToSpeech(pdf);
  const ms = performance.now() - start;
  rows.push(
    `| PDF, ${PAGES} pages (${(pdf.length / 1024).toFixed(0)} KB, ${text.length} characters out), ${run} run | ${ms.toFixed(0)} ms: ${(ms / PAGES).toFixed(1)} ms per page |`,
  );
}
start = performance.now();
const text = epubToSpeech(epub);
const ms = performance.now() - start;
rows.push(
  `| EPUB, ${CHAPTERS} chapters (${(epub.length / 1024).toFixed(0)} KB, ${text.length} characters out) | ${ms.toFixed(0)} ms: ${(ms / CHAPTERS).toFixed(1)} ms per chapter |`,
);
process.stdout.write(`| document | time |\n|---|---|\n${rows.join('\n')}\n`);
