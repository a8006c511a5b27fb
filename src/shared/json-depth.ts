// JSON.parse and JSON.stringify recurse: a frame nesting 10,000 levels parsed fine but overflowed the stack
// when its `id` was echoed back, and the request was never answered. Frames are checked before parsing.

/** Deepest nesting a frame may have (requests need 3: decode's frames array of arrays). */
export const MAX_JSON_DEPTH = 32;

/** The deepest nesting of objects and arrays in JSON text (strings skipped); stops counting past `limit`. */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}
