// The app's engine host launcher: the real host script runs behind the utilityProcess surface
// (Electron mocked at its boundary only), and the daemon's RemoteEngine talks to it.
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
vi.mock('electron', () => import('../../mocks/electron.js'));
const { utilityProcess } = await import('../../mocks/electron.js');
const { utilityProcessHost } = await import('../../../src/main/electron/engine-process.js');
const { spawnEngine } = await import('../../../src/core/engine/remote.js');

const hostPath = path.resolve(import.meta.dirname, '../../../out/engine/host.mjs');

describe('utilityProcessHost', () => {
  it('starts the engine host as a named utility process and streams synthesis through it', async () => {
    const engine = await spawnEngine({ kind: 'tone' }, { hostPath, launch: utilityProcessHost });
    try {
      expect(utilityProcess.forked.at(-1)).toMatchObject({ modulePath: hostPath, options: { serviceName: 'q3tts engine' } });
      expect(engine.info.engine).toBe('tone');
      let samples = 0;
      for await (const e of engine.synthesize({ text: 'abc', language: 'auto', instruct: null, speaker: null, seed: null, sampling: {} }, new AbortController().signal)) {
        if (e.type === 'audio') {
          expect(e.samples).toBeInstanceOf(Float32Array);
          samples += e.samples.length;
        }
      }
      expect(samples).toBe(3 * 1920);
    } finally {
      await engine.dispose();
    }
  });

  it('reports a host that dies', async () => {
    let reason = '';
    const engine = await spawnEngine({ kind: 'tone' }, { hostPath, launch: utilityProcessHost, onExit: (r) => (reason = r) });
    process.kill(engine.pid!, 'SIGKILL');
    await engine.exited;
    expect(engine.alive).toBe(false);
    expect(reason).toMatch(/code|signal/);
  });
});
