// window.q3tts: exactly the Q3ttsBridge, each method one allow-listed invoke. Bundled as a single CJS
// file (sandboxed preloads can require nothing but electron). Never exposes ipcRenderer itself.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Q3ttsBridge } from '../shared/bridge.js';
import { INVOKE_CHANNELS, IPC } from '../shared/ipc.js';

/** Subscribes to one push channel; only the payload crosses over, never the IPC event (it carries the sender). */
function listen<T>(channel: string, listener: (payload: T) => void): () => void {
  const wrapped = (_event: IpcRendererEvent, payload: T) => listener(payload);
  ipcRenderer.on(channel, wrapped);
  return () => {
    ipcRenderer.removeListener(channel, wrapped);
  };
}

const bridge: Q3ttsBridge = {
  speak: (params) => ipcRenderer.invoke(INVOKE_CHANNELS.speak, params),
  stop: () => ipcRenderer.invoke(INVOKE_CHANNELS.stop),
  saveWav: (params) => ipcRenderer.invoke(INVOKE_CHANNELS.saveWav, params),
  getStatus: () => ipcRenderer.invoke(INVOKE_CHANNELS.getStatus),
  getVoices: () => ipcRenderer.invoke(INVOKE_CHANNELS.getVoices),
  getDefaults: () => ipcRenderer.invoke(INVOKE_CHANNELS.getDefaults),
  getSettings: () => ipcRenderer.invoke(INVOKE_CHANNELS.getSettings),
  setSettings: (patch) => ipcRenderer.invoke(INVOKE_CHANNELS.setSettings, patch),
  listModels: () => ipcRenderer.invoke(INVOKE_CHANNELS.listModels),
  pullModel: (params) => ipcRenderer.invoke(INVOKE_CHANNELS.pullModel, params),
  cancelPull: (params) => ipcRenderer.invoke(INVOKE_CHANNELS.cancelPull, params),
  useModel: (params) => ipcRenderer.invoke(INVOKE_CHANNELS.useModel, params),
  removeModel: (params) => ipcRenderer.invoke(INVOKE_CHANNELS.removeModel, params),
  onStatus: (listener) => listen(IPC.status, listener),
  onSettings: (listener) => listen(IPC.settings, listener),
  onShowView: (listener) => listen(IPC.showView, listener),
  onModelEvent: (listener) => listen(IPC.modelEvent, listener),
};

contextBridge.exposeInMainWorld('q3tts', bridge);
