// Cloning and locking voices in the window, in headless Chromium with a fake microphone: the clip the user
// picks or records becomes 24 kHz mono 16-bit WAV in the page (Web Audio) and reaches main's real IPC
// handler (schema and all); clips outside 1–10 s never leave the page. The daemon on this branch does not
// answer voices_clone / voices_lock yet (another part of issue 17), so the answers the window shows are given
// at the Electron IPC boundary (harness answerWith); everything else is main's and the daemon's own.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('electron', () => import('../mocks/electron.js'));
const { artifacts, haveChromium, startHarness } = await import('./harness.js');
import type { Harness } from './harness.js';
import { IPC_CONTRACT } from '../../src/shared/ipc-schemas.js';
import { ACTIONS } from '../../src/shared/protocol.js';
import type { VoicePreset } from '../../src/shared/voice-presets.js';
import { readWav, writeWav } from '../support/wav.js';

const haveFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
/** Whether this daemon answers voices_clone (another part of issue 17; the tone engine clones once it does). */
const daemonClones = (ACTIONS as readonly string[]).includes('voices_clone');
let h: Harness;
let page: Page;

const note = () => page.locator('#clone-note').textContent();
const presetNote = () => page.locator('#preset-note').textContent();
const callsOf = (method: string) => h.calls.filter((c) => c.method === method).map((c) => c.payload);

/** A 16-bit PCM WAV, channels interleaved, written by the test (independent of the product's writer). */
const sine = (hz: number, amplitude: number) => (t: number) => amplitude * Math.sin(2 * Math.PI * hz * t);

/** The WAV the bridge received, read back by the test's own reader. */
function receivedWav(payload: unknown) {
  const { wav } = payload as { wav: Uint8Array };
  const file = path.join(h.dir, 'received.wav');
  writeFileSync(file, wav);
  return readWav(file);
}
const peak = (s: Int16Array) => s.reduce((m, x) => Math.max(m, Math.abs(x)), 0) / 32767;
const zeroCrossings = (s: Int16Array) => s.reduce((n, x, i) => (i > 0 && s[i - 1]! < 0 !== x < 0 ? n + 1 : n), 0);

const designed: VoicePreset = {
  name: 'Narrator',
  instruct: 'A deep, slow narrator.',
  language: 'auto',
  speaker: null,
  seed: 7,
};
const clone = (locked: boolean, text: string | null = null) => ({
  mode: text ? 'in_context' : 'x_vector',
  model: 'qwen3-tts-0.6b-base',
  seconds: 2.5,
  text,
  locked,
});
/** An answer given at the IPC boundary, after the payload passed main's own schema for that method. */
const validated = (method: 'cloneVoice' | 'lockVoice', answer: (payload: never) => unknown) => async (p: unknown) => {
  IPC_CONTRACT[method].payload.parse(p);
  return answer(p as never);
};

beforeAll(async () => {
  if (!haveChromium) return;
  h = await startHarness({
    chromiumArgs: [
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  const backend = h.newBackend();
  await backend.setService(h.hosted.speech);
  page = await h.open({ viewport: { width: 560, height: 1300 } });
  await page.waitForFunction(() => document.getElementById('state')?.textContent === 'Ready');
  await page.click('#clone summary'); // opens the clone area (a <details>)
});

afterAll(async () => {
  if (!haveChromium) return;
  await h?.close();
});

beforeEach(() => {
  if (!h) return;
  h.calls.length = 0;
  h.answerWith('cloneVoice', null);
  h.answerWith('lockVoice', null);
});

describe.skipIf(!haveChromium)('cloning a voice in the window', () => {
  it('a 24 kHz mono WAV goes through unchanged, with its words, to main and on to the daemon', async () => {
    const file = writeWav(path.join(h.dir, 'mono24k.wav'), 24_000, [sine(220, 0.5)], 1.5);
    await page.setInputFiles('#clone-file', file);
    await expect.poll(() => page.locator('#clone-clip').textContent()).toMatch(/^Clip: 1\.5 s from mono24k\.wav/);
    expect(await page.isDisabled('#clone-save')).toBe(true); // no name yet
    await page.fill('#clone-text', '  What the clip says.  ');
    await page.fill('#clone-name', 'Mine');
    await page.click('#clone-save');
    // No answer given here: main's real handler and the daemon answer (a daemon without cloning: unknown action).
    await expect
      .poll(note)
      .toMatch(daemonClones ? /^Saved “Mine”/ : /^Could not clone “Mine”: unknown action 'voices_clone'/);
    const [payload] = callsOf('cloneVoice') as Array<{ wav: Uint8Array; text: string; language: string }>;
    expect(payload!.text).toBe('What the clip says.');
    expect(payload!.language).toBe('auto');
    const wav = receivedWav(payload);
    expect({ rate: wav.sampleRate, channels: wav.channels, bits: wav.bits }).toEqual({
      rate: 24_000,
      channels: 1,
      bits: 16,
    });
    expect(wav.samples.length).toBe(36_000);
    const original = readWav(file).samples;
    expect(wav.samples.every((s, i) => Math.abs(s - original[i]!) <= 1)).toBe(true);
    // main validated it (an invalid payload is answered E_INVALID before any daemon) and asked the daemon
  });

  it('a 44.1 kHz stereo file becomes 24 kHz mono: the average of the channels, the same pitch and length', async () => {
    h.answerWith(
      'cloneVoice',
      validated('cloneVoice', (p: { name: string; text: string | null }) => {
        const voice = {
          name: p.name,
          instruct: '',
          language: 'auto',
          speaker: null,
          seed: null,
          clone: clone(false, p.text),
        };
        return { ok: true, voice, voices: [voice] };
      }),
    );
    const file = writeWav(path.join(h.dir, 'stereo44k.wav'), 44_100, [sine(440, 0.5), sine(440, 0.3)], 2.5);
    await page.setInputFiles('#clone-file', file);
    await expect.poll(() => page.locator('#clone-clip').textContent()).toMatch(/^Clip: 2\.5 s from stereo44k\.wav/);
    await page.fill('#clone-text', '');
    await page.fill('#clone-name', 'Stereo');
    await page.press('#clone-name', 'Enter');
    await expect.poll(note).toMatch(/^Saved “Stereo”/);
    const [payload] = callsOf('cloneVoice') as Array<{ text: string | null }>;
    expect(payload!.text).toBeNull(); // no words: x-vector mode
    const wav = receivedWav(payload);
    expect({ rate: wav.sampleRate, channels: wav.channels, bits: wav.bits }).toEqual({
      rate: 24_000,
      channels: 1,
      bits: 16,
    });
    expect(wav.samples.length).toBe(60_000);
    expect(peak(wav.samples)).toBeCloseTo(0.4, 2); // (0.5 + 0.3) / 2
    expect(zeroCrossings(wav.samples)).toBeGreaterThanOrEqual(2195); // 440 Hz for 2.5 s: 2200 crossings
    expect(zeroCrossings(wav.samples)).toBeLessThanOrEqual(2205);
    // the saved voice is listed as cloned, picked, and "Speak a sample" offered
    expect(await page.locator('#preset optgroup[label="Cloned"] option').allTextContents()).toEqual(['Stereo']);
    expect(await page.inputValue('#preset')).toBe('Stereo');
    expect(await page.locator('#preset-kind').textContent()).toMatch(/^Cloned voice from a 2\.5 s clip/);
    expect(await page.isDisabled('#lock-preset')).toBe(true); // only designed voices lock
    expect(await page.isVisible('#clone-sample')).toBe(true);
    expect(await page.inputValue('#clone-name')).toBe('');
  });

  it('"Speak a sample" and Speak use the cloned voice by name, in any language; typing a description leaves it', async () => {
    await page.click('#clone-sample');
    // The daemon speaks it (this branch's daemon has no cloned voice by that name: its error is shown).
    await expect.poll(note, { timeout: 10_000 }).toMatch(/Stereo/);
    expect(callsOf('speak')[0]).toMatchObject({
      voice: 'Stereo',
      instruct: '',
      text: expect.stringMatching(/cloned voice/),
    });
    await page.fill('#text', 'Hello.');
    await page.click('#speak');
    await expect.poll(() => callsOf('speak').length).toBe(2);
    expect(callsOf('speak')[1]).toMatchObject({ text: 'Hello.', voice: 'Stereo' });
    await expect.poll(() => page.isDisabled('#speak'), { timeout: 10_000 }).toBe(false);
    await page.selectOption('#language', 'English'); // a clone speaks any language: still the clone
    expect(await page.inputValue('#preset')).toBe('Stereo');
    await page.fill('#instruct', 'A bright voice.');
    expect(await page.inputValue('#preset')).toBe('');
    await page.fill('#instruct', ''); // an empty description is not the cloned voice either
    expect(await page.inputValue('#preset')).toBe('');
    await page.click('#speak'); // the model's own voice: speaks, and the window's error line is clear again
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toMatch(/^Done/);
    expect(callsOf('speak')[2]).toMatchObject({ voice: null });
    expect(await page.isHidden('#error')).toBe(true);
  });

  it.skipIf(!haveFfmpeg).each([
    ['mp3', 44_100, 'libmp3lame'],
    ['ogg', 48_000, 'libopus'],
  ])(
    'an %s file (made by ffmpeg, stereo) arrives as 24 kHz mono WAV of its length and pitch',
    async (ext, rate, codec) => {
      h.answerWith(
        'cloneVoice',
        validated('cloneVoice', () => ({ ok: false, code: 'E_NO_MODEL', message: 'no Base model here' })),
      );
      const file = path.join(h.dir, `sine.${ext}`);
      execFileSync('ffmpeg', [
        ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi'],
        ...['-i', `sine=frequency=330:duration=3:sample_rate=${rate}`, '-ac', '2', '-c:a', codec, file],
      ]);
      await page.setInputFiles('#clone-file', file);
      await expect
        .poll(() => page.locator('#clone-clip').textContent())
        .toMatch(new RegExp(`^Clip: 3\\.\\d s from sine\\.${ext}`));
      await page.fill('#clone-name', 'Compressed');
      await page.click('#clone-save');
      await expect.poll(note).toBe('Could not clone “Compressed”: no Base model here');
      const wav = receivedWav(callsOf('cloneVoice')[0]);
      expect({ rate: wav.sampleRate, channels: wav.channels }).toEqual({ rate: 24_000, channels: 1 });
      expect(Math.abs(wav.samples.length - 72_000)).toBeLessThan(2_400); // 3 s, give or take the codec's padding
      const perSecond = zeroCrossings(wav.samples) / (wav.samples.length / 24_000);
      expect(Math.abs(perSecond - 660)).toBeLessThan(15); // 330 Hz
    },
  );

  it('refuses clips under 1 s, over 10 s, silent or not audio in the window, sending nothing', async () => {
    const cases: Array<[string, () => string, RegExp]> = [
      [
        'short.wav',
        () => writeWav(path.join(h.dir, 'short.wav'), 48_000, [sine(300, 0.5)], 0.5),
        /0\.5 s long: a voice needs at least 1 s/,
      ],
      [
        'long.wav',
        () => writeWav(path.join(h.dir, 'long.wav'), 16_000, [sine(300, 0.5)], 12),
        /12\.0 s long: at most 10 s/,
      ],
      ['silent.wav', () => writeWav(path.join(h.dir, 'silent.wav'), 24_000, [() => 0], 3), /silent/],
      [
        'notes.txt',
        () => (writeFileSync(path.join(h.dir, 'notes.txt'), 'not audio at all'), path.join(h.dir, 'notes.txt')),
        /not audio the window can read/,
      ],
    ];
    await page.fill('#clone-name', 'Refused');
    for (const [, make, message] of cases) {
      await page.setInputFiles('#clone-file', make());
      await expect.poll(note).toMatch(message);
      expect(await page.locator('#clone-clip').textContent()).toBe('No clip yet.');
      expect(await page.isDisabled('#clone-save')).toBe(true);
      expect(await page.isDisabled('#clone-play')).toBe(true);
    }
    expect(callsOf('cloneVoice')).toEqual([]);
    await page.fill('#clone-name', '');
  });

  it('records from the microphone: elapsed time and level while it runs, stopped by hand', async () => {
    await page.click('#clone-record');
    await expect.poll(() => page.locator('#clone-record').textContent()).toBe('Stop recording');
    expect(await page.getAttribute('#clone-record', 'aria-pressed')).toBe('true');
    await expect
      .poll(() => page.locator('#clone-elapsed').textContent(), { timeout: 10_000 })
      .toMatch(/^(1\.[5-9]|[2-9]\.\d) s \/ 10 s$/);
    // the fake device beeps once a second: the meter moves with it
    await expect
      .poll(() => page.locator('#clone-level').evaluate((m: HTMLMeterElement) => m.value), {
        timeout: 5_000,
        interval: 50,
      })
      .toBeGreaterThan(0.02);
    mkdirSync(artifacts, { recursive: true });
    await page.locator('#clone').screenshot({ path: path.join(artifacts, 'window-clone-recording.png') });
    await page.click('#clone-record');
    await expect
      .poll(() => page.locator('#clone-clip').textContent(), { timeout: 10_000 })
      .toMatch(/^Clip: \d\.\d s recorded/);
    expect(await page.getAttribute('#clone-record', 'aria-pressed')).toBe('false');
    const seconds = Number(/Clip: (\d\.\d) s/.exec((await page.locator('#clone-clip').textContent())!)![1]);
    expect(seconds).toBeGreaterThanOrEqual(1.5);
    expect(seconds).toBeLessThan(10);
    // the preview plays the clip and stops by itself
    await page.click('#clone-play');
    expect(await page.locator('#clone-play').textContent()).toBe('Stop');
    await expect.poll(() => page.locator('#clone-play').textContent(), { timeout: 15_000 }).toBe('Play');
  });

  it('a recording stops by itself at 10 s and is sent as at most 10 s', async () => {
    h.answerWith(
      'cloneVoice',
      validated('cloneVoice', () => ({
        ok: false,
        code: 'E_NO_MODEL',
        message: 'cloning needs the Base model: q3tts models pull qwen3-tts-0.6b-base',
      })),
    );
    await page.click('#clone-record');
    await expect
      .poll(() => page.locator('#clone-clip').textContent(), { timeout: 25_000, interval: 500 })
      .toMatch(/^Clip: (9\.[5-9]|10\.0) s recorded/);
    expect(await page.locator('#clone-elapsed').textContent()).toBe('10.0 s / 10 s');
    await page.fill('#clone-text', 'The fake microphone beeps.');
    await page.fill('#clone-name', 'Beeps');
    await page.click('#clone-save');
    await expect
      .poll(note)
      .toBe('Could not clone “Beeps”: cloning needs the Base model: q3tts models pull qwen3-tts-0.6b-base');
    const wav = receivedWav(callsOf('cloneVoice')[0]);
    expect(wav.sampleRate).toBe(24_000);
    expect(wav.samples.length).toBeLessThanOrEqual(240_000); // cut to the limit
    expect(wav.samples.length).toBeGreaterThan(9.5 * 24_000); // ran (about) the full 10 s
    expect(peak(wav.samples)).toBeGreaterThan(0.01); // the fake device's beeps, not silence
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'window-clone-error.png'), fullPage: true });
  }, 45_000);

  it('is keyboard reachable and labelled', async () => {
    for (const id of [
      'clone-record',
      'clone-file',
      'clone-play',
      'clone-text',
      'clone-name',
      'clone-save',
      'lock-preset',
    ]) {
      const name = await page.locator(`#${id}`).evaluate((el) => {
        const labels = (el as HTMLInputElement).labels;
        return (labels && labels.length ? labels[0]!.textContent : el.textContent)?.trim() ?? '';
      });
      expect(name, id).not.toBe('');
    }
    expect(await page.getAttribute('#clone-note', 'aria-live')).toBe('polite');
    expect(await page.getAttribute('#clone-level', 'aria-label')).toBe('Microphone level');
    await page.focus('#clone-record');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('clone-file');
  });
});

describe.skipIf(!haveChromium)('locking a designed voice in the window', () => {
  beforeAll(async () => {
    if (!haveChromium) return;
    // a designed voice, saved through the daemon into the settings file (as q3tts voices save does)
    const answer = await h.hosted.speech.request({ action: 'voices_save', ...designed });
    expect(answer.status).toBe('ok');
    h.repo.reload();
  });

  it('Lock is offered on a designed voice, busy while it runs, and the error shown under it', async () => {
    await expect
      .poll(() => page.locator('#preset optgroup[label="Designed"] option').allTextContents())
      .toContain('Narrator (seed 7)');
    await page.selectOption('#preset', 'Narrator');
    expect(await page.locator('#preset-kind').textContent()).toMatch(/^Designed voice/);
    expect(await page.isDisabled('#lock-preset')).toBe(false);
    expect(await page.getAttribute('#lock-preset', 'title')).toMatch(
      /keeps it as the voice's reference.*needs the Base model installed/,
    );
    let finish!: (answer: unknown) => void;
    h.answerWith(
      'lockVoice',
      validated('lockVoice', () => new Promise((resolve) => (finish = resolve))),
    );
    await page.focus('#lock-preset');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#lock-preset').textContent()).toBe('Locking…');
    expect(await page.isDisabled('#lock-preset')).toBe(true);
    expect(await page.isDisabled('#remove-preset')).toBe(true);
    expect(await page.getAttribute('#preset', 'aria-busy')).toBe('true');
    expect(await presetNote()).toMatch(/^Locking “Narrator”/);
    expect(callsOf('lockVoice')).toEqual([{ name: 'Narrator' }]);
    finish({
      ok: false,
      code: 'E_NO_MODEL',
      message: 'locking needs the Base model: q3tts models pull qwen3-tts-0.6b-base',
    });
    await expect
      .poll(presetNote)
      .toBe('Could not lock “Narrator”: locking needs the Base model: q3tts models pull qwen3-tts-0.6b-base');
    expect(await page.getAttribute('#preset-note', 'class')).toMatch(/error-text/);
    expect(await page.locator('#lock-preset').textContent()).toBe('Lock');
    expect(await page.isDisabled('#lock-preset')).toBe(false);
    expect(await page.getAttribute('#preset', 'aria-busy')).toBeNull();
  });

  it('a locked voice shows as locked, stays picked by its design, and cannot be locked again', async () => {
    h.answerWith(
      'lockVoice',
      validated('lockVoice', (p: { name: string }) => {
        const voice = { ...designed, name: p.name, clone: clone(true, 'The sentence it read.') };
        return { ok: true, voice, voices: [voice] };
      }),
    );
    await page.click('#lock-preset');
    await expect.poll(presetNote).toBe('Locked “Narrator”: long texts now keep one speaker.');
    expect(await page.locator('#preset optgroup[label="Locked"] option').allTextContents()).toEqual([
      'Narrator (seed 7)',
    ]);
    expect(await page.inputValue('#preset')).toBe('Narrator');
    expect(await page.locator('#preset-kind').textContent()).toMatch(/^Locked voice/);
    expect(await page.isDisabled('#lock-preset')).toBe(true);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'window-lock.png'), fullPage: true });
  });

  it('had no CSP violations and no console errors', async () => {
    expect(await page.evaluate(() => window.__violations)).toEqual([]);
    expect(h.problems).toEqual([]);
  });
});

// Once the daemon answers voices_clone and voices_lock (the tone engine standing in for the Base and VoiceDesign
// models), the same window goes all the way: nothing answered at the IPC boundary. Skipped until then.
describe.skipIf(!haveChromium || !daemonClones)('cloning and locking through main and the real daemon', () => {
  it('clone → saved in the settings file → listed as cloned → speaks a sample', async () => {
    const file = writeWav(path.join(h.dir, 'voice.wav'), 44_100, [sine(180, 0.4), sine(180, 0.4)], 3);
    await page.setInputFiles('#clone-file', file);
    await expect.poll(() => page.locator('#clone-clip').textContent()).toMatch(/^Clip: 3\.0 s from voice\.wav/);
    await page.fill('#clone-text', 'A low hum for three seconds.');
    await page.fill('#clone-name', 'Real');
    await page.click('#clone-save');
    await expect.poll(note, { timeout: 20_000 }).toMatch(/^Saved “Real”/);
    const onDisk = h.repo.reload().voices.find((v) => v.name === 'Real') as VoicePreset & { clone?: unknown };
    expect(onDisk?.clone).toBeTruthy();
    expect(await page.locator('#preset optgroup[label="Cloned"] option').allTextContents()).toContain('Real');
    await page.click('#clone-sample');
    await expect.poll(note, { timeout: 20_000 }).toBe('That was “Real”.');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'window-clone.png'), fullPage: true });
  });

  it('locks a designed voice saved in the settings file', async () => {
    // the list is the settings file's again (the clone above was saved there): Narrator is designed
    await expect
      .poll(() => page.locator('#preset optgroup[label="Designed"] option').allTextContents())
      .toContain('Narrator (seed 7)');
    await page.selectOption('#preset', 'Narrator');
    expect(await page.isDisabled('#lock-preset')).toBe(false);
    await page.click('#lock-preset');
    await expect.poll(presetNote, { timeout: 30_000 }).toBe('Locked “Narrator”: long texts now keep one speaker.');
    const onDisk = h.repo.reload().voices.find((v) => v.name === 'Narrator') as VoicePreset & { clone?: unknown };
    expect(onDisk?.clone).toMatchObject({ locked: true });
    expect(await page.locator('#preset optgroup[label="Locked"] option').allTextContents()).toEqual([
      'Narrator (seed 7)',
    ]);
  });

  it('had no CSP violations and no console errors', async () => {
    expect(await page.evaluate(() => window.__violations)).toEqual([]);
    expect(h.problems).toEqual([]);
  });
});
