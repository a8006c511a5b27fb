import { describe, expect, it } from 'vitest';
import {
  chromiumFeatures,
  fallbackAdvice,
  hotkeyLine,
  hotkeyOutcome,
  hotkeyStrategy,
  isWayland,
} from '../../../src/main/app/hotkey.js';

const s = (platform: NodeJS.Platform, env: Record<string, string> = {}) => ({ platform, env });

describe('hotkey strategy', () => {
  it.each([
    ['Windows', s('win32'), 'native'],
    ['macOS', s('darwin'), 'native'],
    ['X11 session', s('linux', { XDG_SESSION_TYPE: 'x11', DISPLAY: ':0' }), 'native'],
    ['X11 without session type', s('linux', { DISPLAY: ':0' }), 'native'],
    [
      'X11 session with a stray WAYLAND_DISPLAY',
      s('linux', { XDG_SESSION_TYPE: 'x11', DISPLAY: ':0', WAYLAND_DISPLAY: 'wayland-0' }),
      'native',
    ],
    [
      'GNOME Wayland',
      s('linux', { XDG_SESSION_TYPE: 'wayland', WAYLAND_DISPLAY: 'wayland-0', XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' }),
      'portal',
    ],
    ['KDE Wayland', s('linux', { XDG_SESSION_TYPE: 'wayland', XDG_CURRENT_DESKTOP: 'KDE' }), 'portal'],
    ['Hyprland', s('linux', { WAYLAND_DISPLAY: 'wayland-1', XDG_CURRENT_DESKTOP: 'Hyprland' }), 'portal'],
    [
      'sway (no GlobalShortcuts portal)',
      s('linux', { XDG_SESSION_TYPE: 'wayland', XDG_CURRENT_DESKTOP: 'sway' }),
      'cli-only',
    ],
    ['unknown Wayland desktop', s('linux', { XDG_SESSION_TYPE: 'wayland' }), 'cli-only'],
    ['no display at all', s('linux', {}), 'cli-only'],
  ])('%s → %s', (_name, session, expected) => {
    expect(hotkeyStrategy(session)).toBe(expected);
  });

  it('asks Chromium for the portal only where it is used', () => {
    expect(chromiumFeatures('portal')).toEqual(['GlobalShortcutsPortal', 'GlobalShortcutsPortalPreferredTrigger']);
    expect(chromiumFeatures('native')).toEqual([]);
    expect(isWayland(s('darwin', { WAYLAND_DISPLAY: 'x' }))).toBe(false);
  });
});

describe('hotkey outcome', () => {
  const gnome = s('linux', { XDG_SESSION_TYPE: 'wayland', XDG_CURRENT_DESKTOP: 'GNOME' });
  const sway = s('linux', { XDG_SESSION_TYPE: 'wayland', XDG_CURRENT_DESKTOP: 'sway' });
  const x11 = s('linux', { DISPLAY: ':0' });

  it.each([
    ['X11, registered', x11, 'Ctrl+Alt+S', true, 'active', 'Hotkey: Ctrl+Alt+S'],
    [
      'X11, taken by another app',
      x11,
      'Ctrl+Alt+S',
      false,
      'failed',
      'Hotkey unavailable: bind "q3tts --clipboard" instead',
    ],
    [
      'Wayland portal, requested',
      gnome,
      'Ctrl+Alt+S',
      true,
      'unconfirmed',
      'Hotkey: Ctrl+Alt+S (unconfirmed on Wayland)',
    ],
    [
      'Wayland portal, refused',
      gnome,
      'Ctrl+Alt+S',
      false,
      'failed',
      'Hotkey unavailable: bind "q3tts --clipboard" instead',
    ],
    ['sway, never tried', sway, 'Ctrl+Alt+S', null, 'failed', 'Hotkey unavailable: bind "q3tts --clipboard" instead'],
    ['no shortcut configured', x11, '', null, 'disabled', 'Hotkey: none (bind "q3tts --clipboard" in your desktop)'],
  ] as const)('%s', (_name, session, acc, registered, kind, line) => {
    const outcome = hotkeyOutcome(session, acc, registered);
    expect(outcome.kind).toBe(kind);
    expect(hotkeyLine(outcome)).toBe(line);
    if (outcome.kind === 'failed' || outcome.kind === 'unconfirmed')
      expect(outcome.advice).toMatch(/q3tts --clipboard/);
  });

  it('reports the portal shortcut as failed, never unconfirmed, while no .desktop file names the app', () => {
    const outcome = hotkeyOutcome(gnome, 'Ctrl+Alt+S', null, false);
    expect(outcome).toMatchObject({ kind: 'failed', reason: /\.desktop file/, advice: /q3tts --clipboard/ });
    expect(hotkeyLine(outcome)).toBe('Hotkey unavailable: bind "q3tts --clipboard" instead');
    expect(hotkeyOutcome(x11, 'Ctrl+Alt+S', true, false).kind).toBe('active');
    expect(hotkeyOutcome(gnome, '', null, false).kind).toBe('disabled');
  });

  it.each([
    ['GNOME', /GNOME Settings → Keyboard/],
    ['KDE', /KDE System Settings/],
    ['sway', /bindsym .* exec q3tts --clipboard/],
    ['Hyprland', /bind = SUPER SHIFT, S, exec, q3tts --clipboard/],
    ['XFCE', /desktop's keyboard shortcut settings/],
  ])('tells %s users where to bind the CLI', (desktop, pattern) => {
    expect(fallbackAdvice(s('linux', { XDG_CURRENT_DESKTOP: desktop }))).toMatch(pattern);
  });
});
