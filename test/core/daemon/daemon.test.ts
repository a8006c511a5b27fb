// The daemon end to end on a real socket, with the real engine host process running the tone engine.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type RunningDaemon } from '../../../src/core/daemon/daemon.js';
import { DaemonAlreadyRunning } from '../../../src/core/daemon/server.js';
import { toneCodes, toneFrame } from '../../../src/core/engine/tone.js';
import { encodeFrame } from '../../../src/shared/protocol.js';
import { ask, connectRaw } from '../../support/raw-client.js';
import { maxAbsDiff, readWav, toInt16 } from '../../support/wav.js';

const root = path.resolve(import.meta.dirname, '../../..');
const handlersFile = path.join(root, 'out/daemon/handlers.mjs');

let dir: string;
let socketPath: string;
let daemon: RunningDaemon;
const announced: string[] = [];
const logs: string[] = [];

beforeAll(async () => {
  process.env.Q3TTS_AUDIO = 'null';
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-daemon-'));
  socketPath = path.join(dir, 'q3tts-run', 'daemon.sock');
  daemon = await startDaemon({
    socketPath,
    engine: { kind: 'tone', msPerFrame: 5 },
    handlersFile,
    announce: (l) => announced.push(l),
    log: (l) => logs.push(l),
  });
});

afterAll(async () => {
  await daemon?.close();
  rmSync(dir, { recursive: true, force: true });
});

function expectedPcm(text: string): Int16Array {
  const frames = toneCodes(text).map((f) => toneFrame(f[0]!));
  const all = new Float32Array(frames.length * 1920);
  frames.forEach((f, i) => all.set(f, i * 1920));
  return toInt16(all);
}

describe('start-up', () => {
  it('announces the model loaded (name and load time), then "listening on <socket>"', () => {
    expect(announced).toHaveLength(2);
    expect(announced[0]).toMatch(/^model loaded: tone \(deterministic test engine\) in \d+\.\d s$/);
    expect(announced[1]).toBe(`listening on ${socketPath}`);
  });

  it('makes the socket reachable by its owner only (dir 0700, socket 0600)', () => {
    expect(statSync(path.dirname(socketPath)).mode & 0o777).toBe(0o700);
    expect(lstatSync(socketPath).mode & 0o777).toBe(0o600);
  });

  it('refuses a second daemon on the same socket, and says so', async () => {
    await expect(
      startDaemon({
        socketPath,
        engine: { kind: 'tone' },
        handlersFile,
        announce: () => undefined,
        log: () => undefined,
      }),
    ).rejects.toBeInstanceOf(DaemonAlreadyRunning);
    expect((await ask(socketPath, { action: 'ping' })).status).toBe('ok');
  });

  it('replaces a stale socket left by a daemon that died', async () => {
    const stale = path.join(dir, 'stale', 'daemon.sock');
    spawnSync(process.execPath, [
      '-e',
      `require('fs').mkdirSync(${JSON.stringify(path.dirname(stale))},{recursive:true});require('net').createServer().listen(${JSON.stringify(stale)},()=>process.kill(process.pid,'SIGKILL'))`,
    ]);
    expect(lstatSync(stale).isSocket()).toBe(true);
    const second = await startDaemon({
      socketPath: stale,
      engine: { kind: 'tone' },
      handlersFile,
      announce: () => undefined,
      log: () => undefined,
    });
    try {
      expect((await ask(stale, { action: 'ping' })).status).toBe('ok');
    } finally {
      await second.close();
    }
    expect(existsSync(stale)).toBe(false);
  });
});

describe('the original contract, verbatim', () => {
  it('generate to a file answers {"status":"ok"} once the file is written, with the engine\'s samples', async () => {
    const out = path.join(dir, 'hello.wav');
    const answer = await ask(socketPath, {
      action: 'generate',
      text: 'Hi there',
      language: 'English',
      instruct: null,
      output: out,
    });
    expect(answer.status).toBe('ok');
    const wav = readWav(out);
    expect([wav.sampleRate, wav.channels, wav.bits]).toEqual([24000, 1, 16]);
    expect(maxAbsDiff(wav.samples, expectedPcm('Hi there'))).toBeLessThanOrEqual(1);
  });

  it('speed 2 / 0.5 stretches the file to half / twice the samples (pitch kept: test/core/audio/tempo.test.ts)', async () => {
    for (const speed of [2, 0.5]) {
      const out = path.join(dir, `speed-${speed}.wav`);
      expect((await ask(socketPath, { action: 'generate', text: 'Hi there', output: out, speed })).status).toBe('ok');
      const want = expectedPcm('Hi there').length / speed;
      expect(Math.abs(readWav(out).samples.length - want) / want).toBeLessThan(0.05); // Sonic: within 5 %
    }
    expect(await ask(socketPath, { action: 'generate', text: 'Hi', speed: 5 })).toMatchObject({
      status: 'error',
      code: 'E_INVALID',
    });
  });

  it('an error answer has "status":"error" and a "message"', async () => {
    const answer = await ask(socketPath, {
      action: 'generate',
      text: '',
      language: 'English',
      instruct: null,
      output: null,
    });
    expect(answer).toMatchObject({ status: 'error', code: 'E_TEXT_EMPTY' });
    expect(typeof (answer as { message: string }).message).toBe('string');
  });
});

describe('bad input gets a clear error and disturbs nobody', () => {
  const frameOf = (body: Buffer | string) => {
    const b = Buffer.from(body);
    const h = Buffer.alloc(4);
    h.writeUInt32BE(b.length);
    return Buffer.concat([h, b]);
  };

  it.each([
    ['invalid JSON', frameOf('{"action": "generate", '), 'E_BAD_FRAME'],
    ['invalid UTF-8', frameOf(Buffer.from([0x7b, 0xff, 0x7d])), 'E_BAD_FRAME'],
    ['a JSON array', frameOf('["generate"]'), 'E_INVALID'],
    ['a JSON string', frameOf('"status"'), 'E_INVALID'],
    ['no action', frameOf('{"text":"hi"}'), 'E_INVALID'],
    ['an unknown action', frameOf('{"action":"dance"}'), 'E_UNKNOWN_ACTION'],
    ['text of the wrong type', frameOf('{"action":"generate","text":42}'), 'E_INVALID'],
    ['language of the wrong type', frameOf('{"action":"generate","text":"hi","language":7}'), 'E_INVALID'],
    ['an unknown field', frameOf('{"action":"generate","text":"hi","instuct":"calm"}'), 'E_INVALID'],
    ['whitespace-only text', frameOf('{"action":"generate","text":" \\n\\t "}'), 'E_TEXT_EMPTY'],
    ['over-long text', frameOf(JSON.stringify({ action: 'generate', text: 'a'.repeat(100_001) })), 'E_TEXT_TOO_LONG'],
    ['an unknown language', frameOf('{"action":"generate","text":"hi","language":"Klingon"}'), 'E_INVALID'],
    ['a relative output without cwd', frameOf('{"action":"generate","text":"hi","output":"x.wav"}'), 'E_INVALID'],
    [
      'an output in a missing directory',
      frameOf('{"action":"generate","text":"hi","output":"/nonexistent/dir/x.wav"}'),
      'E_OUTPUT',
    ],
    ['a negative seed', frameOf('{"action":"generate","text":"hi","seed":-1}'), 'E_INVALID'],
  ])('%s → %s, and the connection still works', async (_name, bytes, code) => {
    const c = await connectRaw(socketPath);
    c.socket.write(bytes);
    const [answer] = await c.next();
    expect(answer).toMatchObject({ status: 'error', code });
    expect(String(answer!.message).length).toBeGreaterThan(5);
    c.socket.write(encodeFrame({ action: 'ping', id: 'after' }));
    expect((await c.next())[0]).toMatchObject({ status: 'ok', id: 'after' });
    c.socket.destroy();
  });

  it('a length over the limit is answered, then the connection is closed; others are served meanwhile', async () => {
    const c = await connectRaw(socketPath);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(64 * 1024 * 1024);
    c.socket.write(Buffer.concat([head, Buffer.alloc(1000)]));
    const [answer] = await c.next();
    expect(answer).toMatchObject({ status: 'error', code: 'E_FRAME_TOO_LARGE' });
    await c.closed;
    expect((await ask(socketPath, { action: 'status' })).status).toBe('ok');
  });

  it('a client that hangs up mid-frame leaves the daemon serving', async () => {
    const c = await connectRaw(socketPath);
    c.socket.write(encodeFrame({ action: 'generate', text: 'never finished' }).subarray(0, 12));
    c.socket.destroy();
    expect((await ask(socketPath, { action: 'ping' })).status).toBe('ok');
  });

  it('a client that stalls mid-frame does not block other clients', async () => {
    const stalled = await connectRaw(socketPath);
    stalled.socket.write(encodeFrame({ action: 'status' }).subarray(0, 6));
    expect((await ask(socketPath, { action: 'status' })).status).toBe('ok');
    stalled.socket.destroy();
  });
});

describe('status, queue and cancel', () => {
  it('status reports pid, uptime, engine, model, state, queue, socket and handlers version', async () => {
    const s = await ask(socketPath, { action: 'status', id: 's1' });
    expect(s).toMatchObject({
      status: 'ok',
      id: 's1',
      v: 1,
      pid: process.pid,
      state: 'idle',
      engine: 'tone',
      queue_length: 0,
      socket: socketPath,
    });
    expect(typeof (s as Record<string, unknown>).uptime_s).toBe('number');
    expect(String((s as Record<string, unknown>).handlers_version)).toMatch(/^[0-9a-f]{12}#\d+$/);
  });

  it('cancel silences the current request and clears the queue; each is answered E_CANCELLED', async () => {
    const c = await connectRaw(socketPath);
    const long = 'x'.repeat(400); // 400 frames at 5 ms each: ~2 s of synthesis
    c.socket.write(encodeFrame({ action: 'generate', id: 'one', text: long }));
    c.socket.write(encodeFrame({ action: 'generate', id: 'two', text: long }));
    await new Promise((r) => setTimeout(r, 150));
    const q = await ask(socketPath, { action: 'queue' });
    expect((q.jobs as Array<{ id: string; state: string }>).map((j) => [j.id, j.state])).toEqual([
      ['one', 'speaking'],
      ['two', 'waiting'],
    ]);
    const sent = performance.now();
    const answer = await ask(socketPath, { action: 'cancel' });
    expect(answer).toMatchObject({ status: 'ok', cancelled: 2 });
    const answers = await c.next(2);
    const elapsed = performance.now() - sent;
    expect(answers.map((a) => [a.id, a.code])).toEqual(
      expect.arrayContaining([
        ['one', 'E_CANCELLED'],
        ['two', 'E_CANCELLED'],
      ]),
    );
    expect(elapsed).toBeLessThan(1500); // far sooner than the 2 s the request would have run (latency: bench)
    expect((await ask(socketPath, { action: 'status' })).queue_length).toBe(0);
    c.socket.destroy();
  });

  it("status is answered while the engine computes (the engine runs off the daemon's thread)", async () => {
    const c = await connectRaw(socketPath);
    c.socket.write(encodeFrame({ action: 'generate', id: 'busy', text: 'y'.repeat(300) }));
    await new Promise((r) => setTimeout(r, 100));
    const states: string[] = [];
    let slowest = 0;
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      states.push(String((await ask(socketPath, { action: 'status' })).state));
      slowest = Math.max(slowest, performance.now() - t);
    }
    expect(states.every((s) => s === 'speaking')).toBe(true);
    expect(slowest).toBeLessThan(500); // p99 figures: npm run bench:daemon
    await ask(socketPath, { action: 'cancel' });
    await c.next();
    c.socket.destroy();
  });

  it('events: queued, started, progress and done precede the answer when asked for', async () => {
    const c = await connectRaw(socketPath);
    c.socket.write(
      encodeFrame({
        action: 'generate',
        id: 'ev',
        text: 'z'.repeat(20),
        events: true,
        output: path.join(dir, 'ev.wav'),
      }),
    );
    const frames: Record<string, unknown>[] = [];
    while (!frames.some((f) => f.status)) frames.push(...(await c.next()));
    const kinds = frames.map((f) => f.event ?? `answer:${String(f.status)}`);
    expect(kinds[0]).toBe('queued');
    expect(kinds[1]).toBe('started');
    expect(kinds).toContain('progress');
    expect(kinds.slice(-2)).toEqual(['done', 'answer:ok']);
    expect(frames.every((f) => f.id === 'ev')).toBe(true);
    c.socket.destroy();
  });

  it('wait: false answers at once with the queue position', async () => {
    const answer = await ask(socketPath, {
      action: 'generate',
      text: 'quick',
      wait: false,
      output: path.join(dir, 'nowait.wav'),
    });
    expect(answer).toMatchObject({ status: 'ok', queued: true, position: 0 });
    for (let i = 0; i < 100 && !existsSync(path.join(dir, 'nowait.wav')); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(readWav(path.join(dir, 'nowait.wav')).samples.length).toBe(5 * 1920);
  });

  it('voices lists the languages and speakers of the loaded engine', async () => {
    expect(await ask(socketPath, { action: 'voices' })).toMatchObject({
      status: 'ok',
      engine: 'tone',
      languages: ['Auto', 'English'],
      speakers: [],
    });
  });

  it('codes_out saves the codec frames, and decode turns them back into the same audio', async () => {
    const codes = path.join(dir, 'codes.json');
    const first = path.join(dir, 'first.wav');
    await ask(socketPath, { action: 'generate', text: 'abc', output: first, codes_out: codes });
    const frames = JSON.parse((await import('node:fs')).readFileSync(codes, 'utf8')) as number[][];
    expect(frames).toHaveLength(3);
    expect(frames.every((f) => f.length === 16)).toBe(true);
    const again = path.join(dir, 'again.wav');
    expect(await ask(socketPath, { action: 'decode', frames, output: again })).toMatchObject({ status: 'ok' });
    expect(maxAbsDiff(readWav(again).samples, readWav(first).samples)).toBe(0);
  });

  it('an engine process that dies fails its request clearly, shows in status, and is restarted by the next request', async () => {
    const engine = (await daemon.core.ensureEngine()) as { pid?: number };
    const c = await connectRaw(socketPath);
    c.socket.write(encodeFrame({ action: 'generate', id: 'doomed', text: 'w'.repeat(300) }));
    await new Promise((r) => setTimeout(r, 100));
    process.kill(engine.pid!, 'SIGKILL');
    const [answer] = await c.next();
    expect(answer).toMatchObject({ id: 'doomed', status: 'error', code: 'E_ENGINE' });
    expect(String(answer!.message)).toMatch(/engine process exited unexpectedly/);
    expect(await ask(socketPath, { action: 'status' })).toMatchObject({
      state: 'error',
      error: expect.stringMatching(/restarting it in 1 s/),
    });
    const loads = daemon.core.engineLoadCount;
    expect(
      (await ask(socketPath, { action: 'generate', text: 'back', output: path.join(dir, 'back.wav') })).status,
    ).toBe('ok');
    expect(daemon.core.engineLoadCount).toBe(loads + 1);
    expect(await ask(socketPath, { action: 'status' })).toMatchObject({ state: 'idle' });
    c.socket.destroy();
  });

  it('an engine that dies is restarted on its own, without waiting for a request', async () => {
    const engine = (await daemon.core.ensureEngine()) as { pid?: number };
    const loads = daemon.core.engineLoadCount;
    process.kill(engine.pid!, 'SIGKILL');
    for (let i = 0; i < 100 && daemon.core.engineLoadCount === loads; i++) await new Promise((r) => setTimeout(r, 50));
    expect(daemon.core.engineLoadCount).toBe(loads + 1);
    expect((await ask(socketPath, { action: 'status' })).state).toBe('idle');
  });

  it('backpressure: a connection with 32 requests unanswered is not read from until they are answered', async () => {
    const c = await connectRaw(socketPath);
    const frames = Array.from({ length: 40 }, (_, i) =>
      encodeFrame({ action: 'generate', id: i, text: 'v'.repeat(200) }),
    );
    c.socket.write(Buffer.concat(frames));
    await new Promise((r) => setTimeout(r, 300));
    const jobs = (await ask(socketPath, { action: 'queue' })).jobs as unknown[];
    expect(jobs.length).toBe(32);
    await ask(socketPath, { action: 'cancel' });
    await c.next(32);
    // Now the daemon reads the rest of what the client sent.
    await new Promise((r) => setTimeout(r, 200));
    expect(((await ask(socketPath, { action: 'queue' })).jobs as unknown[]).length).toBe(8);
    await ask(socketPath, { action: 'cancel' });
    const rest = await c.next(8);
    expect(rest.every((a) => a.code === 'E_CANCELLED')).toBe(true);
    c.socket.destroy();
  });

  it('requests are queued in the order they arrived, whatever checks each needs', async () => {
    const c = await connectRaw(socketPath);
    const ids = Array.from({ length: 12 }, (_, i) => `r${i}`);
    c.socket.write(
      Buffer.concat(
        ids.map((id, i) =>
          encodeFrame({
            action: 'generate',
            id,
            text: 'u'.repeat(100),
            ...(i % 3 === 0 ? { output: path.join(dir, `${id}.wav`) } : {}),
          }),
        ),
      ),
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(((await ask(socketPath, { action: 'queue' })).jobs as Array<{ id: string }>).map((j) => j.id)).toEqual(ids);
    await ask(socketPath, { action: 'cancel' });
    await c.next(12);
    c.socket.destroy();
  });

  it('pause holds playback until resume; cancel still works while paused', async () => {
    expect(await ask(socketPath, { action: 'pause' })).toMatchObject({ status: 'ok', state: 'paused' });
    const c = await connectRaw(socketPath);
    c.socket.write(encodeFrame({ action: 'generate', id: 'held', text: 'ok', output: path.join(dir, 'held.wav') }));
    await new Promise((r) => setTimeout(r, 300));
    expect(c.received).toHaveLength(0); // two frames take 10 ms to make: it is the pause that holds it
    expect((await ask(socketPath, { action: 'status' })).state).toBe('paused');
    expect(await ask(socketPath, { action: 'resume' })).toMatchObject({ status: 'ok' });
    expect((await c.next())[0]).toMatchObject({ id: 'held', status: 'ok' });
    expect(readWav(path.join(dir, 'held.wav')).samples.length).toBe(2 * 1920);

    await ask(socketPath, { action: 'pause' });
    c.socket.write(encodeFrame({ action: 'generate', id: 'dropped', text: 'ok' }));
    await new Promise((r) => setTimeout(r, 100));
    await ask(socketPath, { action: 'cancel' });
    expect((await c.next())[0]).toMatchObject({ id: 'dropped', code: 'E_CANCELLED' });
    await ask(socketPath, { action: 'resume' });
    expect((await ask(socketPath, { action: 'status' })).state).toBe('idle');
    c.socket.destroy();
  });
});
