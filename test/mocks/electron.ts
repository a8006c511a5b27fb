// A hand-written stand-in for the 'electron' module: records what the adapters ask of Electron.
// Only the API surface src/main/electron and src/preload use. Installed per test file with
// vi.mock('electron', () => import('./electron.js')).
import { fork as forkChild } from 'node:child_process';
import { EventEmitter } from 'node:events';

type Listener = (...args: unknown[]) => unknown;

export class WebContentsMock extends EventEmitter {
  sent: Array<[string, unknown]> = [];
  windowOpenHandler: ((details: unknown) => unknown) | undefined;
  destroyed = false;
  setWindowOpenHandler(h: (details: unknown) => unknown) {
    this.windowOpenHandler = h;
  }
  send(channel: string, payload: unknown) {
    this.sent.push([channel, payload]);
  }
  isDestroyed() {
    return this.destroyed;
  }
}

export class BrowserWindowMock extends EventEmitter {
  static instances: BrowserWindowMock[] = [];
  readonly webContents = new WebContentsMock();
  loadedURL: string | undefined;
  constructor(readonly options: Record<string, unknown>) {
    super();
    BrowserWindowMock.instances.push(this);
  }
  shown = 0;
  focused = 0;
  loadURL(url: string) {
    this.loadedURL = url;
    return Promise.resolve();
  }
  show() {
    this.shown++;
  }
  focus() {
    this.focused++;
  }
  isDestroyed() {
    return false;
  }
  isMinimized() {
    return false;
  }
  restore() {}
  static getAllWindows() {
    return BrowserWindowMock.instances;
  }
  static fromWebContents(wc: unknown) {
    return BrowserWindowMock.instances.find((w) => w.webContents === wc) ?? null;
  }
}

export const ipcMain = {
  handlers: new Map<string, Listener>(),
  handle(channel: string, fn: Listener) {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, fn);
  },
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  },
  on() {},
};

export const ipcRenderer = {
  invoked: [] as Array<[string, unknown[]]>,
  listeners: new Map<string, Set<Listener>>(),
  invoke(channel: string, ...args: unknown[]) {
    this.invoked.push([channel, args]);
    return Promise.resolve({ channel });
  },
  on(channel: string, fn: Listener) {
    if (!this.listeners.has(channel)) this.listeners.set(channel, new Set());
    this.listeners.get(channel)!.add(fn);
    return this;
  },
  removeListener(channel: string, fn: Listener) {
    this.listeners.get(channel)?.delete(fn);
    return this;
  },
  sendSync() {
    throw new Error('the renderer must not use sendSync');
  },
};

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown) {
    this.exposed.set(key, api);
  },
};

export class MenuMock {
  /** What Menu.setApplicationMenu got last (undefined: never called, so Electron's default menu). */
  static applicationMenu: MenuMock | null | undefined;
  constructor(readonly template: Array<Record<string, unknown>>) {}
  static buildFromTemplate(template: Array<Record<string, unknown>>) {
    return new MenuMock(template);
  }
  static setApplicationMenu(menu: MenuMock | null) {
    MenuMock.applicationMenu = menu;
  }
}

export class NativeImageMock {
  template = false;
  constructor(readonly path: string) {}
  setTemplateImage(on: boolean) {
    this.template = on;
  }
}
export const nativeImage = { createFromPath: (p: string) => new NativeImageMock(p) };

export class TrayMock extends EventEmitter {
  static instances: TrayMock[] = [];
  tooltip = '';
  menu: MenuMock | undefined;
  /** Every call, in order: a real Tray closes an open menu on each setContextMenu. */
  calls: string[] = [];
  constructor(public image: NativeImageMock) {
    super();
    TrayMock.instances.push(this);
  }
  setImage(image: NativeImageMock) {
    this.calls.push('setImage');
    this.image = image;
  }
  setToolTip(t: string) {
    this.calls.push('setToolTip');
    this.tooltip = t;
  }
  setContextMenu(m: MenuMock) {
    this.calls.push('setContextMenu');
    this.menu = m;
  }
  destroy() {}
}

export const globalShortcut = {
  registered: new Map<string, Listener>(),
  taken: new Set<string>(),
  register(acc: string, fn: Listener) {
    if (this.taken.has(acc)) return false;
    this.registered.set(acc, fn);
    return true;
  },
  unregister(acc: string) {
    this.registered.delete(acc);
  },
};

export const app = {
  paths: new Map<string, string>(),
  /** Calls that set up the app's identity and behaviour, in order, as [method, ...args]. */
  calls: [] as unknown[][],
  loginItem: { openAtLogin: false, wasOpenedAtLogin: false },
  isPackaged: true,
  getPath(name: string) {
    const p = this.paths.get(name);
    if (!p) throw new Error(`no mock path for ${name}`);
    return p;
  },
  getVersion: () => '0.1.0',
  getAppPath: () => '/app',
  setDesktopName(name: string) {
    app.calls.push(['setDesktopName', name]);
  },
  setAppUserModelId(id: string) {
    app.calls.push(['setAppUserModelId', id]);
  },
  commandLine: {
    appendSwitch(name: string, value?: string) {
      app.calls.push(['appendSwitch', name, value]);
    },
  },
  setLoginItemSettings(settings: Record<string, unknown>) {
    app.calls.push(['setLoginItemSettings', settings]);
  },
  getLoginItemSettings() {
    return { ...app.loginItem, status: 'enabled', executableWillLaunchAtLogin: false, launchItems: [] };
  },
  focus(options?: { steal: boolean }) {
    app.calls.push(['focus', options]);
  },
};

export const shell = {
  opened: [] as string[],
  openPath(p: string) {
    this.opened.push(p);
    return Promise.resolve('');
  },
};

export const clipboard = { readText: () => Promise.resolve('') };
export const protocol = { registerSchemesAsPrivileged() {}, handle() {} };
export const net = { fetch: () => Promise.reject(new Error('no network in tests')) };
export const session = { defaultSession: {} };

/**
 * utilityProcess stand-in: a real Node child (child_process.fork, structured-clone IPC) behind
 * Electron's UtilityProcess surface, so the engine host really runs. The host script picks
 * process.send here where Electron would give it process.parentPort.
 */
export const utilityProcess = {
  forked: [] as Array<{ modulePath: string; options: unknown }>,
  fork(modulePath: string, args: string[], options: unknown) {
    utilityProcess.forked.push({ modulePath, options });
    const child = forkChild(modulePath, args, {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const emitter = new EventEmitter();
    child.on('message', (m) => emitter.emit('message', m));
    child.on('exit', (code) => emitter.emit('exit', code ?? 1));
    return Object.assign(emitter, {
      get pid() {
        return child.pid;
      },
      postMessage: (m: unknown) => child.send(m as never),
      kill: () => child.kill(),
    });
  },
};

export { BrowserWindowMock as BrowserWindow, MenuMock as Menu, TrayMock as Tray };
export default { app, ipcMain, ipcRenderer, shell, contextBridge, BrowserWindow: BrowserWindowMock };
