import type { ErrorCode } from '../../shared/protocol.js';

/** An engine failure with the protocol code the daemon answers with. */
export class EngineError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** The engine host process died while loading (killed, crashed): not the model's fault, worth one more try. */
export class EngineHostDiedWhileLoading extends EngineError {
  constructor(reason: string) {
    super('E_ENGINE', `the engine process exited while loading (${reason})`);
    this.name = 'EngineHostDiedWhileLoading';
  }
}

export function abortError(): Error {
  const err = new Error('cancelled');
  err.name = 'AbortError';
  return err;
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}
