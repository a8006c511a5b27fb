// Quit waits for the daemon this app hosts to close (real daemon, tone engine in its host process):
// Electron exits right after an unprevented 'will-quit', so anything still closing then is cut off.
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { hostDaemon } from '../../../src/main/app/daemon-link.js';
import { finishBeforeQuit } from '../../../src/main/electron/quit.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-quit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Electron's quit as far as listeners see it: 'will-quit', then the process is gone unless prevented. */
class QuittingApp extends EventEmitter {
  /** What was still there at each moment the process would have exited. */
  readonly exits: Array<{ socket: boolean }> = [];
  constructor(private readonly socketPath = '') {
    super();
  }
  quit(): void {
    let prevented = false;
    this.emit('will-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.exits.push({ socket: existsSync(this.socketPath) });
  }
}

describe('quit', () => {
  it('exits only after the hosted daemon closed: its socket is gone', async () => {
    process.env.Q3TTS_AUDIO = 'null';
    const socketPath = path.join(dir, 'daemon.sock');
    const hosted = await hostDaemon({ socketPath, engine: { kind: 'tone', msPerFrame: 3 }, log: () => undefined });
    expect(existsSync(socketPath)).toBe(true);
    const app = new QuittingApp(socketPath);
    finishBeforeQuit(app as never, () => hosted.speech.close());
    app.quit();
    app.quit(); // a second Quit while closing changes nothing
    expect(app.exits).toEqual([]);
    await vi.waitFor(() => expect(app.exits).toHaveLength(1), { timeout: 10_000 });
    expect(app.exits).toEqual([{ socket: false }]);
  });

  it('quits anyway when the cleanup hangs or fails, and says so', async () => {
    const logged: string[] = [];
    const hanging = new QuittingApp();
    finishBeforeQuit(hanging as never, () => new Promise(() => undefined), {
      timeoutMs: 50,
      log: (m) => logged.push(m),
    });
    hanging.quit();
    await vi.waitFor(() => expect(hanging.exits).toHaveLength(1));
    expect(logged).toEqual(['quitting without waiting any longer for the cleanup (50 ms)']);

    const failing = new QuittingApp();
    finishBeforeQuit(failing as never, () => Promise.reject(new Error('engine gone')), { log: (m) => logged.push(m) });
    failing.quit();
    await vi.waitFor(() => expect(failing.exits).toHaveLength(1));
    expect(logged.at(-1)).toBe('cleanup before quit failed: engine gone');
  });
});
