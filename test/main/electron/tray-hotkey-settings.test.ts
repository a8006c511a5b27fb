import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
vi.mock('electron', () => import('../../mocks/electron.js'));
const electron = await import('../../mocks/electron.js');
const { AppTray, menuTemplate } = await import('../../../src/main/electron/tray.js');
const { applyHotkey } = await import('../../../src/main/electron/hotkey.js');
const { openElectronSettings } = await import('../../../src/main/electron/settings-store.js');
const { buildTrayModel } = await import('../../../src/main/app/tray-model.js');
import type { AppStatus } from '../../../src/shared/bridge.js';
import type { TrayAction } from '../../../src/main/app/tray-model.js';

const status: AppStatus = {
  state: 'speaking',
  message: null,
  engine: 'tone',
  model: 'tone',
  attached: false,
  last: null,
  progressSeconds: 1,
};

describe('tray adapter', () => {
  it('renders the model: icon per state, tooltip, menu with working clicks and disabled info rows', () => {
    const actions: TrayAction[] = [];
    const tray = new AppTray('/icons', (a) => actions.push(a), 'linux');
    const mock = electron.TrayMock.instances.at(-1)!;
    tray.render(buildTrayModel(status, { hotkeyLine: 'Hotkey: Alt+S', voice: '' }));
    expect(mock.image.path).toBe('/icons/tray-speaking.png');
    expect(mock.tooltip).toBe('q3tts — Speaking…');
    const items = mock.menu!.template;
    const stop = items.find((i) => i.label === 'Stop speaking')!;
    expect(stop.enabled).toBe(true);
    (stop.click as () => void)();
    expect(actions).toEqual(['stop']);
    expect(items.find((i) => i.label === 'Hotkey: Alt+S')).toMatchObject({ enabled: false });
    expect(items.filter((i) => i.type === 'separator').length).toBeGreaterThan(0);
    mock.emit('click');
    expect(actions).toEqual(['stop', 'open-window']);
  });

  it('the Voice submenu renders as radio items whose click picks the voice', () => {
    const picked: Array<string | null> = [];
    const tray = new AppTray(
      '/icons',
      () => undefined,
      'linux',
      (v) => picked.push(v),
    );
    const mock = electron.TrayMock.instances.at(-1)!;
    tray.render(
      buildTrayModel(status, {
        hotkeyLine: '',
        voice: '',
        savedVoices: [
          { name: 'Narrator', kind: 'designed' },
          { name: 'Bright', kind: 'designed' },
        ],
        defaultVoice: 'Bright',
      }),
    );
    const voice = mock.menu!.template.find((i) => i.label === 'Saved voices')!;
    const sub = voice.submenu as Array<Record<string, unknown>>;
    expect(sub.map((i) => [i.label, i.type, i.checked])).toEqual([
      ['From Settings (default voice)', 'radio', false],
      [undefined, 'separator', undefined],
      ['Narrator', 'radio', false],
      ['Bright', 'radio', true],
    ]);
    (sub[2]!.click as () => void)();
    (sub[0]!.click as () => void)();
    expect(picked).toEqual(['Narrator', null]);
  });

  it('sets the menu and tooltip again only when what they show changed (a new menu closes an open one)', () => {
    const ctx = { hotkeyLine: 'Hotkey: Alt+S', voice: '' };
    // Progress events while speaking: at least two a second, each a new status.
    const tray = new AppTray('/icons', () => undefined, 'linux');
    const speaking = electron.TrayMock.instances.at(-1)!;
    for (const progressSeconds of [0.5, 1, 1.5, 2, 2.5])
      tray.render(buildTrayModel({ ...status, progressSeconds }, ctx));
    expect(speaking.calls).toEqual(['setImage', 'setToolTip', 'setContextMenu']);
    const openMenu = speaking.menu;
    tray.render(buildTrayModel({ ...status, progressSeconds: 9 }, ctx));
    expect(speaking.menu).toBe(openMenu);
    // A new hotkey line changes the menu, not the tooltip; a new state changes all three.
    speaking.calls = [];
    tray.render(buildTrayModel(status, { ...ctx, hotkeyLine: 'Hotkey: Alt+T' }));
    expect(speaking.calls).toEqual(['setContextMenu']);
    speaking.calls = [];
    tray.render(
      buildTrayModel({ ...status, state: 'ready', progressSeconds: null }, { ...ctx, hotkeyLine: 'Hotkey: Alt+T' }),
    );
    expect(speaking.calls).toEqual(['setImage', 'setToolTip', 'setContextMenu']);
    expect(speaking.menu!.template.find((i) => i.label === 'Stop speaking')).toMatchObject({ enabled: false });
  });

  it.each([
    ['linux', ['open-window']],
    ['win32', ['open-window']],
    ['darwin', []],
  ] as const)('a click on %s opens the window where the platform leaves clicks to the app', (platform, expected) => {
    const actions: TrayAction[] = [];
    new AppTray('/icons', (a) => actions.push(a), platform);
    electron.TrayMock.instances.at(-1)!.emit('click');
    expect(actions).toEqual(expected); // macOS: the click opens the menu, whose "Open window" is the way
  });

  it('uses one template image on macOS', () => {
    new AppTray('/icons', () => undefined, 'darwin');
    const mock = electron.TrayMock.instances.at(-1)!;
    expect(mock.image.path).toBe('/icons/trayTemplate.png');
    expect(mock.image.template).toBe(true);
    expect(menuTemplate(buildTrayModel(status, { hotkeyLine: '', voice: '' }), () => undefined).length).toBe(18);
  });
});

describe('hotkey adapter', () => {
  const x11 = { platform: 'linux' as const, env: { DISPLAY: ':0' } };
  it('registers, re-registers on change, and reports a conflict', () => {
    const pressed: string[] = [];
    expect(applyHotkey(x11, 'Alt+S', () => pressed.push('a'))).toEqual({ kind: 'active', accelerator: 'Alt+S' });
    electron.globalShortcut.registered.get('Alt+S')!();
    expect(pressed).toEqual(['a']);
    electron.globalShortcut.taken.add('Alt+T');
    expect(applyHotkey(x11, 'Alt+T', () => undefined)).toMatchObject({ kind: 'failed', reason: /another application/ });
    expect(electron.globalShortcut.registered.has('Alt+S')).toBe(false);
    expect(applyHotkey(x11, '', () => undefined)).toEqual({ kind: 'disabled' });
  });

  it('does not try the portal when no .desktop file names the app (it would say true and never fire)', () => {
    const gnome = { platform: 'linux' as const, env: { XDG_SESSION_TYPE: 'wayland', XDG_CURRENT_DESKTOP: 'GNOME' } };
    electron.globalShortcut.registered.clear();
    const status = applyHotkey(gnome, 'Alt+S', () => undefined, false);
    expect(status).toMatchObject({ kind: 'failed', reason: /\.desktop file/, advice: /q3tts --clipboard/ });
    expect(electron.globalShortcut.registered.size).toBe(0);
    expect(applyHotkey(gnome, 'Alt+S', () => undefined, true)).toMatchObject({ kind: 'unconfirmed' });
    expect(electron.globalShortcut.registered.has('Alt+S')).toBe(true);
    expect(applyHotkey(x11, 'Alt+S', () => undefined, false)).toMatchObject({ kind: 'active' }); // X11 needs no app id
  });

  it('does not even try where only the CLI binding can work', () => {
    const sway = { platform: 'linux' as const, env: { XDG_SESSION_TYPE: 'wayland', XDG_CURRENT_DESKTOP: 'sway' } };
    expect(applyHotkey(sway, 'Alt+S', () => undefined)).toMatchObject({ kind: 'failed', advice: /q3tts --clipboard/ });
    expect(electron.globalShortcut.registered.size).toBe(0);
  });
});

describe('settings store adapter (real electron-store)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-estore-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('keeps settings.json in userData', () => {
    electron.app.paths.set('userData', dir);
    const repo = openElectronSettings();
    repo.update({ speakMode: 'queue' });
    expect(repo.path).toBe(path.join(dir, 'settings.json'));
    expect(JSON.parse(readFileSync(repo.path, 'utf8'))).toMatchObject({ version: 5, speakMode: 'queue' });
  });

  it('Q3TTS_CONFIG_DIR moves settings.json', () => {
    electron.app.paths.set('userData', path.join(dir, 'unused'));
    vi.stubEnv('Q3TTS_CONFIG_DIR', path.join(dir, 'elsewhere'));
    try {
      const repo = openElectronSettings();
      repo.update({ speakMode: 'queue' });
      expect(repo.path).toBe(path.join(dir, 'elsewhere', 'settings.json'));
      expect(JSON.parse(readFileSync(repo.path, 'utf8'))).toMatchObject({ speakMode: 'queue' });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
