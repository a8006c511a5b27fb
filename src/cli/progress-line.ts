// The one line a terminal shows while q3tts speaks in the foreground: which sentence is being read, of how
// many, and its start, cut to the terminal's width so the line can be rewritten in place (\r) without wrapping.

/** "sentence 2/5: The text of it…", at most `columns - 1` characters (the cursor needs the last one). */
export function sentenceLine(sentence: number, sentences: number, text: string, columns: number): string {
  const head = `sentence ${sentence}/${sentences}: `;
  const room = Math.max(0, columns - 1 - head.length);
  // one line, and the terminal's characters (code points, never half an emoji); wide CJK is counted as one
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  const shown = chars.length <= room ? chars.join('') : `${chars.slice(0, Math.max(0, room - 1)).join('')}…`;
  return `${head}${shown}`;
}
