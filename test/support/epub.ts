// Writes small EPUB files for the document tests: a zip (fflate) with the mimetype entry first and stored, a
// container.xml naming the package file, an OPF whose manifest and spine the test chooses (the spine's order
// differs from the file names' on purpose), and XHTML chapters.
import { strToU8, zipSync, type Zippable } from 'fflate';

export interface EpubChapter {
  id: string;
  /** Path inside the package directory (OEBPS/). */
  href: string;
  body: string;
  linear?: boolean;
  nav?: boolean;
}

export interface EpubOptions {
  /** The spine's order, by chapter id (default: the chapters' order). */
  spine?: string[];
  /** Entries to leave out of the archive, or to add (path → text). */
  omit?: string[];
  extra?: Record<string, string>;
}

const xhtml = (title: string, body: string) =>
  `<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">` +
  `<head><title>${title}</title><link rel="stylesheet" href="style.css"/></head><body>${body}</body></html>`;

export function makeEpub(chapters: EpubChapter[], options: EpubOptions = {}): Buffer {
  const spine = options.spine ?? chapters.map((c) => c.id);
  const opf =
    `<?xml version="1.0" encoding="utf-8"?>\n<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">` +
    `<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">test</dc:identifier><dc:title>Test</dc:title></metadata>` +
    `<manifest>${chapters
      .map(
        (c) =>
          `<item id="${c.id}" href="${encodeURI(c.href)}" media-type="application/xhtml+xml"${c.nav ? ' properties="nav"' : ''}/>`,
      )
      .join('')}<item id="css" href="style.css" media-type="text/css"/></manifest>` +
    `<spine>${spine
      .map(
        (id) => `<itemref idref="${id}"${chapters.find((c) => c.id === id)?.linear === false ? ' linear="no"' : ''}/>`,
      )
      .join('')}</spine></package>`;
  const files: Record<string, string> = {
    'META-INF/container.xml':
      `<?xml version="1.0"?>\n<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">` +
      `<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>`,
    'OEBPS/content.opf': opf,
    'OEBPS/style.css': 'p { margin: 0 }',
    ...Object.fromEntries(chapters.map((c) => [`OEBPS/${c.href}`, xhtml(c.id, c.body)])),
    ...options.extra,
  };
  const zip: Zippable = { mimetype: [strToU8('application/epub+zip'), { level: 0 }] };
  for (const [name, text] of Object.entries(files)) if (!options.omit?.includes(name)) zip[name] = strToU8(text);
  return Buffer.from(zipSync(zip));
}
