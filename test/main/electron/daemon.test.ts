// The app's daemon phase: host a real daemon (tone engine in the mocked utilityProcess, a real child)
// and report it to the controller; a second app on the same socket attaches instead; stopping removes it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
vi.mock('electron', () => import('../../mocks/electron.js'));
const { utilityProcess } = await import('../../mocks/electron.js');
const { superviseDaemon } = await import('../../../src/main/electron/daemon.js');
const { AppController } = await import('../../../src/main/app/controller.js');
import { DaemonConnection } from '../../../src/core/client.js';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-app-daemon-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function app(socketPath: string) {
  const settings = { get: () => DEFAULT_SETTINGS };
  const controller = new AppController({ settings: settings.get, readClipboard: async () => '', log: () => undefined });
  const stoppedByClient = vi.fn();
  const supervisor = superviseDaemon({
    socketPath,
    settings,
    controller,
    log: () => undefined,
    onStoppedByClient: stoppedByClient,
  });
  return { controller, supervisor, stoppedByClient };
}

describe('daemon phase', () => {
  it('hosts a daemon with its engine in a utility process, lets a second app attach, and removes the socket on stop', async () => {
    process.env.Q3TTS_ENGINE = 'tone';
    process.env.Q3TTS_AUDIO = 'null';
    const socketPath = path.join(dir, 'daemon.sock');
    const host = app(socketPath);
    host.supervisor.start();
    await vi.waitFor(
      () => expect(host.controller.status).toMatchObject({ state: 'ready', engine: 'tone', attached: false }),
      { timeout: 20_000 },
    );
    expect(utilityProcess.forked.at(-1)).toMatchObject({ options: { serviceName: 'q3tts engine' } });
    expect(existsSync(socketPath)).toBe(true);

    const second = app(socketPath);
    second.supervisor.start();
    await vi.waitFor(() => expect(second.controller.status).toMatchObject({ state: 'ready', attached: true }), {
      timeout: 20_000,
    });
    expect(await second.controller.speak({ text: 'hi', instruct: '', language: 'auto', speaker: null })).toMatchObject({
      ok: true,
    });
    await second.supervisor.stop();

    await host.supervisor.stop();
    expect(existsSync(socketPath)).toBe(false);
    expect(host.stoppedByClient).not.toHaveBeenCalled(); // our own stop is not `q3tts stop`
  });

  it('`q3tts stop` on the hosted daemon stops the app with it', async () => {
    const socketPath = path.join(dir, 'stop.sock');
    const host = app(socketPath);
    host.supervisor.start();
    await vi.waitFor(() => expect(host.controller.status.state).toBe('ready'), { timeout: 20_000 });
    const client = await DaemonConnection.connect(socketPath);
    try {
      await client.request({ action: 'stop' });
    } finally {
      client.close();
    }
    await vi.waitFor(() => expect(host.stoppedByClient).toHaveBeenCalledOnce(), { timeout: 10_000 });
    await host.supervisor.stop();
  });
});
