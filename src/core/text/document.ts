// Documents read as a person would hear them: Markdown (parsed by marked into HTML) and HTML (parsed by
// htmlparser2) become plain paragraphs — headings and list items end in a pause, links keep their words, code
// blocks, scripts and styles are not read, a bare URL becomes "link to host". Paragraphs stay apart (a blank
// line), so a long text can be split at them (split.ts). The one cleaner: `q3tts -f FILE`, text on stdin, the
// clipboard (`--clipboard`, the app's hotkey: the daemon's `clean` field) all come through `speakable()`.
import { Parser } from 'htmlparser2';
import { marked } from 'marked';

export type DocumentKind = 'text' | 'markdown' | 'html';

const KINDS: Record<string, DocumentKind> = {
  '.txt': 'text',
  '.text': 'text',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.mdown': 'markdown',
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
};

/** What a file may hold: a text document, or a PDF or EPUB (read by pdf.ts and epub.ts). */
export type FileKind = DocumentKind | 'pdf' | 'epub';

/** What a file holds, by its extension: Markdown, HTML, PDF, EPUB, or (anything else) plain text. */
export function kindForFile(file: string): FileKind {
  const base = file.slice(file.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  const ext = dot > 0 ? base.slice(dot).toLowerCase() : '';
  if (ext === '.pdf' || ext === '.epub') return ext.slice(1) as 'pdf' | 'epub';
  return KINDS[ext] ?? 'text';
}

/**
 * What text of unknown origin (stdin, the clipboard) most likely is: HTML by its opening tag, Markdown by any
 * of its block or inline marks, else plain text (read as it is: an indented line of an e-mail stays spoken).
 */
export function sniffKind(text: string): DocumentKind {
  const head = text.trimStart().slice(0, 1000).toLowerCase();
  if (/^(<!doctype html|<html[\s>]|<body[\s>]|<(p|div|h[1-6]|article|section)[\s>])/.test(head)) return 'html';
  return MARKDOWN_MARKS.some((mark) => mark.test(text)) ? 'markdown' : 'text';
}

const MARKDOWN_MARKS = [
  /^ {0,3}(#{1,6}( |$)|```|~~~|[-*+] |\d{1,9}[.)] |>)/m, // headings, fences, list items, quotes
  /^[^\n]+\n {0,3}(=+|-+) *$/m, // setext headings
  /^ *\|?[^|\n]*\|[^\n]*\n *\|? *:?-+:? *\|/m, // tables
  /(^|\n)[ \t]*\n( {4}|\t)\S/, // indented code after a blank line
  /!?\[[^\]\n]*\]\([^)\n]*\)|\[[^\]\n]+\]\[[^\]\n]*\]|^ {0,3}\[[^\]\n]+\]: *\S/m, // links, references
  /(^|[^\p{L}\p{N}*_])(\*{1,3}|_{1,3})(?=\S)[^\n]*?\S\2(?![\p{L}\p{N}])/mu, // emphasis (not snake_case)
  /~~\S[^\n]*?~~|`[^`\n]+`/, // strikethrough, code spans
  /<(https?:\/\/|[^@>\s]+@)[^>\s]+>|<!--|<\/?(b|i|em|strong|span|a|br|code|sup|sub|kbd|del)\b[^>]*>/i, // inline HTML
  /&(#x?[0-9a-f]+|[a-z]+);/i, // entities
];

/** The one cleaner for text of unknown kind: `documentToSpeech` of what it sniffs as. */
export function speakable(text: string): string {
  return documentToSpeech(text, sniffKind(text));
}

/** The text to speak: paragraphs separated by a blank line. */
export function documentToSpeech(source: string, kind: DocumentKind): string {
  if (kind === 'text') return speakUrls(source.replace(/\r\n?/g, '\n'));
  const html = kind === 'markdown' ? marked.parse(source, { async: false, gfm: true }) : source;
  return htmlToSpeech(html);
}

/** Elements that end a block of speech (a paragraph for the splitter). */
const BLOCKS = new Set([
  'p',
  'div',
  'section',
  'article',
  'header',
  'footer',
  'main',
  'aside',
  'nav',
  'blockquote',
  'figure',
  'figcaption',
  'table',
  'thead',
  'tbody',
  'tr',
  'ul',
  'ol',
  'dl',
  'dt',
  'dd',
  'hr',
  'body',
  'html',
  'details',
  'summary',
]);
/** Blocks read as one short line each: a full stop is added when they end without punctuation, for the pause. */
const LINES = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'dt', 'caption', 'figcaption', 'summary', 'tr']);
/** Never read: code blocks, scripts, styles, the document head, embedded media. */
const SILENT = new Set([
  'pre',
  'script',
  'style',
  'head',
  'template',
  'noscript',
  'svg',
  'math',
  'iframe',
  'object',
  'video',
  'audio',
  'canvas',
]);

const TERMINAL = /[.!?:;…。！？]["'”’)\]]*$/u;

/** `xml`: XHTML (an EPUB's chapters), where `<a id="x"/>` closes itself. */
export function htmlToSpeech(html: string, options: { xml?: boolean } = {}): string {
  const blocks: string[] = [];
  let current = '';
  let silent = 0;
  const links: Array<{ href: string; start: number }> = [];
  let lines = 0; // line elements open: a list nested in an item ends the item's words with a stop too
  const endBlock = (line: boolean) => {
    let t = current
      .replace(/\s+/g, ' ')
      .replace(/\s+([.,;:!?])(?=\s|$)/g, '$1')
      .trim();
    current = '';
    if (!t) return;
    if (line && !TERMINAL.test(t)) t += '.';
    blocks.push(t);
  };
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (SILENT.has(name)) silent++;
        if (silent) return;
        if (BLOCKS.has(name) || LINES.has(name)) endBlock(lines > 0);
        if (LINES.has(name)) lines++;
        if (name === 'br') current += ' ';
        if ((name === 'td' || name === 'th') && current.trim()) current = `${current.trimEnd()}, `; // cells of a row
        if (name === 'img' && attrs.alt) current += ` ${attrs.alt} `;
        if (name === 'a') links.push({ href: attrs.href ?? '', start: current.length });
      },
      ontext(text) {
        if (!silent) current += text;
      },
      onclosetag(name) {
        if (SILENT.has(name)) {
          silent = Math.max(0, silent - 1);
          return;
        }
        if (silent) return;
        if (name === 'a') {
          const link = links.pop();
          // A footnote mark ([^1], which marked reads as a reference link) is not read.
          if (link && /^\s*\^\S+\s*$/.test(current.slice(link.start))) current = current.slice(0, link.start);
          // A link whose words are its address is read as "link to host", not spelled out.
          if (link && /^\s*(https?:\/\/|www\.)\S+\s*$/i.test(current.slice(link.start)))
            current = `${current.slice(0, link.start)}${speakUrl(current.slice(link.start).trim())}`;
        }
        if (LINES.has(name)) {
          lines = Math.max(0, lines - 1);
          endBlock(true);
        } else if (BLOCKS.has(name)) endBlock(false);
      },
    },
    { decodeEntities: true, recognizeSelfClosing: options.xml ?? false },
  );
  parser.write(html);
  parser.end();
  endBlock(false);
  return blocks.map(speakUrls).join('\n\n');
}

/** Bare addresses in running text become "link to host"; the punctuation after one stays with the sentence. */
export function speakUrls(text: string): string {
  return text.replace(
    /(^|[\s(<"'])((?:https?|ftp):\/\/[^\s<>"']+|www\.[^\s<>"']+)/gi,
    (_m, pre: string, url: string) => {
      const trailing = /[.,;:!?'")\]}*_]+$/.exec(url)?.[0] ?? '';
      const body = url.slice(0, url.length - trailing.length);
      // A closing parenthesis that belongs to the address (Wikipedia style) stays in it.
      const own = (body.match(/\(/g) ?? []).length > (body.match(/\)/g) ?? []).length && trailing.startsWith(')');
      return `${pre}${speakUrl(own ? `${body})` : body)}${own ? trailing.slice(1) : trailing}`;
    },
  );
}

/** "https://www.example.com/a/b?c" → "link to example.com". */
export function speakUrl(url: string): string {
  try {
    const host = new URL(/^[a-z]+:\/\//i.test(url) ? url : `http://${url}`).hostname.replace(/^www\./, '');
    return host ? `link to ${host}` : 'link';
  } catch {
    return 'link';
  }
}
