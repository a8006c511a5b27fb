// Saved voices in the app: saved and removed through the daemon the app hosts (tone engine), or with the same
// store in-process when no daemon is up; the hotkey speaks with the default saved voice and the Settings' rate.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppController } from '../../../src/main/app/controller.js';
import { hostDaemon, type HostedDaemon } from '../../../src/main/app/daemon-link.js';
import { openSettingsRepo, type SettingsRepo } from '../../../src/main/app/settings-repo.js';
import { defaultVoiceOf, VoicePresets } from '../../../src/main/app/voice-presets.js';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings.js';
import { readWav } from '../../support/wav.js';

let dir: string;
let hosted: HostedDaemon;
let repo: SettingsRepo;
let clipboard = '';

beforeAll(async () => {
  process.env.Q3TTS_AUDIO = 'null';
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-app-voices-'));
  repo = openSettingsRepo({ cwd: path.join(dir, 'config') });
  hosted = await hostDaemon({
    socketPath: path.join(dir, 'run', 'daemon.sock'),
    engine: { kind: 'tone', msPerFrame: 2 },
    settingsFile: repo.path,
    log: () => undefined,
  });
});

afterAll(async () => {
  await hosted?.speech.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('saved voices in the app', () => {
  it('saves through the daemon into the app settings file, which the app sees at once', async () => {
    const presets = new VoicePresets({
      speech: () => hosted.speech,
      settingsFile: repo.path,
      reloadSettings: () => repo.reload(),
    });
    const saved = await presets.save({ name: 'Alien', instruct: 'odd', language: 'Klingon', speaker: null });
    expect(saved).toMatchObject({ ok: true, replaced: false, voices: [{ name: 'Alien', language: 'Klingon' }] });
    expect(repo.get().voices.map((v) => v.name)).toEqual(['Alien']);
    const bad = await presets.save({ name: 'no/slash', instruct: '', language: 'auto', speaker: null });
    expect(bad).toMatchObject({ ok: false, code: 'E_INVALID', message: expect.stringMatching(/not a voice name/) });
  });

  it('without a daemon, the same store in this process', async () => {
    const offline = new VoicePresets({
      speech: () => null,
      settingsFile: repo.path,
      reloadSettings: () => repo.reload(),
    });
    expect(await offline.save({ name: 'Calm', instruct: 'calm', language: 'auto', speaker: null })).toMatchObject({
      ok: true,
      voices: [{ name: 'Alien' }, { name: 'Calm' }],
    });
    expect(await offline.remove('calm')).toEqual({ ok: true, voices: [expect.objectContaining({ name: 'Alien' })] });
    expect(await offline.remove('calm')).toMatchObject({ ok: false, message: expect.stringMatching(/unknown voice/) });
  });

  it('the hotkey speaks with the default saved voice; a removed one falls back to the Settings voice', async () => {
    const controller = new AppController({ settings: () => repo.get(), readClipboard: async () => clipboard });
    await controller.setService(hosted.speech);
    clipboard = 'Hello';
    repo.update({ defaultVoice: 'Alien', language: 'English' });
    // the preset's language reached the daemon: the tone engine knows English only
    expect(await controller.speakClipboard()).toMatchObject({
      ok: false,
      message: expect.stringMatching(/unknown language 'Klingon'/),
    });
    repo.update({ defaultVoice: 'Gone' });
    expect(await controller.speakClipboard()).toMatchObject({ ok: true });
  });

  it("the Settings' rate and volume shape what the window saves when it sends none", async () => {
    const controller = new AppController({ settings: () => repo.get(), readClipboard: async () => '' });
    await controller.setService(hosted.speech);
    const params = { text: 'Twelve chars', instruct: '', language: 'auto', speaker: null };
    const file = (name: string) => path.join(dir, name);
    repo.update({ rate: 1, volume: 100, defaultVoice: null });
    expect(await controller.saveWav(params, file('normal.wav'))).toMatchObject({ ok: true });
    repo.update({ rate: 2, volume: 50 });
    expect(await controller.saveWav(params, file('fast.wav'))).toMatchObject({ ok: true });
    const normal = readWav(file('normal.wav')).samples;
    const fast = readWav(file('fast.wav')).samples;
    expect(fast.length / normal.length).toBeGreaterThan(0.45);
    expect(fast.length / normal.length).toBeLessThan(0.55);
    const peak = (s: Int16Array) => s.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    expect(peak(fast) / peak(normal)).toBeCloseTo(0.5, 1);
    // the window's own sliders win
    expect(await controller.saveWav({ ...params, rate: 1, volume: 100 }, file('own.wav'))).toMatchObject({ ok: true });
    expect(readWav(file('own.wav')).samples.length).toBe(normal.length);
  });

  it('defaultVoiceOf: the preset when it exists, else the fields', () => {
    const voices = [{ name: 'Narrator', instruct: 'deep', language: 'German', speaker: null, seed: 4 }];
    expect(defaultVoiceOf({ ...DEFAULT_SETTINGS, voices, defaultVoice: 'narrator', instruct: 'x' })).toEqual({
      instruct: 'deep',
      language: 'German',
      speaker: null,
      voice: 'Narrator',
    });
    expect(defaultVoiceOf({ ...DEFAULT_SETTINGS, voices, defaultVoice: null, instruct: 'x' })).toEqual({
      instruct: 'x',
      language: 'auto',
      speaker: null,
      voice: null,
    });
  });
});
