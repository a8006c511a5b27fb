// The Settings view in headless Debian Chromium, against main's real IPC handlers and the real
// settings repo (conf in a tmp dir): what Save sends is validated by main and lands in the file.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('electron', () => import('../mocks/electron.js'));
const { artifacts, haveChromium, startHarness } = await import('./harness.js');
const { pushShowView } = await import('../../src/main/electron/ipc.js');
import { EXECUTION_PROVIDERS, PRECISIONS } from '../../src/shared/engine-options.js';
import { DEFAULT_SETTINGS, SETTINGS_VERSION } from '../../src/shared/settings.js';
import type { Harness } from './harness.js';

let h: Harness;
let page: Page;
const setCalls = () => h.calls.filter((c) => c.method === 'setSettings').map((c) => c.payload);
const onDisk = () => JSON.parse(readFileSync(h.repo.path, 'utf8')) as Record<string, unknown>;
const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
const visible = (sel: string) => page.locator(sel).isVisible();

beforeAll(async () => {
  if (!haveChromium) return;
  h = await startHarness({ platform: 'linux' });
  h.repo.update({ instruct: 'A warm, friendly voice.', language: 'English' });
  await h.newBackend().setService(h.hosted.speech);
});

afterAll(async () => {
  if (!haveChromium) return;
  await h?.close();
});

beforeEach(() => {
  if (h) h.calls.length = 0;
});

describe.skipIf(!haveChromium)('settings view', () => {
  it('opens from the Settings tab, filled with the stored settings', async () => {
    page = await h.open({ viewport: { width: 560, height: 640 } });
    await expect.poll(() => page.locator('#state').textContent()).toBe('Ready');
    expect(await visible('#view-settings')).toBe(false);
    await page.getByRole('tab', { name: 'Settings' }).click();
    expect(await visible('#view-settings')).toBe(true);
    expect(await visible('#view-speak')).toBe(false);
    expect(await page.getAttribute('#tab-settings', 'aria-selected')).toBe('true');
    await expect.poll(() => page.inputValue('#set-hotkey')).toBe(DEFAULT_SETTINGS.hotkey);
    expect(await page.inputValue('#set-instruct')).toBe('A warm, friendly voice.');
    await expect.poll(() => page.inputValue('#set-language')).toBe('English');
    expect(await page.isChecked('#set-speakMode-interrupt')).toBe(true);
    expect(await page.isChecked('#set-speechStart-smooth')).toBe(true);
    expect(await page.isChecked('#set-speechStart-asap')).toBe(false);
    expect(await page.inputValue('#set-modelVariant')).toBe('int4');
    expect(await page.inputValue('#set-executionProvider')).toBe('auto');
    expect(await page.inputValue('#set-modelDir')).toBe('');
    expect(await page.getAttribute('#set-modelDir', 'placeholder')).toMatch(/Automatic/);
    expect(await page.locator('#settings-file').textContent()).toBe(h.repo.path);
    // Linux (main says so): the primary-selection choice; the tone model has no speakers: no speaker field.
    expect(await visible('#primary-row')).toBe(true);
    expect(await visible('#set-speaker-field')).toBe(false);
    // The choices are exactly the schema's.
    expect(
      await page.locator('#set-modelVariant option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)),
    ).toEqual([...PRECISIONS]);
    expect(
      (
        await page
          .locator('#set-executionProvider option')
          .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))
      ).sort(),
    ).toEqual([...EXECUTION_PROVIDERS].sort());
    // Nothing changed yet: nothing to save or cancel.
    expect(await page.isDisabled('#settings-save')).toBe(true);
    expect(await page.isDisabled('#settings-cancel')).toBe(true);
  });

  it('labels every control', async () => {
    for (const id of [
      'hotkey',
      'primarySelection',
      'instruct',
      'language',
      'speaker',
      'defaultVoice',
      'rate',
      'volume',
      'speakMode-interrupt',
      'speakMode-queue',
      'speechStart-smooth',
      'speechStart-asap',
      'outputDevice',
      'modelDir',
      'modelVariant',
      'executionProvider',
      'startAtLogin',
    ]) {
      expect(await page.locator(`label[for=set-${id}]`).count(), id).toBe(1);
    }
    expect(await page.getByRole('radiogroup', { name: 'When new speech arrives' }).count()).toBe(1);
    expect(await page.getByRole('radiogroup', { name: 'When speech starts' }).count()).toBe(1);
    expect(await page.getByLabel('Start at once (may pause mid-sentence)').count()).toBe(1);
    expect(await page.getByLabel('No pauses inside a sentence (may start later on a slow machine)').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Press keys…' }).count()).toBe(1);
  });

  it('saves the changed fields only: main validates them and the file has them', async () => {
    await page.fill('#set-hotkey', 'Alt+Shift+R');
    await page.check('#set-speakMode-queue');
    await page.check('#set-speechStart-asap');
    await page.check('#set-startAtLogin');
    await page.check('#set-primarySelection');
    await page.fill('#set-outputDevice', 'USB Headset');
    await page.selectOption('#set-modelVariant', 'fp32');
    await page.selectOption('#set-executionProvider', 'cuda');
    await page.fill('#set-instruct', 'A bright, cheerful voice.');
    // Model settings changed: the window says the engine will reload.
    await expect.poll(() => page.locator('#engine-note').textContent()).toMatch(/reloads the engine/);
    await page.click('#settings-save');
    await expect
      .poll(() => page.locator('#settings-result').textContent())
      .toBe('Saved. The engine is reloading with the new model settings…');
    const patch = {
      hotkey: 'Alt+Shift+R',
      primarySelection: true,
      instruct: 'A bright, cheerful voice.',
      speakMode: 'queue',
      speechStart: 'asap',
      outputDevice: 'USB Headset',
      modelVariant: 'fp32',
      executionProvider: 'cuda',
      startAtLogin: true,
    };
    expect(setCalls()).toEqual([patch]);
    expect(h.repo.get()).toMatchObject(patch);
    expect(onDisk()).toMatchObject({ version: SETTINGS_VERSION, ...patch });
    expect(await page.isDisabled('#settings-save')).toBe(true);
    expect(await visible('#engine-note')).toBe(false);
    expect(await visible('#settings-error')).toBe(false);
    // The speak view's voice still held the old default: it follows the new one.
    expect(await page.inputValue('#instruct')).toBe('A bright, cheerful voice.');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'settings.png'), fullPage: true });
  });

  it('shows a bad shortcut next to its field and sends nothing', async () => {
    const before = onDisk();
    await page.fill('#set-hotkey', 'Ctrl+Nope');
    await page.click('#settings-save');
    await expect.poll(() => page.locator('#err-hotkey').textContent()).toMatch(/not a valid shortcut/);
    expect(await page.getAttribute('#set-hotkey', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('#set-hotkey', 'aria-describedby')).toContain('err-hotkey');
    expect(await focused()).toBe('set-hotkey');
    expect(await page.locator('#settings-result').textContent()).toMatch(/^Not saved/);
    expect(setCalls()).toEqual([]);
    expect(onDisk()).toEqual(before);
    // Editing the field clears its error.
    await page.fill('#set-hotkey', 'Alt+Shift+T');
    expect(await visible('#err-hotkey')).toBe(false);
    expect(await page.getAttribute('#set-hotkey', 'aria-invalid')).toBeNull();
  });

  it("shows main's refusal next to the field it is about, and saves none of the patch", async () => {
    const before = onDisk();
    await page.fill('#set-instruct', 'x'.repeat(4001));
    await page.click('#settings-save');
    await expect.poll(() => page.locator('#err-instruct').textContent()).toBe('at most 4000 characters');
    expect(setCalls()).toEqual([{ hotkey: 'Alt+Shift+T', instruct: 'x'.repeat(4001) }]);
    expect(await focused()).toBe('set-instruct');
    expect(await visible('#err-hotkey')).toBe(false);
    expect(onDisk()).toEqual(before);
    expect(h.repo.get().hotkey).toBe('Alt+Shift+R');
    await page.screenshot({ path: path.join(artifacts, 'settings-error.png') });
    // Cancel puts the stored values back and clears the errors.
    await page.click('#settings-cancel');
    expect(await page.inputValue('#set-instruct')).toBe('A bright, cheerful voice.');
    expect(await page.inputValue('#set-hotkey')).toBe('Alt+Shift+R');
    expect(await visible('#err-instruct')).toBe(false);
    expect(await page.isDisabled('#settings-save')).toBe(true);
  });

  it('records a shortcut from the keyboard ("Press keys…"), and Escape leaves it as it was', async () => {
    await page.focus('#set-hotkey-record');
    await page.keyboard.press('Enter');
    expect(await page.getAttribute('#set-hotkey-record', 'aria-pressed')).toBe('true');
    await page.keyboard.press('Control+Alt+KeyK');
    expect(await page.inputValue('#set-hotkey')).toBe('CommandOrControl+Alt+K');
    expect(await page.getAttribute('#set-hotkey-record', 'aria-pressed')).toBe('false');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    expect(await page.inputValue('#set-hotkey')).toBe('CommandOrControl+Alt+K');
    expect(await page.getAttribute('#set-hotkey-record', 'aria-pressed')).toBe('false');
    // Ctrl+Enter saves from anywhere in the Settings view.
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => h.repo.get().hotkey).toBe('CommandOrControl+Alt+K');
    expect(setCalls()).toEqual([{ hotkey: 'CommandOrControl+Alt+K' }]);
  });

  it('is usable from the keyboard: arrow keys between tabs, Tab into the form, Enter saves', async () => {
    await page.focus('#tab-settings');
    await page.keyboard.press('ArrowLeft');
    expect(await focused()).toBe('tab-speak');
    expect(await visible('#view-speak')).toBe(true);
    await page.keyboard.press('ArrowRight');
    expect(await focused()).toBe('tab-settings');
    expect(await visible('#view-settings')).toBe(true);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('set-hotkey');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('set-hotkey-record');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('set-primarySelection');
    await page.keyboard.press('Space');
    await page.focus('#set-modelDir');
    await page.keyboard.type('/models/q3');
    await page.keyboard.press('Enter');
    await expect.poll(() => h.repo.get().modelDir).toBe('/models/q3');
    expect(setCalls()).toEqual([{ primarySelection: false, modelDir: '/models/q3' }]);
  });

  it('opens the network doors: checks the address, says who can reach them and that the engine restarts', async () => {
    expect(await page.inputValue('#set-httpDoor')).toBe('');
    expect(await page.getAttribute('#set-httpDoor', 'placeholder')).toMatch(/^Off/);
    expect(await page.getByLabel('Wyoming door (Home Assistant)').count()).toBe(1);
    const before = onDisk();
    await page.fill('#set-httpDoor', 'example.com:80');
    await page.click('#settings-save');
    await expect.poll(() => page.locator('#err-httpDoor').textContent()).toMatch(/\[HOST:\]PORT/);
    expect(await focused()).toBe('set-httpDoor');
    expect(setCalls()).toEqual([]);
    expect(onDisk()).toEqual(before);
    // Beyond loopback: the window says the token is needed and where it comes from.
    await page.fill('#set-httpDoor', '0.0.0.0:8880');
    await expect.poll(() => page.locator('#door-note').textContent()).toMatch(/bearer token.*q3tts http token/);
    expect(await page.locator('#door-note').textContent()).toMatch(/Saving restarts the engine/);
    await page.fill('#set-wyomingDoor', '127.0.0.1:10200');
    expect(await page.locator('#door-note').textContent()).not.toMatch(/Wyoming has no authentication/);
    await page.click('#settings-save');
    await expect
      .poll(() => page.locator('#settings-result').textContent())
      .toBe('Saved. The engine is restarting with the new doors…');
    expect(setCalls()).toEqual([{ httpDoor: '0.0.0.0:8880', wyomingDoor: '127.0.0.1:10200' }]);
    expect(onDisk()).toMatchObject({ httpDoor: '0.0.0.0:8880', wyomingDoor: '127.0.0.1:10200' });
    // Saved: the token note stays while the door is open beyond loopback.
    expect(await page.locator('#door-note').textContent()).toMatch(/^Other machines can reach the HTTP door/);
    await page.screenshot({ path: path.join(artifacts, 'settings-doors.png'), fullPage: true });
    // Emptying a field closes that door again.
    await page.fill('#set-httpDoor', '');
    await page.click('#settings-save');
    await expect.poll(() => h.repo.get().httpDoor).toBeNull();
    expect(setCalls().at(-1)).toEqual({ httpDoor: null });
    expect(h.repo.get().wyomingDoor).toBe('127.0.0.1:10200');
  });

  it('saves the default saved voice, rate and volume; the speak view follows them', async () => {
    h.repo.update({
      voices: [{ name: 'Narrator', instruct: 'A deep voice.', language: 'auto', speaker: null, seed: 3 }],
    });
    await expect
      .poll(() => page.locator('#set-defaultVoice option').allTextContents())
      .toEqual(['None — use the description below', 'Narrator']);
    await page.fill('#set-rate', '3');
    await page.click('#settings-save');
    await expect.poll(() => page.locator('#err-rate').textContent()).toBe('between 0.5 and 2');
    expect(setCalls()).toEqual([]);
    await page.fill('#set-rate', '1.25');
    await page.fill('#set-volume', '60');
    await page.selectOption('#set-defaultVoice', 'Narrator');
    await page.click('#settings-save');
    await expect.poll(() => page.locator('#settings-result').textContent()).toBe('Saved.');
    expect(setCalls()).toEqual([{ defaultVoice: 'Narrator', rate: 1.25, volume: 60 }]);
    expect(onDisk()).toMatchObject({ defaultVoice: 'Narrator', rate: 1.25, volume: 60 });
    // the speak view's sliders start from the new defaults
    expect(await page.inputValue('#rate')).toBe('1.25');
    expect(await page.inputValue('#volume')).toBe('60');
    await page.screenshot({ path: path.join(artifacts, 'settings-voices.png'), fullPage: true });
    h.repo.update({ defaultVoice: null, rate: 1, volume: 100, voices: [] });
  });

  it('follows changes made elsewhere (the file edited by hand) unless the user is editing', async () => {
    h.repo.update({ speakMode: 'interrupt', language: 'auto' });
    await expect.poll(() => page.isChecked('#set-speakMode-interrupt')).toBe(true);
    await expect.poll(() => page.inputValue('#set-language')).toBe('auto');
    await page.fill('#set-outputDevice', 'typing…');
    h.repo.update({ startAtLogin: false });
    await expect.poll(() => page.isChecked('#set-startAtLogin')).toBe(true); // kept: the form has unsaved edits
    expect(await page.inputValue('#set-outputDevice')).toBe('typing…');
    await page.click('#settings-cancel');
    expect(await page.isChecked('#set-startAtLogin')).toBe(false);
  });

  it('opens on the Settings view when main asks (tray "Settings…"): new window by URL, open window by push', async () => {
    page = await h.open({ hash: '#settings' });
    expect(await visible('#view-settings')).toBe(true);
    expect(await focused()).toBe('tab-settings');
    await page.click('#tab-speak');
    expect(await visible('#view-settings')).toBe(false);
    pushShowView([h.contents as never], 'settings');
    await expect.poll(() => visible('#view-settings')).toBe(true);
    expect(await focused()).toBe('tab-settings');
  });

  it('had no CSP violations and no console errors', async () => {
    expect(await page.evaluate(() => window.__violations)).toEqual([]);
    expect(h.problems).toEqual([]);
  });
});
