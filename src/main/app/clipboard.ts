// Which text the hotkey reads: the primary selection (Linux, if enabled) or the clipboard, with
// wl-paste as the source of truth on Wayland when Chromium's cached value looks stale.

export interface ClipboardSources {
  /** Electron's clipboard (W3C-style async API since Electron 44). */
  readClipboard(): Promise<string>;
  /** Electron's clipboard.selection on Linux; undefined elsewhere. */
  readSelection?: (() => Promise<string>) | undefined;
  /** wl-paste, when on Wayland and installed; null = unavailable or failed. */
  wlPaste?: ((primary: boolean) => Promise<string | null>) | undefined;
}

export interface ClipboardPolicy {
  wayland: boolean;
  /** Settings: read the highlighted text first. */
  primarySelection: boolean;
}

/**
 * Reads with memory: an unfocused Wayland client may get Chromium's in-process copy of the clipboard,
 * which stops changing. When Electron hands back the same text as last time (or nothing), ask wl-paste.
 */
export class ClipboardReader {
  private lastElectron = new Map<'clipboard' | 'selection', string>();

  constructor(
    private readonly sources: ClipboardSources,
    private readonly policy: () => ClipboardPolicy,
  ) {}

  async read(): Promise<string> {
    const { primarySelection } = this.policy();
    if (primarySelection && (this.sources.readSelection || this.policy().wayland)) {
      const selected = await this.readOne('selection');
      if (selected.trim()) return selected;
    }
    return this.readOne('clipboard');
  }

  private async readOne(which: 'clipboard' | 'selection'): Promise<string> {
    const reader = which === 'clipboard' ? this.sources.readClipboard : this.sources.readSelection;
    const fromElectron = reader ? await reader().catch(() => '') : '';
    const previous = this.lastElectron.get(which);
    this.lastElectron.set(which, fromElectron);
    const suspicious = !fromElectron.trim() || fromElectron === previous;
    if (!this.policy().wayland || !suspicious || !this.sources.wlPaste) return fromElectron;
    const fresh = await this.sources.wlPaste(which === 'selection');
    return fresh ?? fromElectron;
  }
}
