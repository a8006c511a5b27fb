// Long text → segments the model speaks well (the official wrappers get ~300 characters per pass):
// paragraphs first, then sentences, packed greedily; an over-long sentence is cut at clause punctuation,
// then at spaces, and only a run of CJK characters (where every character is a word) at an arbitrary
// character. A single over-long Latin word (a URL) is kept whole rather than cut mid-word, up to
// MAX_WORD_UNITS: beyond that it is not a word but a run (20,000 emoji, a wall of combining marks) and is
// cut between characters (keeping combining marks with their letter, unless there are hundreds), so no segment grows with the text.

export interface SegmentOptions {
  /** Budget per segment in "units": one per character, two per CJK character (they carry more speech). */
  maxUnits?: number;
}

export const DEFAULT_MAX_UNITS = 300;
/** A run without spaces longer than this is cut even when it is not CJK (the longest real URLs fit). */
export const MAX_WORD_UNITS = 400;

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

export function textUnits(text: string): number {
  let n = 0;
  for (const ch of text) n += CJK.test(ch) ? 2 : 1;
  return n;
}

// A sentence ends after . ! ? … (+ closing quotes/brackets) followed by whitespace or the end, or after
// full-width 。！？ (no space follows in CJK text).
const SENTENCE_END = /[.!?…]+["'”’)\]]*(?=\s|$)|[。！？]+[”’」』）)\]]*/gu;
const CLAUSE_END = /[,;:]["'”’)\]]*(?=\s)|[，、；：]/gu;

/** Cuts `text` after every match of `pattern`, keeping all characters (pieces are not trimmed). */
function cutAfter(text: string, pattern: RegExp): string[] {
  const out: string[] = [];
  let last = 0;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    const end = m.index + m[0].length;
    if (end > last) {
      out.push(text.slice(last, end));
      last = end;
    }
    if (m[0].length === 0) pattern.lastIndex++;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Packs pieces in order into strings of at most maxUnits (a piece over the limit stands alone). */
function pack(pieces: string[], maxUnits: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const piece of pieces) {
    if (current && textUnits((current + piece).trim()) > maxUnits) {
      out.push(current);
      current = '';
    }
    current += piece;
  }
  if (current.trim()) out.push(current);
  return out;
}

/** Cuts `pieces` (characters or code points, in order) into strings of at most maxUnits. */
function packUnits(pieces: Iterable<string>, maxUnits: number): string[] {
  const out: string[] = [];
  let current = '';
  let units = 0;
  for (const piece of pieces) {
    const n = textUnits(piece);
    if (current && units + n > maxUnits) {
      out.push(current);
      current = '';
      units = 0;
    }
    current += piece;
    units += n;
  }
  if (current) out.push(current);
  return out;
}

// A character with its combining marks. (Not Intl.Segmenter: on Node 20 it copies the whole input for
// every segment, which is quadratic on exactly the runs cut here.)
const CLUSTER = /\P{M}\p{M}*|\p{M}+/gu;

/** Splits a run with no spaces or punctuation: CJK at character boundaries, an over-long run between characters, anything else kept whole. */
function cutRun(run: string, maxUnits: number): string[] {
  const units = textUnits(run);
  if (units <= maxUnits) return [run];
  if (CJK.test(run)) return packUnits(run, maxUnits);
  if (units <= MAX_WORD_UNITS) return [run];
  // a character itself over the budget (thousands of combining marks on one letter) goes by code points
  const pieces = (run.match(CLUSTER) ?? []).flatMap((g) => (textUnits(g) > maxUnits ? [...g] : [g]));
  return packUnits(pieces, maxUnits);
}

function splitLong(sentence: string, maxUnits: number): string[] {
  if (textUnits(sentence.trim()) <= maxUnits) return [sentence];
  const clauses = cutAfter(sentence, CLAUSE_END).flatMap((clause) => {
    if (textUnits(clause.trim()) <= maxUnits) return [clause];
    // words with their trailing spaces; CJK runs inside a word are cut further
    return cutAfter(clause, /\s+/gu).flatMap((word) => cutRun(word, maxUnits));
  });
  return pack(clauses, maxUnits);
}

/** Segments of `text`, trimmed and non-empty, in order; their concatenation covers every word. */
export function splitText(text: string, options: SegmentOptions = {}): string[] {
  const maxUnits = options.maxUnits ?? DEFAULT_MAX_UNITS;
  const out: string[] = [];
  for (const paragraph of text.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)) {
    if (!paragraph.trim()) continue;
    const sentences = cutAfter(paragraph, SENTENCE_END).flatMap((s) => splitLong(s, maxUnits));
    for (const seg of pack(sentences, maxUnits)) {
      const t = seg.trim();
      if (t) out.push(t);
    }
  }
  return out;
}
