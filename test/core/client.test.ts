// The socket client against real sockets: why a connection failed comes as a code, and the answers it
// returns carry the fields their action's type declares (src/shared/actions.ts).
import { spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { DaemonConnection, DaemonUnreachable, type UnreachableCode } from '../../src/core/client.js';
import { startDaemon, type RunningDaemon } from '../../src/core/daemon/daemon.js';
import type { AnswerOf, DaemonState } from '../../src/shared/actions.js';
import type { Answer } from '../../src/shared/protocol.js';

const root = path.resolve(import.meta.dirname, '../..');
const handlersFile = path.join(root, 'out/daemon/handlers.mjs');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-client-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function failure(connecting: Promise<DaemonConnection>): Promise<DaemonUnreachable> {
  const err: unknown = await connecting.then(
    (c) => {
      c.close();
      return new Error('connected');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DaemonUnreachable);
  return err as DaemonUnreachable;
}

describe('DaemonUnreachable carries why', () => {
  it('ENOENT: no socket file', async () => {
    const socketPath = path.join(dir, 'missing.sock');
    const err = await failure(DaemonConnection.connect(socketPath));
    expect(err.code).toBe<UnreachableCode>('ENOENT');
    expect(err.socketPath).toBe(socketPath);
    expect(err.message).toBe(`no q3tts daemon is running on ${socketPath} (no socket)`);
  });

  it('ECONNREFUSED: a socket file left by a process that died', async () => {
    const stale = path.join(dir, 'stale.sock');
    spawnSync(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(stale)},()=>process.kill(process.pid,'SIGKILL'))`,
    ]);
    expect(lstatSync(stale).isSocket()).toBe(true);
    const err = await failure(DaemonConnection.connect(stale));
    expect(err.code).toBe<UnreachableCode>('ECONNREFUSED');
    expect(err.message).toMatch(/\(connection refused\)$/);
  });

  it('OTHER: anything else, with the system reason in the message', async () => {
    // A datagram socket at the path: ours and a socket, so it passes the trust checks; a stream connect to it
    // fails with EPROTOTYPE, which none of the named codes covers.
    const socketPath = path.join(dir, 'datagram.sock');
    const holder = spawn(
      'python3',
      [
        '-c',
        `import socket,sys,time\ns=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\ns.bind(sys.argv[1])\nprint('bound', flush=True)\ntime.sleep(30)`,
        socketPath,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.once('data', () => resolve());
        holder.once('exit', (code) => reject(new Error(`python3 exited ${code}`)));
      });
      const err = await failure(DaemonConnection.connect(socketPath));
      expect(err.code).toBe<UnreachableCode>('OTHER');
      expect(err.message).toMatch(/\(connect EPROTOTYPE .*\)$/);
    } finally {
      holder.kill();
    }
  });

  it('a socket path below a regular file is refused before connecting, not reported as no daemon', async () => {
    const file = path.join(dir, 'a-file');
    writeFileSync(file, '');
    const err = await DaemonConnection.connect(path.join(file, 'daemon.sock')).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).not.toBeInstanceOf(DaemonUnreachable);
    expect(String(err)).toMatch(/refusing to use .*a-file is not a directory/);
  });

  it('TIMEOUT: the connection did not complete in time', async () => {
    // A Unix socket connect completes (or fails) at once in the kernel, and Node reports it in the loop's
    // poll phase; timers run before it. So hold the loop past the timeout: a real listening socket, whose
    // connect completes too late for the client.
    const socketPath = path.join(dir, 'slow.sock');
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      // From a setImmediate callback, the next loop turn starts with timers, then polls.
      const { outcome } = await new Promise<{ outcome: Promise<DaemonUnreachable> }>((resolve) =>
        setImmediate(() => {
          const outcome = failure(DaemonConnection.connect(socketPath, 5));
          const until = performance.now() + 50;
          while (performance.now() < until); // busy: the event loop is held
          resolve({ outcome });
        }),
      );
      const err = await outcome;
      expect(err.code).toBe<UnreachableCode>('TIMEOUT');
      expect(err.message).toMatch(/\(timed out\)$/);
      // The same socket, given time, connects: it was the timeout, not the socket.
      (await DaemonConnection.connect(socketPath)).close();
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('typed answers from a real daemon', () => {
  let daemon: RunningDaemon;
  let client: DaemonConnection;
  beforeAll(async () => {
    process.env.Q3TTS_AUDIO = 'null';
    const socketPath = path.join(dir, 'run', 'daemon.sock');
    daemon = await startDaemon({
      socketPath,
      engine: { kind: 'tone', msPerFrame: 1 },
      handlersFile,
      announce: () => undefined,
      log: () => undefined,
    });
    client = await DaemonConnection.connect(socketPath);
  });
  afterAll(async () => {
    client?.close();
    await daemon?.close();
  });

  const STATES: DaemonState[] = ['loading', 'idle', 'speaking', 'paused', 'error'];

  it('each control action answers with the fields its type declares', async () => {
    const ping = await client.request({ action: 'ping' });
    expectTypeOf(ping).toEqualTypeOf<AnswerOf<'ping'>>();
    expect(ping.status === 'ok' && ping.v).toBe(1);

    const status = await client.request({ action: 'status' });
    if (status.status !== 'ok') throw new Error(status.message);
    expectTypeOf(status.state).toEqualTypeOf<DaemonState>();
    expect(STATES).toContain(status.state);
    expect(status.pid).toBe(process.pid);
    expect(typeof status.uptime_s).toBe('number');
    expect(status.engine).toBe('tone');
    expect(typeof status.handlers_version).toBe('string');
    expect(status.engine_loads).toBe(1);

    const paused = await client.request({ action: 'pause' });
    expect(paused.status === 'ok' && paused.state).toBe('paused');
    const resumed = await client.request({ action: 'resume' });
    expect(resumed.status === 'ok' && STATES.includes(resumed.state)).toBe(true);

    const voices = await client.request({ action: 'voices' });
    if (voices.status !== 'ok') throw new Error(voices.message);
    expectTypeOf(voices.languages).toEqualTypeOf<string[]>();
    expect(voices.languages.length).toBeGreaterThan(0);
    expect(Array.isArray(voices.speakers)).toBe(true);
    expect(typeof voices.supports_instruct).toBe('boolean');

    const queue = await client.request({ action: 'queue' });
    expect(queue.status === 'ok' && queue.jobs).toEqual([]);
    const cancel = await client.request({ action: 'cancel' });
    expect(cancel.status === 'ok' && cancel.cancelled).toBe(0);
    const reload = await client.request({ action: 'reload' });
    expect(reload.status === 'ok' && reload.engine_loads).toBe(1);
  });

  it('generate answers with its figures, and with job and position when it does not wait', async () => {
    const out = path.join(dir, 'a.wav');
    const spoken = await client.request({ action: 'generate', text: 'Hello there.', output: out });
    if (spoken.status !== 'ok' || spoken.queued) throw new Error(JSON.stringify(spoken));
    expect(spoken.output).toBe(out);
    expect(spoken.audio_seconds).toBeGreaterThan(0);
    expect(spoken.frames).toBeGreaterThan(0);
    expect(typeof spoken.rtf).toBe('number');

    const status = await client.request({ action: 'status' });
    expect(status.status === 'ok' && status.last).toEqual({
      ttfa_ms: expect.any(Number),
      rtf: expect.any(Number),
      audio_seconds: spoken.audio_seconds,
    });

    const queued = await client.request({ action: 'generate', text: 'Later.', output: out, wait: false });
    if (queued.status !== 'ok' || !queued.queued) throw new Error(JSON.stringify(queued));
    expect(queued.job).toEqual(expect.any(Number));
    expect(queued.position).toBe(0);
  });

  it('a request that is not well-formed still goes out, and gets the untyped answer', async () => {
    const answer = await client.request({ action: 'cancel', bogus: 1 });
    expectTypeOf(answer).toEqualTypeOf<Answer>();
    expect(answer).toMatchObject({ status: 'error', code: 'E_INVALID' });
  });
});
