// Composition root of the tray app: the only place that wires Electron to the app logic.
// ESM loads asynchronously, so everything Chromium must know before `ready` happens at top level here.
import { app, dialog, BrowserWindow, Notification, session } from 'electron';
import path from 'node:path';
import { parseAppArgs, secondInstanceAction } from '../app/argv.js';
import { planDaemon } from '../app/attach.js';
import { ClipboardReader } from '../app/clipboard.js';
import { AppController } from '../app/controller.js';
import { attachToDaemon, hostDaemon, probeDaemon } from '../app/daemon-link.js';
import { chromiumFeatures, hotkeyLine, hotkeyStrategy, isWayland, type HotkeyStatus } from '../app/hotkey.js';
import { ModelManager } from '../app/models.js';
import type { SpeechService } from '../app/speech.js';
import { Supervisor, type Supervised } from '../app/supervisor.js';
import { buildTrayModel, type TrayAction } from '../app/tray-model.js';
import { currentPathEnv } from '../../core/paths.js';
import { resolveEngineConfig } from '../../core/engine/config.js';
import { modelsRoot } from '../../core/models/layout.js';
import { ModelsService } from '../../core/models/service.js';
import { utilityProcessHost } from './engine-process.js';
import { socketPath as defaultSocketPath } from '../../shared/paths.js';
import type { WindowView } from '../../shared/bridge.js';
import type { Settings } from '../../shared/settings.js';
import { engineSettingsChanged } from '../../shared/settings-values.js';
import { applyStartAtLogin } from './autostart.js';
import { electronClipboardSources } from './clipboard.js';
import { applyHotkey } from './hotkey.js';
import { pushModelEvent, pushSettings, pushShowView, pushStatus, registerIpc } from './ipc.js';
import { registerAppScheme, serveRenderer } from './protocol.js';
import { openElectronSettings } from './settings-store.js';
import { AppTray } from './tray.js';
import { createSpeakWindow, denyPermissions, hardenContents } from './windows.js';
import { errorDetail } from '../../shared/errors.js';

const here = import.meta.dirname; // out/main
const PRELOAD = path.join(here, '../preload/index.cjs');
const RENDERER = path.join(here, '../renderer');
const ICONS = path.join(here, '../../assets/tray');
/** Must match the installed .desktop file (electron-builder linux.syncDesktopName): the portal's app id. */
const DESKTOP_NAME = 'io.github.q3tts.desktop';

const sessionEnv = { platform: process.platform, env: process.env };
if (process.platform === 'linux') app.setDesktopName(DESKTOP_NAME);
const features = chromiumFeatures(hotkeyStrategy(sessionEnv));
if (features.length) app.commandLine.appendSwitch('enable-features', features.join(','));
registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit(); // the first instance got our argv through 'second-instance'
} else {
  void main().catch((err: unknown) => {
    dialog.showErrorBox('q3tts could not start', errorDetail(err));
    app.exit(1);
  });
}

async function main(): Promise<void> {
  const args = parseAppArgs(process.argv);
  let window: BrowserWindow | null = null;
  let tray: AppTray | null = null;
  let hotkey: HotkeyStatus = { kind: 'disabled' };
  const log = (m: string) => console.error(`[q3tts] ${m}`);

  app.on('window-all-closed', () => undefined); // a tray app keeps running without windows
  app.on('web-contents-created', (_e, contents) => hardenContents(contents));
  app.on('second-instance', (_e, argv) => {
    if (secondInstanceAction(argv) === 'speak-clipboard') void speakClipboard();
    else showWindow();
  });

  await app.whenReady();
  app.dock?.hide();
  denyPermissions(session.defaultSession);
  serveRenderer(RENDERER);

  const settings = openElectronSettings();
  const reader = new ClipboardReader(electronClipboardSources(isWayland(sessionEnv)), () => ({
    wayland: isWayland(sessionEnv),
    primarySelection: settings.get().primarySelection,
  }));
  const controller = new AppController({
    settings: () => settings.get(),
    readClipboard: () => reader.read(),
    restartService: () => void supervisor.restart(),
    log,
  });

  // --- the daemon: attach to `q3tts serve` if it runs, else host one, restarting it with backoff ---
  const socketPath = defaultSocketPath(currentPathEnv());
  type Running = Supervised & { speech: SpeechService };
  const supervisor = new Supervisor<Running>({
    spawn: async () => {
      const plan = planDaemon(await probeDaemon(socketPath), socketPath);
      if (plan.note) log(plan.note);
      if (plan.mode === 'refuse') throw Object.assign(new Error(plan.note), { code: 'E_SOCKET_TAKEN' });
      if (plan.mode === 'attach') {
        const attached = await attachToDaemon(socketPath);
        return { speech: attached.speech, ended: attached.ended, stop: () => attached.speech.close() };
      }
      const s = settings.get();
      const engine = resolveEngineConfig(currentPathEnv(), {
        ...(s.modelDir ? { modelDir: s.modelDir } : {}),
        executionProvider: s.executionProvider,
        precision: s.modelVariant,
      });
      // The engine runs in a utilityProcess: it works with the runAsNode fuse off (packaged builds).
      const hosted = await hostDaemon({ socketPath, engine, log, launchHost: utilityProcessHost, audioDevice: () => settings.get().outputDevice });
      const ended = hosted.daemon.stopped.then(() => ({ reason: 'stopped by a client (q3tts stop)' }));
      void hosted.daemon.stopped.then(() => app.quit()); // `q3tts stop` stops the app that is the daemon
      return { speech: hosted.speech, ended, stop: () => hosted.speech.close() };
    },
    isPermanent: (err) => ['E_NO_MODEL', 'E_SOCKET_TAKEN'].includes(String((err as { code?: unknown }).code)),
    onState: (state, running) => {
      if (state.state === 'starting') controller.setStarting(state.attempt > 1 ? `Restarting the engine (attempt ${state.attempt})…` : 'Loading the model…');
      else if (state.state === 'running' && running) void controller.setService(running.speech);
      else if (state.state === 'waiting') controller.setFailed('E_ENGINE', `${state.reason}; restarting in ${Math.round(state.delayMs / 1000)} s`);
      else if (state.state === 'failed') controller.setFailed(/no model/i.test(state.reason) ? 'E_NO_MODEL' : 'E_ENGINE', state.reason);
    },
  });

  // --- models: through the daemon; while none runs (nothing installed yet), in this process ---
  const localModels = new ModelsService({
    root: modelsRoot(currentPathEnv()),
    log,
    switchModel: async () => ({ status: 'ok' }), // the model manager then starts the daemon on it
  });
  const models = new ModelManager({
    daemon: () => controller.speech,
    local: { request: (r, onEvent) => localModels.handle(r, onEvent ?? (() => undefined)) },
    settings,
    restartService: () => void supervisor.restart(),
    onEvent: (event) => pushModelEvent(BrowserWindow.getAllWindows().map((w) => w.webContents), event),
  });

  // --- front ends ---
  /** Shows the window; with a view, switches to it (an open window keeps its unsaved edits). */
  function showWindow(view?: WindowView): void {
    if (window && !window.isDestroyed()) {
      if (window.isMinimized()) window.restore();
      window.show();
      window.focus();
      if (view) pushShowView([window.webContents], view);
      return;
    }
    window = createSpeakWindow({ preload: PRELOAD, ...(view ? { view } : {}) });
    window.on('closed', () => (window = null));
  }

  async function speakClipboard(): Promise<void> {
    const result = await controller.speakClipboard();
    if (!result.ok && result.code !== 'E_CANCELLED') notify(result.message);
  }

  function notify(message: string): void {
    log(message);
    if (Notification.isSupported()) new Notification({ title: 'q3tts', body: message, silent: true }).show();
  }

  const onTrayAction = (action: TrayAction): void => {
    switch (action) {
      case 'speak-clipboard':
        return void speakClipboard();
      case 'stop':
        return void controller.stop();
      case 'open-window':
        return showWindow();
      case 'reload-handlers':
        settings.reload();
        return void controller.reload(false).then((r) => (r.ok ? undefined : notify(r.message)));
      case 'reload-model':
        return void controller.reload(true).then((r) => (r.ok ? undefined : notify(r.message)));
      case 'settings':
        return showWindow('settings');
      case 'models':
        return showWindow('models');
      case 'quit':
        return app.quit();
    }
  };

  const renderTray = () => {
    const s = settings.get();
    tray?.render(buildTrayModel(controller.status, { hotkeyLine: hotkeyLine(hotkey), voice: s.speaker ?? s.instruct }));
  };
  const applyHotkeySetting = (s: Settings) => {
    hotkey = applyHotkey(sessionEnv, s.hotkey, () => void speakClipboard());
    if (hotkey.kind === 'failed') notify(`Shortcut ${hotkey.accelerator} unavailable: ${hotkey.reason}. ${hotkey.advice}`);
  };

  tray = new AppTray(ICONS, onTrayAction);
  applyHotkeySetting(settings.get());
  controller.onStatus((status) => {
    renderTray();
    pushStatus(BrowserWindow.getAllWindows().map((w) => w.webContents), status);
  });
  registerIpc({
    controller,
    settings,
    models,
    ourContents: () => (window && !window.isDestroyed() ? [window.webContents] : []),
    chooseWavPath: async (sender) => {
      const owner = BrowserWindow.fromWebContents(sender);
      const options = { title: 'Save speech as WAV', defaultPath: path.join(app.getPath('documents'), 'speech.wav'), filters: [{ name: 'WAV audio', extensions: ['wav'] }] };
      const result = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
  });

  settings.onChange((next, previous) => {
    if (next.hotkey !== previous.hotkey) applyHotkeySetting(next);
    if (next.startAtLogin !== previous.startAtLogin) applyStartAtLogin(next.startAtLogin);
    if (engineSettingsChanged(next, previous) && controller.speech?.mode !== 'attached') void supervisor.restart();
    renderTray();
    pushSettings(BrowserWindow.getAllWindows().map((w) => w.webContents), next);
  });
  const showNotices = () => {
    for (const notice of settings.takeNotices()) notify(notice);
  };
  showNotices();
  setInterval(showNotices, 2000).unref(); // notices from hand edits picked up by the file watcher
  if (settings.get().startAtLogin) applyStartAtLogin(true); // an AppImage may have moved since

  app.on('will-quit', () => {
    localModels.cancelAll(); // its .part files stay for the next start to resume
    void supervisor.stop();
  });

  renderTray();
  supervisor.start();
  if (!args.hidden) showWindow();
  if (args.speakClipboard) void speakClipboard();
}
