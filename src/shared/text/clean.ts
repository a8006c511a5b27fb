// Turns text copied from anywhere (Markdown, chat answers, web pages) into what a voice should say:
// no markup, no code, URLs shortened to "link to <host>", one line of single-spaced text.
// Pure, no dependencies: the app's hotkey and the daemon's "clean" requests both use it.

/** Blocks (headings, list items, table rows) that end without punctuation get a full stop, so the voice pauses. */
const TERMINAL = /[.!?:;…。！？]["'”’)\]]*$/u;

export function cleanForSpeech(input: string): string {
  const lines = input
    .replace(/\r\n?/g, '\n')
    .replace(/<!--[\s\S]*?(?:-->|$)/g, '')
    .split('\n');
  const blocks: string[] = [];
  let paragraph: string[] = [];
  const endParagraph = () => {
    if (paragraph.length) blocks.push(paragraph.join(' '));
    paragraph = [];
  };
  const pushBlock = (text: string) => {
    endParagraph();
    const t = text.trim();
    if (t) blocks.push(TERMINAL.test(t) ? t : `${t}.`);
  };

  let fence: { char: string; length: number } | null = null;
  let previousBlank = true;
  let inList = false;
  let inTable = false;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;

    if (fence) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.length) fence = null;
      continue;
    }
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (open) {
      endParagraph();
      fence = { char: open[1]![0]!, length: open[1]!.length };
      previousBlank = true;
      continue;
    }

    if (/^\s*$/.test(line)) {
      endParagraph();
      previousBlank = true;
      inTable = false;
      continue;
    }

    // Indented code: 4 spaces or a tab after a blank line, unless it continues a list item.
    if (/^(?: {4}|\t)/.test(line) && (previousBlank || !paragraph.length) && !inList) {
      endParagraph();
      while (i + 1 < lines.length && /^(?: {4}|\t|\s*$)/.test(lines[i + 1]!)) i++;
      previousBlank = true;
      continue;
    }

    const wasBlank = previousBlank;
    previousBlank = false;
    let text = line.trim();

    // Block quotes: drop the markers, keep the words.
    while (text.startsWith('>')) text = text.slice(1).trimStart();
    if (!text) {
      endParagraph();
      continue;
    }

    // Reference definitions ([id]: url) and footnote definitions are not read.
    if (/^\[[^\]]+\]:\s*\S+/.test(text)) continue;
    // Thematic breaks.
    if (/^(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$/.test(text)) {
      // "Text\n---" is a setext heading: the paragraph before it is the heading.
      if (/^-+$/.test(text) && paragraph.length && !wasBlank) {
        const heading = paragraph.join(' ');
        paragraph = [];
        pushBlock(inline(heading));
      } else endParagraph();
      continue;
    }
    if (/^=+$/.test(text) && paragraph.length) {
      const heading = paragraph.join(' ');
      paragraph = [];
      pushBlock(inline(heading));
      continue;
    }

    const heading = /^#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$/.exec(text);
    if (heading) {
      pushBlock(inline(heading[1] ?? ''));
      inList = false;
      continue;
    }

    // Tables: the delimiter row goes; each row's cells are read as a list.
    if (/^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)+\|?$/.test(text) || /^\|\s*:?-{2,}:?\s*\|?$/.test(text)) {
      inTable = true;
      continue;
    }
    const nextIsDelimiter =
      /^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$/.test(lines[i + 1] ?? '') && text.includes('|');
    if (inTable || nextIsDelimiter || (text.startsWith('|') && text.endsWith('|') && text.length > 1)) {
      const cells = text
        .replace(/^\|/, '')
        .replace(/(?<!\\)\|$/, '')
        .split(/(?<!\\)\|/)
        .map((c) => inline(c.replace(/\\\|/g, '|')).trim())
        .filter(Boolean);
      pushBlock(cells.join(', '));
      inTable = true;
      continue;
    }

    const item = /^(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?(.*)$/.exec(text);
    if (item) {
      pushBlock(inline(item[1]!));
      inList = true;
      continue;
    }
    if (inList && !wasBlank && /^\s/.test(line)) {
      // A wrapped list item: glue it to the item it continues.
      const last = blocks.pop() ?? '';
      pushBlock(`${last.replace(/\.$/, '')} ${inline(text)}`);
      continue;
    }
    if (wasBlank) inList = false;
    paragraph.push(inline(text));
  }
  endParagraph();
  return blocks
    .join(' ')
    .replace(/\s+/g, ' ')
    .replace(/\s+([.,;:!?])/g, '$1')
    .trim();
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
};

/** Inline Markdown and HTML → plain words. Code spans and URLs are set aside first so nothing inside them is touched. */
function inline(text: string): string {
  const kept: string[] = [];
  const keep = (s: string) => `\u0000${kept.push(s) - 1}\u0000`;

  // NUL marks the set-aside pieces below, so none may come from the input.
  // eslint-disable-next-line no-control-regex
  let s = text.replace(/\u0000/g, '');
  s = s.replace(/(`+)(.+?)\1/g, (_m, _ticks: string, code: string) => keep(code.trim()));
  s = s.replace(/\\([\\`*_{}[\]()#+\-.!|>~])/g, (_m, ch: string) => keep(ch));
  // Images: the alt text, if any. Links: their text (a bare URL as text is shortened like any URL).
  s = s.replace(/!\[([^\]]*)\]\([^)]*\)/g, (_m, alt: string) => alt);
  s = s.replace(/!\[([^\]]*)\]\[[^\]]*\]/g, (_m, alt: string) => alt);
  s = s.replace(
    /\[([^\]]+)\]\((?:<[^>]*>|[^)\s]*)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\)/g,
    (_m, label: string) => label,
  );
  s = s.replace(/\[\^[^\]]+\]/g, ''); // footnote references
  s = s.replace(/\[([^\]]+)\]\[[^\]]*\]/g, (_m, label: string) => label);
  s = s.replace(/<((?:https?|ftp):\/\/[^>\s]+)>/gi, (_m, url: string) => keep(speakUrl(url)));
  s = s.replace(/<([^@>\s]+@[^@>\s]+\.[^>\s]+)>/g, (_m, mail: string) => mail);
  s = s.replace(/\b(?:(?:https?|ftp):\/\/|www\.)[^\s<>"'`]+/gi, (url) => {
    const trailing = /[.,;:!?'")\]}*_]+$/.exec(url)?.[0] ?? '';
    const body = url.slice(0, url.length - trailing.length);
    // A closing parenthesis that belongs to the URL (Wikipedia style) stays in it.
    const opens = (body.match(/\(/g) ?? []).length;
    const keepParen = opens > (body.match(/\)/g) ?? []).length && trailing.startsWith(')');
    return keep(speakUrl(keepParen ? `${body})` : body)) + (keepParen ? trailing.slice(1) : trailing);
  });
  s = s.replace(/<br\s*\/?>/gi, ' ');
  s = s.replace(/<\/?[a-zA-Z][\w:-]*(?:\s+[^<>]*?)?\/?>/g, '');
  // Emphasis and strikethrough: markers go, words stay. "_" only at word edges, so snake_case survives.
  s = s.replace(/(\*{1,3})(?=\S)([\s\S]*?\S)\1/g, '$2');
  s = s.replace(/(^|[^\p{L}\p{N}_])(_{1,3})(?=\S)([\s\S]*?\S)\2(?![\p{L}\p{N}_])/gu, '$1$3');
  s = s.replace(/~~(?=\S)([\s\S]*?\S)~~/g, '$1');
  s = s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[name.toLowerCase()] ?? m;
  });
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u0000(\d+)\u0000/g, (_m, n: string) => kept[Number(n)] ?? '');
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
