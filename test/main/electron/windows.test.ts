import { describe, expect, it, vi } from 'vitest';
import type { BrowserWindowMock } from '../../mocks/electron.js';
vi.mock('electron', () => import('../../mocks/electron.js'));
const electron = await import('../../mocks/electron.js');
const { createSpeakWindow, limitPermissions, hardenContents, secureWebPreferences, SpeakWindow, WINDOW_URL } =
  await import('../../../src/main/electron/windows.js');
const { resolveAppFile } = await import('../../../src/main/electron/protocol.js');

describe('speak window', () => {
  it('passes exactly the secure webPreferences and loads the app:// UI', () => {
    const win = createSpeakWindow({ preload: '/app/out/preload/index.cjs' }) as unknown as BrowserWindowMock;
    expect(win.options.webPreferences).toEqual({
      preload: '/app/out/preload/index.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
    });
    expect(win.options.show).toBe(false);
    expect(win.loadedURL).toBe('app://ui/index.html');
    expect(secureWebPreferences('x')).toEqual(
      win.options.webPreferences && { ...(win.options.webPreferences as object), preload: 'x' },
    );
  });

  it('opens on the Settings view by the URL fragment (tray "Settings…")', () => {
    const win = createSpeakWindow({ preload: 'p', view: 'settings' }) as unknown as BrowserWindowMock;
    expect(win.loadedURL).toBe('app://ui/index.html#settings');
    expect((createSpeakWindow({ preload: 'p', view: 'speak' }) as unknown as BrowserWindowMock).loadedURL).toBe(
      WINDOW_URL,
    );
  });

  it('denies new windows, navigation, redirects and webviews', () => {
    const win = createSpeakWindow({ preload: 'p' }) as unknown as BrowserWindowMock;
    const wc = win.webContents;
    expect(wc.windowOpenHandler?.({ url: 'https://evil.example' })).toEqual({ action: 'deny' });
    const event = () => ({
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    });
    const away = event();
    wc.emit('will-navigate', away, 'https://evil.example/');
    expect(away.defaultPrevented).toBe(true);
    const reload = event();
    wc.emit('will-navigate', reload, WINDOW_URL);
    expect(reload.defaultPrevented).toBe(false);
    for (const name of ['will-redirect', 'will-attach-webview']) {
      const e = event();
      wc.emit(name, e);
      expect(e.defaultPrevented).toBe(true);
    }
    expect(() => hardenContents(wc as never)).not.toThrow();
  });

  it('grants the microphone to our window only: no camera, nothing else, no other page or frame', () => {
    type Request = (wc: unknown, perm: string, cb: (ok: boolean) => void, details: unknown) => void;
    type Check = (wc: unknown, perm: string, origin: string, details: unknown) => boolean;
    let request: Request | undefined;
    let check: Check | undefined;
    limitPermissions({
      setPermissionRequestHandler: (h: Request) => (request = h),
      setPermissionCheckHandler: (h: Check) => (check = h),
    } as never);
    const ask = (perm: string, details: Record<string, unknown>) => {
      let granted: boolean | undefined;
      request!(null, perm, (ok) => (granted = ok), { isMainFrame: true, requestingUrl: WINDOW_URL, ...details });
      return granted;
    };
    expect(ask('media', { mediaTypes: ['audio'] })).toBe(true);
    expect(ask('media', { mediaTypes: ['video'] })).toBe(false);
    expect(ask('media', { mediaTypes: ['audio', 'video'] })).toBe(false);
    expect(ask('media', { mediaTypes: [] })).toBe(false);
    expect(ask('media', {})).toBe(false);
    expect(ask('media', { mediaTypes: ['audio'], isMainFrame: false })).toBe(false);
    expect(ask('media', { mediaTypes: ['audio'], requestingUrl: 'https://example.com/' })).toBe(false);
    expect(ask('media', { mediaTypes: ['audio'], requestingUrl: 'app://uix/index.html' })).toBe(false);
    for (const perm of ['notifications', 'clipboard-read', 'geolocation', 'display-capture'])
      expect(ask(perm, { mediaTypes: ['audio'] }), perm).toBe(false);
    const frame = { isMainFrame: true };
    expect(check!(null, 'media', 'app://ui', { ...frame, mediaType: 'audio' })).toBe(true);
    expect(check!(null, 'media', 'app://ui', { ...frame, mediaType: 'video' })).toBe(false);
    expect(check!(null, 'media', 'https://example.com', { ...frame, mediaType: 'audio' })).toBe(false);
    expect(check!(null, 'media', 'app://ui', { isMainFrame: false, mediaType: 'audio' })).toBe(false);
    expect(check!(null, 'notifications', 'app://ui', frame)).toBe(false);
  });
});

describe('the one speak window', () => {
  const open = (platform: NodeJS.Platform) => {
    const views: string[] = [];
    const before = electron.BrowserWindowMock.instances.length;
    const window = new SpeakWindow('p', (_contents, view) => views.push(view), platform);
    const created = () => electron.BrowserWindowMock.instances.slice(before);
    return { window, views, created };
  };

  it('is created once, then shown again and switched to the view asked for', () => {
    const { window, views, created } = open('linux');
    expect(window.contents()).toEqual([]);
    window.show();
    window.show('settings');
    expect(created()).toHaveLength(1);
    const win = created()[0]!;
    expect(win.loadedURL).toBe(WINDOW_URL);
    expect(win.shown).toBe(1);
    expect(win.focused).toBe(1);
    expect(views).toEqual(['settings']);
    expect(window.contents()).toEqual([win.webContents]);
    win.emit('closed');
    expect(window.contents()).toEqual([]);
    window.show('models');
    expect(created()).toHaveLength(2);
    expect(created()[1]!.loadedURL).toBe(`${WINDOW_URL}#models`);
  });

  it.each([
    ['darwin', [['focus', { steal: true }]]],
    ['linux', []],
    ['win32', []],
  ] as const)(
    '%s: brings the app to the front when the window opens only where a tray app is never active (macOS)',
    (platform, focus) => {
      const { window, created } = open(platform);
      electron.app.calls = [];
      window.show();
      created()[0]!.emit('ready-to-show');
      expect(electron.app.calls).toEqual(focus);
      electron.app.calls = [];
      window.show(); // already open, perhaps behind another app
      expect(electron.app.calls).toEqual(focus);
    },
  );
});

describe('app:// protocol paths', () => {
  const root = '/opt/q3tts/out/renderer';
  it.each([
    ['app://ui/index.html', '/opt/q3tts/out/renderer/index.html'],
    ['app://ui/', '/opt/q3tts/out/renderer/index.html'],
    ['app://ui/main.js', '/opt/q3tts/out/renderer/main.js'],
    ['app://ui/../../../etc/passwd', '/opt/q3tts/out/renderer/etc/passwd'],
    ['app://ui/%2e%2e/%2e%2e/secret', '/opt/q3tts/out/renderer/secret'], // the URL parser resolves dot segments first
    ['app://ui/..%2fsecret', null],
    ['app://other/index.html', null],
    ['https://ui/index.html', null],
    ['app://ui/%E0%A4%A', null],
    ['not a url', null],
  ])('%s → %s', (url, file) => expect(resolveAppFile(url, root)).toBe(file));
});
