// Installs window.q3tts in the page, forwarding each call to the test process (page.exposeFunction),
// the way the preload forwards to main. Serialized into the page by addInitScript: no imports at
// runtime, only types, so the compiler checks it against the real bridge contract.
import type { AppStatus, Q3ttsBridge } from '../../src/shared/bridge.js';

declare global {
  interface Window {
    __q3ttsInvoke(method: string, payload: unknown): Promise<unknown>;
    __q3ttsPush(status: AppStatus): void;
    __violations: string[];
  }
}

export function installBridge(): void {
  const listeners = new Set<(s: AppStatus) => void>();
  const call = <T>(method: string, payload?: unknown) => window.__q3ttsInvoke(method, payload) as Promise<T>;
  const bridge: Q3ttsBridge = {
    speak: (p) => call('speak', p),
    stop: () => call('stop'),
    saveWav: (p) => call('saveWav', p),
    getStatus: () => call('getStatus'),
    getVoices: () => call('getVoices'),
    getDefaults: () => call('getDefaults'),
    onStatus: (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
  Object.defineProperty(window, 'q3tts', { value: Object.freeze(bridge), writable: false });
  window.__q3ttsPush = (s) => listeners.forEach((l) => l(s));
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective}: ${e.blockedURI}`));
}
