// The engine host: a process of its own that owns the model, so onnxruntime's blocking run() never
// stalls the daemon's socket (and a native crash in it cannot take the daemon down).
import type { Engine, VoiceClone } from '../../shared/engine.js';
import type { ErrorCode } from '../../shared/protocol.js';
import { EngineError, isAbortError } from './errors.js';
import type { FromHost, HostChannel, ToHost } from './host-messages.js';
import { loadEngine } from './load.js';
import { errorMessage } from '../../shared/errors.js';

export function runEngineHost(channel: HostChannel): void {
  let engine: Engine | undefined;
  const running = new Map<number, AbortController>();

  async function stream(id: number, events: AsyncIterable<unknown>, wrap: (item: unknown) => FromHost): Promise<void> {
    const controller = running.get(id)!;
    try {
      for await (const item of events) channel.send(wrap(item));
      channel.send({ type: 'end', id });
    } catch (err) {
      const cancelled = controller.signal.aborted || isAbortError(err);
      const code: ErrorCode = cancelled ? 'E_CANCELLED' : err instanceof EngineError ? err.code : 'E_ENGINE';
      if (!cancelled) console.error(`q3tts engine: request failed:`, err);
      channel.send({ type: 'error', id, code, message: cancelled ? 'cancelled' : errorMessage(err), cancelled });
    } finally {
      running.delete(id);
    }
  }

  function fail(id: number, err: EngineError): void {
    running.delete(id);
    channel.send({ type: 'error', id, code: err.code, message: err.message, cancelled: false });
  }

  channel.onMessage((message: ToHost) => {
    switch (message.type) {
      case 'load': {
        const started = performance.now();
        loadEngine(message.config).then(
          (loaded) => {
            engine = loaded;
            channel.send({ type: 'loaded', info: loaded.info, loadMs: performance.now() - started });
          },
          (err: unknown) => {
            const code: ErrorCode = err instanceof EngineError ? err.code : 'E_ENGINE';
            channel.send({ type: 'load-error', code, message: errorMessage(err) });
          },
        );
        return;
      }
      case 'synthesize':
      case 'decode': {
        const { id } = message;
        const controller = new AbortController();
        running.set(id, controller);
        if (!engine) {
          fail(id, new EngineError('E_ENGINE', 'the engine is not loaded'));
        } else if (message.type === 'synthesize') {
          void stream(id, engine.synthesize(message.request, controller.signal), (event) => ({
            type: 'event',
            id,
            event: event as never,
          }));
        } else if (engine.decode) {
          void stream(id, engine.decode(message.frames, controller.signal), (samples) => ({
            type: 'event',
            id,
            event: { type: 'audio', samples: samples as Float32Array },
          }));
        } else {
          fail(id, new EngineError('E_ENGINE', 'this engine cannot decode codec frames'));
        }
        return;
      }
      case 'clone': {
        const { id } = message;
        const controller = new AbortController();
        running.set(id, controller);
        if (!engine?.cloneVoice) {
          fail(
            id,
            new EngineError(
              'E_ENGINE',
              engine ? `${engine.info.model} cannot clone voices` : 'the engine is not loaded',
            ),
          );
          return;
        }
        void stream(
          id,
          (async function* () {
            yield await engine.cloneVoice!(message.audio, message.refText, controller.signal);
          })(),
          (clone) => ({ type: 'cloned', id, clone: clone as VoiceClone }),
        );
        return;
      }
      case 'abort':
        running.get(message.id)?.abort();
        return;
      case 'dispose':
        for (const c of running.values()) c.abort();
        void (engine?.dispose() ?? Promise.resolve()).finally(() => process.exit(0));
        return;
    }
  });
}

/** Picks the channel of whichever parent started this process. */
function parentChannel(): HostChannel | undefined {
  const parentPort = (
    process as unknown as {
      parentPort?: { postMessage(m: unknown): void; on(e: 'message', l: (e: { data: ToHost }) => void): void };
    }
  ).parentPort;
  if (parentPort) {
    return { send: (m) => parentPort.postMessage(m), onMessage: (l) => parentPort.on('message', (e) => l(e.data)) };
  }
  if (process.send) {
    const send = process.send.bind(process);
    process.on('disconnect', () => process.exit(0)); // the daemon is gone: nothing left to serve
    return { send: (m) => void send(m), onMessage: (l) => process.on('message', (m) => l(m as ToHost)) };
  }
  return undefined;
}

const channel = parentChannel();
if (channel) runEngineHost(channel);
