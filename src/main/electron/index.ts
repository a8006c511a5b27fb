// Composition root of the tray app: the only place that wires Electron to the app logic, in phases —
// before `ready` (top level: ESM loads asynchronously), the core (settings, controller, daemon, models),
// the front ends (window, tray, hotkey, IPC), then reactions to settings and the quit sequence.
import { app, dialog, BrowserWindow, Notification, session } from 'electron';
import os from 'node:os';
import path from 'node:path';
import { parseAppArgs, secondInstanceAction } from '../app/argv.js';
import { ClipboardReader } from '../app/clipboard.js';
import { AppController } from '../app/controller.js';
import { ensureApplicationEntry } from '../app/desktop-entry.js';
import { chromiumFeatures, hotkeyLine, hotkeyStrategy, isWayland, type HotkeyStatus } from '../app/hotkey.js';
import { ModelManager } from '../app/models.js';
import type { SettingsRepo } from '../app/settings-repo.js';
import { ServerTokenFile } from '../app/speech-server.js';
import { buildTrayModel, type TrayAction } from '../app/tray-model.js';
import { currentPathEnv } from '../../core/paths.js';
import { modelsRoot } from '../../core/models/layout.js';
import { ModelsService } from '../../core/models/service.js';
import { socketPath as defaultSocketPath } from '../../shared/paths.js';
import type { Settings } from '../../shared/settings.js';
import { presetKind } from '../../shared/voice-presets.js';
import { doorSettingsChanged, engineSettingsChanged } from '../../shared/settings-values.js';
import { errorDetail } from '../../shared/errors.js';
import { applyStartAtLogin, openedAtLogin } from './autostart.js';
import { electronClipboardSources } from './clipboard.js';
import { superviseDaemon } from './daemon.js';
import { applyHotkey } from './hotkey.js';
import { DESKTOP_NAME } from './identity.js';
import { pushModelEvent, pushSettings, pushShowView, pushStatus, registerIpc } from './ipc.js';
import { registerAppScheme, serveRenderer } from './protocol.js';
import { finishBeforeQuit } from './quit.js';
import { openElectronSettings } from './settings-store.js';
import { identifyApp, installApplicationMenu } from './startup.js';
import { AppTray } from './tray.js';
import { hardenContents, limitPermissions, SpeakWindow } from './windows.js';

const here = import.meta.dirname; // out/main
const PRELOAD = path.join(here, '../preload/index.cjs');
const RENDERER = path.join(here, '../renderer');
const ICONS = path.join(here, '../../assets/tray');

const platform = process.platform;
const sessionEnv = { platform, env: process.env };
const log = (m: string) => console.error(`[q3tts] ${m}`);

// --- before `ready` ---
identifyApp(platform, chromiumFeatures(hotkeyStrategy(sessionEnv)));
registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit(); // the first instance got our argv through 'second-instance'
} else {
  void main().catch((err: unknown) => {
    dialog.showErrorBox('q3tts could not start', errorDetail(err));
    app.exit(1);
  });
}

/** Whether the portal can resolve our app id; an AppImage installs its own .desktop file here. */
function desktopEntryInstalled(): boolean {
  const entry = ensureApplicationEntry(DESKTOP_NAME, process.env, os.homedir());
  if (entry.status === 'installed' || entry.status === 'updated')
    log(`${entry.status} ${entry.file} (the desktop's shortcut portal needs it)`);
  if (entry.status === 'failed') log(`could not write ${entry.file}: ${entry.error}`);
  return entry.status !== 'missing' && entry.status !== 'failed';
}

async function main(): Promise<void> {
  const args = parseAppArgs(process.argv);
  const hidden = args.hidden || openedAtLogin(platform);
  let frontEnds: FrontEnds | null = null;

  app.on('window-all-closed', () => undefined); // a tray app keeps running without windows
  app.on('web-contents-created', (_e, contents) => hardenContents(contents));
  app.on('second-instance', (_e, argv) => {
    if (secondInstanceAction(argv) === 'speak-clipboard') void frontEnds?.speakClipboard();
    else frontEnds?.window.show();
  });

  await app.whenReady();
  app.dock?.hide();
  installApplicationMenu(platform);
  limitPermissions(session.defaultSession);
  serveRenderer(RENDERER);

  const core = startCore();
  frontEnds = startFrontEnds(core, platform !== 'linux' || desktopEntryInstalled());
  followSettings(core, frontEnds);
  finishBeforeQuit(
    app,
    async () => {
      core.localModels.cancelAll(); // its .part files stay for the next start to resume
      await core.supervisor.stop(); // the daemon removes its socket and stops its engine process
    },
    { log },
  );

  frontEnds.renderTray();
  core.supervisor.start();
  if (!hidden) frontEnds.window.show();
  if (args.speakClipboard) void frontEnds.speakClipboard();
}

type Core = ReturnType<typeof startCore>;

/** Settings, the controller, the daemon it drives, and the model manager. */
function startCore() {
  const settings = openElectronSettings();
  const wayland = isWayland(sessionEnv);
  const reader = new ClipboardReader(electronClipboardSources(wayland), () => ({
    wayland,
    primarySelection: settings.get().primarySelection,
  }));
  const controller = new AppController({
    settings: () => settings.get(),
    readClipboard: () => reader.read(),
    restartService: () => void supervisor.restart(),
    log,
  });
  const serverToken = new ServerTokenFile(settings.path); // beside settings.json, 0600
  const supervisor = superviseDaemon({
    socketPath: defaultSocketPath(currentPathEnv()),
    settings,
    serverToken,
    controller,
    log,
    onStoppedByClient: () => app.quit(), // `q3tts stop` stops the app that is the daemon
  });
  // Models go through the daemon; while none runs (nothing installed yet), through this process.
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
    onEvent: (event) => pushModelEvent(allContents(), event),
  });
  return { settings, controller, supervisor, localModels, models, serverToken };
}

interface FrontEnds {
  window: SpeakWindow;
  speakClipboard(): Promise<void>;
  notify(message: string): void;
  renderTray(): void;
  applyHotkeySetting(settings: Settings): void;
}

/** The window, the tray, the hotkey, notifications and the IPC the window talks through. */
function startFrontEnds(
  { settings, controller, models, supervisor, serverToken }: Core,
  appIdInstalled: boolean,
): FrontEnds {
  const window = new SpeakWindow(PRELOAD, (contents, view) => pushShowView([contents], view), platform);
  let hotkey: HotkeyStatus = { kind: 'disabled' };

  const notify = (message: string): void => {
    log(message);
    if (Notification.isSupported()) new Notification({ title: 'q3tts', body: message, silent: true }).show();
  };
  const speakClipboard = async (): Promise<void> => {
    const result = await controller.speakClipboard();
    if (!result.ok && result.code !== 'E_CANCELLED') notify(result.message);
  };
  const tray = new AppTray(
    ICONS,
    trayActions({ settings, controller, window, speakClipboard, notify }),
    platform,
    (voice) => void settings.update({ defaultVoice: voice }), // the hotkey's and a new window's voice
  );
  const renderTray = (): void => {
    const s = settings.get();
    tray.render(
      buildTrayModel(controller.status, {
        hotkeyLine: hotkeyLine(hotkey),
        voice: s.speaker ?? s.instruct,
        savedVoices: s.voices.map((v) => ({ name: v.name, kind: presetKind(v) })),
        defaultVoice: s.defaultVoice,
      }),
    );
  };
  const applyHotkeySetting = (s: Settings): void => {
    hotkey = applyHotkey(sessionEnv, s.hotkey, () => void speakClipboard(), appIdInstalled);
    if (hotkey.kind === 'failed')
      notify(`Shortcut ${hotkey.accelerator} unavailable: ${hotkey.reason}. ${hotkey.advice}`);
  };

  applyHotkeySetting(settings.get());
  controller.onStatus((status) => {
    renderTray(); // draws only what changed: a new menu would close an open one
    pushStatus(allContents(), status);
  });
  registerIpc({
    controller,
    settings,
    models,
    serverToken,
    // A new token reaches the remote engine by a restart, as the speech server setting does.
    onServerTokenChanged: () => {
      if (settings.get().speechServer && controller.speech?.mode !== 'attached') void supervisor.restart();
    },
    ourContents: () => window.contents(),
    chooseWavPath: async (sender) => {
      const owner = BrowserWindow.fromWebContents(sender);
      const options = {
        title: 'Save speech as WAV',
        defaultPath: path.join(app.getPath('documents'), 'speech.wav'),
        filters: [{ name: 'WAV audio', extensions: ['wav'] }],
      };
      const result = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
  });
  return { window, speakClipboard, notify, renderTray, applyHotkeySetting };
}

function trayActions(deps: {
  settings: SettingsRepo;
  controller: AppController;
  window: SpeakWindow;
  speakClipboard(): Promise<void>;
  notify(m: string): void;
}) {
  const { settings, controller, window, notify } = deps;
  return (action: TrayAction): void => {
    switch (action) {
      case 'speak-clipboard':
        return void deps.speakClipboard();
      case 'stop':
        return void controller.stop();
      case 'pause':
      case 'resume':
      case 'next':
      case 'back':
        return void controller.control(action);
      case 'open-window':
        return window.show();
      case 'reload-handlers':
        settings.reload();
        return void controller.reload(false).then((r) => (r.ok ? undefined : notify(r.message)));
      case 'reload-model':
        return void controller.reload(true).then((r) => (r.ok ? undefined : notify(r.message)));
      case 'settings':
        return window.show('settings');
      case 'models':
        return window.show('models');
      case 'quit':
        return app.quit();
    }
  };
}

/** Settings changes reach the hotkey, login item, daemon, tray and window; hand-edit notices become notifications. */
function followSettings({ settings, controller, supervisor }: Core, ui: FrontEnds): void {
  settings.onChange((next, previous) => {
    if (next.hotkey !== previous.hotkey) ui.applyHotkeySetting(next);
    if (next.startAtLogin !== previous.startAtLogin) applyStartAtLogin(next.startAtLogin, platform);
    // New model settings or doors: the hosted daemon restarts with them (an attached `q3tts serve` keeps its own).
    const restart = engineSettingsChanged(next, previous) || doorSettingsChanged(next, previous);
    if (restart && controller.speech?.mode !== 'attached') void supervisor.restart();
    ui.renderTray();
    pushSettings(allContents(), next);
  });
  const showNotices = () => {
    for (const notice of settings.takeNotices()) ui.notify(notice);
  };
  showNotices();
  setInterval(showNotices, 2000).unref(); // notices from hand edits picked up by the file watcher
  if (settings.get().startAtLogin) applyStartAtLogin(true, platform); // an AppImage may have moved since
}

const allContents = () => BrowserWindow.getAllWindows().map((w) => w.webContents);
