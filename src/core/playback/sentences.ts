// Text → the sentences a listener steps through with next/back, each with its place in the text as the
// client sent it, so a front end can highlight it. Offsets are UTF-16 code units (JavaScript string
// indices) into the text before any tidying: each sentence is tidied for the engine on its own, so NFC
// and whitespace changes never shift an offset. Splitting follows the engine's segmenter (paragraphs, then
// . ! ? … and 。！？); one sentence longer than the engine takes is still one sentence here (the engine cuts it).

export interface Sentence {
  /** First code unit of the sentence in the text (whitespace around it excluded). */
  start: number;
  /** One past its last code unit. */
  end: number;
  text: string;
}

// The engine's sentence end (src/core/engine/qwen3/segment.ts), so both agree on where sentences end.
const SENTENCE_END = /[.!?…]+["'”’)\]]*(?=\s|$)|[。！？]+[”’」』）)\]]*/gu;
const PARAGRAPH = /\r?\n[ \t]*\r?\n/g;

/** The sentences of `text` in order, trimmed, none empty; together they hold every non-space character. */
export function splitSentences(text: string): Sentence[] {
  const out: Sentence[] = [];
  const add = (from: number, to: number) => {
    const raw = text.slice(from, to);
    const lead = raw.length - raw.trimStart().length;
    const trimmed = raw.trim();
    if (trimmed) out.push({ start: from + lead, end: from + lead + trimmed.length, text: trimmed });
  };
  const paragraphs: Array<[number, number]> = [];
  let from = 0;
  PARAGRAPH.lastIndex = 0;
  for (let m = PARAGRAPH.exec(text); m; m = PARAGRAPH.exec(text)) {
    paragraphs.push([from, m.index]);
    from = m.index + m[0].length;
  }
  paragraphs.push([from, text.length]);
  for (const [start, end] of paragraphs) {
    const paragraph = text.slice(start, end);
    let last = 0;
    SENTENCE_END.lastIndex = 0;
    for (let m = SENTENCE_END.exec(paragraph); m; m = SENTENCE_END.exec(paragraph)) {
      const cut = m.index + m[0].length;
      if (cut > last) {
        add(start + last, start + cut);
        last = cut;
      }
    }
    add(start + last, end);
  }
  return out;
}
