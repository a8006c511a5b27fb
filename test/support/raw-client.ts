// A deliberately raw socket client for tests: sends exact bytes, reads whatever frames come back.
import net from 'node:net';
import { FrameDecoder, encodeFrame } from '../../src/shared/protocol.js';

/** An answer as tests read it: any field may be looked at. */
export type LooseAnswer = Record<string, unknown> & { status: 'ok' | 'error'; code?: string; message?: string };

export interface RawConnection {
  socket: net.Socket;
  /** Frames received so far, as objects. */
  received: Record<string, unknown>[];
  /** Resolves with the next n frames (waiting as needed). */
  next(n?: number, timeoutMs?: number): Promise<Record<string, unknown>[]>;
  closed: Promise<void>;
}

export function connectRaw(socketPath: string): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    const decoder = new FrameDecoder(Number.MAX_SAFE_INTEGER);
    const received: Record<string, unknown>[] = [];
    let consumed = 0;
    let wake: (() => void) | undefined;
    socket.on('data', (d) => {
      for (const f of decoder.push(d)) if (f.ok) received.push(f.value);
      wake?.();
    });
    const closed = new Promise<void>((r) => socket.once('close', () => (r(), wake?.())));
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve({
        socket,
        received,
        closed,
        async next(n = 1, timeoutMs = 10_000) {
          const deadline = Date.now() + timeoutMs;
          while (received.length < consumed + n) {
            if (socket.destroyed && received.length < consumed + n)
              throw new Error(`connection closed after ${received.length - consumed} of ${n} frames`);
            if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} frames`);
            await new Promise<void>((r) => {
              wake = r;
              setTimeout(r, 50);
            });
          }
          const out = received.slice(consumed, consumed + n);
          consumed += n;
          return out;
        },
      });
    });
  });
}

/** One request, one answer, as the original client did. */
export async function ask(socketPath: string, request: object): Promise<LooseAnswer> {
  const c = await connectRaw(socketPath);
  c.socket.write(encodeFrame(request));
  const [answer] = await c.next(1, 60_000);
  c.socket.end();
  return answer as LooseAnswer;
}
