// "Use a speech server" in headless Debian Chromium, against main's real IPC handlers, settings repo and
// token file: the URL is checked and saved, the token is stored 0600 apart and never shown back, and the
// status line says where speech is made.
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('electron', () => import('../mocks/electron.js'));
const { artifacts, haveChromium, startHarness } = await import('./harness.js');
const { pushStatus } = await import('../../src/main/electron/ipc.js');
const { TOKEN_FILE_NAME } = await import('../../src/main/app/speech-server.js');
import type { AppController } from '../../src/main/app/controller.js';
import type { Harness } from './harness.js';

const SERVER = 'https://gpu-box.lan:8091';
const SECRET = 'sk-team-4c1f0e';
let h: Harness;
let page: Page;
let backend: AppController;
const tokenFile = () => path.join(path.dirname(h.repo.path), TOKEN_FILE_NAME);
const setCalls = () => h.calls.filter((c) => c.method === 'setSettings').map((c) => c.payload);
const text = (sel: string) => page.locator(sel).textContent();

beforeAll(async () => {
  if (!haveChromium) return;
  h = await startHarness({ platform: 'linux' });
  backend = h.newBackend();
  await backend.setService(h.hosted.speech);
});

afterAll(async () => {
  if (!haveChromium) return;
  await h?.close();
});

beforeEach(() => {
  if (h) h.calls.length = 0;
});

describe.skipIf(!haveChromium)('use a speech server', () => {
  it('is a section of Settings, off by default, with labelled controls', async () => {
    page = await h.open({ viewport: { width: 560, height: 900 } });
    await expect.poll(() => text('#state')).toBe('Ready');
    await page.getByRole('tab', { name: 'Settings' }).click();
    const section = page.getByRole('group', { name: 'Use a speech server' });
    expect(await section.count()).toBe(1);
    await expect.poll(() => page.inputValue('#set-speechServer')).toBe('');
    expect(await page.isChecked('#set-speechServerFailover')).toBe(true);
    expect(await text('#speech-server-note')).toBe('Empty: the local model speaks.');
    for (const label of ['Speech server URL', 'Token (if the server asks for one)'])
      expect(await page.getByLabel(label).count(), label).toBe(1);
    expect(await page.getByLabel('When the server cannot be reached, speak with the local model').count()).toBe(1);
    expect(await page.getAttribute('#set-serverToken', 'type')).toBe('password');
    await expect.poll(() => text('#server-token-line')).toMatch(/No token stored/);
    expect(await page.isDisabled('#server-token-store')).toBe(true);
    expect(await page.isDisabled('#server-token-clear')).toBe(true);
  });

  it('marks a URL with a password in it, and sends nothing', async () => {
    await page.fill('#set-speechServer', 'https://ann:hunter2@gpu-box.lan:8091');
    await page.click('#settings-save');
    await expect.poll(() => text('#err-speechServer')).toMatch(/user name or password.*token field/);
    expect(await page.getAttribute('#set-speechServer', 'aria-invalid')).toBe('true');
    expect(setCalls()).toEqual([]);
    expect(h.repo.get().speechServer).toBeNull();
  });

  it('saves the URL and the failover choice: the engine restarts on them', async () => {
    await page.fill('#set-speechServer', 'http://gpu-box.lan:8091');
    await expect.poll(() => text('#speech-server-note')).toMatch(/not encrypted/);
    await page.fill('#set-speechServer', SERVER);
    await page.uncheck('#set-speechServerFailover');
    await expect.poll(() => text('#speech-server-note')).toMatch(/speech fails with the reason/);
    await expect.poll(() => text('#engine-note')).toMatch(/reloads the engine/);
    await page.click('#settings-save');
    await expect
      .poll(() => text('#settings-result'))
      .toBe('Saved. The engine is reloading with the new model settings…');
    expect(setCalls()).toEqual([{ speechServer: SERVER, speechServerFailover: false }]);
    expect(h.repo.get()).toMatchObject({ speechServer: SERVER, speechServerFailover: false });
    expect(await page.getAttribute('#set-speechServer', 'aria-invalid')).toBeNull();
  });

  it('stores the token 0600 beside the settings, empties the field, and never shows it back', async () => {
    await page.fill('#set-serverToken', SECRET);
    expect(await page.isDisabled('#server-token-store')).toBe(false);
    await page.press('#set-serverToken', 'Enter'); // stores the token; does not save the form
    await expect.poll(() => text('#server-token-line')).toBe('Token stored. A token is stored (it is not shown).');
    expect(await page.inputValue('#set-serverToken')).toBe('');
    expect(readFileSync(tokenFile(), 'utf8').trim()).toBe(SECRET);
    expect(statSync(tokenFile()).mode & 0o777).toBe(0o600);
    expect(readFileSync(h.repo.path, 'utf8')).not.toContain(SECRET);
    expect(setCalls()).toEqual([]);
    expect(h.calls.filter((c) => c.method === 'setServerToken')).toEqual([
      { method: 'setServerToken', payload: { token: SECRET } },
    ]);
    // A new window knows one is stored, and nothing in the page holds it.
    page = await h.open({ viewport: { width: 560, height: 900 } });
    await page.getByRole('tab', { name: 'Settings' }).click();
    await expect.poll(() => text('#server-token-line')).toBe('A token is stored (it is not shown).');
    expect(await page.inputValue('#set-serverToken')).toBe('');
    expect(await page.content()).not.toContain(SECRET);
    expect(await page.isDisabled('#server-token-clear')).toBe(false);
  });

  it('the status line says when speech goes to the server and when the local model stands in', async () => {
    const base = backend.status;
    pushStatus([h.contents as never], { ...base, remote: { url: SERVER, using: 'server', failover: true } });
    await page.getByRole('tab', { name: 'Speak' }).click();
    await expect.poll(() => text('#status')).toMatch(`speaking through the speech server ${SERVER}`);
    pushStatus([h.contents as never], {
      ...base,
      remote: { url: SERVER, using: 'local', error: 'connect ECONNREFUSED', failover: true },
    });
    await expect
      .poll(() => text('#status'))
      .toMatch(`speech server ${SERVER} not answering (connect ECONNREFUSED): the local model speaks`);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'speech-server-status.png') });
    await page.getByRole('tab', { name: 'Models' }).click();
    await expect
      .poll(() => text('#models-remote'))
      .toBe(`The speech server ${SERVER} is not answering: the model in use here speaks until it is back.`);
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.locator('#speech-server-section').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(artifacts, 'speech-server.png'), fullPage: true });
  });

  it('Save also stores a token typed but not stored yet, before the settings (the engine restarts with it)', async () => {
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.click('#server-token-clear');
    await expect.poll(() => text('#server-token-line')).toMatch(/No token stored/);
    h.calls.length = 0;
    await page.fill('#set-serverToken', 'typed-then-saved');
    await page.check('#set-speechServerFailover');
    await page.click('#settings-save');
    await expect.poll(() => text('#settings-result')).toMatch(/^Saved\./);
    expect(h.calls.map((c) => c.method).filter((m) => m.startsWith('set'))).toEqual(['setServerToken', 'setSettings']);
    expect(readFileSync(tokenFile(), 'utf8').trim()).toBe('typed-then-saved');
    expect(await page.inputValue('#set-serverToken')).toBe('');
    expect(h.repo.get().speechServerFailover).toBe(true);
  });

  it('clears the token: the file is gone', async () => {
    await page.click('#server-token-clear');
    await expect.poll(() => text('#server-token-line')).toMatch(/^Token cleared\. No token stored/);
    expect(() => statSync(tokenFile())).toThrow(/ENOENT/);
    expect(await page.isDisabled('#server-token-clear')).toBe(true);
    expect(h.problems).toEqual([]);
  });
});
