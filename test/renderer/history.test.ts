// The History tab in headless Debian Chromium, through main's real IPC handlers and controller, on a real daemon
// (tone engine) that records the history in a cache directory of this test's own: listing, replay, save as a
// file (the save dialog is main's, mocked by the harness), speak again, remove, clear all, an entry whose audio
// went under the cap.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
vi.mock('electron', () => import('../mocks/electron.js'));
const { artifacts, haveChromium, startHarness } = await import('./harness.js');
import type { Harness } from './harness.js';
import { readWav } from '../support/wav.js';

let h: Harness;
let page: Page;
let cache: string;
const items = () => page.locator('#history-list li');
const texts = () => page.locator('#history-list .history-text').allTextContents();

async function speak(text: string): Promise<void> {
  await page.getByRole('tab', { name: 'Speak' }).click();
  await page.fill('#text', text);
  await page.click('#speak');
  await expect.poll(() => page.locator('#status').textContent(), { timeout: 20_000 }).toMatch(/^Done/);
}

beforeAll(async () => {
  if (!haveChromium) return;
  // A history of this file's own (the daemon reads these when it starts): 0.1 MB of audio is about 2 s here.
  cache = mkdtempSync(path.join(os.tmpdir(), 'q3tts-history-window-'));
  process.env.Q3TTS_CACHE_DIR = cache;
  process.env.Q3TTS_HISTORY_MB = '0.1';
  h = await startHarness();
  h.repo.update({ instruct: 'A warm, friendly voice.', language: 'English' });
  await h.newBackend().setService(h.hosted.speech);
  page = await h.open({ viewport: { width: 560, height: 640 } });
});

afterAll(async () => {
  if (!haveChromium) return;
  await h?.close();
  delete process.env.Q3TTS_HISTORY_MB;
  rmSync(cache, { recursive: true, force: true });
});

describe.skipIf(!haveChromium)('history tab', () => {
  it('starts empty, then lists what was spoken, newest first, with voice, time and duration', async () => {
    await expect.poll(() => page.locator('#state').textContent()).toBe('Ready');
    await page.getByRole('tab', { name: 'History' }).click();
    expect(await page.locator('#view-history').isVisible()).toBe(true);
    await expect.poll(() => page.locator('#history-empty').textContent()).toMatch(/Nothing spoken yet/);
    expect(await page.isDisabled('#history-clear')).toBe(true);

    await speak('Hi you');
    await speak('Good morning');
    // This one is longer than the whole audio cap: listed, without audio.
    const long = 'A much longer sentence that is read for more than two seconds, so its audio cannot be kept.';
    await speak(long);
    await page.getByRole('tab', { name: 'History' }).click();
    // A long text is cut to one line; the whole of it is the tooltip.
    await expect.poll(texts).toEqual([`${long.slice(0, 89)}…`, 'Good morning', 'Hi you']);
    expect(await page.locator('#history-list .history-text').first().getAttribute('title')).toBe(long);
    const details = await page.locator('#history-list li .hint').allTextContents();
    expect(details[1]).toMatch(/^A warm, friendly voice\. · English · \d{1,2}:\d{2}.* · \d+\.\d s$/);
    expect(details[0]).toMatch(/audio no longer kept$/);
    // Recorded as the window's.
    const recorded = h.hosted.daemon.core.history.list();
    expect(recorded.map((e) => e.source)).toEqual(['window', 'window', 'window']);
    // Without audio: no replay or save, but it can be spoken again.
    const longOne = items().nth(0);
    expect(await longOne.getByRole('button', { name: /^Replay/ }).isDisabled()).toBe(true);
    expect(await longOne.getByRole('button', { name: /^Save as a file/ }).isDisabled()).toBe(true);
    expect(await longOne.getByRole('button', { name: /^Speak again/ }).isDisabled()).toBe(false);
    // Every control says what it acts on.
    expect(await page.getByRole('button', { name: 'Replay: Good morning' }).count()).toBe(1);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'history.png'), fullPage: true });
  });

  it('replays an entry through the daemon (queued like speech)', async () => {
    await page.getByRole('button', { name: 'Replay: Good morning' }).click();
    await expect.poll(() => page.locator('#history-status').textContent()).toBe('Replayed.');
    expect(h.calls.filter((c) => c.method === 'replayHistory').map((c) => c.payload)).toEqual([{ entry: 2 }]);
    expect(await page.locator('#history-error').isHidden()).toBe(true);
  });

  it('saves an entry as a file where the save dialog says, with the audio that was heard', async () => {
    const saved = path.join(h.dir, 'saved.wav'); // the harness's save dialog answers this
    rmSync(saved, { force: true });
    await page.getByRole('button', { name: 'Save as a file: Hi you' }).click();
    await expect.poll(() => page.locator('#history-status').textContent()).toBe(`Saved ${saved}`);
    const kept = readWav(path.join(cache, 'history', 'audio', '1.wav'));
    const file = readWav(saved);
    expect(file.sampleRate).toBe(24000);
    expect(file.samples.length).toBeGreaterThan(0);
    expect(Array.from(file.samples)).toEqual(Array.from(kept.samples));
  });

  it('speaks an entry again: a new entry, in the same voice', async () => {
    await page.getByRole('button', { name: 'Speak again: Hi you' }).click();
    await expect.poll(texts, { timeout: 20_000 }).toHaveLength(4);
    expect((await texts())[0]).toBe('Hi you');
    const [again, , , first] = h.hosted.daemon.core.history.list();
    expect(again).toMatchObject({ n: 4, text: 'Hi you', instruct: first!.instruct, language: 'English' });
    expect(again!.duration_s).toBe(first!.duration_s);
  });

  it('removes one entry, and clears all after a second click', async () => {
    await page.getByRole('button', { name: 'Remove from the history: Good morning' }).click();
    await expect.poll(texts).not.toContain('Good morning');
    expect(existsSync(path.join(cache, 'history', 'audio', '2.wav'))).toBe(false);
    await page.click('#history-clear');
    expect(await page.locator('#history-clear').textContent()).toMatch(/sure/);
    expect(await items().count()).toBe(3); // nothing cleared on the first click
    await page.click('#history-clear');
    await expect.poll(() => items().count()).toBe(0);
    await expect.poll(() => page.locator('#history-empty').textContent()).toMatch(/Nothing spoken yet/);
    expect(existsSync(path.join(cache, 'history'))).toBe(false);
    expect(h.problems).toEqual([]);
  });
});
