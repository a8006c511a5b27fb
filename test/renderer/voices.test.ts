// The speak window's saved voices and rate/volume sliders in headless Chromium, through main's real IPC and
// controller to a real daemon (tone engine) that keeps the voices in the settings file (harness.ts).
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('electron', () => import('../mocks/electron.js'));
const { artifacts, haveChromium, startHarness } = await import('./harness.js');
import type { Harness } from './harness.js';
import { readWav } from '../support/wav.js';

let h: Harness;
let page: Page;

const note = () => page.locator('#preset-note').textContent();
const presetOptions = () => page.locator('#preset option').allTextContents();
const onDisk = () =>
  JSON.parse(readFileSync(path.join(h.dir, 'config', 'settings.json'), 'utf8')) as { voices: { name: string }[] };
const lastCall = (method: string) => h.calls.filter((c) => c.method === method).at(-1)?.payload;

beforeAll(async () => {
  if (!haveChromium) return;
  h = await startHarness();
  h.repo.update({ rate: 0.75, volume: 50 }); // the Settings' defaults the sliders start from
  const backend = h.newBackend();
  await backend.setService(h.hosted.speech);
  page = await h.open({ viewport: { width: 560, height: 900 } });
});

afterAll(async () => {
  if (!haveChromium) return;
  await h?.close();
});

beforeEach(() => {
  if (h) h.calls.length = 0;
});

describe.skipIf(!haveChromium)('saved voices and sliders in the window', () => {
  it('the sliders start at the Settings defaults and say their values', async () => {
    await expect.poll(() => page.locator('#state').textContent()).toBe('Ready');
    await expect.poll(() => page.inputValue('#rate')).toBe('0.75');
    expect(await page.inputValue('#volume')).toBe('50');
    expect(await page.locator('#rate-value').textContent()).toBe('0.75×');
    expect(await page.locator('#volume-value').textContent()).toBe('50 %');
    expect(await presetOptions()).toEqual(['(this voice, not saved)']);
    expect(await page.isDisabled('#save-preset')).toBe(true);
    expect(await page.isDisabled('#remove-preset')).toBe(true);
  });

  it('saves the current voice under a name, through the daemon into the settings file', async () => {
    await page.fill('#instruct', 'A deep, slow narrator.');
    await page.selectOption('#language', 'English');
    await page.fill('#preset-name', 'Narrator');
    await page.click('#save-preset');
    await expect.poll(note).toMatch(/^Saved “Narrator”/);
    expect(lastCall('saveVoice')).toEqual({
      name: 'Narrator',
      instruct: 'A deep, slow narrator.',
      language: 'English',
      speaker: null,
    });
    expect(onDisk().voices).toEqual([
      { name: 'Narrator', instruct: 'A deep, slow narrator.', language: 'English', speaker: null, seed: null },
    ]);
    expect(h.repo.get().voices.map((v) => v.name)).toEqual(['Narrator']); // the app's settings see it at once
    expect(await presetOptions()).toEqual(['(this voice, not saved)', 'Narrator']);
    expect(await page.inputValue('#preset')).toBe('Narrator'); // the form is that voice
    expect(await page.inputValue('#preset-name')).toBe('');
    expect(await page.isDisabled('#remove-preset')).toBe(false);
  });

  it('refuses a bad name in the window, saving nothing', async () => {
    await page.fill('#preset-name', 'a/b');
    await page.click('#save-preset');
    await expect.poll(note).toMatch(/not a voice name/);
    expect(lastCall('saveVoice')).toBeUndefined();
    await page.fill('#preset-name', 'default');
    await page.press('#preset-name', 'Enter');
    await expect.poll(note).toMatch(/reserved/);
    expect(onDisk().voices).toHaveLength(1);
    await page.fill('#preset-name', '');
  });

  it('editing the description leaves the saved voice; picking it fills the fields again', async () => {
    await page.fill('#instruct', 'Something else.');
    expect(await page.inputValue('#preset')).toBe('');
    expect(await page.isDisabled('#remove-preset')).toBe(true);
    await page.selectOption('#preset', 'Narrator');
    expect(await page.inputValue('#instruct')).toBe('A deep, slow narrator.');
    expect(await page.inputValue('#language')).toBe('English');
  });

  it('a voice saved elsewhere (q3tts voices save, through the daemon) shows up after the file changes', async () => {
    const answer = await h.hosted.speech.request({
      action: 'voices_save',
      name: 'Bright',
      instruct: 'A bright, quick voice.',
      seed: 9,
    });
    expect(answer.status).toBe('ok');
    h.repo.reload(); // what the app's file watcher does
    await expect.poll(presetOptions).toEqual(['(this voice, not saved)', 'Narrator', 'Bright (seed 9)']);
  });

  it('speaks with the saved voice, rate and volume of the sliders', async () => {
    await page.selectOption('#preset', 'Bright');
    await page.locator('#rate').fill('1.5');
    await page.locator('#volume').fill('40');
    expect(await page.locator('#rate-value').textContent()).toBe('1.50×');
    await page.fill('#text', 'Hello with a saved voice.');
    await page.click('#speak');
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toMatch(/^Done/);
    expect(lastCall('speak')).toEqual({
      text: 'Hello with a saved voice.',
      instruct: 'A bright, quick voice.',
      language: 'auto',
      speaker: null,
      voice: 'Bright',
      rate: 1.5,
      volume: 40,
    });
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'window-voices.png'), fullPage: true });
  });

  it('the rate and volume reach the audio: a file at 2× is half as long, at 50 % half as loud', async () => {
    const saved = path.join(h.dir, 'saved.wav'); // where the harness's save dialog points
    await page.fill('#text', 'Twelve chars');
    const measure = async (rate: string, volume: string) => {
      await page.locator('#rate').fill(rate);
      await page.locator('#volume').fill(volume);
      await page.click('#save');
      await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toMatch(/^Saved /);
      const samples = readWav(saved).samples;
      const peak = samples.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
      await page.evaluate(() => (document.getElementById('status')!.textContent = ''));
      return { length: samples.length, peak };
    };
    const normal = await measure('1', '100');
    const fast = await measure('2', '100');
    const quiet = await measure('1', '50');
    expect(fast.length / normal.length).toBeGreaterThan(0.45);
    expect(fast.length / normal.length).toBeLessThan(0.55);
    expect(quiet.length).toBe(normal.length);
    expect(quiet.peak / normal.peak).toBeCloseTo(0.5, 1);
  });

  it('removes the selected saved voice', async () => {
    await page.selectOption('#preset', 'Narrator');
    await page.click('#remove-preset');
    await expect.poll(note).toBe('Removed “Narrator”.');
    expect(onDisk().voices.map((v) => v.name)).toEqual(['Bright']);
    expect(await presetOptions()).toEqual(['(this voice, not saved)', 'Bright (seed 9)']);
  });

  it('had no CSP violations and no console errors', async () => {
    expect(await page.evaluate(() => window.__violations)).toEqual([]);
    expect(h.problems).toEqual([]);
  });
});
