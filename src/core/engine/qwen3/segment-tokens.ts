// The hard cap behind splitText: every segment the talker sees has at most `maxTokens` text tokens, whatever
// the text. Characters are a poor proxy for tokens (an emoji is one character and up to four byte tokens),
// so each segment is tokenized and one over the cap is split again with half the character budget
// (sentences, then clauses, then words, then characters); what still does not fit is cut between tokens.
import { DEFAULT_MAX_UNITS, splitText } from './segment.js';

/** Text tokens per segment: normal prose is far below (300 characters of English are ~70 tokens). */
export const DEFAULT_MAX_SEGMENT_TOKENS = 256;

/** Below this character budget, splitting again gains nothing: cut between tokens instead. */
const MIN_UNITS = 16;

export interface TokenSegment {
  /** The segment's text (for a cut between tokens, the text of the whole segment it came from). */
  text: string;
  /** Its text tokens, at most maxTokens of them. */
  ids: number[];
}

/**
 * Segments of `text` as token ids of at most `maxTokens` each, in order, covering the whole text.
 * `encode` returns the text tokens of one segment (as the prompt will hold them).
 */
export function tokenSegments(
  text: string,
  encode: (segment: string) => number[],
  options: { maxUnits?: number; maxTokens?: number } = {},
): TokenSegment[] {
  const maxUnits = options.maxUnits ?? DEFAULT_MAX_UNITS;
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_SEGMENT_TOKENS;
  if (!(Number.isInteger(maxTokens) && maxTokens >= 1))
    throw new Error(`maxTokens must be an integer ≥ 1 (got ${maxTokens})`);
  const out: TokenSegment[] = [];
  const visit = (segment: string, units: number): void => {
    const ids = encode(segment);
    if (ids.length <= maxTokens) {
      out.push({ text: segment, ids });
      return;
    }
    const smaller = Math.floor(units / 2);
    if (smaller >= MIN_UNITS) {
      const parts = splitText(segment, { maxUnits: smaller });
      if (parts.length > 1) {
        for (const part of parts) visit(part, smaller);
        return;
      }
    }
    for (let i = 0; i < ids.length; i += maxTokens) out.push({ text: segment, ids: ids.slice(i, i + maxTokens) });
  };
  for (const segment of splitText(text, { maxUnits })) visit(segment, maxUnits);
  return out;
}
