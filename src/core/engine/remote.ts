// The daemon's view of an engine that lives in its own process (see host.ts): the same Engine
// interface, with every call forwarded over IPC and cancellation forwarded as an abort message.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Engine, EngineInfo, SynthesisEvent, SynthesisRequest, VoiceClone } from '../../shared/engine.js';
import type { EngineConfig } from './config.js';
import { EngineError, EngineHostDiedWhileLoading, abortError } from './errors.js';
import type { FromHost, ToHost } from './host-messages.js';

export interface RemoteEngine extends Engine {
  readonly loadMs: number;
  /** The host process's pid (for diagnostics and tests). */
  readonly pid: number | undefined;
  /** Resolves when the host process has exited, for whatever reason. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly alive: boolean;
}

/** The built host script next to this bundle (out/engine/host.mjs), unless told otherwise. */
export function defaultHostPath(): string {
  const env = process.env.Q3TTS_ENGINE_HOST;
  if (env) return env;
  const beside = fileURLToPath(new URL('../engine/host.mjs', import.meta.url));
  return existsSync(beside) ? beside : fileURLToPath(new URL('../../../out/engine/host.mjs', import.meta.url));
}

/** A started host process, whatever started it (Node's fork here, Electron's utilityProcess in the app). */
export interface HostProcess {
  readonly pid: number | undefined;
  send(message: ToHost): void;
  onMessage(listener: (message: FromHost) => void): void;
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  kill(): void;
}
export type HostLauncher = (hostPath: string) => HostProcess;

/** Plain Node: a forked child with structured-clone IPC (Float32Array travels as is). */
export const forkHost: HostLauncher = (hostPath) => {
  const child = fork(hostPath, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // A host that dies between the `connected` check and the write makes the write fail (EPIPE); that surfaces as an
  // 'error' event, which unhandled would take the daemon down. The death itself is reported through onExit.
  child.on('error', () => undefined);
  return {
    pid: child.pid,
    send: (m) => {
      if (child.connected) child.send(m, (err) => void err);
    },
    onMessage: (l) => child.on('message', (m) => l(m as FromHost)),
    // 'exit' can come before the last messages the host sent (they are still in the IPC pipe): a request
    // whose audio and 'end' were on their way was failed E_ENGINE though its file was complete. Exit is
    // reported once the channel is drained ('disconnect' follows the last 'message').
    onExit: (l) =>
      child.once('exit', (code, signal) => {
        if (!child.connected) l(code, signal);
        else child.once('disconnect', () => l(code, signal));
      }),
    kill: () => child.kill('SIGKILL'),
  };
};

export interface SpawnOptions {
  hostPath?: string;
  launch?: HostLauncher;
  /** Called when the host exits without being asked to (a crash). */
  onExit?: (reason: string) => void;
}

type Pending = { push(msg: FromHost): void; fail(err: Error): void };

export async function spawnEngine(config: EngineConfig, options: SpawnOptions = {}): Promise<RemoteEngine> {
  const hostPath = options.hostPath ?? defaultHostPath();
  const onExit = options.onExit;
  if (!existsSync(hostPath))
    throw new EngineError('E_ENGINE', `engine host not found at ${hostPath} (run 'npm run build')`);
  const child = (options.launch ?? forkHost)(hostPath);
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let alive = true;
  let disposing = false;
  let exitReason = '';

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.onExit((code, signal) => {
      alive = false;
      exitReason = signal ? `signal ${signal}` : `code ${code}`;
      if (!disposing) onExit?.(exitReason);
      const err = new EngineError('E_ENGINE', `the engine process exited unexpectedly (${exitReason})`);
      for (const p of pending.values()) p.fail(err);
      pending.clear();
      resolve({ code, signal });
    });
  });
  const send = (message: ToHost) => {
    if (alive) child.send(message);
  };

  const loaded = await new Promise<{ info: EngineInfo; loadMs: number }>((resolve, reject) => {
    const onMessage = (msg: FromHost) => {
      if (msg.type === 'loaded') resolve({ info: msg.info, loadMs: msg.loadMs });
      else if (msg.type === 'load-error') reject(new EngineError(msg.code, msg.message));
    };
    child.onMessage(onMessage);
    void exited.then(() => reject(new EngineHostDiedWhileLoading(exitReason)));
    send({ type: 'load', config });
  }).catch((err: unknown) => {
    child.kill();
    throw err;
  });

  child.onMessage((msg: FromHost) => {
    if ('id' in msg) pending.get(msg.id)?.push(msg);
  });

  /** Runs one request on the host, yielding what it sends (events, a clone) until it ends, fails or is aborted. */
  async function* call(
    start: (id: number) => ToHost,
    signal: AbortSignal,
  ): AsyncGenerator<Extract<FromHost, { type: 'event' | 'cloned' }>> {
    if (signal.aborted) throw abortError();
    if (!alive) throw new EngineError('E_ENGINE', `the engine process is not running (${exitReason})`);
    const id = nextId++;
    const queue: FromHost[] = [];
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    pending.set(id, {
      push: (m) => {
        queue.push(m);
        wake?.();
      },
      fail: (e) => {
        failure = e;
        wake?.();
      },
    });
    const onAbort = () => send({ type: 'abort', id });
    signal.addEventListener('abort', onAbort, { once: true });
    let finished = false;
    try {
      send(start(id));
      for (;;) {
        const msg = queue.shift();
        if (!msg) {
          if (failure) throw failure;
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
          continue;
        }
        if (msg.type === 'event' || msg.type === 'cloned') {
          yield msg;
        } else {
          finished = true;
          if (msg.type === 'end') return;
          if (msg.type === 'error') throw msg.cancelled ? abortError() : new EngineError(msg.code, msg.message);
        }
      }
    } finally {
      if (!finished) onAbort(); // the consumer stopped early: stop the host's work too
      signal.removeEventListener('abort', onAbort);
      pending.delete(id);
    }
  }

  return {
    info: loaded.info,
    loadMs: loaded.loadMs,
    pid: child.pid,
    exited,
    get alive() {
      return alive;
    },
    async *synthesize(request: SynthesisRequest, signal: AbortSignal): AsyncGenerator<SynthesisEvent> {
      for await (const msg of call((id) => ({ type: 'synthesize', id, request }), signal))
        if (msg.type === 'event') yield msg.event;
    },
    async *decode(frames: number[][], signal: AbortSignal) {
      for await (const msg of call((id) => ({ type: 'decode', id, frames }), signal)) {
        if (msg.type === 'event' && msg.event.type === 'audio') yield msg.event.samples;
      }
    },
    async cloneVoice(audio: Float32Array, refText: string | null, signal: AbortSignal): Promise<VoiceClone> {
      for await (const msg of call((id) => ({ type: 'clone', id, audio, refText }), signal))
        if (msg.type === 'cloned') return msg.clone;
      throw new EngineError('E_ENGINE', 'the engine process ended the clone without a voice');
    },
    async dispose() {
      disposing = true;
      if (!alive) return;
      send({ type: 'dispose' });
      const timer = setTimeout(() => child.kill(), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}
