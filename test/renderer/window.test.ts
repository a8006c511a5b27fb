// The speak window in headless Debian Chromium, served over http with its real CSP, driving the real
// daemon (tone engine in its host process) through main's real IPC handlers and controller (harness.ts).
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('electron', () => import('../mocks/electron.js'));
const { artifacts, haveChromium, startHarness } = await import('./harness.js');
import type { AppController } from '../../src/main/app/controller.js';
import type { Harness } from './harness.js';

let h: Harness;
let page: Page;
let backend: AppController;
let dir: string;
let calls: Harness['calls'];
let problems: string[];
let hosted: Harness['hosted'];

const newBackend = () => h.newBackend();
async function openWindow(): Promise<void> {
  page = await h.open();
}

const statusText = () => page.locator('#status').textContent();

beforeAll(async () => {
  if (!haveChromium) return;
  h = await startHarness();
  ({ dir, calls, problems, hosted } = h);
  h.repo.update({ instruct: 'A warm, friendly voice.', language: 'English' });
});

afterAll(async () => {
  if (!haveChromium) return;
  await h?.close();
});

beforeEach(() => {
  if (calls) calls.length = 0; // problems accumulate over the whole run
});

describe.skipIf(!haveChromium)('speak window', () => {
  it('shows loading with every action disabled, then becomes usable when the model is up', async () => {
    backend = newBackend();
    backend.setStarting('Loading the model…');
    await openWindow();
    await expect.poll(() => page.locator('#state').textContent()).toBe('Loading model…');
    await page.fill('#text', 'Some text');
    expect(await page.isDisabled('#speak')).toBe(true);
    expect(await page.isDisabled('#save')).toBe(true);
    expect(await page.isDisabled('#stop')).toBe(true);
    expect(await page.getAttribute('form', 'aria-busy')).toBe('true');

    await backend.setService(hosted.speech);
    await expect.poll(() => page.locator('#state').textContent()).toBe('Ready');
    expect(await page.isDisabled('#speak')).toBe(false);
    // Defaults from settings fill the form; the language list comes from the model.
    expect(await page.inputValue('#instruct')).toBe('A warm, friendly voice.');
    expect(await page.inputValue('#language')).toBe('English');
    expect(await page.locator('#speaker-field').isHidden()).toBe(true);
    await page.fill('#text', '');
    expect(await page.isDisabled('#speak')).toBe(true);
  });

  it('speaks the typed text with the chosen voice and shows time to first audio and real-time factor', async () => {
    await page.fill('#text', 'Hello from the window.');
    await page.getByRole('button', { name: 'Use voice: News anchor' }).click();
    await page.click('#speak');
    await expect
      .poll(statusText, { timeout: 10_000 })
      .toMatch(
        /^Done — first audio after \d+ ms · real-time factor \d+\.\d\d · \d+\.\d s of audio \(this model ignores instruct\)$/,
      );
    // The test engine has no voice design: the window says so next to the field.
    expect(await page.locator('#instruct-note').isVisible()).toBe(true);
    const speak = calls.find((c) => c.method === 'speak');
    expect(speak?.payload).toEqual({
      text: 'Hello from the window.',
      instruct: 'A clear, confident news anchor with crisp articulation and a neutral accent.',
      language: 'English',
      speaker: null,
      voice: null, // not a saved voice
      rate: 1, // the sliders, at the Settings' defaults
      volume: 100,
    });
    expect(await page.locator('#error').isHidden()).toBe(true);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'window.png') });
  });

  it('speaks with Ctrl+Enter from the text box', async () => {
    await page.fill('#text', 'Keyboard only.');
    await page.focus('#text');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => calls.filter((c) => c.method === 'speak').length).toBe(1);
    await expect.poll(statusText, { timeout: 10_000 }).toMatch(/^Done/);
  });

  it('Stop cuts off a long utterance: status shows speaking, then stopped', async () => {
    await page.fill('#text', 'A long text to read. '.repeat(20));
    await page.click('#speak');
    await expect.poll(() => page.locator('#state').textContent()).toBe('Speaking');
    await expect.poll(() => page.isDisabled('#stop')).toBe(false);
    await expect.poll(statusText).toMatch(/^Speaking…/);
    await page.click('#stop');
    await expect.poll(statusText, { timeout: 10_000 }).toBe('Stopped.');
    expect(calls.map((c) => c.method)).toContain('stop');
    expect(await page.locator('#error').isHidden()).toBe(true);
  });

  it('saves a WAV file and says where', async () => {
    await page.fill('#text', 'Keep this.');
    await page.click('#save');
    await expect
      .poll(statusText, { timeout: 10_000 })
      .toMatch(new RegExp(`^Saved ${path.join(dir, 'saved.wav').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(statSync(path.join(dir, 'saved.wav')).size).toBeGreaterThan(44);
  });

  it('shows the validation error main returns, clearly, and clears it on success', async () => {
    await page.fill('#instruct', 'x'.repeat(4001));
    await page.fill('#text', 'Too much voice.');
    await page.click('#speak');
    await expect.poll(() => page.locator('#error').textContent()).toMatch(/field 'instruct'/);
    expect(await page.locator('#error').isVisible()).toBe(true);
    await page.fill('#instruct', '');
    await page.click('#speak');
    await expect.poll(() => page.locator('#error').isHidden(), { timeout: 10_000 }).toBe(true);
  });

  it('shows an engine failure and a missing model in the status line, with speaking disabled', async () => {
    backend.setFailed('E_ENGINE', 'the engine process exited unexpectedly (signal SIGKILL)');
    await expect.poll(statusText).toBe('The engine failed: the engine process exited unexpectedly (signal SIGKILL)');
    expect(await page.locator('#state').textContent()).toBe('Engine error');
    expect(await page.isDisabled('#speak')).toBe(true);
    backend.setFailed('E_NO_MODEL', 'Put a Qwen3-TTS ONNX export in ~/.local/share/q3tts/models/<name>.');
    await expect.poll(statusText).toMatch(/^No model installed\. Put a Qwen3-TTS/);
    await backend.setService(hosted.speech);
    await expect.poll(() => page.locator('#state').textContent()).toBe('Ready');
  });

  it('is usable from the keyboard alone, with labelled controls', async () => {
    for (const id of ['text', 'instruct', 'language']) {
      expect(await page.locator(`label[for=${id}]`).count()).toBe(1);
    }
    await page.focus('#text');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('instruct');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Use voice: Calm narrator',
    );
    await page.keyboard.press('Enter');
    expect(await page.inputValue('#instruct')).toMatch(/^A calm, warm/);
  });

  it('had no CSP violations and no console errors', async () => {
    expect(await page.evaluate(() => window.__violations)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
