// The app's engine host launcher: the real host script runs behind the utilityProcess surface
// (Electron mocked at its boundary only), and the daemon's RemoteEngine talks to it.
import path from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
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
      expect(utilityProcess.forked.at(-1)).toMatchObject({
        modulePath: hostPath,
        options: { serviceName: 'q3tts engine' },
      });
      expect(engine.info.engine).toBe('tone');
      let samples = 0;
      for await (const e of engine.synthesize(
        { text: 'abc', language: 'auto', instruct: null, speaker: null, seed: null, sampling: {} },
        new AbortController().signal,
      )) {
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
    const engine = await spawnEngine(
      { kind: 'tone' },
      { hostPath, launch: utilityProcessHost, onExit: (r) => (reason = r) },
    );
    process.kill(engine.pid!, 'SIGKILL');
    await engine.exited;
    expect(engine.alive).toBe(false);
    expect(reason).toMatch(/code|signal/);
  });
});

// utilityProcess messages (both ways, parentPort included) use the structured clone that Node's
// MessageChannel uses. The mock above forks with child_process ('advanced' serialization), so this
// checks the audio message's shape through the clone Electron really applies.
describe('audio over structured clone (MessageChannel)', () => {
  const roundTrip = (port1: MessagePort, port2: MessagePort, message: unknown) =>
    new Promise<unknown>((resolve) => {
      port2.once('message', resolve);
      port1.postMessage(message);
    });

  it('a Float32Array in an event arrives as a Float32Array with the same samples', async () => {
    const { port1, port2 } = new MessageChannel();
    try {
      const samples = Float32Array.from({ length: 1920 }, (_, i) => Math.sin(i / 10) * 0.5);
      samples[7] = NaN;
      samples[8] = -0;
      const got = (await roundTrip(port1, port2, { id: 3, event: { type: 'audio', samples } })) as {
        id: number;
        event: { type: string; samples: unknown };
      };
      expect(got.event.samples).toBeInstanceOf(Float32Array);
      expect(got.event.samples).toEqual(samples);
      expect(Object.is((got.event.samples as Float32Array)[8], -0)).toBe(true);
      expect(samples.length).toBe(1920); // copied, not transferred: the sender keeps its buffer
    } finally {
      port1.close();
    }
  });

  it('a view into a larger buffer arrives as that view (offset and length kept)', async () => {
    const { port1, port2 } = new MessageChannel();
    try {
      const whole = Float32Array.from({ length: 4800 }, (_, i) => i);
      const view = whole.subarray(1920, 3840);
      const got = (await roundTrip(port1, port2, view)) as Float32Array;
      expect(got).toBeInstanceOf(Float32Array);
      expect(got.length).toBe(1920);
      expect(got[0]).toBe(1920);
      expect(got.at(-1)).toBe(3839);
      // The clone carries the whole backing buffer, not just the view: a trimmed vocoder chunk costs its context too.
      expect(got.buffer.byteLength).toBe(whole.byteLength);
    } finally {
      port1.close();
    }
  });
});
