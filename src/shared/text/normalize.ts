// Text tidying every request gets before it reaches an engine (pure; table-tested).

/** Model-control tokens that must never reach the tokenizer from user text (they would steer the prompt). */
const CONTROL_TOKENS = /<\|[a-z_]{2,40}\|>|<tts_[a-z_]{2,40}>/gi;
// Control characters other than tab and newline (e.g. NUL, escape sequences pasted from a terminal).
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

export function normalizeText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL_TOKENS, ' ')
    .replace(CONTROL_CHARS, '')
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Invisible characters (zero-width spaces and joiners, BOM, direction marks, variation selectors) and whitespace. */
const INVISIBLE = /[\p{White_Space}\p{Default_Ignorable_Code_Point}]/gu;

/** Whether anything in `text` could be spoken: text of only invisible characters and whitespace is empty. */
export function hasSpeakableText(text: string): boolean {
  return text.replace(INVISIBLE, '').length > 0;
}
