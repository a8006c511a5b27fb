// A tiny client for the daemon's socket: connect, send requests, read answers and events.
// It imports nothing but node:net, the socket checks and the shared protocol, so `q3tts status` starts in milliseconds.
import net from 'node:net';
import type { AnswerOf, RequestOf, TypedAction } from '../shared/actions.js';
import { checkClientSocketPath } from './socket-trust.js';
import {
  FrameDecoder,
  encodeFrame,
  type Answer,
  type EventMessage,
  type Request,
  type RequestId,
  type ServerMessage,
} from '../shared/protocol.js';

/**
 * Why no daemon could be reached: no socket file (ENOENT), a socket nobody listens on, i.e. left by a
 * daemon that died (ECONNREFUSED), not ours to open (EACCES), no answer in time (TIMEOUT), or anything else.
 */
export type UnreachableCode = 'ENOENT' | 'ECONNREFUSED' | 'EACCES' | 'TIMEOUT' | 'OTHER';

const REASONS: Record<UnreachableCode, string> = {
  ENOENT: 'no socket',
  ECONNREFUSED: 'connection refused',
  EACCES: 'permission denied',
  TIMEOUT: 'timed out',
  OTHER: 'connection failed',
};

export class DaemonUnreachable extends Error {
  constructor(
    readonly socketPath: string,
    readonly code: UnreachableCode,
    detail = REASONS[code],
  ) {
    super(`no q3tts daemon is running on ${socketPath} (${detail})`);
    this.name = 'DaemonUnreachable';
  }
}

function unreachableCode(err: NodeJS.ErrnoException): UnreachableCode {
  return err.code === 'ENOENT' || err.code === 'ECONNREFUSED' || err.code === 'EACCES' ? err.code : 'OTHER';
}

type Waiter = {
  resolve(answer: Answer): void;
  reject(err: Error): void;
  onEvent?: ((e: EventMessage) => void) | undefined;
};

export class DaemonConnection {
  private readonly waiters = new Map<RequestId, Waiter>();
  private readonly decoder = new FrameDecoder(Number.MAX_SAFE_INTEGER);
  private nextId = 1;
  private closedError: Error | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (data) => {
      for (const frame of this.decoder.push(data)) {
        if (frame.ok) this.dispatch(frame.value as unknown as ServerMessage);
      }
    });
    const fail = (err: Error) => {
      this.closedError ??= err;
      for (const w of this.waiters.values()) w.reject(this.closedError);
      this.waiters.clear();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('the daemon closed the connection')));
  }

  /** Connects after checking that the socket and its directory are the user's (throws UntrustedSocketPath). */
  static connect(socketPath: string, timeoutMs = 2000): Promise<DaemonConnection> {
    return new Promise((resolve, reject) => {
      try {
        checkClientSocketPath(socketPath);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      const socket = net.connect(socketPath);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new DaemonUnreachable(socketPath, 'TIMEOUT'));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new DaemonConnection(socket));
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const code = unreachableCode(err);
        reject(new DaemonUnreachable(socketPath, code, code === 'OTHER' ? err.message : undefined));
      });
    });
  }

  /**
   * Sends a request (an id is added when missing) and resolves with its answer; events go to onEvent.
   * A well-formed request gets its action's answer type; anything else (forwarded or deliberately
   * invalid requests) gets the untyped Answer.
   */
  request<A extends TypedAction>(
    request: RequestOf<A> & { action: A },
    onEvent?: (event: EventMessage) => void,
  ): Promise<AnswerOf<A>>;
  request(request: Request, onEvent?: (event: EventMessage) => void): Promise<Answer>;
  request(request: Request, onEvent?: (event: EventMessage) => void): Promise<Answer> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = request.id ?? `c${this.nextId++}`;
    return new Promise((resolve, reject) => {
      this.waiters.set(id, { resolve, reject, onEvent });
      this.socket.write(encodeFrame({ ...request, id }));
    });
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }

  private dispatch(message: ServerMessage): void {
    const waiter = message.id === undefined ? undefined : this.waiters.get(message.id);
    if (typeof (message as EventMessage).event === 'string') {
      waiter?.onEvent?.(message as EventMessage);
      return;
    }
    const answer = message as Answer;
    if (waiter && answer.id !== undefined) {
      this.waiters.delete(answer.id);
      waiter.resolve(answer);
    } else if (answer.status === 'error') {
      // An answer to no request of ours: the daemon rejected the connection itself (e.g. a bad frame).
      for (const w of this.waiters.values()) w.resolve(answer);
      this.waiters.clear();
    }
  }
}
