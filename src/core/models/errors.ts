// Model-manager failures, each with a kind the CLI maps to an exit code and the daemon to a protocol code,
// and a message written for the person who has to act on it.

import type { ErrorCode } from '../../shared/protocol.js';

export type ModelErrorKind =
  | 'unknown_model' // not in the catalog, not installed
  | 'not_installed'
  | 'usage' // bad precision, ambiguous name
  | 'network' // no network, resets, timeouts after all retries
  | 'http' // 401/403/404 and other refusals
  | 'layout' // the repository lacks files the engine needs
  | 'checksum'
  | 'no_space'
  | 'busy' // another pull of the same model is running
  | 'cancelled'
  | 'io';

export class ModelError extends Error {
  constructor(
    readonly kind: ModelErrorKind,
    message: string,
    readonly status?: number,
    /** The host could not be reached at all (DNS, refused, no route): no network, most likely. */
    readonly unreachable = false,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

export function cancelledError(): ModelError {
  return new ModelError('cancelled', 'cancelled; the partial download is kept, run the same pull again to resume');
}

/** The protocol code a failure of this kind is answered with (the daemon's answers and the CLI's --json). */
export function answerCode(kind: ModelErrorKind): ErrorCode {
  switch (kind) {
    case 'unknown_model':
    case 'usage':
      return 'E_INVALID';
    case 'not_installed':
      return 'E_NO_MODEL';
    case 'busy':
      return 'E_BUSY';
    case 'cancelled':
      return 'E_CANCELLED';
    default:
      return 'E_DOWNLOAD';
  }
}
