import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('electron', () => import('../../mocks/electron.js'));
const { ipcMain, WebContentsMock } = await import('../../mocks/electron.js');
const { registerIpc, serveContract, pushModelEvent, pushSettings, pushShowView, pushStatus, isTrustedSender } =
  await import('../../../src/main/electron/ipc.js');
const { IPC_CONTRACT } = await import('../../../src/shared/ipc-schemas.js');
import { z } from 'zod';
const { openSettingsRepo } = await import('../../../src/main/app/settings-repo.js');
const { AppController } = await import('../../../src/main/app/controller.js');
const { INVOKE_CHANNELS, PUSH_CHANNELS } = await import('../../../src/shared/ipc.js');
const { DEFAULT_SETTINGS, SETTINGS_VERSION } = await import('../../../src/shared/settings.js');
import type { SpeechService } from '../../../src/main/app/speech.js';

const { ModelManager } = await import('../../../src/main/app/models.js');

// A controller over a recording speech service: the IPC layer is what is under test here.
const spoken: unknown[] = [];
const requested: Array<Record<string, unknown>> = [];
const modelsAnswer = {
  status: 'ok' as const,
  root: '/nonexistent/models',
  active: null,
  override: null,
  models: [],
  pulls: [],
};
const speech: SpeechService = {
  mode: 'host',
  speak: async (cmd) => (
    spoken.push(cmd),
    {
      stats: { timeToFirstAudioMs: 120, realTimeFactor: 0.5, audioSeconds: 1 },
      warning: null,
      output: cmd.output ?? null,
    }
  ),
  stop: async () => 2,
  control: async (action) => void requested.push({ action }),
  voices: async () => ({
    engine: 'tone',
    model: 'tone',
    languages: ['English'],
    speakers: [],
    supportsInstruct: false,
  }),
  snapshot: async () => ({ state: 'idle', engine: 'tone', model: 'tone', error: null, last: null }),
  onChange: () => () => undefined,
  request: async (r) => (
    requested.push(r),
    r.action === 'models' ? modelsAnswer : { status: 'ok', cancelled: 1, active: 'm-int4' }
  ),
  reload: async () => undefined,
  close: async () => undefined,
};
const controller = new AppController({ settings: () => DEFAULT_SETTINGS, readClipboard: async () => '' });
await controller.setService(speech);

// The real settings repo on a tmp dir: what setSettings saved is what the file holds.
const configDir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-ipc-settings-'));
afterAll(() => rmSync(configDir, { recursive: true, force: true }));
const repo = openSettingsRepo({ cwd: configDir });
const models = new ModelManager({
  daemon: () => controller.speech,
  local: { request: async () => ({ status: 'error', code: 'E_INTERNAL', message: 'no local models in this test' }) },
  settings: repo,
  restartService: () => undefined,
  onEvent: () => undefined,
  freeBytes: async () => 12_345,
});
const onDisk = () => JSON.parse(readFileSync(repo.path, 'utf8')) as Record<string, unknown>;

const ours = new WebContentsMock();
const stranger = new WebContentsMock();
const frame = (url: string, parent: unknown = null) => ({ url, parent });
const event = (sender: unknown, senderFrame: unknown) => ({ sender, senderFrame }) as never;
const good = { text: 'Hi', instruct: '', language: 'auto', speaker: null };
let unregister: () => void;
let dialogs = 0;

beforeEach(() => {
  unregister?.();
  spoken.length = 0;
  requested.length = 0;
  dialogs = 0;
  unregister = registerIpc({
    controller,
    settings: repo,
    models,
    platform: 'linux',
    ourContents: () => [ours as never],
    chooseWavPath: async () => (dialogs++, '/home/ann/speech.wav'),
  });
});

const call = (channel: string, ev: unknown, ...args: unknown[]) =>
  ipcMain.handlers.get(channel)!(ev, ...args) as Promise<unknown>;

describe('ipc handlers', () => {
  it('registers exactly the allow-listed channels, and removes them again', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.values(INVOKE_CHANNELS).sort());
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
    unregister = registerIpc({
      controller,
      settings: repo,
      models,
      ourContents: () => [ours as never],
      chooseWavPath: async () => null,
    });
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
    const result = await call(INVOKE_CHANNELS.speak, event(ours, frame('app://ui/index.html')), good);
    expect(result).toMatchObject({ ok: true, stats: { timeToFirstAudioMs: 120 } });
    expect(spoken).toEqual([
      // the Settings' rate and volume when the window sends none
      {
        text: 'Hi',
        instruct: null,
        language: 'auto',
        speaker: null,
        interrupt: true,
        clean: false,
        source: 'window',
        rate: 1,
        volume: 100,
      },
    ]);
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
    const result = await call(INVOKE_CHANNELS.speak, event(ours, frame('app://ui/index.html')), ...args);
    expect(result).toMatchObject({ ok: false, code: 'E_INVALID', message: expect.stringMatching(message) });
    expect(spoken).toEqual([]);
  });

  it('refuses arguments to argument-less methods', async () => {
    expect(await call(INVOKE_CHANNELS.stop, event(ours, frame('app://ui/index.html')), { all: true })).toMatchObject({
      ok: false,
      code: 'E_INVALID',
    });
    expect(await call(INVOKE_CHANNELS.stop, event(ours, frame('app://ui/index.html')))).toEqual({
      ok: true,
      cancelled: 2,
    });
  });

  it('passes pause, resume, next and back on to the speech service, and nothing else', async () => {
    const ev = event(ours, frame('app://ui/index.html'));
    for (const action of ['pause', 'resume', 'next', 'back'])
      expect(await call(INVOKE_CHANNELS.control, ev, action)).toEqual({ ok: true });
    expect(requested.slice(-4)).toEqual([
      { action: 'pause' },
      { action: 'resume' },
      { action: 'next' },
      { action: 'back' },
    ]);
    const before = requested.length;
    for (const bad of ['skip', { action: 'next' }, undefined])
      expect(await call(INVOKE_CHANNELS.control, ev, bad)).toMatchObject({ ok: false, code: 'E_INVALID' });
    expect(requested.length).toBe(before);
  });

  it('saves only where the dialog in main says, never where the renderer says', async () => {
    const result = await call(INVOKE_CHANNELS.saveWav, event(ours, frame('app://ui/index.html')), good);
    expect(result).toMatchObject({ ok: true, path: '/home/ann/speech.wav' });
    expect(spoken).toMatchObject([{ output: '/home/ann/speech.wav' }]);
  });

  it('answers status, voices and defaults', async () => {
    const ev = event(ours, frame('app://ui/index.html'));
    expect(await call(INVOKE_CHANNELS.getStatus, ev)).toMatchObject({ state: 'ready', engine: 'tone' });
    expect(await call(INVOKE_CHANNELS.getVoices, ev)).toMatchObject({ ok: true, voices: { languages: ['English'] } });
    expect(await call(INVOKE_CHANNELS.getDefaults, ev)).toEqual({
      instruct: '',
      language: 'auto',
      speaker: null,
      rate: 1,
      volume: 100,
    });
  });

  it('answers the settings, with where they are stored and the platform', async () => {
    const answer = await call(INVOKE_CHANNELS.getSettings, event(ours, frame('app://ui/index.html')));
    expect(answer).toEqual({ settings: repo.get(), file: repo.path, platform: 'linux' });
  });

  it('saves a valid settings patch through the repo and answers the new settings', async () => {
    const patch = {
      hotkey: 'Alt+Shift+R',
      speakMode: 'queue',
      modelDir: '/models/q3',
      executionProvider: 'cuda',
      startAtLogin: true,
    };
    const answer = await call(INVOKE_CHANNELS.setSettings, event(ours, frame('app://ui/index.html#settings')), patch);
    expect(answer).toMatchObject({ ok: true, settings: patch, file: repo.path });
    expect(repo.get()).toMatchObject(patch);
    expect(onDisk()).toMatchObject({ version: SETTINGS_VERSION, ...patch });
    // A later patch keeps what the earlier one saved.
    expect(
      await call(INVOKE_CHANNELS.setSettings, event(ours, frame('app://ui/index.html')), { speakMode: 'interrupt' }),
    ).toMatchObject({ ok: true, settings: { ...patch, speakMode: 'interrupt' } });
    expect(onDisk()).toMatchObject({ ...patch, speakMode: 'interrupt' });
  });

  it.each([
    ['a bad shortcut', { hotkey: 'Ctrl+Nope' }, { hotkey: /not a valid shortcut/ }],
    ['an unknown precision', { modelVariant: 'int8' }, { modelVariant: /int4|fp32/ }],
    ['an unknown provider', { executionProvider: 'rocm' }, { executionProvider: /cpu/ }],
    ['a too-long voice', { instruct: 'x'.repeat(4001) }, { instruct: /at most 4000 characters/ }],
    ['an empty model directory (null means automatic)', { modelDir: '' }, { modelDir: /.+/ }],
    ['a string for a boolean', { startAtLogin: 'yes' }, { startAtLogin: /boolean/ }],
    ['the version', { version: 1 }, { '': /unknown setting 'version'/ }],
    ['an unknown field', { theme: 'dark' }, { '': /unknown setting 'theme'/ }],
    ['one bad field among good ones', { speakMode: 'interrupt', hotkey: '++' }, { hotkey: /not a valid shortcut/ }],
    ['not an object', 'queue', { '': /.+/ }],
  ])('refuses %s with a message per field, saving nothing', async (_name, patch, fields) => {
    const before = onDisk();
    const answer = (await call(INVOKE_CHANNELS.setSettings, event(ours, frame('app://ui/index.html')), patch)) as {
      fields: Record<string, string>;
    };
    expect(answer).toMatchObject({ ok: false, code: 'E_INVALID', message: expect.any(String) });
    expect(Object.keys(answer.fields).sort()).toEqual(Object.keys(fields).sort());
    for (const [key, re] of Object.entries(fields)) expect(answer.fields[key]).toMatch(re);
    expect(onDisk()).toEqual(before);
  });

  it('refuses settings from an untrusted sender before reading the patch', async () => {
    const before = onDisk();
    await expect(
      call(INVOKE_CHANNELS.setSettings, event(stranger, frame('app://ui/index.html')), { speakMode: 'interrupt' }),
    ).rejects.toThrow(/untrusted sender/);
    await expect(call(INVOKE_CHANNELS.getSettings, event(ours, frame('https://evil.example/')))).rejects.toThrow(
      /untrusted sender/,
    );
    expect(onDisk()).toEqual(before);
  });

  it('pushes settings and view requests to live windows', () => {
    const gone = new WebContentsMock();
    gone.destroyed = true;
    ours.sent = [];
    pushSettings([ours as never, gone as never], repo.get());
    pushShowView([ours as never, gone as never], 'settings');
    expect(ours.sent).toEqual([
      [PUSH_CHANNELS.onSettings, repo.get()],
      [PUSH_CHANNELS.onShowView, 'settings'],
    ]);
    expect(gone.sent).toEqual([]);
  });

  it('pushes status to live windows only', () => {
    ours.sent = [];
    const gone = new WebContentsMock();
    gone.destroyed = true;
    pushStatus([ours as never, gone as never], controller.status);
    expect(ours.sent).toEqual([[PUSH_CHANNELS.onStatus, controller.status]]);
    expect(gone.sent).toEqual([]);
    expect(isTrustedSender(event(ours, frame('app://ui/x')), [ours as never])).toBe(true);
  });
});

describe('the contract table', () => {
  const ev = () => event(ours, frame('app://ui/index.html'));

  it.each([
    ['an unknown field', { unexpected: true }],
    ['a string', 'x'],
    ['an array', []],
    ['a number', 42],
  ])('refuses %s on every channel of the table with E_INVALID, reaching no handler', async (_name, payload) => {
    const before = onDisk();
    for (const method of Object.keys(IPC_CONTRACT) as Array<keyof typeof IPC_CONTRACT>) {
      const answer = await call(INVOKE_CHANNELS[method], ev(), payload);
      expect(answer, method).toMatchObject({ ok: false, code: 'E_INVALID', message: expect.any(String) });
    }
    expect(spoken).toEqual([]);
    expect(requested).toEqual([]);
    expect(dialogs).toBe(0);
    expect(onDisk()).toEqual(before);
  });

  it('serves any table: a row (channel, schema, handler) is all a new method takes', async () => {
    unregister();
    const got: unknown[] = [];
    const table = { ping: { payload: z.object({ n: z.number().int() }).strict() }, ring: { payload: z.undefined() } };
    const off = serveContract(
      table,
      { ping: 'test:ping', ring: 'test:ring' },
      { ping: async (p) => (got.push(p), { ok: true, n: p.n + 1 }), ring: async () => 'rang' },
      (e) => isTrustedSender(e, [ours as never]),
    );
    expect([...ipcMain.handlers.keys()].sort()).toEqual(['test:ping', 'test:ring']);
    expect(await call('test:ping', ev(), { n: 1 })).toEqual({ ok: true, n: 2 });
    expect(await call('test:ring', ev())).toBe('rang');
    expect(await call('test:ping', ev(), { n: 1.5 })).toMatchObject({
      ok: false,
      code: 'E_INVALID',
      fields: { n: expect.any(String) },
    });
    expect(await call('test:ping', ev(), { n: 1, m: 2 })).toMatchObject({
      ok: false,
      code: 'E_INVALID',
      message: /unknown field 'm'/,
    });
    expect(await call('test:ring', ev(), 'x')).toMatchObject({ ok: false, code: 'E_INVALID' });
    expect(await call('test:ping', ev(), { n: 1 }, { n: 2 })).toMatchObject({
      ok: false,
      code: 'E_INVALID',
      message: /at most one argument/,
    });
    await expect(call('test:ping', event(stranger, frame('app://ui/index.html')), { n: 1 })).rejects.toThrow(
      /untrusted sender/,
    );
    expect(got).toEqual([{ n: 1 }]);
    off();
    expect(ipcMain.handlers.size).toBe(0);
    unregister = registerIpc({
      controller,
      settings: repo,
      models,
      ourContents: () => [ours as never],
      chooseWavPath: async () => null,
    });
  });
});

describe('model manager channels', () => {
  const ev = () => event(ours, frame('app://ui/index.html'));

  it('never reach the daemon from an untrusted sender', async () => {
    for (const channel of [
      INVOKE_CHANNELS.listModels,
      INVOKE_CHANNELS.pullModel,
      INVOKE_CHANNELS.cancelPull,
      INVOKE_CHANNELS.useModel,
      INVOKE_CHANNELS.removeModel,
    ]) {
      await expect(
        call(channel, event(stranger, frame('app://ui/index.html')), { name: 'm', precision: 'int4', activate: true }),
      ).rejects.toThrow(/untrusted sender/);
      await expect(
        call(channel, event(ours, frame('app://ui/index.html', {})), { name: 'm', precision: 'int4', activate: true }),
      ).rejects.toThrow(/untrusted sender/);
    }
    expect(requested).toEqual([]);
  });

  it('forward valid requests to the daemon as protocol actions', async () => {
    expect(await call(INVOKE_CHANNELS.listModels, ev())).toEqual({
      ok: true,
      models: { root: '/nonexistent/models', active: null, override: null, models: [], pulls: [], freeBytes: 12_345 },
    });
    expect(
      await call(INVOKE_CHANNELS.pullModel, ev(), {
        name: 'qwen3-tts-1.7b-voicedesign',
        precision: 'fp32',
        activate: false,
      }),
    ).toEqual({ ok: true, folder: 'qwen3-tts-1.7b-voicedesign-fp32', active: false, warning: null });
    expect(
      await call(INVOKE_CHANNELS.cancelPull, ev(), {
        name: 'wavekat/Qwen3-TTS-1.7B-VoiceDesign-ONNX',
        precision: 'int4',
      }),
    ).toEqual({ ok: true, cancelled: 1 });
    expect(await call(INVOKE_CHANNELS.useModel, ev(), { name: 'my-export', precision: null })).toEqual({
      ok: true,
      active: 'm-int4',
      warning: null,
    });
    expect(requested.map(({ id: _id, ...r }) => r)).toEqual([
      { action: 'models' },
      { action: 'models_pull', name: 'qwen3-tts-1.7b-voicedesign', precision: 'fp32', events: true },
      { action: 'models_cancel', name: 'wavekat/Qwen3-TTS-1.7B-VoiceDesign-ONNX', precision: 'int4' },
      { action: 'models_use', name: 'my-export' },
    ]);
    // Remove looks the model up in the daemon's listing first: not installed there, nothing deleted.
    requested.length = 0;
    expect(await call(INVOKE_CHANNELS.removeModel, ev(), { name: 'my-export', precision: null })).toEqual({
      ok: false,
      code: 'E_NO_MODEL',
      message: 'my-export is not installed',
    });
    expect(requested.map((r) => r.action)).toEqual(['models']);
  });

  it.each([
    ['pullModel without a payload', INVOKE_CHANNELS.pullModel, [undefined], /request/],
    ['pullModel without activate', INVOKE_CHANNELS.pullModel, [{ name: 'm', precision: 'int4' }], /activate/],
    [
      'pullModel with an unknown precision',
      INVOKE_CHANNELS.pullModel,
      [{ name: 'm', precision: 'int8', activate: true }],
      /precision/,
    ],
    [
      'pullModel with a path for a name',
      INVOKE_CHANNELS.pullModel,
      [{ name: '../../etc', precision: 'int4', activate: true }],
      /not a model name/,
    ],
    [
      'pullModel with a parent folder in a repo id',
      INVOKE_CHANNELS.pullModel,
      [{ name: 'models/..', precision: 'int4', activate: true }],
      /not a model name/,
    ],
    [
      'pullModel with a flag for a name',
      INVOKE_CHANNELS.pullModel,
      [{ name: '--all', precision: 'int4', activate: true }],
      /not a model name/,
    ],
    [
      'pullModel with an absolute path',
      INVOKE_CHANNELS.pullModel,
      [{ name: '/home/ann/model', precision: 'int4', activate: true }],
      /not a model name/,
    ],
    [
      'pullModel with an extra field (no endpoint from the window)',
      INVOKE_CHANNELS.pullModel,
      [{ name: 'm', precision: 'int4', activate: true, endpoint: 'http://evil' }],
      /unknown field 'endpoint'/,
    ],
    [
      'pullModel with too long a name',
      INVOKE_CHANNELS.pullModel,
      [{ name: 'm'.repeat(201), precision: 'int4', activate: true }],
      /name/,
    ],
    ['cancelPull without a precision', INVOKE_CHANNELS.cancelPull, [{ name: 'm' }], /precision/],
    ['useModel with a missing precision (null means none)', INVOKE_CHANNELS.useModel, [{ name: 'm' }], /precision/],
    ['listModels with an argument', INVOKE_CHANNELS.listModels, [{ all: true }], /.+/],
    ['two arguments', INVOKE_CHANNELS.useModel, [{ name: 'm', precision: null }, {}], /at most one argument/],
    [
      'removeModel with a path',
      INVOKE_CHANNELS.removeModel,
      [{ name: '../models', precision: null }],
      /not a model name/,
    ],
    ['removeModel without a precision', INVOKE_CHANNELS.removeModel, [{ name: 'm' }], /precision/],
  ])('refuse %s with E_INVALID, asking the daemon nothing', async (_name, channel, args, message) => {
    expect(await call(channel, ev(), ...args)).toMatchObject({
      ok: false,
      code: 'E_INVALID',
      message: expect.stringMatching(message),
    });
    expect(requested).toEqual([]);
  });

  it('pushes download progress to live windows only', () => {
    ours.sent = [];
    const gone = new WebContentsMock();
    gone.destroyed = true;
    const progress = {
      type: 'progress',
      folder: 'm-int4',
      doneBytes: 1,
      totalBytes: 2,
      speedBps: 1,
      etaS: 1,
      filesDone: 0,
      filesTotal: 1,
    } as const;
    pushModelEvent([ours as never, gone as never], progress);
    expect(ours.sent).toEqual([[PUSH_CHANNELS.onModelEvent, progress]]);
    expect(gone.sent).toEqual([]);
  });
});
