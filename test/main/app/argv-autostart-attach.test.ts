import { describe, expect, it } from 'vitest';
import { parseAppArgs, secondInstanceAction } from '../../../src/main/app/argv.js';
import { classifyProbe, planDaemon } from '../../../src/main/app/attach.js';
import { autostartEntry, autostartFile, autostartTarget, quoteExecArg } from '../../../src/main/app/autostart.js';

describe('single-instance argv', () => {
  it.each([
    [['/opt/q3tts/q3tts-app'], 'show-window', false],
    [['/opt/q3tts/q3tts-app', '--speak-clipboard'], 'speak-clipboard', false],
    [['/usr/lib/electron', '--enable-features=X', '/app', '--speak-clipboard'], 'speak-clipboard', false],
    [['/opt/q3tts/q3tts-app', '--hidden'], 'show-window', true],
    [['q3tts-app', '--speak-clipboard=1', '--hidden'], 'speak-clipboard', true],
    [['q3tts-app', 'speak-clipboard'], 'show-window', false],
  ] as const)('%j → %s', (argv, action, hidden) => {
    expect(secondInstanceAction(argv)).toBe(action);
    expect(parseAppArgs(argv).hidden).toBe(hidden);
  });
});

describe('XDG autostart entry', () => {
  it.each([
    ['/opt/q3tts/q3tts-app', '/opt/q3tts/q3tts-app'],
    ['/home/ann/My Apps/q3tts.AppImage', '"/home/ann/My Apps/q3tts.AppImage"'],
    ["/home/ann/it's/q3tts", '"/home/ann/it\'s/q3tts"'],
    ['/tmp/a"b', '"/tmp/a\\\\"b"'],
    ['/tmp/$HOME/x', '"/tmp/\\\\$HOME/x"'],
    ['/tmp/100%/x', '/tmp/100%%/x'],
    ['/tmp/back\\slash', '"/tmp/back\\\\\\\\slash"'],
    ['', '""'],
  ])('quotes %j as %j', (arg, expected) => {
    expect(quoteExecArg(arg)).toBe(expected);
  });

  it('writes the whole entry, with the AppImage path when there is one', () => {
    const target = autostartTarget(
      '/tmp/.mount_x/q3tts-app',
      { APPIMAGE: '/home/ann/Apps and Tools/q3tts.AppImage' },
      null,
    );
    expect(autostartEntry(target)).toBe(
      [
        '[Desktop Entry]',
        'Type=Application',
        'Version=1.0',
        'Name=q3tts',
        'Comment=Local text-to-speech in the tray',
        'Exec="/home/ann/Apps and Tools/q3tts.AppImage" --hidden',
        'Terminal=false',
        'NoDisplay=false',
        'X-GNOME-Autostart-enabled=true',
        '',
      ].join('\n'),
    );
  });

  it('starts an unpackaged app through the Electron binary with the app path', () => {
    const target = autostartTarget('/repo/node_modules/electron/dist/electron', {}, '/repo/out/main/index.mjs');
    expect(autostartEntry(target)).toContain(
      'Exec=/repo/node_modules/electron/dist/electron /repo/out/main/index.mjs --hidden',
    );
  });

  it('lives in $XDG_CONFIG_HOME/autostart, else ~/.config/autostart', () => {
    expect(autostartFile({ XDG_CONFIG_HOME: '/x/cfg' }, '/home/ann')).toBe('/x/cfg/autostart/q3tts.desktop');
    expect(autostartFile({ XDG_CONFIG_HOME: 'relative' }, '/home/ann')).toBe(
      '/home/ann/.config/autostart/q3tts.desktop',
    );
    expect(autostartFile({}, '/home/ann')).toBe('/home/ann/.config/autostart/q3tts.desktop');
  });
});

describe('attach or host', () => {
  it.each([
    [{ error: 'ENOENT' }, 'absent', 'host'],
    [{ error: 'ECONNREFUSED' }, 'stale', 'host'],
    [{ error: 'TIMEOUT' }, 'absent', 'host'],
    [{ answer: { status: 'ok', v: 1 } }, 'live', 'attach'],
    [{ answer: { status: 'error', code: 'E_INVALID' } }, 'foreign', 'refuse'],
    [{ answer: null }, 'foreign', 'refuse'],
  ] as const)('%j → %s → %s', (result, probe, mode) => {
    expect(classifyProbe(result)).toBe(probe);
    const plan = planDaemon(probe, '/run/user/1000/q3tts/daemon.sock');
    expect(plan.mode).toBe(mode);
    if (mode === 'attach') expect(plan.note).toMatch(/already running .* not loaded twice/);
  });
});
