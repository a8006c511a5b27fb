// Cuts text that arrives in pieces into sentences as soon as each one is complete, so streamed text
// (Wyoming's synthesize-chunk) starts speaking before the whole text is in.

const BOUNDARY = /[.!?…。！？]+["'”’)\]]*\s+|\n\s*\n/g;

export class SentenceSplitter {
  private pending = '';

  /** The sentences this piece of text completes. */
  push(text: string): string[] {
    this.pending += text;
    const out: string[] = [];
    let from = 0;
    for (const m of this.pending.matchAll(BOUNDARY)) {
      const end = m.index + m[0].length;
      const sentence = this.pending.slice(from, end).trim();
      if (sentence) out.push(sentence);
      from = end;
    }
    this.pending = this.pending.slice(from);
    return out;
  }

  /** What is left when the text has ended (the last sentence, maybe without a full stop). */
  finish(): string {
    const rest = this.pending.trim();
    this.pending = '';
    return rest;
  }
}
