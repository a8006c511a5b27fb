// Limits the daemon and every front end share. Plain values: the window's type check reads this file.

/** The most characters one request may speak. */
export const MAX_TEXT_CHARS = 100_000;
