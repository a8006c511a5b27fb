// window.q3tts: exactly the Q3ttsBridge, each method one allow-listed channel (shared/ipc.ts). Bundled as
// a single CJS file (sandboxed preloads can require nothing but electron). Never exposes ipcRenderer itself.
import { contextBridge, ipcRenderer } from 'electron';
import type { Q3ttsBridge } from '../shared/bridge.js';
import { INVOKE_CHANNELS, PUSH_CHANNELS } from '../shared/ipc.js';
import { bridgeFor } from './bridge.js';

// The shape is the lists' own (tested); the answers' types are IPC_CONTRACT's, which main is held to.
const bridge = bridgeFor(ipcRenderer, INVOKE_CHANNELS, PUSH_CHANNELS) as Q3ttsBridge;

contextBridge.exposeInMainWorld('q3tts', bridge);
