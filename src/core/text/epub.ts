// EPUB files read as a person would hear them (decision 0025). An EPUB is a zip (read by fflate) of XHTML
// chapters; META-INF/container.xml names the package document (OPF), whose spine lists the chapters in reading
// order. Each chapter goes through the same HTML walk as any HTML file (document.ts). Items marked
// linear="no" (notes, pop-ups) and the EPUB 3 navigation document (the table of contents) are not read.
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { Parser } from 'htmlparser2';
import { DocumentError } from './document-error.js';
import { htmlToSpeech } from './document.js';

/** A chapter or a package file over this, or all of them together, is refused rather than inflated (zip bombs). */
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;
const MAX_TOTAL_BYTES = 256 * 1024 * 1024;
/** Only these are unpacked: images, fonts and styles are never read. */
const TEXT_ENTRY = /(^mimetype$|\.(xml|opf|xhtml|html?|ncx)$)/i;

/** The text to speak: paragraphs separated by a blank line. */
export function epubToSpeech(data: Uint8Array, name = 'this EPUB'): string {
  const files = unpack(data, name);
  const container = files.get('META-INF/container.xml');
  if (!container) throw new DocumentError(`${name} is not an EPUB: it has no META-INF/container.xml`);
  const opfPath = elements(container, ['rootfile'])
    .map((e) => e.attrs['full-path'])
    .find((p) => p && /\.opf$/i.test(p));
  if (!opfPath) throw new DocumentError(`${name} is not an EPUB: its container.xml names no package (.opf) file`);
  const opf = files.get(opfPath);
  if (opf === undefined) throw new DocumentError(`${name} is damaged: its package file ${opfPath} is missing`);

  const base = opfPath.includes('/') ? opfPath.slice(0, opfPath.lastIndexOf('/') + 1) : '';
  const manifest = new Map<string, { href: string; type: string; nav: boolean }>();
  const spine: Array<{ idref: string; linear: boolean }> = [];
  for (const e of elements(opf, ['item', 'itemref'])) {
    if (e.name === 'item' && e.attrs.id && e.attrs.href)
      manifest.set(e.attrs.id, {
        href: resolve(base, e.attrs.href),
        type: e.attrs['media-type'] ?? '',
        nav: /(^|\s)nav(\s|$)/.test(e.attrs.properties ?? ''),
      });
    if (e.name === 'itemref' && e.attrs.idref) spine.push({ idref: e.attrs.idref, linear: e.attrs.linear !== 'no' });
  }
  if (!spine.length) throw new DocumentError(`${name} is damaged: its package file lists no chapters (empty spine)`);

  const drm = files.get('META-INF/encryption.xml');
  const encrypted = new Set(
    drm ? elements(drm, ['CipherReference']).map((e) => decodeURIComponent(e.attrs.URI ?? '')) : [],
  );
  const chapters: string[] = [];
  for (const { idref, linear } of spine) {
    const item = manifest.get(idref);
    if (!item) throw new DocumentError(`${name} is damaged: its spine names '${idref}', which is not in its manifest`);
    if (!linear || item.nav || !/html|xml/i.test(item.type)) continue;
    if (encrypted.has(item.href))
      throw new DocumentError(`${name} is DRM-protected (its chapters are encrypted): q3tts cannot read it`);
    const xhtml = files.get(item.href);
    if (xhtml === undefined) throw new DocumentError(`${name} is damaged: the chapter ${item.href} is missing`);
    const text = htmlToSpeech(xhtml, { xml: true });
    if (text) chapters.push(text);
  }
  if (!chapters.length) throw new DocumentError(`${name} has no text to read`);
  return chapters.join('\n\n');
}

/** The archive's text entries by path, as UTF-8 strings. */
function unpack(data: Uint8Array, name: string): Map<string, string> {
  if (data[0] !== 0x50 || data[1] !== 0x4b) throw new DocumentError(`${name} is not an EPUB (not a zip archive)`);
  let total = 0;
  let tooBig = '';
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(data, {
      filter: (file: UnzipFileInfo) => {
        if (!TEXT_ENTRY.test(file.name)) return false;
        total += file.originalSize;
        if (file.originalSize > MAX_ENTRY_BYTES || total > MAX_TOTAL_BYTES) tooBig ||= file.name;
        return !tooBig;
      },
    });
  } catch (err) {
    throw new DocumentError(`${name} is damaged (${(err as Error).message || 'a broken zip archive'})`);
  }
  if (tooBig) throw new DocumentError(`${name} is too large to read (${tooBig} unpacks to too many bytes)`);
  const decoder = new TextDecoder('utf-8');
  return new Map(Object.entries(entries).map(([path, bytes]) => [path, decoder.decode(bytes)]));
}

/** "Text/ch1.xhtml#x" relative to "OEBPS/" → "OEBPS/Text/ch1.xhtml" (percent-escapes decoded, ".." resolved). */
function resolve(base: string, href: string): string {
  let path = href.split('#')[0]!;
  try {
    path = decodeURIComponent(path);
  } catch {
    // a stray % stays as written
  }
  const parts: string[] = [];
  for (const part of (base + path).split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.' && part !== '') parts.push(part);
  }
  return parts.join('/');
}

/** The elements of an XML document with the given local names (namespace prefixes ignored), with attributes. */
function elements(xml: string, names: string[]): Array<{ name: string; attrs: Record<string, string> }> {
  const found: Array<{ name: string; attrs: Record<string, string> }> = [];
  const parser = new Parser(
    {
      onopentag(tag, attrs) {
        const name = tag.slice(tag.indexOf(':') + 1);
        if (!names.includes(name)) return;
        const local: Record<string, string> = {};
        for (const [k, v] of Object.entries(attrs)) local[k.slice(k.indexOf(':') + 1)] = v;
        found.push({ name, attrs: local });
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.write(xml);
  parser.end();
  return found;
}
