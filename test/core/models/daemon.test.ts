// The model manager over the daemon's socket: list, pull with progress events, cancel, and switching the
// active model (the engine reloads on the new one). A real daemon (in-process engine) and the Hub stand-in.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonConnection } from '../../../src/core/client.js';
import { startDaemon, type RunningDaemon } from '../../../src/core/daemon/daemon.js';
import type { PullStatus } from '../../../src/shared/models.js';
import type { ErrorAnswer, EventMessage } from '../../../src/shared/protocol.js';
import { syntheticModel } from '../engine/fixture.js';
import { cliPath } from '../../support/serve.js';
import { startFakeHub, type FakeHub } from './hub-server.js';

const REPO = 'wavekat/Qwen3-TTS-1.7B-VoiceDesign-ONNX';
const NAME = 'qwen3-tts-1.7b-voicedesign';
let hub: FakeHub;
let dir: string;
let daemon: RunningDaemon;
let client: DaemonConnection;

beforeAll(async () => {
  hub = await startFakeHub({ [REPO]: await syntheticModel('voice_design', 7) });
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-models-daemon-'));
  process.env.Q3TTS_DATA_DIR = path.join(dir, 'data');
  process.env.HF_ENDPOINT = hub.url;
  delete process.env.Q3TTS_MODEL_DIR;
  // Starts on another model (the custom-voice one), given by path as with --model.
  const first = await syntheticModel('custom_voice', 11);
  daemon = await startDaemon({
    socketPath: path.join(dir, 'daemon.sock'),
    engine: { kind: 'qwen3', modelDir: first, intraOpThreads: 1, interOpThreads: 1 },
    inProcessEngine: true,
    log: () => undefined,
    announce: () => undefined,
  });
  client = await DaemonConnection.connect(daemon.socketPath);
});
afterAll(async () => {
  client?.close();
  await daemon?.close();
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The answer when it is a success; the daemon's error fails the test with its message. */
async function ok<T extends { status: 'ok' }>(answer: T | ErrorAnswer | Promise<T | ErrorAnswer>): Promise<T> {
  const a = await answer;
  if (a.status === 'error') throw new Error(`${a.code}: ${a.message}`);
  return a;
}

describe('models over the protocol', () => {
  it('models lists the catalog with nothing installed', async () => {
    const a = await client.request({ action: 'models' });
    expect(a).toMatchObject({ status: 'ok', active: null, pulls: [] });
    expect((await ok(a)).models.filter((m) => m.name === NAME).map((m) => m.installed)).toEqual([false, false]);
  });

  it('bad requests: unknown model, unknown field, not installed', async () => {
    expect(await client.request({ action: 'models_pull', name: 'nosuch' })).toMatchObject({ status: 'error', code: 'E_INVALID', message: expect.stringMatching(/unknown model 'nosuch'/) });
    expect(await client.request({ action: 'models_pull', name: NAME, bogus: 1 })).toMatchObject({ status: 'error', code: 'E_INVALID' });
    expect(await client.request({ action: 'models_use', name: NAME })).toMatchObject({ status: 'error', code: 'E_NO_MODEL', message: expect.stringMatching(/is not installed/) });
  });

  it('a pull started without waiting shows in "models" and can be cancelled; its parts stay', async () => {
    hub.reset();
    hub.faults.bytesPerSecond = 2_000_000;
    const started = await client.request({ action: 'models_pull', name: NAME, precision: 'fp32', wait: false });
    expect(started).toMatchObject({ status: 'ok', started: true, folder: `${NAME}-fp32` });
    let pulls: PullStatus[] = [];
    for (let i = 0; i < 100; i++) {
      pulls = (await ok(client.request({ action: 'models' }))).pulls;
      if (pulls[0] && pulls[0].done_bytes > 500_000) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(pulls[0]!.total_bytes).toBeGreaterThan(pulls[0]!.done_bytes);
    expect(await client.request({ action: 'models_cancel', name: NAME })).toMatchObject({ status: 'ok', cancelled: 1 });
    for (let i = 0; i < 50 && (await ok(client.request({ action: 'models' }))).pulls.length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(path.join(process.env.Q3TTS_DATA_DIR!, 'models', '.partial', `${NAME}-fp32`))).toBe(true);
  });

  it('models_pull with events: plan, progress, installed on this connection, then the answer', async () => {
    hub.reset();
    const events: EventMessage[] = [];
    const a = await client.request({ action: 'models_pull', id: 'p1', name: NAME, precision: 'fp32', events: true }, (e) => events.push(e));
    expect(a).toMatchObject({ status: 'ok', id: 'p1', folder: `${NAME}-fp32`, active: true });
    expect(events.every((e) => e.event === 'pull' && e.id === 'p1')).toBe(true);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('plan');
    expect(types).toContain('progress');
    expect(types).toContain('resume'); // it continued the cancelled pull
    expect(types.at(-1)).toBe('installed');
    const listing = await ok(client.request({ action: 'models' }));
    expect(listing.active).toBe(`${NAME}-fp32`);
    expect(listing.models.find((m) => m.folder === `${NAME}-fp32`)).toMatchObject({ installed: true, active: true });
  });

  it('models_use switches the engine to the pulled model (it reloads); q3tts models use does it through the daemon', async () => {
    const before = await ok(client.request({ action: 'voices' }));
    expect(before.speakers.length).toBeGreaterThan(0); // the custom-voice model it started with
    const loads = daemon.core.engineLoadCount;
    const a = await client.request({ action: 'models_use', name: NAME });
    expect(a).toMatchObject({ status: 'ok', active: `${NAME}-fp32`, engine_loads: loads + 1 });
    const after = await ok(client.request({ action: 'voices' }));
    expect(after.speakers).toEqual([]); // the voice-design model has no preset speakers
    const spoke = await client.request({ action: 'generate', text: 'Hi.', output: path.join(dir, 'a.wav'), max_new_tokens: 3, seed: 1 });
    expect(spoke).toMatchObject({ status: 'ok' });

    const child = spawn(process.execPath, [cliPath, 'models', 'use', NAME], { env: { ...process.env, Q3TTS_SOCKET: daemon.socketPath }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const code = await new Promise((r) => child.once('close', r));
    expect(code).toBe(0);
    expect(out).toMatch(/active model: qwen3-tts-1\.7b-voicedesign-fp32 \(the daemon reloaded it\)/);
    expect(daemon.core.engineLoadCount).toBe(loads + 2);
  });
});
