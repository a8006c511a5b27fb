// A document file's bytes into the text to speak, whatever it is: PDF and EPUB by their readers (loaded only
// when needed: pdf.js is 1.6 MB of code), text, Markdown and HTML by document.ts. What `q3tts -f` reads.
import { DocumentError } from './document-error.js';
import { documentToSpeech, sniffKind, type FileKind } from './document.js';

/** What bytes of unknown origin (`-f -`) are: a PDF or an EPUB by their signatures, else text sniffed as usual. */
export function sniffBytes(bytes: Uint8Array): FileKind {
  const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
  if (head.startsWith('%PDF-')) return 'pdf';
  if (head.startsWith('PK\x03\x04') && head.slice(30, 58) === 'mimetypeapplication/epub+zip') return 'epub';
  return sniffKind(Buffer.from(bytes).toString('utf8'));
}

/** The text to speak (paragraphs apart); a document that cannot be read throws a DocumentError saying why. */
export async function documentBytesToSpeech(bytes: Uint8Array, kind: FileKind, name: string): Promise<string> {
  if (kind === 'pdf') return (await import('./pdf.js')).pdfToSpeech(bytes, name);
  if (kind === 'epub') return (await import('./epub.js')).epubToSpeech(bytes, name);
  const text = Buffer.from(bytes).toString('utf8');
  if (text.includes('\u0000'))
    throw new DocumentError(`${name} is not text (binary data): q3tts reads text, Markdown, HTML, PDF and EPUB`);
  return documentToSpeech(text, kind);
}
