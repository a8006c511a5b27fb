// PDF (pdf.js through unpdf) and EPUB (fflate + the HTML walk) read as a person would hear them. The fixtures
// are made here, byte by byte: test/support/pdf.ts writes PDFs with text at chosen positions and sizes (running
// headers, page numbers, a hyphenated word, a heading), test/support/epub.ts zips EPUBs with a chosen spine.
import { describe, expect, it } from 'vitest';
import { DocumentError } from '../../../src/core/text/document-error.js';
import { epubToSpeech } from '../../../src/core/text/epub.js';
import { pdfToSpeech } from '../../../src/core/text/pdf.js';
import { documentBytesToSpeech, sniffBytes } from '../../../src/core/text/read-document.js';
import { makeEpub } from '../../support/epub.js';
import { bodyLines, makePdf, type PdfPage } from '../../support/pdf.js';

/** A three-page report: a running header and a page number on every page, body text in 11 pt, 14 pt apart. */
function report(): PdfPage[] {
  const furniture = (n: number) => [
    { x: 72, y: 760, text: 'Annual Report 2026', size: 9 },
    { x: 300, y: 40, text: `Page ${n}`, size: 9 },
  ];
  return [
    {
      texts: [
        ...furniture(1),
        { x: 72, y: 700, text: 'Chapter One', size: 18, bold: true },
        ...bodyLines(['The results this year were remark-', 'able in every way we measured.'], 670),
        ...bodyLines(['A second paragraph starts after a', 'wider gap and runs on to the next'], 628),
      ],
    },
    {
      texts: [
        ...furniture(2),
        ...bodyLines(['page without a break.', '', 'Well-known terms keep their hyphen-', 'Ated capitals too.'], 700),
      ],
    },
    {
      texts: [...furniture(3), { x: 72, y: 700, text: 'Summary', size: 18, bold: true }, ...bodyLines(['Done.'], 670)],
    },
  ];
}

describe('PDF', () => {
  it('reads headings and paragraphs in order, without running headers or page numbers, hyphens joined', async () => {
    const said = await pdfToSpeech(makePdf(report()));
    expect(said.split('\n\n')).toEqual([
      'Chapter One.',
      'The results this year were remarkable in every way we measured.',
      'A second paragraph starts after a wider gap and runs on to the next page without a break.',
      'Well-known terms keep their hyphen- Ated capitals too.',
      'Summary.',
      'Done.',
    ]);
  });

  it('a one-page PDF keeps its header (nothing recurs) but drops its page number', async () => {
    const said = await pdfToSpeech(
      makePdf([
        {
          texts: [
            { x: 72, y: 760, text: 'Memo to staff', size: 11 },
            ...bodyLines(['Meet at noon.'], 700),
            { x: 300, y: 40, text: '1', size: 9 },
          ],
        },
      ]),
    );
    expect(said).toBe('Memo to staff\n\nMeet at noon.');
  });

  it('a table of contents: dot leaders are a pause, numbered entries and headings stand alone; addresses are short', async () => {
    const said = await pdfToSpeech(
      makePdf([
        {
          texts: bodyLines([
            'Contents',
            '1 Introduction . . . . . . . . . . 1',
            '2.1 Naming things . . . . . . . . 3',
            'See https://www.example.org/docs for more.',
          ]),
        },
        { texts: bodyLines(['1 Introduction', 'It starts here.']) },
      ]),
    );
    expect(said.split('\n\n')).toEqual([
      'Contents',
      '1 Introduction, 1.',
      '2.1 Naming things, 3.',
      'See link to example.org for more.',
      '1 Introduction.',
      'It starts here.',
    ]);
  });

  it("a chapter's own running header (on 3 of 8 pages) is left out too; a last line that recurs in the body is kept", async () => {
    const pages = Array.from({ length: 8 }, (_, p) => ({
      texts: [
        { x: 72, y: 760, text: p < 3 ? 'Chapter 1: Beginnings' : 'Chapter 2: Endings', size: 9 },
        ...bodyLines([`${['One', 'Two', 'Three', 'Four', 'Five', 'Six', 'Seven', 'Eight'][p]} sheep.`, 'They sleep.']),
      ],
    }));
    const said = await pdfToSpeech(makePdf(pages));
    expect(said).not.toMatch(/Chapter/);
    expect(said.split('\n\n')).toHaveLength(8);
    expect(said.split('\n\n')[7]).toBe('Eight sheep. They sleep.');
  });

  it.each([
    ['an encrypted PDF', makePdf([{ texts: bodyLines(['secret']) }], { encrypted: true }), /password-protected/],
    ['an image-only (scanned) PDF', makePdf([{ image: true }, { image: true }]), /no text to read.*images.*OCR/],
    ['a damaged PDF', makePdf([{ texts: bodyLines(['x']) }]).subarray(0, 120), /not a PDF q3tts can read/],
    ['bytes that are no PDF at all', Buffer.from('%PDF-1.4 and then nothing useful'), /not a PDF q3tts can read/],
  ])('%s is a clear DocumentError', async (_name, bytes, message) => {
    const err = await pdfToSpeech(bytes, 'book.pdf').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocumentError);
    expect((err as Error).message).toMatch(/^book\.pdf /);
    expect((err as Error).message).toMatch(message);
  });
});

const chapters = [
  { id: 'c2', href: 'Text/b chapter.xhtml', body: '<h1>Two</h1><p>The second<a id="n1"/> chapter.</p>' },
  {
    id: 'c1',
    href: 'Text/a.xhtml',
    body: '<h1>One</h1><p>First words, <em>emphasised</em> &amp; plain.</p><pre>code()</pre><ul><li>an item</li></ul>',
  },
  { id: 'toc', href: 'nav.xhtml', body: '<nav epub:type="toc"><ol><li>One</li><li>Two</li></ol></nav>', nav: true },
  { id: 'note', href: 'Text/note.xhtml', body: '<p>A footnote.</p>', linear: false },
];

describe('EPUB', () => {
  it('reads the chapters in spine order (not file order), without the table of contents or non-linear notes', () => {
    const said = epubToSpeech(makeEpub(chapters, { spine: ['toc', 'c1', 'c2', 'note'] }));
    expect(said.split('\n\n')).toEqual([
      'One.',
      'First words, emphasised & plain.',
      'an item.',
      'Two.',
      'The second chapter.',
    ]);
  });

  it.each([
    ['not a zip', Buffer.from('just text, not an epub'), /not an EPUB \(not a zip archive\)/],
    ['a zip without container.xml', makeEpub(chapters, { omit: ['META-INF/container.xml'] }), /no META-INF\/container/],
    [
      'a missing package file',
      makeEpub(chapters, { omit: ['OEBPS/content.opf'] }),
      /package file .*content\.opf is missing/,
    ],
    [
      'a missing chapter',
      makeEpub(chapters, { omit: ['OEBPS/Text/a.xhtml'] }),
      /chapter OEBPS\/Text\/a\.xhtml is missing/,
    ],
    ['a spine naming nothing in the manifest', makeEpub(chapters, { spine: ['c1', 'ghost'] }), /'ghost'/],
    ['a truncated archive', makeEpub(chapters).subarray(0, 300), /damaged|not an EPUB/],
    [
      'DRM-encrypted chapters',
      makeEpub(chapters, {
        extra: {
          'META-INF/encryption.xml':
            '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData><enc:CipherData><enc:CipherReference URI="OEBPS/Text/a.xhtml"/></enc:CipherData></enc:EncryptedData></encryption>',
        },
      }),
      /DRM-protected/,
    ],
  ])('%s is a clear DocumentError', (_name, bytes, message) => {
    expect(() => epubToSpeech(bytes, 'book.epub')).toThrow(DocumentError);
    expect(() => epubToSpeech(bytes, 'book.epub')).toThrow(message);
  });
});

describe('-f - : what bytes on stdin are', () => {
  it('PDF and EPUB by their signatures, text by its content', async () => {
    expect(sniffBytes(makePdf([{ texts: bodyLines(['x']) }]))).toBe('pdf');
    expect(sniffBytes(makeEpub(chapters))).toBe('epub');
    expect(sniffBytes(Buffer.from('# Title'))).toBe('markdown');
    expect(sniffBytes(Buffer.from('PK but plain'))).toBe('text');
    expect(await documentBytesToSpeech(makeEpub(chapters.slice(0, 1)), 'epub', 'stdin')).toBe(
      'Two.\n\nThe second chapter.',
    );
    await expect(documentBytesToSpeech(Buffer.from([0x41, 0, 0x42]), 'text', 'x.bin')).rejects.toThrow(
      /x\.bin is not text/,
    );
  });
});
