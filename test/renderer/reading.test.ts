// The window while it reads its text: the sentence being read marked in a read-only rendering of the text,
// a progress bar, an aria-live line, and pause/resume, back and next buttons, in headless Chromium against
// the real daemon (tone engine) through main's real IPC handlers and controller (harness.ts). The daemon is
// paused first, so each sentence holds still while the test looks at it.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { progressLabel, splitAt, playbackButtons } from '../../src/renderer/reading.js';
import type { AppStatus } from '../../src/shared/bridge.js';
vi.mock('electron', () => import('../mocks/electron.js'));
const { artifacts, haveChromium, startHarness } = await import('./harness.js');
import type { AppController } from '../../src/main/app/controller.js';
import type { Harness } from './harness.js';

let h: Harness;
let page: Page;
let backend: AppController;

beforeAll(async () => {
  if (!haveChromium) return;
  h = await startHarness();
  backend = h.newBackend();
  await backend.setService(h.hosted.speech);
  page = await h.open();
});

afterAll(async () => {
  if (!haveChromium) return;
  await h?.close();
});

const TEXT = 'First sentence here. Then 👋🏽 a second one!\n\nAnd cafe\u0301 the third.';
const marked = () => page.locator('#reading mark').textContent();

describe.skipIf(!haveChromium)('reading view', () => {
  it('playback buttons are off while nothing speaks', async () => {
    await expect.poll(() => page.locator('#state').textContent()).toBe('Ready');
    for (const id of ['#pause', '#back', '#next']) expect(await page.isDisabled(id)).toBe(true);
    expect(await page.locator('#reading').isHidden()).toBe(true);
  });

  it('marks the sentence being read, with a progress bar and an aria-live line; next and back move the mark; resume finishes', async () => {
    expect(await backend.control('pause')).toEqual({ ok: true });
    await page.fill('#text', TEXT);
    await page.click('#speak');
    await expect.poll(marked, { timeout: 10_000 }).toBe('First sentence here.');
    expect(await page.locator('#text').isHidden()).toBe(true); // the rendering stands in for the textarea
    expect(await page.locator('#reading').textContent()).toBe(TEXT); // the whole text, untouched
    expect(await page.locator('#reading-progress-text').textContent()).toBe('Sentence 1 of 3');
    expect(await page.getAttribute('#reading-progress', 'aria-labelledby')).toBe('reading-progress-text');
    expect(await page.locator('#now-reading').textContent()).toBe('Sentence 1 of 3: First sentence here.');
    expect(await page.getAttribute('#now-reading', 'aria-live')).toBe('polite');
    // paused: the first button offers Resume
    await expect.poll(() => page.locator('#pause').textContent()).toBe('Resume');
    expect(await page.locator('#status').textContent()).toBe('Paused — Resume carries on.');
    expect(await page.isDisabled('#next')).toBe(false);
    expect(await page.isDisabled('#back')).toBe(false);

    await page.getByRole('button', { name: 'Next sentence' }).click();
    await expect.poll(marked).toBe('Then 👋🏽 a second one!'); // offsets in UTF-16 units: the emoji is whole
    expect(await page.locator('#reading-progress').evaluate((p: HTMLProgressElement) => [p.value, p.max])).toEqual([
      2, 3,
    ]);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'reading-highlight.png'), fullPage: true });

    await page.getByRole('button', { name: 'Next sentence' }).click();
    await expect.poll(marked).toBe('And cafe\u0301 the third.'); // the combining mark stays where it was
    await page.getByRole('button', { name: 'Previous sentence' }).click(); // early in it: the one before
    await expect.poll(marked).toBe('Then 👋🏽 a second one!');

    await page.click('#pause'); // Resume
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 15_000 }).toMatch(/^Done/);
    expect(await page.locator('#reading').isHidden()).toBe(true);
    expect(await page.locator('#text').isVisible()).toBe(true);
    expect(await page.inputValue('#text')).toBe(TEXT);
    expect(await page.locator('#pause').textContent()).toBe('Pause');
    expect(await page.isDisabled('#pause')).toBe(true);
  }, 60_000);
});

describe('reading view logic', () => {
  const status = (extra: Partial<AppStatus>): AppStatus => ({
    state: 'speaking',
    message: null,
    engine: 'tone',
    model: 'tone',
    attached: false,
    last: null,
    progressSeconds: null,
    ...extra,
  });

  it('cuts the text at the sentence, offsets clamped', () => {
    const place = { sentence: 2, sentences: 3, start: 6, end: 11 };
    expect(splitAt('Hello world again', place)).toEqual({ before: 'Hello ', current: 'world', after: ' again' });
    expect(splitAt('Hi', place)).toEqual({ before: 'Hi', current: '', after: '' });
    expect(progressLabel(place)).toBe('Sentence 2 of 3');
  });

  it('buttons by state: on while speaking, Resume while paused', () => {
    expect(playbackButtons(status({}))).toEqual({ pause: { enabled: true, label: 'Pause' }, back: true, next: true });
    expect(playbackButtons(status({ paused: true })).pause).toEqual({ enabled: true, label: 'Resume' });
    expect(playbackButtons(status({ state: 'ready' }))).toEqual({
      pause: { enabled: false, label: 'Pause' },
      back: false,
      next: false,
    });
  });
});
