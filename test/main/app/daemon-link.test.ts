// The controller and the speech adapter against the real daemon (tone engine in its host process),
// hosted in this process and attached to over its socket, as the app does.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppController } from '../../../src/main/app/controller.js';
import {
  attachToDaemon,
  doorsOf,
  hostDaemon,
  probeDaemon,
  type HostedDaemon,
} from '../../../src/main/app/daemon-link.js';
import type { AppStatus } from '../../../src/shared/bridge.js';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/shared/settings.js';

let dir: string;
let socketPath: string;
let hosted: HostedDaemon;
const settings: Settings = { ...DEFAULT_SETTINGS };
let clipboard = '';
let attachedLater: { ended: Promise<{ reason: string }>; close(): Promise<void> } | undefined;
const controller = new AppController({
  settings: () => settings,
  readClipboard: async () => clipboard,
  log: () => undefined,
});
const seen: AppStatus[] = [];
controller.onStatus((s) => seen.push(s));
const params = (text: string) => ({ text, instruct: 'a bright voice', language: 'English', speaker: null });

beforeAll(async () => {
  process.env.Q3TTS_AUDIO = 'null';
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-app-'));
  socketPath = path.join(dir, 'run', 'daemon.sock');
  expect(await probeDaemon(socketPath)).toBe('absent');
  controller.setStarting('Loading the model…');
  hosted = await hostDaemon({
    socketPath,
    engine: { kind: 'tone', msPerFrame: 3 },
    log: () => undefined,
    // As the app does: the doors come from the settings (here the Wyoming one, on a free port).
    ...doorsOf({ httpDoor: null, wyomingDoor: '127.0.0.1:0' }, path.join(dir, 'config')),
  });
  await controller.setService(hosted.speech);
});

afterAll(async () => {
  await controller.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('app controller on the real daemon', () => {
  it('goes from loading to ready with the engine named', () => {
    expect(seen[0]).toMatchObject({ state: 'loading', message: 'Loading the model…' });
    expect(controller.status).toMatchObject({ state: 'ready', engine: 'tone', attached: false });
  });

  it('opens no door when the settings leave them closed (the default)', () => {
    expect(doorsOf(DEFAULT_SETTINGS, '/cfg')).toEqual({});
    expect(doorsOf({ httpDoor: '0.0.0.0:8880', wyomingDoor: null }, '/cfg')).toEqual({
      doors: { http: '0.0.0.0:8880', wyoming: null, configDir: '/cfg' },
    });
  });

  it("shows the daemon's open doors (the tray lists them)", () => {
    expect(controller.status.doors).toEqual([
      { door: 'wyoming', address: expect.stringMatching(/^tcp:\/\/127\.0\.0\.1:\d+$/), auth: false },
    ]);
  });

  it('lists voices', async () => {
    const r = await controller.voices();
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.voices.engine).toBe('tone');
  });

  it('speaks, reports time to first audio and real-time factor, and passes through speaking', async () => {
    seen.length = 0;
    const r = await controller.speak(params('Hello there, this is a test.'));
    expect(r).toMatchObject({ ok: true });
    if (!r.ok) return;
    expect(r.stats!.timeToFirstAudioMs).toBeGreaterThanOrEqual(0);
    expect(r.stats!.realTimeFactor).toBeGreaterThan(0);
    expect(seen.map((s) => s.state)).toContain('speaking');
    expect(controller.status.state).toBe('ready');
    expect(controller.status.last).toEqual(r.stats);
  });

  it('stops a long utterance: the speaker gets E_CANCELLED', async () => {
    const speaking = controller.speak(params('x'.repeat(400)));
    await new Promise((r) => setTimeout(r, 150));
    const stopped = await controller.stop();
    expect(stopped).toMatchObject({ ok: true, cancelled: 1 });
    expect(await speaking).toMatchObject({ ok: false, code: 'E_CANCELLED' });
  });

  it("returns the daemon's own errors as values", async () => {
    expect(await controller.speak(params('   '))).toMatchObject({ ok: false, code: 'E_TEXT_EMPTY' });
    expect(await controller.speak({ ...params('hi'), language: 'Klingon' })).toMatchObject({
      ok: false,
      code: 'E_INVALID',
      message: /unknown language 'Klingon'/,
    });
  });

  it('speaks the clipboard cleaned of Markdown, and refuses an empty clipboard', async () => {
    clipboard = '```\ncode only\n```';
    expect(await controller.speakClipboard()).toMatchObject({ ok: false, code: 'E_TEXT_EMPTY' });
    clipboard = '';
    expect(await controller.speakClipboard()).toMatchObject({
      ok: false,
      code: 'E_TEXT_EMPTY',
      message: 'The clipboard holds no text.',
    });
    clipboard = '# Title\n\nSee [docs](https://example.com).';
    expect(await controller.speakClipboard()).toMatchObject({ ok: true });
  });

  it('saves a WAV file where main says', async () => {
    const file = path.join(dir, 'out.wav');
    const r = await controller.saveWav(params('Save me.'), file);
    expect(r).toMatchObject({ ok: true, path: file });
    expect(statSync(file).size).toBeGreaterThan(44);
    expect(await controller.saveWav(params('cancelled dialog'), null)).toEqual({ ok: true, path: null, stats: null });
  });

  it('reloads handlers without reloading the model', async () => {
    expect(await controller.reload(false)).toEqual({ ok: true });
    expect(controller.status.state).toBe('ready');
  });

  it('a daemon paused from elsewhere (q3tts pause) shows as speaking, not as an error', async () => {
    await hosted.daemon.core.request({ action: 'pause' });
    try {
      expect((await hosted.speech.snapshot()).state).toBe('speaking');
    } finally {
      await hosted.daemon.core.request({ action: 'resume' });
    }
    expect((await hosted.speech.snapshot()).state).toBe('idle');
  });

  it('tells a socket left by a dead daemon (stale) from no socket (absent)', async () => {
    const stale = path.join(dir, 'stale.sock');
    spawnSync(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(stale)},()=>process.kill(process.pid,'SIGKILL'))`,
    ]);
    expect(await probeDaemon(stale)).toBe('stale');
    expect(await probeDaemon(path.join(dir, 'none.sock'))).toBe('absent');
  });

  it('finds the live daemon and attaches to it instead of loading a second model', async () => {
    expect(await probeDaemon(socketPath)).toBe('live');
    const attached = await attachToDaemon(socketPath, { pingMs: 50 });
    const other = new AppController({
      settings: () => ({ ...settings, speakMode: 'queue' }),
      readClipboard: async () => '',
    });
    await other.setService(attached.speech);
    expect(other.status).toMatchObject({
      state: 'ready',
      attached: true,
      engine: 'tone',
      doors: [{ door: 'wyoming' }],
    });
    expect(await other.speak(params('From the attached app.'))).toMatchObject({ ok: true });
    attachedLater = { ended: attached.ended, close: () => other.close() };
  });

  it('reports no daemon once it has closed (the socket is removed)', async () => {
    await hosted.daemon.close();
    expect(await probeDaemon(socketPath)).toBe('absent');
    // The attached app notices, so its supervisor can start a daemon of its own.
    expect(await attachedLater!.ended).toMatchObject({ reason: /went away/ });
    await attachedLater!.close();
  });
});
