// Handlers are code the user edits while the daemon runs. Whatever they do, the client gets exactly one
// answer: a value that is not an answer becomes E_HANDLERS, and a handler that never resolves is answered
// E_HANDLERS after a time limit. Time spent waiting on the shell (the engine loading, the job waiting and
// running in the queue) does not count: speech may take minutes; the handler's own work should not.
import { errorAnswer, type Answer, type EventMessage, type Request, type RequestId } from '../../shared/protocol.js';
import type { HandlerContext, HandlersModule } from './handlers-api.js';
import type { SpeechQueue } from './queue.js';

export const DEFAULT_HANDLER_TIMEOUT_MS = 30_000;

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object without "status": "ok" or "error"';
  return `a ${typeof value}`;
}

/** The handlers' answer if it is one; otherwise an E_HANDLERS answer saying what came back. */
export function checkedAnswer(value: unknown, id: RequestId | undefined): Answer {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const a = value as Partial<Answer>;
    if (a.status === 'ok') return a as Answer;
    if (a.status === 'error' && typeof a.code === 'string' && typeof a.message === 'string') return a as Answer;
  }
  return errorAnswer('E_HANDLERS', `handlers answered with ${describe(value)} instead of an answer`, id);
}

/** Runs handlers.handle with a time limit that is paused while it waits on the engine or the queue. */
export function answerInTime(
  handlers: HandlersModule,
  ctx: HandlerContext,
  request: Request,
  emit: (event: EventMessage) => void,
  timeoutMs: number,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let waits = 0;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const arm = () => {
      clearTimeout(timer);
      timer = settled || waits > 0 ? undefined : setTimeout(() => expire(), timeoutMs);
    };
    const expire = () => {
      settled = true;
      reject(new Error(`they did not answer '${request.action}' within ${Math.round(timeoutMs / 1000)} s`));
    };
    /** The shell's work: the clock stops until it settles. */
    const waitOn = <T>(promise: Promise<T>): Promise<T> => {
      waits++;
      arm();
      const done = () => {
        waits--;
        arm();
      };
      promise.then(done, done);
      return promise;
    };
    const queue = new Proxy(ctx.queue, {
      get(target, prop) {
        if (prop === 'enqueue') {
          return (...args: Parameters<SpeechQueue['enqueue']>) => {
            const ticket = target.enqueue(...args);
            void waitOn(ticket.done).catch(() => undefined);
            return ticket;
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const guarded: HandlerContext = { ...ctx, queue, engine: () => waitOn(ctx.engine()) };
    arm();
    handlers.handle(guarded, request, emit).then(
      (value) => {
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        settled = true;
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
