// Electron's clipboard (and Linux primary selection) as the sources of app/clipboard.ts.
import { clipboard } from 'electron';
import type { ClipboardSources } from '../app/clipboard.js';
import { readWlPaste } from '../../core/clipboard.js';

export function electronClipboardSources(wayland: boolean): ClipboardSources {
  const selection = process.platform === 'linux' ? clipboard.selection : undefined;
  return {
    readClipboard: () => clipboard.readText(),
    readSelection: selection ? () => selection.readText() : undefined,
    wlPaste: wayland ? (primary) => readWlPaste(primary) : undefined,
  };
}
