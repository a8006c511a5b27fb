// The renderer ⇄ main IPC contract, the half the preload bundles: every bridge method and its channel.
// No zod here (nor anything else at run time): the sandboxed preload is one small file built from these
// two lists. What each invoke method carries and answers is its row in IPC_CONTRACT (ipc-schemas.ts),
// which the type checker holds to exactly these keys.
import type { AppStatus, ModelEvent, WindowView } from './bridge.js';
import type { Settings } from './settings.js';

/** Methods the window invokes (ipcRenderer.invoke → ipcMain.handle), one channel each. */
export const INVOKE_CHANNELS = {
  speak: 'q3tts:speak',
  stop: 'q3tts:stop',
  saveWav: 'q3tts:save-wav',
  getStatus: 'q3tts:get-status',
  getVoices: 'q3tts:get-voices',
  getDefaults: 'q3tts:get-defaults',
  getSettings: 'q3tts:get-settings',
  setSettings: 'q3tts:set-settings',
  listModels: 'q3tts:list-models',
  pullModel: 'q3tts:pull-model',
  cancelPull: 'q3tts:cancel-pull',
  useModel: 'q3tts:use-model',
  removeModel: 'q3tts:remove-model',
  listHistory: 'q3tts:list-history',
  replayHistory: 'q3tts:replay-history',
  saveHistory: 'q3tts:save-history',
  speakHistory: 'q3tts:speak-history',
  clearHistory: 'q3tts:clear-history',
  saveVoice: 'q3tts:save-voice',
  removeVoice: 'q3tts:remove-voice',
  control: 'q3tts:control',
  getServerToken: 'q3tts:get-server-token',
  setServerToken: 'q3tts:set-server-token',
  cloneVoice: 'q3tts:clone-voice',
  lockVoice: 'q3tts:lock-voice',
} as const;

/** A channel name that also tells the type checker what it carries (nothing more at run time). */
export type PushChannel<T> = string & { readonly carries?: T };
const carrying = <T>(channel: string): PushChannel<T> => channel;

/** Main → window pushes (webContents.send): the bridge's on* methods listen to them. Never invocable. */
export const PUSH_CHANNELS = {
  /** Status pushes from main. */
  onStatus: carrying<AppStatus>('q3tts:status'),
  /** Settings changed (saved here, or the file was edited). */
  onSettings: carrying<Settings>('q3tts:settings'),
  /** Main wants a view shown (tray "Settings…" on an open window). */
  onShowView: carrying<WindowView>('q3tts:show-view'),
  /** Download progress. */
  onModelEvent: carrying<ModelEvent>('q3tts:model-event'),
};

export type InvokeMethod = keyof typeof INVOKE_CHANNELS;
export type PushMethod = keyof typeof PUSH_CHANNELS;
export type Pushed<M extends PushMethod> = (typeof PUSH_CHANNELS)[M] extends PushChannel<infer T> ? T : never;

/** The keys of window.q3tts: one per row of the two lists above. */
export const BRIDGE_KEYS = [...Object.keys(INVOKE_CHANNELS), ...Object.keys(PUSH_CHANNELS)] as ReadonlyArray<
  InvokeMethod | PushMethod
>;
