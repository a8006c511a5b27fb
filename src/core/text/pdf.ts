// PDF files read as a person would hear them (decision 0025). pdf.js (through unpdf, which ships it as one
// dependency-free module) gives each page's text runs with their positions; this module turns them into
// paragraphs: running headers, footers and page numbers are left out (a line at the top or bottom of its page
// that recurs on other pages, digits aside, or is only a page number), a word hyphenated at a line's end is
// joined, a line set larger than the body text is a heading, and a gap wider than the line spacing starts a new
// paragraph. Reading order is the order the PDF draws its text in, which is what pdf.js's own reader follows.
import { DocumentError } from './document-error.js';
import { speakUrls } from './document.js';

interface Line {
  text: string;
  /** Baseline, from the bottom of the page. */
  y: number;
  size: number;
}

interface TextRun {
  str: string;
  transform: number[];
  hasEOL: boolean;
}

/** The text to speak: paragraphs separated by a blank line. */
export async function pdfToSpeech(data: Uint8Array, name = 'this PDF'): Promise<string> {
  const { getDocumentProxy } = await import('unpdf');
  let doc: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // A copy: pdf.js may take the buffer over. No eval: fonts are never compiled to code.
    doc = await getDocumentProxy(new Uint8Array(data), { isEvalSupported: false, verbosity: 0, stopAtErrors: false });
  } catch (err) {
    const kind = (err as { name?: string }).name;
    if (kind === 'PasswordException')
      throw new DocumentError(`${name} is password-protected (encrypted): q3tts cannot open it`);
    throw new DocumentError(`${name} is not a PDF q3tts can read (damaged, or not a PDF)`);
  }
  try {
    const pages: Line[][] = [];
    for (let p = 1; p <= doc.numPages; p++) {
      const page = await doc.getPage(p);
      const content = await page.getTextContent();
      pages.push(toLines(content.items.flatMap((i) => ('str' in i ? [i] : []))));
      page.cleanup();
    }
    if (!pages.some((lines) => lines.length))
      throw new DocumentError(
        `${name} has no text to read: its pages are images (a scan?). Run it through OCR first, e.g. ocrmypdf`,
      );
    return paragraphs(withoutPageFurniture(pages));
  } finally {
    void doc.destroy();
  }
}

/** Text runs into lines: a new line where pdf.js marks one or the baseline moves. */
function toLines(runs: TextRun[]): Line[] {
  const lines: Line[] = [];
  let line: Line | null = null;
  let endX = 0;
  let broken = false;
  for (const run of runs) {
    const [a = 0, b = 0, , , x = 0, y = 0] = run.transform;
    const size = Math.hypot(a, b) || 1;
    if (run.str) {
      if (!line || broken || Math.abs(y - line.y) > 0.3 * Math.min(size, line.size)) {
        line = { text: '', y, size };
        lines.push(line);
      } else if (x - endX > 0.2 * size && !/\s$/.test(line.text) && !/^\s/.test(run.str)) line.text += ' ';
      line.text += run.str;
      line.size = Math.max(line.size, size);
      endX = x + run.str.length * 0.5 * size; // a rough end: only gaps well past it become spaces
      broken = false;
    }
    if (run.hasEOL) broken = true;
  }
  // Dot leaders (a table of contents' "Introduction . . . . 7") are read as a pause: "Introduction, 7".
  for (const l of lines)
    l.text = l.text
      .replace(/\s+/g, ' ')
      .replace(/(\s?\.){4,}\s*/g, ', ')
      .trim();
  return lines.filter((l) => l.text);
}

/** "Page 3", "3", "- 3 -", "3 of 12", "iv": a line that is only a page number. */
const PAGE_NUMBER = /^[-–—\s]*(page\s+)?(\d{1,5}|[ivxlcdm]{1,7})(\s*(of|\/)\s*\d{1,5})?[-–—\s]*$/i;

/**
 * Leaves out running headers and footers: of a page's two top-most and two bottom-most lines, those set apart
 * from the body (a gap over twice their size on the way to it) that recur, digits aside, at the edge of three
 * pages (a chapter's own header), or of two and 40 % of them; and an outermost line that is only a page number.
 */
function withoutPageFurniture(pages: Line[][]): Line[][] {
  const edges = pages.map((lines) => {
    const byY = [...lines].sort((p, q) => q.y - p.y);
    const n = byY.length;
    const wide = (j: number) => j >= 0 && j + 1 < n && byY[j]!.y - byY[j + 1]!.y > 2 * byY[j]!.size;
    const half = Math.floor(n / 2); // a short page: the top half's edge is above, the bottom half's below
    const apart = (from: number, to: number) => {
      for (let j = from; j <= to; j++) if (wide(j)) return true;
      return false;
    };
    const edge = new Set<Line>();
    for (const i of [0, 1]) if (i < half && apart(i, Math.min(1, half - 1))) edge.add(byY[i]!);
    for (const k of [n - 1, n - 2]) if (k >= half && k > 0 && apart(Math.max(n - 3, half), k - 1)) edge.add(byY[k]!);
    return edge;
  });
  const shape = (l: Line) => l.text.toLowerCase().replace(/\d+/g, '#');
  const seen = new Map<string, number>();
  for (const edge of edges) for (const s of new Set([...edge].map(shape))) seen.set(s, (seen.get(s) ?? 0) + 1);
  const recurs = (l: Line) => {
    const n = seen.get(shape(l)) ?? 0;
    return n >= 3 || (n >= 2 && n >= 0.4 * pages.length);
  };
  return pages.map((lines, p) => {
    const byY = [...lines].sort((a, b) => b.y - a.y);
    const outermost = new Set([byY[0], byY.at(-1)]);
    return lines.filter((l) => !((edges[p]!.has(l) && recurs(l)) || (outermost.has(l) && PAGE_NUMBER.test(l.text))));
  });
}

const TERMINAL = /[.!?:;…。！？]["'”’)\]]*$/u;
/** "2.1 Naming", "A.1 Licence": a short numbered line without a full stop is a heading, whatever its size. */
const NUMBERED_HEADING = /^(\d{1,3}(\.\d{1,3})*\.?|[A-Z](\.\d{1,3})+)\s+\p{Lu}[^!?]{0,70}$/u;

/** Lines into paragraphs: headings by size, breaks by gaps, hyphenated words joined, pages run on. */
function paragraphs(pages: Line[][]): string {
  const all = pages.flat();
  const body = median(all.flatMap((l) => Array<number>(Math.min(l.text.length, 200)).fill(l.size))) ?? 11;
  const gaps: number[] = [];
  for (const lines of pages)
    for (let i = 1; i < lines.length; i++) {
      const d = lines[i - 1]!.y - lines[i]!.y;
      if (lines[i]!.size === body && lines[i - 1]!.size === body && d > 0 && d < 3 * body) gaps.push(d);
    }
  const spacing = median(gaps) ?? 1.2 * body;

  const blocks: string[] = [];
  let current = '';
  let heading = false;
  const end = () => {
    if (current) blocks.push(heading && !TERMINAL.test(current) ? `${current}.` : current);
    current = '';
  };
  for (const lines of pages) {
    let previous: Line | null = null;
    for (const line of lines) {
      const isHeading = line.size > body * 1.15 || NUMBERED_HEADING.test(line.text);
      const gap = previous ? previous.y - line.y : 0;
      const newBlock =
        !current ||
        isHeading !== heading ||
        // a heading starts anew at a page's top, in another size, or with its own number
        (isHeading && (!previous || previous.size !== line.size || NUMBERED_HEADING.test(line.text))) ||
        (previous
          ? gap > 1.5 * spacing || (gap < 0 && TERMINAL.test(current)) // a wide gap; up the page: a new column
          : TERMINAL.test(current)); // a new page runs on unless a sentence ended
      if (newBlock) {
        end();
        heading = isHeading;
        current = line.text;
      } else current = joinLines(current, line.text);
      previous = line;
    }
  }
  end();
  return blocks.map(speakUrls).join('\n\n');
}

/** "hyphen-" + "ated" → "hyphenated"; a soft hyphen goes too; other lines meet with a space. */
function joinLines(before: string, after: string): string {
  if (/\p{L}\u00ad$/u.test(before)) return before.slice(0, -1) + after;
  if (/\p{L}-$/u.test(before) && /^\p{Ll}/u.test(after)) return before.slice(0, -1) + after;
  return `${before} ${after}`;
}

function median(values: number[]): number | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
