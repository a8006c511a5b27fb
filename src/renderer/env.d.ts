import type { Q3ttsBridge } from '../shared/bridge.js';

declare global {
  interface Window {
    /** Installed by the preload script (src/preload/index.ts). */
    readonly q3tts: Q3ttsBridge;
  }
}
