// The speech server token's IPC rows (getServerToken, setServerToken) on main's real handlers, electron mocked:
// validated, stored 0600 beside the settings file (not in it), never answered back, and the change announced.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
vi.mock('electron', () => import('../../mocks/electron.js'));
const { ipcMain, WebContentsMock } = await import('../../mocks/electron.js');
const { registerIpc } = await import('../../../src/main/electron/ipc.js');
const { openSettingsRepo } = await import('../../../src/main/app/settings-repo.js');
const { AppController } = await import('../../../src/main/app/controller.js');
const { TOKEN_FILE_NAME } = await import('../../../src/main/app/speech-server.js');
const { INVOKE_CHANNELS } = await import('../../../src/shared/ipc.js');
const { DEFAULT_SETTINGS } = await import('../../../src/shared/settings.js');

const dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-token-ipc-'));
const repo = openSettingsRepo({ cwd: dir });
const ours = new WebContentsMock();
const trusted = { sender: ours, senderFrame: { url: 'app://ui/index.html', parent: null } } as never;
const stranger = { sender: new WebContentsMock(), senderFrame: { url: 'app://ui/index.html', parent: null } } as never;
const tokenFile = path.join(dir, TOKEN_FILE_NAME);
let changes = 0;
let unregister: () => void;

const call = (channel: string, ev: unknown, ...args: unknown[]) =>
  ipcMain.handlers.get(channel)!(ev, ...args) as Promise<unknown>;
const getToken = () => call(INVOKE_CHANNELS.getServerToken, trusted);
const setToken = (...args: unknown[]) => call(INVOKE_CHANNELS.setServerToken, trusted, ...args);

beforeAll(() => {
  repo.update({ speechServer: 'https://tts.example.org' });
  unregister = registerIpc({
    controller: new AppController({ settings: () => DEFAULT_SETTINGS, readClipboard: async () => '' }),
    settings: repo,
    models: {} as never,
    ourContents: () => [ours as never],
    chooseWavPath: async () => null,
    onServerTokenChanged: () => void changes++,
  });
});

afterAll(() => {
  unregister();
  rmSync(dir, { recursive: true, force: true });
});

describe('speech server token over IPC', () => {
  it('starts with none stored', async () => {
    expect(await getToken()).toEqual({ stored: false });
  });

  it('stores it 0600 beside the settings file, answers only "stored", and announces the change', async () => {
    const answer = await setToken({ token: '  s3cret-Token.42  ' });
    expect(answer).toEqual({ ok: true, stored: true });
    expect(JSON.stringify(answer)).not.toContain('s3cret');
    expect(await getToken()).toEqual({ stored: true });
    expect(readFileSync(tokenFile, 'utf8').trim()).toBe('s3cret-Token.42');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(repo.path, 'utf8')).not.toContain('s3cret');
    expect(changes).toBe(1);
  });

  it.each([
    ['no payload', []],
    ['a bare string', ['s3cret']],
    ['an empty token', [{ token: '   ' }]],
    ['a token with spaces inside', [{ token: 'two words' }]],
    ['a token with a newline (header injection)', [{ token: 'abc\r\nX-Evil: 1' }]],
    ['a huge token', [{ token: 'x'.repeat(5000) }]],
    ['an extra field', [{ token: 'abc', show: true }]],
  ])('refuses %s and keeps the stored token', async (_name, args) => {
    expect(await setToken(...args)).toMatchObject({ ok: false, code: 'E_INVALID' });
    expect(readFileSync(tokenFile, 'utf8').trim()).toBe('s3cret-Token.42');
    expect(changes).toBe(1);
  });

  it('refuses another window', async () => {
    await expect(call(INVOKE_CHANNELS.setServerToken, stranger, { token: null })).rejects.toThrow(/untrusted/);
    await expect(call(INVOKE_CHANNELS.getServerToken, stranger)).rejects.toThrow(/untrusted/);
    expect(await getToken()).toEqual({ stored: true });
  });

  it('clears it with null: the file is gone', async () => {
    expect(await setToken({ token: null })).toEqual({ ok: true, stored: false });
    expect(() => statSync(tokenFile)).toThrow(/ENOENT/);
    expect(await getToken()).toEqual({ stored: false });
    expect(changes).toBe(2);
  });
});
