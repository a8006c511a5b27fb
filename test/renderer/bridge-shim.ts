// Installs window.q3tts in the page the way src/preload/bridge.ts builds it, one method per row of the
// channel lists, with ipcRenderer replaced by functions the test process exposes (page.exposeFunction):
// invoke goes to main's real IPC handlers, main's webContents.send comes back through __q3ttsPush.
// Serialized into the page by addInitScript: no imports at runtime (the lists come in as the argument).
import type { INVOKE_CHANNELS as InvokeChannels, PUSH_CHANNELS as PushChannels } from '../../src/shared/ipc.js';

declare global {
  interface Window {
    __q3ttsInvoke(channel: string, args: unknown[]): Promise<unknown>;
    __q3ttsPush(channel: string, payload: unknown): void;
    __violations: string[];
  }
}

export function installBridge(channels: { invoke: typeof InvokeChannels; push: typeof PushChannels }): void {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const bridge: Record<string, unknown> = {};
  for (const [method, channel] of Object.entries(channels.invoke))
    bridge[method] = (...args: unknown[]) => window.__q3ttsInvoke(channel, args);
  for (const [method, channel] of Object.entries<string>(channels.push)) {
    bridge[method] = (listener: (payload: unknown) => void) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
      return () => void listeners.get(channel)!.delete(listener);
    };
  }
  Object.defineProperty(window, 'q3tts', { value: Object.freeze(bridge), writable: false });
  window.__q3ttsPush = (channel, payload) => listeners.get(channel)?.forEach((l) => l(payload));
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) =>
    window.__violations.push(`${e.violatedDirective}: ${e.blockedURI}`),
  );
}
