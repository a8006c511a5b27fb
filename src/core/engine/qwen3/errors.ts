// Model errors name the file (and the field or tensor) so a broken or mismatched download is easy to fix.
import { EngineError } from '../errors.js';

/** A model file is missing, unreadable or not what the layout says. */
export class ModelFileError extends EngineError {
  constructor(
    readonly file: string,
    why: string,
  ) {
    super('E_ENGINE', `${file}: ${why}`);
    this.name = 'ModelFileError';
  }
}

/** A request the model cannot serve (unknown language or speaker, bad sampling value). */
export function invalidRequest(message: string): EngineError {
  return new EngineError('E_INVALID', message);
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** ORT messages can carry ANSI colour codes and native source paths; keep the first readable line. */
export function cleanOrtMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const plain = text.replace(ANSI, '');
  const line = plain.split('\n').find((l) => l.trim().length > 0) ?? plain;
  return line.length > 400 ? `${line.slice(0, 400)}…` : line.trim();
}
