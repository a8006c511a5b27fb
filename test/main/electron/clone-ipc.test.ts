// cloneVoice and lockVoice in main: the contract's schemas hold the window to a name, WAV bytes (never a
// path for the daemon to read), its words and a language; valid calls reach the daemon as voices_clone (the
// bytes as audio_base64) and voices_lock, and the answer comes back with the saved voices re-read from the
// settings file. The speech service records what the daemon would be asked (the IPC layer is under test).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('electron', () => import('../../mocks/electron.js'));
const { ipcMain, WebContentsMock } = await import('../../mocks/electron.js');
const { registerIpc } = await import('../../../src/main/electron/ipc.js');
const { openSettingsRepo } = await import('../../../src/main/app/settings-repo.js');
const { AppController } = await import('../../../src/main/app/controller.js');
const { ModelManager } = await import('../../../src/main/app/models.js');
const { VoicePresets } = await import('../../../src/main/app/voice-presets.js');
const { INVOKE_CHANNELS } = await import('../../../src/shared/ipc.js');
const { DEFAULT_SETTINGS } = await import('../../../src/shared/settings.js');
import type { Answer, Request } from '../../../src/shared/protocol.js';
import type { SpeechService } from '../../../src/main/app/speech.js';

const configDir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-clone-ipc-'));
afterAll(() => rmSync(configDir, { recursive: true, force: true }));
const repo = openSettingsRepo({ cwd: configDir });

const requested: Request[] = [];
/** What the daemon answers next (a voices action stores the voice in the settings file first, as it does). */
let daemonAnswer: (r: Request) => Answer = (r) => {
  const voice = { name: String(r.name), instruct: '', language: 'auto', speaker: null, seed: null };
  repo.update({ voices: [voice] });
  return { status: 'ok', voice };
};
const speech = {
  mode: 'host',
  snapshot: async () => ({ state: 'idle', engine: 'tone', model: 'tone', error: null, last: null }),
  onChange: () => () => undefined,
  request: async (r: Request) => (requested.push(r), daemonAnswer(r)),
  close: async () => undefined,
} as unknown as SpeechService;
const controller = new AppController({ settings: () => DEFAULT_SETTINGS, readClipboard: async () => '' });
await controller.setService(speech);
const models = new ModelManager({
  daemon: () => controller.speech,
  local: { request: async () => ({ status: 'error', code: 'E_INTERNAL', message: 'unused' }) },
  settings: repo,
  restartService: () => undefined,
  onEvent: () => undefined,
});

const ours = new WebContentsMock();
const ev = { sender: ours, senderFrame: { url: 'app://ui/index.html', parent: null } } as never;
const call = (channel: string, ...args: unknown[]) => ipcMain.handlers.get(channel)!(ev, ...args) as Promise<unknown>;
let unregister: (() => void) | undefined;

/** A WAV header and some samples: main passes the bytes on as they are (the daemon reads them). */
const wav = Uint8Array.from({ length: 1044 }, (_, i) => (i * 7) & 0xff);
const clip = { name: 'Mine', wav, text: 'What the clip says.', language: 'English' };

beforeEach(() => {
  unregister?.();
  requested.length = 0;
  unregister = registerIpc({
    controller,
    settings: repo,
    models,
    ourContents: () => [ours as never],
    chooseWavPath: async () => null,
  });
});

describe('cloneVoice', () => {
  it('sends the clip to the daemon as voices_clone with the bytes in base64, and answers the saved voices', async () => {
    const result = await call(INVOKE_CHANNELS.cloneVoice, clip);
    expect(requested).toEqual([
      {
        action: 'voices_clone',
        name: 'Mine',
        audio_base64: Buffer.from(wav).toString('base64'),
        text: 'What the clip says.',
        language: 'English',
      },
    ]);
    expect(Buffer.from(requested[0]!.audio_base64 as string, 'base64').equals(Buffer.from(wav))).toBe(true);
    expect(result).toMatchObject({ ok: true, voice: { name: 'Mine' }, voices: [{ name: 'Mine' }] });
    expect(repo.get().voices.map((v) => v.name)).toEqual(['Mine']); // the app's settings were re-read
  });

  it('blank words mean the speaker vector only (text null); a view into a larger buffer sends only its own bytes', async () => {
    const big = new Uint8Array(4096).fill(9);
    const view = new Uint8Array(big.buffer, 100, 200);
    await call(INVOKE_CHANNELS.cloneVoice, { ...clip, wav: view, text: '   ' });
    expect(requested[0]).toMatchObject({ text: null, audio_base64: Buffer.alloc(200, 9).toString('base64') });
  });

  it.each([
    ['no bytes', { ...clip, wav: undefined }, /wav/],
    ['bytes as a list of numbers', { ...clip, wav: Array.from(wav) }, /wav/],
    ['bytes as a string', { ...clip, wav: 'UklGRg==' }, /wav/],
    ['too few bytes for a WAV', { ...clip, wav: new Uint8Array(10) }, /too short to be a WAV/],
    ['over 2 MiB', { ...clip, wav: new Uint8Array(2 * 1024 * 1024 + 1) }, /at most 2 MiB/],
    ['a path for the daemon to read', { ...clip, audio_path: '/etc/shadow' }, /unknown field 'audio_path'/],
    ['no words field', { name: 'Mine', wav, language: 'English' }, /text/],
    ['an empty language', { ...clip, language: '' }, /language/],
    ['words over 2000 characters', { ...clip, text: 'x'.repeat(2001) }, /text/],
  ])('refuses %s with E_INVALID, asking the daemon nothing', async (_name, payload, message) => {
    const result = await call(INVOKE_CHANNELS.cloneVoice, payload);
    expect(result).toMatchObject({ ok: false, code: 'E_INVALID', message: expect.stringMatching(message) });
    expect(requested).toEqual([]);
  });

  it('refuses a WAV too large for one protocol frame, saying what fits, before asking the daemon', async () => {
    const result = await call(INVOKE_CHANNELS.cloneVoice, { ...clip, wav: new Uint8Array(900 * 1024) });
    expect(result).toEqual({
      ok: false,
      code: 'E_INVALID',
      message: 'The clip is too large to send (900 KiB): at most 10 s of 24 kHz mono 16-bit WAV (469 KiB).',
    });
    expect(requested).toEqual([]);
    // 10 s of 24 kHz mono 16-bit, what the window makes at most, fits
    await call(INVOKE_CHANNELS.cloneVoice, { ...clip, wav: new Uint8Array(44 + 480_000) });
    expect(requested).toHaveLength(1);
  });

  it("passes the daemon's error on, code and message", async () => {
    const before = daemonAnswer;
    daemonAnswer = () => ({
      status: 'error',
      code: 'E_NO_MODEL',
      message: 'cloning needs a Base model: q3tts models pull qwen3-tts-0.6b-base',
    });
    try {
      expect(await call(INVOKE_CHANNELS.cloneVoice, clip)).toEqual({
        ok: false,
        code: 'E_NO_MODEL',
        message: 'cloning needs a Base model: q3tts models pull qwen3-tts-0.6b-base',
      });
    } finally {
      daemonAnswer = before;
    }
  });
});

describe('lockVoice', () => {
  it('sends voices_lock with the name, and the sentence when one is given', async () => {
    expect(await call(INVOKE_CHANNELS.lockVoice, { name: 'Narrator' })).toMatchObject({
      ok: true,
      voice: { name: 'Narrator' },
    });
    await call(INVOKE_CHANNELS.lockVoice, { name: 'Narrator', sentence: 'Read this, please.' });
    expect(requested).toEqual([
      { action: 'voices_lock', name: 'Narrator' },
      { action: 'voices_lock', name: 'Narrator', sentence: 'Read this, please.' },
    ]);
  });

  it.each([
    ['an empty sentence', { name: 'Narrator', sentence: '' }, /sentence/],
    ['an extra field', { name: 'Narrator', seed: 3 }, /unknown field 'seed'/],
    ['no name', {}, /name/],
  ])('refuses %s with E_INVALID', async (_name, payload, message) => {
    expect(await call(INVOKE_CHANNELS.lockVoice, payload)).toMatchObject({
      ok: false,
      code: 'E_INVALID',
      message: expect.stringMatching(message),
    });
    expect(requested).toEqual([]);
  });
});

describe('without a daemon', () => {
  it('cloning and locking say the engine must be running (there is no in-process fallback)', async () => {
    const none = new VoicePresets({ speech: () => null, settingsFile: repo.path, reloadSettings: () => repo.reload() });
    expect(await none.clone(clip)).toMatchObject({ ok: false, code: 'E_DAEMON_GONE', message: /not running/ });
    expect(await none.lock({ name: 'Narrator' })).toMatchObject({ ok: false, code: 'E_DAEMON_GONE' });
    const gone = new VoicePresets({
      speech: () => ({ request: async () => Promise.reject(new Error('socket closed')) }) as unknown as SpeechService,
      settingsFile: repo.path,
      reloadSettings: () => repo.reload(),
    });
    expect(await gone.lock({ name: 'Narrator' })).toMatchObject({
      ok: false,
      code: 'E_DAEMON_GONE',
      message: expect.stringMatching(/not running.*socket closed/),
    });
  });
});
