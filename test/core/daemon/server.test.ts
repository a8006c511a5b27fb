// The socket server on its own: limits that protect the daemon from clients that misbehave.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SocketServer } from '../../../src/core/daemon/server.js';
import { encodeFrame } from '../../../src/shared/protocol.js';
import { ask, connectRaw } from '../../support/raw-client.js';

let dir: string;
let socketPath: string;
let server: SocketServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-server-'));
  socketPath = path.join(dir, 's.sock');
  server = new SocketServer(
    socketPath,
    async (request) => ({
      status: 'ok',
      ...(request.id === undefined ? {} : { id: request.id }),
      echo: request.action,
    }),
    {
      maxFrameBytes: 4096,
      partialFrameTimeoutMs: 200,
      log: () => undefined,
    },
  );
  await server.listen();
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SocketServer', () => {
  it('drops a client that stalls mid-frame after the timeout, with an answer saying why', async () => {
    const c = await connectRaw(socketPath);
    const t = performance.now();
    c.socket.write(encodeFrame({ action: 'status' }).subarray(0, 7));
    const [answer] = await c.next(1, 5000);
    expect(answer).toMatchObject({ status: 'error', code: 'E_BAD_FRAME' });
    expect(String(answer!.message)).toMatch(/incomplete frame/);
    await c.closed;
    expect(performance.now() - t).toBeGreaterThanOrEqual(180);
  });

  it('an idle connection between frames is not a stall', async () => {
    const c = await connectRaw(socketPath);
    await new Promise((r) => setTimeout(r, 400));
    c.socket.write(encodeFrame({ action: 'ping', id: 1 }));
    expect((await c.next())[0]).toMatchObject({ status: 'ok', id: 1 });
    c.socket.destroy();
  });

  it('serves many clients at once, each getting its own answers', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => ask(socketPath, { action: `a${i}`, id: i })),
    );
    expect(answers.map((a) => a.echo)).toEqual(Array.from({ length: 50 }, (_, i) => `a${i}`));
  });

  it('answers several requests on one connection, in any order, matched by id', async () => {
    const c = await connectRaw(socketPath);
    c.socket.write(Buffer.concat([encodeFrame({ action: 'x', id: 'one' }), encodeFrame({ action: 'y', id: 'two' })]));
    const got = await c.next(2);
    expect(got.map((a) => a.id).sort()).toEqual(['one', 'two']);
    c.socket.destroy();
  });

  it('removes its socket file on close', async () => {
    const other = new SocketServer(path.join(dir, 'other.sock'), async () => ({ status: 'ok' }), {
      log: () => undefined,
    });
    await other.listen();
    await other.close();
    await expect(connectRaw(path.join(dir, 'other.sock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
