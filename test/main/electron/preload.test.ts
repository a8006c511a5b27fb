import { describe, expect, it, vi } from 'vitest';
vi.mock('electron', () => import('../../mocks/electron.js'));
const { contextBridge, ipcRenderer } = await import('../../mocks/electron.js');
await import('../../../src/preload/index.js');
const { BRIDGE_KEYS } = await import('../../../src/shared/bridge.js');
const { INVOKE_CHANNELS, IPC } = await import('../../../src/shared/ipc.js');
import type { AppStatus, Q3ttsBridge } from '../../../src/shared/bridge.js';

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
    ['getSettings', [], INVOKE_CHANNELS.getSettings],
    ['setSettings', [{ speakMode: 'queue' }], INVOKE_CHANNELS.setSettings],
    ['listModels', [], INVOKE_CHANNELS.listModels],
    ['pullModel', [{ name: 'm', precision: 'int4', activate: true }], INVOKE_CHANNELS.pullModel],
    ['cancelPull', [{ name: 'm', precision: 'int4' }], INVOKE_CHANNELS.cancelPull],
    ['useModel', [{ name: 'm', precision: null }], INVOKE_CHANNELS.useModel],
    ['removeModel', [{ name: 'm', precision: 'fp32' }], INVOKE_CHANNELS.removeModel],
  ] as const)('%s invokes %s', async (method, args, channel) => {
    ipcRenderer.invoked.length = 0;
    await (bridge[method] as (...a: unknown[]) => Promise<unknown>)(...args);
    expect(ipcRenderer.invoked).toEqual([[channel, args]]);
  });

  it('invokes only allow-listed channels, and each method its own', () => {
    expect(new Set(Object.values(INVOKE_CHANNELS)).size).toBe(Object.keys(INVOKE_CHANNELS).length);
    expect(BRIDGE_KEYS.filter((k) => !k.startsWith('on')).sort()).toEqual(Object.keys(INVOKE_CHANNELS).sort());
  });

  it.each([
    ['onStatus', IPC.status, { state: 'ready' } as AppStatus],
    ['onSettings', IPC.settings, { speakMode: 'queue' }],
    ['onShowView', IPC.showView, 'settings'],
    ['onModelEvent', IPC.modelEvent, { type: 'note', folder: 'm-int4', message: 'Resuming a' }],
  ] as const)('%s passes only the payload (never the IPC event) and unsubscribes', (method, channel, payload) => {
    const got: unknown[][] = [];
    const off = (bridge[method] as (l: (...a: unknown[]) => void) => () => void)((...a: unknown[]) => got.push(a));
    const fire = () => ipcRenderer.listeners.get(channel)!.forEach((l) => l({ sender: 'secret' }, payload));
    fire();
    off();
    fire();
    expect(got).toEqual([[payload]]);
    expect(ipcRenderer.listeners.get(channel)!.size).toBe(0);
  });
});
