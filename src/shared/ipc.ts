// Renderer ⇄ main IPC channel names. No zod here: the preload bundles this file, and stays tiny.
// The payload schemas main validates with are in ipc-schemas.ts.
import type { Q3ttsBridge } from './bridge.js';

export const IPC = {
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
  /** main → renderer pushes (webContents.send), not invocable. */
  status: 'q3tts:status',
  settings: 'q3tts:settings',
  showView: 'q3tts:show-view',
  modelEvent: 'q3tts:model-event',
} as const;

/** Channels the renderer may invoke, one per bridge method (the on* methods listen instead). */
export const INVOKE_CHANNELS = {
  speak: IPC.speak,
  stop: IPC.stop,
  saveWav: IPC.saveWav,
  getStatus: IPC.getStatus,
  getVoices: IPC.getVoices,
  getDefaults: IPC.getDefaults,
  getSettings: IPC.getSettings,
  setSettings: IPC.setSettings,
  listModels: IPC.listModels,
  pullModel: IPC.pullModel,
  cancelPull: IPC.cancelPull,
  useModel: IPC.useModel,
  removeModel: IPC.removeModel,
} as const satisfies Record<Exclude<keyof Q3ttsBridge, `on${string}`>, string>;
