// Long texts cut into requests the daemon accepts: at paragraph breaks first, then at sentence ends, then at
// spaces, and only as a last resort inside a word, so each part ends where a reader would pause. Pure.

const SENTENCE_END = /(?<=[.!?…。！？]["'”’)\]]*)\s+/u;

/** Parts of at most `maxChars` characters, in order; their joined words are the text's words. */
export function splitText(text: string, maxChars: number): string[] {
  const parts: string[] = [];
  let current = '';
  const flush = () => {
    if (current.trim()) parts.push(current.trim());
    current = '';
  };
  const add = (piece: string, glue: string) => {
    if (!current) current = piece;
    else if (current.length + glue.length + piece.length <= maxChars) current += glue + piece;
    else {
      flush();
      current = piece;
    }
  };
  for (const paragraph of text.split(/\n\s*\n/)) {
    const p = paragraph.trim();
    if (!p) continue;
    if (p.length <= maxChars) {
      add(p, '\n\n');
      continue;
    }
    for (const sentence of p.split(SENTENCE_END)) {
      if (sentence.length <= maxChars) {
        add(sentence, ' ');
        continue;
      }
      for (const word of sentence.split(/\s+/)) {
        for (let i = 0; i < word.length; i += maxChars) add(word.slice(i, i + maxChars), ' ');
      }
    }
    flush(); // a paragraph that needed cutting ends its part: the next one starts fresh at a paragraph
  }
  flush();
  return parts;
}
