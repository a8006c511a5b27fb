import { beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('electron', () => import('../mocks/electron.js'));
const { ipcMain, WebContentsMock } = await import('../mocks/electron.js');
const { registerIpc, pushStatus, isTrustedSender } = await import('../../src/main/electron/ipc.js');
const { AppController } = await import('../../src/main/app/controller.js');
const { INVOKE_CHANNELS, IPC } = await import('../../src/shared/ipc.js');
const { DEFAULT_SETTINGS } = await import('../../src/shared/settings.js');
import type { SpeechService } from '../../src/main/app/speech.js';

// A controller over a recording speech service: the IPC layer is what is under test here.
const spoken: unknown[] = [];
const speech: SpeechService = {
  mode: 'host',
  speak: async (cmd) => (spoken.push(cmd), { stats: { timeToFirstAudioMs: 120, realTimeFactor: 0.5, audioSeconds: 1 }, warning: null, output: cmd.output ?? null }),
  stop: async () => 2,
  voices: async () => ({ engine: 'tone', model: 'tone', languages: ['English'], speakers: [], supportsInstruct: false }),
  snapshot: async () => ({ state: 'idle', engine: 'tone', model: 'tone', error: null, last: null }),
  onChange: () => () => undefined,
  reload: async () => undefined,
  close: async () => undefined,
};
const controller = new AppController({ settings: () => DEFAULT_SETTINGS, readClipboard: async () => '' });
await controller.setService(speech);

const ours = new WebContentsMock();
const stranger = new WebContentsMock();
const frame = (url: string, parent: unknown = null) => ({ url, parent });
const event = (sender: unknown, senderFrame: unknown) => ({ sender, senderFrame }) as never;
const good = { text: 'Hi', instruct: '', language: 'auto', speaker: null };
let unregister: () => void;

beforeEach(() => {
  unregister?.();
  spoken.length = 0;
  unregister = registerIpc({ controller, ourContents: () => [ours as never], chooseWavPath: async () => '/home/ann/speech.wav' });
});

const call = (channel: string, ev: unknown, ...args: unknown[]) => ipcMain.handlers.get(channel)!(ev, ...args) as Promise<unknown>;

describe('ipc handlers', () => {
  it('registers exactly the allow-listed channels, and removes them again', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.values(INVOKE_CHANNELS).sort());
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
    unregister = registerIpc({ controller, ourContents: () => [ours as never], chooseWavPath: async () => null });
  });

  it.each([
    ['another webContents', () => event(stranger, frame('app://ui/index.html'))],
    ['a destroyed frame', () => event(ours, null)],
    ['a foreign origin in our window', () => event(ours, frame('https://evil.example/'))],
    ['a file:// page', () => event(ours, frame('file:///etc/index.html'))],
    ['a subframe', () => event(ours, frame('app://ui/index.html', {}))],
  ])('rejects %s', async (_name, ev) => {
    for (const channel of Object.values(INVOKE_CHANNELS)) {
      await expect(call(channel, ev(), good)).rejects.toThrow(/untrusted sender/);
    }
    expect(spoken).toEqual([]);
  });

  it('accepts our window and forwards a valid speak request', async () => {
    const result = await call(IPC.speak, event(ours, frame('app://ui/index.html')), good);
    expect(result).toMatchObject({ ok: true, stats: { timeToFirstAudioMs: 120 } });
    expect(spoken).toEqual([{ text: 'Hi', instruct: null, language: 'auto', speaker: null, interrupt: true, clean: false }]);
  });

  it.each([
    ['no payload', [undefined], /request/],
    ['a string', ['Hi'], /request/],
    ['a missing field', [{ text: 'Hi', instruct: '', language: 'auto' }], /speaker/],
    ['an extra field', [{ ...good, output: '/etc/passwd' }], /unknown field 'output'/],
    ['a wrong type', [{ ...good, text: 42 }], /text/],
    ['too long a text', [{ ...good, text: 'x'.repeat(100_001) }], /text/],
    ['an empty language', [{ ...good, language: '' }], /language/],
    ['two arguments', [good, good], /at most one argument/],
  ])('returns E_INVALID for %s, without speaking', async (_name, args, message) => {
    const result = await call(IPC.speak, event(ours, frame('app://ui/index.html')), ...args);
    expect(result).toMatchObject({ ok: false, code: 'E_INVALID', message: expect.stringMatching(message) });
    expect(spoken).toEqual([]);
  });

  it('refuses arguments to argument-less methods', async () => {
    expect(await call(IPC.stop, event(ours, frame('app://ui/index.html')), { all: true })).toMatchObject({ ok: false, code: 'E_INVALID' });
    expect(await call(IPC.stop, event(ours, frame('app://ui/index.html')))).toEqual({ ok: true, cancelled: 2 });
  });

  it('saves only where the dialog in main says, never where the renderer says', async () => {
    const result = await call(IPC.saveWav, event(ours, frame('app://ui/index.html')), good);
    expect(result).toMatchObject({ ok: true, path: '/home/ann/speech.wav' });
    expect(spoken).toMatchObject([{ output: '/home/ann/speech.wav' }]);
  });

  it('answers status, voices and defaults', async () => {
    const ev = event(ours, frame('app://ui/index.html'));
    expect(await call(IPC.getStatus, ev)).toMatchObject({ state: 'ready', engine: 'tone' });
    expect(await call(IPC.getVoices, ev)).toMatchObject({ ok: true, voices: { languages: ['English'] } });
    expect(await call(IPC.getDefaults, ev)).toEqual({ instruct: '', language: 'auto', speaker: null });
  });

  it('pushes status to live windows only', () => {
    const gone = new WebContentsMock();
    gone.destroyed = true;
    pushStatus([ours as never, gone as never], controller.status);
    expect(ours.sent).toEqual([[IPC.status, controller.status]]);
    expect(gone.sent).toEqual([]);
    expect(isTrustedSender(event(ours, frame('app://ui/x')), [ours as never])).toBe(true);
  });
});
