// Command-line flags of the app, for the first launch and for the argv a second launch forwards.

export interface AppArgs {
  /** Read the clipboard aloud (then stay in the tray). */
  speakClipboard: boolean;
  /** Start in the tray without showing the window (autostart). */
  hidden: boolean;
}

/** Chromium may add its own switches to a forwarded argv; only ours matter, anywhere in it. */
export function parseAppArgs(argv: readonly string[]): AppArgs {
  const flags = new Set(argv.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]));
  return { speakClipboard: flags.has('--speak-clipboard'), hidden: flags.has('--hidden') };
}

export type SecondInstanceAction = 'speak-clipboard' | 'show-window';

/** A second launch never starts a second app: it asks the first to speak, or to show its window. */
export function secondInstanceAction(argv: readonly string[]): SecondInstanceAction {
  return parseAppArgs(argv).speakClipboard ? 'speak-clipboard' : 'show-window';
}
