// The app's identity, application menu and login items, per platform, at the Electron seam (mocked).
import { describe, expect, it, vi, beforeEach } from 'vitest';
vi.mock('electron', () => import('../../mocks/electron.js'));
const electron = await import('../../mocks/electron.js');
const { identifyApp, applicationMenu, installApplicationMenu } = await import('../../../src/main/electron/startup.js');
const { applyStartAtLogin, openedAtLogin } = await import('../../../src/main/electron/autostart.js');
const { APP_ID, DESKTOP_NAME } = await import('../../../src/main/electron/identity.js');

beforeEach(() => {
  electron.app.calls = [];
});

describe('identity before ready', () => {
  it.each([
    ['linux', [['setDesktopName', DESKTOP_NAME]]],
    ['win32', [['setAppUserModelId', APP_ID]]],
    ['darwin', []],
  ] as const)('%s', (platform, expected) => {
    identifyApp(platform, []);
    expect(electron.app.calls).toEqual(expected);
  });

  it('Windows uses the installer id, io.github.q3tts (notifications are attributed by it)', () => {
    identifyApp('win32', []);
    expect(electron.app.calls).toContainEqual(['setAppUserModelId', 'io.github.q3tts']);
  });

  it('enables all Chromium features in one switch', () => {
    identifyApp('linux', ['GlobalShortcutsPortal', 'GlobalShortcutsPortalPreferredTrigger']);
    expect(electron.app.calls.filter((c) => c[0] === 'appendSwitch')).toEqual([
      ['appendSwitch', 'enable-features', 'GlobalShortcutsPortal,GlobalShortcutsPortalPreferredTrigger'],
    ]);
  });
});

describe('application menu', () => {
  const roles = (platform: NodeJS.Platform) => JSON.stringify(applicationMenu(platform));
  const installed = () => electron.Menu.applicationMenu; // read after the call (no narrowing from the reset)

  it.each(['linux', 'win32'] as const)('%s: none at all (no DevTools behind Alt)', (platform) => {
    electron.Menu.applicationMenu = undefined;
    installApplicationMenu(platform);
    expect(installed()).toBeNull(); // set, and to nothing: Electron's default menu is gone
  });

  it('macOS: app, file, edit and window menus (Cmd+Q, Cmd+W, Cmd+C/V), no view menu with DevTools', () => {
    electron.Menu.applicationMenu = undefined;
    installApplicationMenu('darwin');
    expect(installed()?.template).toEqual([
      { role: 'appMenu' },
      { role: 'fileMenu' },
      { role: 'editMenu' },
      { role: 'windowMenu' },
    ]);
    expect(roles('darwin')).not.toMatch(/viewMenu|toggleDevTools|reload/);
  });
});

describe('start at login', () => {
  it('Windows: a login item that passes --hidden', () => {
    applyStartAtLogin(true, 'win32');
    expect(electron.app.calls).toEqual([['setLoginItemSettings', { openAtLogin: true, args: ['--hidden'] }]]);
  });

  it('macOS: a login item without args (macOS ignores them), and the launch asks macOS whether it was one', () => {
    applyStartAtLogin(true, 'darwin');
    expect(electron.app.calls).toEqual([['setLoginItemSettings', { openAtLogin: true }]]);
    electron.app.loginItem.wasOpenedAtLogin = true;
    expect(openedAtLogin('darwin')).toBe(true);
    expect(openedAtLogin('win32')).toBe(false); // Windows and Linux get --hidden instead
    expect(openedAtLogin('linux')).toBe(false);
    electron.app.loginItem.wasOpenedAtLogin = false;
    expect(openedAtLogin('darwin')).toBe(false);
  });
});
