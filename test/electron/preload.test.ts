import { describe, expect, it, vi } from 'vitest';
vi.mock('electron', () => import('../mocks/electron.js'));
const { contextBridge, ipcRenderer } = await import('../mocks/electron.js');
await import('../../src/preload/index.js');
const { BRIDGE_KEYS } = await import('../../src/shared/bridge.js');
const { INVOKE_CHANNELS, IPC } = await import('../../src/shared/ipc.js');
import type { AppStatus, Q3ttsBridge } from '../../src/shared/bridge.js';

const bridge = contextBridge.exposed.get('q3tts') as Q3ttsBridge;
const params = { text: 'Hi', instruct: '', language: 'auto', speaker: null };

describe('preload bridge', () => {
  it('exposes only window.q3tts, with exactly the bridge keys, all functions', () => {
    expect([...contextBridge.exposed.keys()]).toEqual(['q3tts']);
    expect(Object.keys(bridge).sort()).toEqual([...BRIDGE_KEYS].sort());
    for (const key of BRIDGE_KEYS) expect(typeof bridge[key]).toBe('function');
  });

  it.each([
    ['speak', [params], INVOKE_CHANNELS.speak],
    ['stop', [], INVOKE_CHANNELS.stop],
    ['saveWav', [params], INVOKE_CHANNELS.saveWav],
    ['getStatus', [], INVOKE_CHANNELS.getStatus],
    ['getVoices', [], INVOKE_CHANNELS.getVoices],
    ['getDefaults', [], INVOKE_CHANNELS.getDefaults],
  ] as const)('%s invokes %s', async (method, args, channel) => {
    ipcRenderer.invoked.length = 0;
    await (bridge[method] as (...a: unknown[]) => Promise<unknown>)(...args);
    expect(ipcRenderer.invoked).toEqual([[channel, args]]);
  });

  it('onStatus passes only the status (never the IPC event) and unsubscribes', () => {
    const got: unknown[][] = [];
    const off = bridge.onStatus((...a: unknown[]) => got.push(a));
    const status = { state: 'ready' } as AppStatus;
    const fire = () => ipcRenderer.listeners.get(IPC.status)!.forEach((l) => l({ sender: 'secret' }, status));
    fire();
    off();
    fire();
    expect(got).toEqual([[status]]);
    expect(ipcRenderer.listeners.get(IPC.status)!.size).toBe(0);
  });
});
