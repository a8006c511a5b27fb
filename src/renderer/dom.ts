// The one lookup the window's code uses: ids are the contract between index.html and the panels.

/** The element with this id; a missing one is a mismatch with index.html, so it throws at startup. */
export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
}
