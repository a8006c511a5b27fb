// "Use a speech server" in the app: the token file (0600, beside settings.json, never inside it), the engine the
// hosted daemon gets from the settings, and that daemon speaking through the stand-in server with the token.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppController } from '../../../src/main/app/controller.js';
import { hostDaemon } from '../../../src/main/app/daemon-link.js';
import { openSettingsRepo, type SettingsRepo } from '../../../src/main/app/settings-repo.js';
import { ServerTokenFile, TOKEN_FILE_NAME, hostedEngineConfig } from '../../../src/main/app/speech-server.js';
import { currentPathEnv } from '../../../src/core/paths.js';
import type { PathEnv } from '../../../src/shared/paths.js';
import { startStandIn, standInPcm, type StandInServer } from '../../support/speech-server.js';

const TOKEN = 'sk-household-7f3a';
let dir: string;
let repo: SettingsRepo;
let tokens: ServerTokenFile;
let server: StandInServer;
/** A machine with no model installed and nothing remote in its environment. */
let bare: PathEnv;

beforeAll(async () => {
  process.env.Q3TTS_AUDIO = 'null';
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-remote-app-'));
  repo = openSettingsRepo({ cwd: path.join(dir, 'config') });
  tokens = new ServerTokenFile(repo.path);
  server = await startStandIn({ token: TOKEN });
  bare = currentPathEnv({ HOME: dir, Q3TTS_DATA_DIR: path.join(dir, 'data'), Q3TTS_REMOTE_TOKEN: 'from-the-shell' });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the speech server token file', () => {
  it('is written 0600 beside settings.json, never into it, and never readable by others even briefly', async () => {
    repo.update({ language: 'German' }); // the settings file exists
    expect(tokens.stored()).toBe(false);
    await tokens.set(`  ${TOKEN}\n`);
    expect(tokens.file).toBe(path.join(path.dirname(repo.path), TOKEN_FILE_NAME));
    expect(statSync(tokens.file).mode & 0o777).toBe(0o600);
    expect(tokens.read()).toBe(TOKEN);
    expect(tokens.stored()).toBe(true);
    repo.update({ speechServer: server.url });
    expect(readFileSync(repo.path, 'utf8')).not.toContain(TOKEN);
    expect(JSON.stringify(repo.get())).not.toContain(TOKEN);
  });

  it('replacing keeps 0600; clearing removes the file; clearing again is fine', async () => {
    await tokens.set('another-token');
    expect(statSync(tokens.file).mode & 0o777).toBe(0o600);
    expect(tokens.read()).toBe('another-token');
    await tokens.set(null);
    expect(tokens.stored()).toBe(false);
    expect(() => statSync(tokens.file)).toThrow(/ENOENT/);
    await tokens.set(null);
    await tokens.set('   '); // blank = none
    expect(tokens.stored()).toBe(false);
  });

  it('refuses to replace something that is not a regular file', async () => {
    const elsewhere = new ServerTokenFile(path.join(dir, 'odd', 'settings.json'));
    mkdirSync(elsewhere.file, { recursive: true }); // a directory where the token would go
    await expect(elsewhere.set('x')).rejects.toThrow(/directory/);
  });
});

describe("the hosted daemon's engine from the settings", () => {
  it('no speech server: the local model, as before (no model → the usual clear error)', () => {
    expect(() => hostedEngineConfig(bare, { ...repo.get(), speechServer: null }, TOKEN)).toThrow(/no model installed/);
  });

  it("a speech server: the remote engine with the app's token, not one from the shell", () => {
    const config = hostedEngineConfig(bare, { ...repo.get(), speechServer: server.url }, TOKEN);
    expect(config).toMatchObject({ kind: 'remote', url: server.url, token: TOKEN });
    expect(config).not.toHaveProperty('fallback'); // nothing installed to stand in
    const without = hostedEngineConfig(bare, { ...repo.get(), speechServer: server.url }, null);
    expect(without).not.toHaveProperty('token');
  });

  it('failover on stands a local model in when one is installed; off never does', () => {
    const model = path.join(dir, 'model');
    mkdirSync(model, { recursive: true });
    writeFileSync(path.join(model, 'config.json'), '{}');
    const s = { ...repo.get(), speechServer: server.url, modelDir: model, modelVariant: 'fp32' as const };
    expect(hostedEngineConfig(bare, { ...s, speechServerFailover: true }, null)).toMatchObject({
      kind: 'remote',
      fallback: { kind: 'qwen3', modelDir: model, precision: 'fp32' },
    });
    expect(hostedEngineConfig(bare, { ...s, speechServerFailover: false }, null)).not.toHaveProperty('fallback');
  });
});

describe('the app speaking through a speech server', () => {
  const params = (text: string) => ({ text, instruct: '', language: 'English', speaker: null });

  async function appOn(token: string | null) {
    await tokens.set(token);
    const settings = repo.get();
    const controller = new AppController({ settings: () => settings, readClipboard: async () => '' });
    const hosted = await hostDaemon({
      socketPath: path.join(dir, `run-${token ? 'with' : 'without'}`, 'daemon.sock'),
      engine: hostedEngineConfig(bare, settings, tokens.read()),
      log: () => undefined,
      settingsFile: repo.path,
    });
    await controller.setService(hosted.speech);
    return controller;
  }

  it('speaks through the server with the stored token, and the status says so', async () => {
    repo.update({ speechServer: server.url, speechServerFailover: true });
    const controller = await appOn(TOKEN);
    try {
      expect(controller.status).toMatchObject({
        state: 'ready',
        engine: 'remote',
        remote: { url: server.url, using: 'server', failover: false },
      });
      const before = server.requests.length;
      const r = await controller.speak(params('Hello from the tray.'));
      expect(r).toMatchObject({ ok: true });
      const sent = server.requests.slice(before);
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.every((q) => q.authorization === `Bearer ${TOKEN}`)).toBe(true);
      expect(sent.map((q) => q.body.input).join(' ')).toBe('Hello from the tray.');
      if (r.ok) expect(r.stats?.audioSeconds).toBeCloseTo(standInPcm('Hello from the tray.').length / 2 / 24_000, 2);
    } finally {
      await controller.close();
    }
  });

  it('without the token the server refuses, and the error names the server (no local model to stand in)', async () => {
    const controller = await appOn(null);
    try {
      const before = server.requests.length;
      const r = await controller.speak(params('Nobody let me in.'));
      expect(r).toMatchObject({ ok: false });
      if (!r.ok)
        expect(r.message).toMatch(new RegExp(`${server.url.replace(/^https?:\/\//, '')}.*(401|API key|token)`, 'i'));
      expect(server.requests.slice(before).every((q) => q.authorization === undefined)).toBe(true);
    } finally {
      await controller.close();
    }
  });
});
