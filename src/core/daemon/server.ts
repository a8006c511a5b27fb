// The daemon's socket: owner-only, framed JSON, many clients at once. A bad client gets a clear error
// (or a closed connection when nothing can be framed) and never disturbs the others.
import net from 'node:net';
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import {
  DEFAULT_MAX_FRAME_BYTES,
  FrameDecoder,
  PARTIAL_FRAME_TIMEOUT_MS,
  encodeFrame,
  errorAnswer,
  type Answer,
  type EventMessage,
  type Request,
  type ServerMessage,
} from '../../shared/protocol.js';
import { errorMessage } from '../../shared/errors.js';
import { secureSocketDirectory } from '../socket-trust.js';

export type RequestHandler = (request: Request, emit: (event: EventMessage) => void) => Promise<Answer>;

export interface ServerOptions {
  maxFrameBytes?: number;
  partialFrameTimeoutMs?: number;
  /** Requests one connection may have unanswered before the daemon stops reading from it. */
  maxInFlight?: number;
  log?: (message: string) => void;
}

export class DaemonAlreadyRunning extends Error {
  constructor(readonly socketPath: string) {
    super(`a q3tts daemon is already running on ${socketPath} (stop it with 'q3tts stop')`);
    this.name = 'DaemonAlreadyRunning';
  }
}

const isWindowsPipe = (p: string) => p.startsWith('\\\\.\\pipe\\') || p.startsWith('\\\\?\\pipe\\');

/** Is something answering on this socket? (false for a missing or stale socket file) */
export function probeSocket(socketPath: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    const done = (live: boolean) => {
      socket.destroy();
      resolve(live);
    };
    socket.setTimeout(timeoutMs, () => done(true)); // it accepted but is slow: still somebody's daemon
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Makes the socket's directory private (0700; refused when it is not the user's: socket-trust.ts) and removes
 * a stale socket file. Throws DaemonAlreadyRunning when a live daemon answers there.
 */
export async function prepareSocketPath(socketPath: string): Promise<void> {
  if (isWindowsPipe(socketPath)) {
    if (await probeSocket(socketPath)) throw new DaemonAlreadyRunning(socketPath);
    return;
  }
  secureSocketDirectory(socketPath, { create: true });
  let existing;
  try {
    existing = lstatSync(socketPath);
  } catch {
    return; // nothing there
  }
  if (!existing.isSocket()) throw new Error(`${socketPath} exists and is not a socket; refusing to replace it`);
  if (await probeSocket(socketPath)) throw new DaemonAlreadyRunning(socketPath);
  unlinkSync(socketPath); // stale: left by a daemon that died
}

export class SocketServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly maxFrameBytes: number;
  private readonly partialFrameTimeoutMs: number;
  private readonly maxInFlight: number;
  private readonly log: (message: string) => void;
  private inode = -1;

  constructor(
    readonly socketPath: string,
    private readonly handler: RequestHandler,
    options: ServerOptions = {},
  ) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.partialFrameTimeoutMs = options.partialFrameTimeoutMs ?? PARTIAL_FRAME_TIMEOUT_MS;
    this.maxInFlight = options.maxInFlight ?? 32;
    this.log = options.log ?? ((m) => console.error(m));
    this.server = net.createServer((socket) => this.serve(socket));
  }

  /** Listens with owner-only permissions (the umask covers the moment before chmod). */
  async listen(): Promise<void> {
    await prepareSocketPath(this.socketPath);
    const windows = isWindowsPipe(this.socketPath);
    const oldMask = windows ? 0 : process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(this.socketPath, () => {
          this.server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new DaemonAlreadyRunning(this.socketPath);
      throw err;
    } finally {
      if (!windows) process.umask(oldMask);
    }
    if (!windows) {
      chmodSync(this.socketPath, 0o600);
      this.inode = lstatSync(this.socketPath).ino;
    }
  }

  /** Whether the socket file is still the one this server created (false: deleted or replaced). */
  socketFileIsOurs(): boolean {
    if (isWindowsPipe(this.socketPath)) return true;
    try {
      return lstatSync(this.socketPath).ino === this.inode;
    } catch {
      return false;
    }
  }

  /** Stops accepting, ends every connection and removes the socket file. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.end();
    setTimeout(() => {
      for (const s of this.sockets) s.destroy();
    }, 500).unref();
    await closed;
    // only our own socket: another daemon's, put there after ours was deleted, stays
    if (!isWindowsPipe(this.socketPath) && this.socketFileIsOurs()) {
      try {
        unlinkSync(this.socketPath);
      } catch {
        // already gone
      }
    }
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    const decoder = new FrameDecoder(this.maxFrameBytes);
    let stallTimer: NodeJS.Timeout | undefined;
    let hungUp = false;
    const send = (message: ServerMessage) => {
      if (!socket.writable) return;
      try {
        socket.write(encodeFrame(message, Number.MAX_SAFE_INTEGER));
      } catch (err) {
        this.log(`cannot send to a client: ${errorMessage(err)}`);
      }
    };
    const armStallTimer = () => {
      if (stallTimer) clearTimeout(stallTimer);
      stallTimer = undefined;
      if (socket.destroyed) return;
      // Only a client we are reading from can stall; while we hold it back (throttle), the wait is ours.
      if (decoder.pendingBytes > 0 && !socket.isPaused()) {
        stallTimer = setTimeout(() => {
          send(errorAnswer('E_BAD_FRAME', `incomplete frame: no data for ${this.partialFrameTimeoutMs} ms`));
          hungUp = true;
          hangUp(socket);
        }, this.partialFrameTimeoutMs);
      }
    };
    // Backpressure: a client that sends faster than it reads, or piles up requests, is simply not read
    // from until it catches up, so one connection can never make the daemon buffer without bound.
    // Frames already read but not yet dispatched wait in `backlog` (at most one read's worth).
    let inFlight = 0;
    const backlog: Request[] = [];
    const throttle = () => {
      while (backlog.length && inFlight < this.maxInFlight) dispatch(backlog.shift()!);
      const full = backlog.length > 0 || inFlight >= this.maxInFlight || socket.writableLength > this.maxFrameBytes * 4;
      if (full && !socket.isPaused()) socket.pause();
      else if (!full && socket.isPaused() && !socket.destroyed && !hungUp) socket.resume();
      armStallTimer();
    };
    const dispatch = (request: Request) => {
      inFlight++;
      void this.handler(request, send)
        .then(send, (err: unknown) => send(errorAnswer('E_INTERNAL', String(err), request.id)))
        .finally(() => {
          inFlight--;
          throttle();
        });
    };
    socket.on('drain', throttle);
    socket.on('data', (data) => {
      for (const frame of decoder.push(data)) {
        if (frame.ok) {
          backlog.push(frame.value as Request);
        } else {
          send(errorAnswer(frame.error.code, frame.error.message));
          if ('fatal' in frame) {
            hungUp = true;
            hangUp(socket); // the rest of the stream cannot be trusted to be framed
            return;
          }
        }
      }
      throttle();
    });
    socket.on('error', () => undefined); // a client vanishing is routine
    socket.on('close', () => {
      if (stallTimer) clearTimeout(stallTimer);
      this.sockets.delete(socket);
    });
  }
}

/** Ends a connection after the last answer has been flushed; stops reading meanwhile. */
function hangUp(socket: net.Socket): void {
  socket.pause();
  socket.end();
  setTimeout(() => socket.destroy(), 1000).unref();
}
