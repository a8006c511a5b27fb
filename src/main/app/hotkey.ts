// How the "read the clipboard" shortcut can work here, and what to tell the user when it cannot.
// Electron's globalShortcut is dependable on Windows, macOS and X11. On Wayland it goes through the
// GlobalShortcuts portal, which only some desktops implement and whose result Electron cannot observe.

export type HotkeyStrategy = 'native' | 'portal' | 'cli-only';

export interface SessionEnv {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
}

/** Desktops whose xdg-desktop-portal backend implements GlobalShortcuts. */
const PORTAL_DESKTOPS = ['gnome', 'kde', 'hyprland'];

export function isWayland({ platform, env }: SessionEnv): boolean {
  if (platform !== 'linux' && platform !== 'freebsd' && platform !== 'openbsd') return false;
  return env.XDG_SESSION_TYPE === 'wayland' || (!!env.WAYLAND_DISPLAY && env.XDG_SESSION_TYPE !== 'x11');
}

export function hotkeyStrategy(session: SessionEnv): HotkeyStrategy {
  const { platform, env } = session;
  if (platform === 'win32' || platform === 'darwin') return 'native';
  if (isWayland(session)) {
    const desktops = (env.XDG_CURRENT_DESKTOP ?? '').toLowerCase().split(':');
    return desktops.some((d) => PORTAL_DESKTOPS.includes(d)) ? 'portal' : 'cli-only';
  }
  return env.DISPLAY ? 'native' : 'cli-only';
}

/** Chromium features to enable before `ready` (one --enable-features switch; Chromium honours only the last). */
export function chromiumFeatures(strategy: HotkeyStrategy): string[] {
  // PreferredTrigger: without it Chromium never listens on GNOME. On by default on Linux since
  // electron/electron#52221; named here too, so the hotkey does not depend on which Electron build runs.
  return strategy === 'portal' ? ['GlobalShortcutsPortal', 'GlobalShortcutsPortalPreferredTrigger'] : [];
}

export const CLI_BINDING = 'q3tts --clipboard';

/** How to bind the CLI in the user's desktop: the path that works on every compositor. */
export function fallbackAdvice(session: SessionEnv): string {
  const d = (session.env.XDG_CURRENT_DESKTOP ?? '').toLowerCase();
  const where = d.includes('gnome')
    ? 'GNOME Settings → Keyboard → View and Customize Shortcuts → Custom Shortcuts'
    : d.includes('kde')
      ? 'KDE System Settings → Keyboard → Shortcuts → Add New → Command or Script'
      : d.includes('sway')
        ? `your sway config: bindsym $mod+Shift+s exec ${CLI_BINDING}`
        : d.includes('hyprland')
          ? `hyprland.conf: bind = SUPER SHIFT, S, exec, ${CLI_BINDING}`
          : "your desktop's keyboard shortcut settings";
  return `Bind the command "${CLI_BINDING}" to a key in ${where}. It reads the clipboard aloud, with or without this app running.`;
}

export type HotkeyStatus =
  | { kind: 'disabled' }
  | { kind: 'active'; accelerator: string }
  | { kind: 'unconfirmed'; accelerator: string; advice: string }
  | { kind: 'failed'; accelerator: string; reason: string; advice: string };

/**
 * Pure: what registering means for the user, given the strategy and what register() returned.
 * `appIdInstalled`: whether the app's .desktop file is installed, which the portal requires of an app id.
 */
export function hotkeyOutcome(
  session: SessionEnv,
  accelerator: string,
  registered: boolean | null,
  appIdInstalled = true,
): HotkeyStatus {
  const advice = fallbackAdvice(session);
  if (!accelerator) return { kind: 'disabled' };
  const strategy = hotkeyStrategy(session);
  if (strategy === 'cli-only') {
    return { kind: 'failed', accelerator, reason: 'this desktop offers apps no global shortcuts', advice };
  }
  if (strategy === 'portal' && !appIdInstalled) {
    // The portal refuses an app id without a .desktop file, and register() would still say true.
    return {
      kind: 'failed',
      accelerator,
      reason: "the desktop's shortcut portal needs the app's .desktop file, which is not installed",
      advice,
    };
  }
  if (!registered) {
    return {
      kind: 'failed',
      accelerator,
      reason:
        strategy === 'portal'
          ? 'the desktop refused the shortcut (portal)'
          : 'another application already uses this shortcut',
      advice,
    };
  }
  // On Wayland true only means "requested": a denied bind cannot be observed.
  return strategy === 'portal' ? { kind: 'unconfirmed', accelerator, advice } : { kind: 'active', accelerator };
}

/** The tray's one line about the hotkey. */
export function hotkeyLine(status: HotkeyStatus): string {
  switch (status.kind) {
    case 'disabled':
      return `Hotkey: none (bind "${CLI_BINDING}" in your desktop)`;
    case 'active':
      return `Hotkey: ${status.accelerator}`;
    case 'unconfirmed':
      return `Hotkey: ${status.accelerator} (unconfirmed on Wayland)`;
    case 'failed':
      return `Hotkey unavailable: bind "${CLI_BINDING}" instead`;
  }
}
