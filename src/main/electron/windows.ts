// The speak window: sandboxed, isolated, no Node, unable to navigate or open windows, and with no permission
// but the microphone (recording a voice to clone).
import { app, BrowserWindow, type Session, type WebContents, type WebPreferences } from 'electron';
import type { WindowView } from '../../shared/bridge.js';

export const APP_ORIGIN = 'app://ui';
export const WINDOW_URL = `${APP_ORIGIN}/index.html`;

export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
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
  };
}

/** Keeps the window on our UI: no navigation, no new windows, no webviews. */
export function hardenContents(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (url !== WINDOW_URL) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Our UI's origin or a URL in it (app: is not special to the URL standard: compare the text). */
const ours = (url: string | undefined): boolean => url === APP_ORIGIN || (url?.startsWith(`${APP_ORIGIN}/`) ?? false);

/**
 * The UI needs no camera, notifications or anything else a page can ask for: only the microphone, to
 * record a voice to clone, and only for our own window's main frame.
 */
export function limitPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const types = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
    const microphone = permission === 'media' && types.length > 0 && types.every((t) => t === 'audio');
    callback(microphone && details.isMainFrame && ours(details.requestingUrl));
  });
  session.setPermissionCheckHandler(
    (_contents, permission, origin, details) =>
      permission === 'media' && details.mediaType === 'audio' && details.isMainFrame && ours(origin),
  );
}

/** The window's URL; the fragment picks the view it opens on (an in-page hash, no navigation). */
export const windowUrl = (view: WindowView = 'speak'): string =>
  view === 'speak' ? WINDOW_URL : `${WINDOW_URL}#${view}`;

export function createSpeakWindow(options: { preload: string; icon?: string; view?: WindowView }): BrowserWindow {
  const win = new BrowserWindow({
    width: 560,
    height: 640,
    minWidth: 420,
    minHeight: 480,
    show: false,
    title: 'q3tts',
    autoHideMenuBar: true,
    backgroundColor: '#f6f7f9',
    ...(options.icon ? { icon: options.icon } : {}),
    webPreferences: secureWebPreferences(options.preload),
  });
  hardenContents(win.webContents);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(windowUrl(options.view));
  return win;
}

/** The one speak window: created when first asked for, brought to the front when asked again. */
export class SpeakWindow {
  private window: BrowserWindow | null = null;

  constructor(
    private readonly preload: string,
    /** Tells an open window to switch views (an IPC push). */
    private readonly switchView: (contents: WebContents, view: WindowView) => void,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}

  /** Shows the window; with a view, switches to it (an open window keeps its unsaved edits). */
  show(view?: WindowView): void {
    const win = this.window;
    if (win && !win.isDestroyed()) {
      if (win.isMinimized()) win.restore();
      this.activateApp();
      win.show();
      win.focus();
      if (view) this.switchView(win.webContents, view);
      return;
    }
    const created = createSpeakWindow({ preload: this.preload, ...(view ? { view } : {}) });
    created.once('ready-to-show', () => this.activateApp());
    created.on('closed', () => (this.window = null));
    this.window = created;
  }

  /** The webContents the IPC layer trusts. */
  contents(): WebContents[] {
    return this.window && !this.window.isDestroyed() ? [this.window.webContents] : [];
  }

  private activateApp(): void {
    // A tray-only (LSUIElement) app is never the active app on macOS: without this, its window opens
    // behind the app in use. The user asked for the window, so taking focus is what they expect.
    if (this.platform === 'darwin') app.focus({ steal: true });
  }
}
