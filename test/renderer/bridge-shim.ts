// Installs window.q3tts in the page the way src/preload/index.ts does, with ipcRenderer replaced by
// functions the test process exposes (page.exposeFunction): invoke goes to main's real IPC handlers,
// main's webContents.send comes back through __q3ttsPush. Serialized into the page by addInitScript:
// no imports at runtime (the channel names come in as the argument), only types.
import type { Q3ttsBridge } from '../../src/shared/bridge.js';
import type { IPC as IpcChannels, INVOKE_CHANNELS as InvokeChannels } from '../../src/shared/ipc.js';

declare global {
  interface Window {
    __q3ttsInvoke(channel: string, args: unknown[]): Promise<unknown>;
    __q3ttsPush(channel: string, payload: unknown): void;
    __violations: string[];
  }
}

export function installBridge(channels: { invoke: typeof InvokeChannels; push: typeof IpcChannels }): void {
  const listeners = new Map<string, Set<(payload: never) => void>>();
  const call = <T>(channel: string, ...args: unknown[]) => window.__q3ttsInvoke(channel, args) as Promise<T>;
  const listen = (channel: string, listener: (payload: never) => void) => {
    if (!listeners.has(channel)) listeners.set(channel, new Set());
    listeners.get(channel)!.add(listener);
    return () => void listeners.get(channel)!.delete(listener);
  };
  const c = channels.invoke;
  const bridge: Q3ttsBridge = {
    speak: (p) => call(c.speak, p),
    stop: () => call(c.stop),
    saveWav: (p) => call(c.saveWav, p),
    getStatus: () => call(c.getStatus),
    getVoices: () => call(c.getVoices),
    getDefaults: () => call(c.getDefaults),
    getSettings: () => call(c.getSettings),
    setSettings: (patch) => call(c.setSettings, patch),
    listModels: () => call(c.listModels),
    pullModel: (p) => call(c.pullModel, p),
    cancelPull: (p) => call(c.cancelPull, p),
    useModel: (p) => call(c.useModel, p),
    removeModel: (p) => call(c.removeModel, p),
    onStatus: (l) => listen(channels.push.status, l),
    onSettings: (l) => listen(channels.push.settings, l),
    onShowView: (l) => listen(channels.push.showView, l),
    onModelEvent: (l) => listen(channels.push.modelEvent, l),
  };
  Object.defineProperty(window, 'q3tts', { value: Object.freeze(bridge), writable: false });
  window.__q3ttsPush = (channel, payload) => listeners.get(channel)?.forEach((l) => l(payload as never));
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective}: ${e.blockedURI}`));
}
