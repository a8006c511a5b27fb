// Documents read as a person would hear them: Markdown (parsed by marked into HTML) and HTML (parsed by
// htmlparser2) become plain paragraphs — headings and list items end in a pause, links keep their words, code
// blocks, scripts and styles are not read, a bare URL becomes "link to host". Paragraphs stay apart (a blank
// line), so a long text can be split at them (split.ts). Used by `q3tts -f FILE` and by Markdown on stdin.
import { Parser } from 'htmlparser2';
import { marked } from 'marked';
import { speakUrl } from '../../shared/text/clean.js';

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

/** What a file holds, by its extension: Markdown, HTML, or (anything else) plain text; PDF/EPUB are refused. */
export function kindForFile(file: string): DocumentKind | { error: string } {
  const base = file.slice(file.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  const ext = dot > 0 ? base.slice(dot).toLowerCase() : '';
  if (ext === '.pdf' || ext === '.epub')
    return { error: `cannot read ${ext} files yet (plain text, Markdown and HTML): convert it first, e.g. pdftotext` };
  return KINDS[ext] ?? 'text';
}

/** What text on stdin most likely is: HTML by its opening tag, Markdown by its block or link syntax, else text. */
export function sniffKind(text: string): DocumentKind {
  const head = text.trimStart().slice(0, 1000).toLowerCase();
  if (/^(<!doctype html|<html[\s>]|<body[\s>]|<(p|div|h[1-6]|article|section)[\s>])/.test(head)) return 'html';
  if (
    /^ {0,3}(#{1,6} |```|~~~|[-*+] |\d{1,3}[.)] |> )/m.test(text) ||
    /\[[^\]\n]+\]\([^)\s]+\)|\*\*[^*\n]+\*\*|`[^`\n]+`/.test(text)
  )
    return 'markdown';
  return 'text';
}

/** The text to speak: paragraphs separated by a blank line. */
export function documentToSpeech(source: string, kind: DocumentKind): string {
  if (kind === 'text') return source.replace(/\r\n?/g, '\n');
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
const LINES = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'dt', 'caption', 'figcaption', 'summary']);
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

export function htmlToSpeech(html: string): string {
  const blocks: string[] = [];
  let current = '';
  let silent = 0;
  const links: Array<{ href: string; start: number }> = [];
  const endBlock = (line: boolean) => {
    let t = current.replace(/\s+/g, ' ').trim();
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
        if (BLOCKS.has(name) || LINES.has(name)) endBlock(false);
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
          // A link whose words are its address is read as "link to host", not spelled out.
          if (link && /^\s*(https?:\/\/|www\.)\S+\s*$/i.test(current.slice(link.start)))
            current = `${current.slice(0, link.start)}${speakUrl(current.slice(link.start).trim())}`;
        }
        if (LINES.has(name)) endBlock(true);
        else if (BLOCKS.has(name)) endBlock(false);
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  endBlock(false);
  return blocks
    .map((b) =>
      b.replace(/(^|\s)(https?:\/\/\S+|www\.\S+)/g, (_m, pre: string, url: string) => `${pre}${speakUrl(url)}`),
    )
    .join('\n\n');
}
