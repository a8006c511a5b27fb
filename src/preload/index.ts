// window.q3tts: exactly the Q3ttsBridge, each method one allow-listed invoke. Bundled as a single CJS
// file (sandboxed preloads can require nothing but electron). Never exposes ipcRenderer itself.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { AppStatus, Q3ttsBridge } from '../shared/bridge.js';
import { INVOKE_CHANNELS, IPC } from '../shared/ipc.js';

const bridge: Q3ttsBridge = {
  speak: (params) => ipcRenderer.invoke(INVOKE_CHANNELS.speak, params),
  stop: () => ipcRenderer.invoke(INVOKE_CHANNELS.stop),
  saveWav: (params) => ipcRenderer.invoke(INVOKE_CHANNELS.saveWav, params),
  getStatus: () => ipcRenderer.invoke(INVOKE_CHANNELS.getStatus),
  getVoices: () => ipcRenderer.invoke(INVOKE_CHANNELS.getVoices),
  getDefaults: () => ipcRenderer.invoke(INVOKE_CHANNELS.getDefaults),
  onStatus: (listener) => {
    // Only the status object crosses over, never the IPC event (it carries the sender).
    const wrapped = (_event: IpcRendererEvent, status: AppStatus) => listener(status);
    ipcRenderer.on(IPC.status, wrapped);
    return () => {
      ipcRenderer.removeListener(IPC.status, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('q3tts', bridge);
