import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
vi.mock('electron', () => import('../../mocks/electron.js'));
const electronMock = await import('../../mocks/electron.js');
const { contextBridge, ipcRenderer } = electronMock;
await import('../../../src/preload/index.js');
const { bridgeFor } = await import('../../../src/preload/bridge.js');
const { BRIDGE_KEYS, INVOKE_CHANNELS, PUSH_CHANNELS } = await import('../../../src/shared/ipc.js');
const { IPC_CONTRACT } = await import('../../../src/shared/ipc-schemas.js');
import type { AppStatus, Q3ttsBridge } from '../../../src/shared/bridge.js';

const bridge = contextBridge.exposed.get('q3tts') as Q3ttsBridge;
const params = { text: 'Hi', instruct: '', language: 'auto', speaker: null };
const sorted = (keys: Iterable<string>) => [...keys].sort();

describe('the IPC contract', () => {
  it('has one payload schema per invoke channel, and no row without a channel', () => {
    expect(sorted(Object.keys(IPC_CONTRACT))).toEqual(sorted(Object.keys(INVOKE_CHANNELS)));
  });

  it('gives every method its own channel, and pushes never share one with invokes', () => {
    const channels = [...Object.values(INVOKE_CHANNELS), ...Object.values(PUSH_CHANNELS)];
    expect(new Set(channels).size).toBe(channels.length);
    for (const c of channels) expect(c).toMatch(/^q3tts:[a-z-]+$/);
  });

  it('makes the bridge keys of both lists, push methods named on*', () => {
    expect(sorted(BRIDGE_KEYS)).toEqual(sorted([...Object.keys(INVOKE_CHANNELS), ...Object.keys(PUSH_CHANNELS)]));
    expect(Object.keys(PUSH_CHANNELS).every((k) => /^on[A-Z]/.test(k))).toBe(true);
    expect(Object.keys(INVOKE_CHANNELS).some((k) => /^on[A-Z]/.test(k))).toBe(false);
  });
});

describe('preload bridge', () => {
  it('exposes only window.q3tts, with exactly the keys of the channel lists, all functions', () => {
    expect([...contextBridge.exposed.keys()]).toEqual(['q3tts']);
    expect(sorted(Object.keys(bridge))).toEqual(sorted(BRIDGE_KEYS));
    for (const key of BRIDGE_KEYS) expect(typeof bridge[key]).toBe('function');
  });

  it.each([
    ['speak', [params], 'q3tts:speak'],
    ['stop', [], 'q3tts:stop'],
    ['saveWav', [params], 'q3tts:save-wav'],
    ['getStatus', [], 'q3tts:get-status'],
    ['getVoices', [], 'q3tts:get-voices'],
    ['getDefaults', [], 'q3tts:get-defaults'],
    ['getSettings', [], 'q3tts:get-settings'],
    ['setSettings', [{ speakMode: 'queue' }], 'q3tts:set-settings'],
    ['listModels', [], 'q3tts:list-models'],
    ['pullModel', [{ name: 'm', precision: 'int4', activate: true }], 'q3tts:pull-model'],
    ['cancelPull', [{ name: 'm', precision: 'int4' }], 'q3tts:cancel-pull'],
    ['useModel', [{ name: 'm', precision: null }], 'q3tts:use-model'],
    ['removeModel', [{ name: 'm', precision: 'fp32' }], 'q3tts:remove-model'],
  ] as const)('%s invokes %s', async (method, args, channel) => {
    ipcRenderer.invoked.length = 0;
    await (bridge[method] as (...a: unknown[]) => Promise<unknown>)(...args);
    expect(ipcRenderer.invoked).toEqual([[channel, args]]);
  });

  it.each([
    ['onStatus', 'q3tts:status', { state: 'ready' } as AppStatus],
    ['onSettings', 'q3tts:settings', { speakMode: 'queue' }],
    ['onShowView', 'q3tts:show-view', 'settings'],
    ['onModelEvent', 'q3tts:model-event', { type: 'note', folder: 'm-int4', message: 'Resuming a' }],
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

  it('needs nothing but a row to gain a method (built from other lists)', async () => {
    const built = bridgeFor(ipcRenderer, { ping: 'test:ping' }, { onPong: 'test:pong' });
    expect(sorted(Object.keys(built))).toEqual(['onPong', 'ping']);
    ipcRenderer.invoked.length = 0;
    await built.ping({ n: 1 });
    expect(ipcRenderer.invoked).toEqual([['test:ping', [{ n: 1 }]]]);
    const got: unknown[] = [];
    const off = built.onPong((p) => got.push(p));
    ipcRenderer.listeners.get('test:pong')!.forEach((l) => l({ sender: 'secret' }, 42));
    off();
    expect(got).toEqual([42]);
    expect(ipcRenderer.listeners.get('test:pong')!.size).toBe(0);
  });
});

describe('the built preload (out/preload/index.cjs)', () => {
  const file = path.resolve(import.meta.dirname, '../../../out/preload/index.cjs');
  const code = readFileSync(file, 'utf8');

  it('stays one small file without zod', () => {
    expect(code.length).toBeLessThan(4096);
    expect(code).not.toMatch(/zod|ZodError|safeParse/);
  });

  it('runs requiring only electron, as in a sandboxed preload, and exposes the same bridge', async () => {
    const exposed = new Map<string, Record<string, (...a: unknown[]) => unknown>>();
    const invoked: unknown[][] = [];
    const electron = {
      contextBridge: {
        exposeInMainWorld: (key: string, api: Record<string, (...a: unknown[]) => unknown>) => exposed.set(key, api),
      },
      ipcRenderer: { ...electronMock.ipcRenderer, invoke: async (...a: unknown[]) => (invoked.push(a), { ok: true }) },
    };
    const required: string[] = [];
    const module = { exports: {} };
    const sandboxRequire = (id: string) => {
      required.push(id);
      if (id !== 'electron') throw new Error(`a sandboxed preload cannot require ${id}`);
      return electron;
    };
    vm.runInNewContext(code, { require: sandboxRequire, module, exports: module.exports }, { filename: file });
    expect(required).toEqual(['electron']);
    expect([...exposed.keys()]).toEqual(['q3tts']);
    const built = exposed.get('q3tts')!;
    expect(sorted(Object.keys(built))).toEqual(sorted(BRIDGE_KEYS));
    expect(await built.pullModel!({ name: 'm', precision: 'int4', activate: true })).toEqual({ ok: true });
    expect(invoked).toEqual([['q3tts:pull-model', { name: 'm', precision: 'int4', activate: true }]]);
  });
});
