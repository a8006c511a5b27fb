// Hot reload of the handlers module: re-imported whenever its file changes (checked on every request,
// as the original design did) or on the `reload` action. A broken file is reported and kept out;
// the last good version goes on serving until a fixed one loads.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { HandlersModule } from './handlers-api.js';
import { errorDetail, errorMessage } from '../../shared/errors.js';

export class HandlersLoadError extends Error {
  constructor(
    readonly file: string,
    readonly causeError: unknown,
  ) {
    super(`handlers file ${file} failed to load: ${errorMessage(causeError)}`);
    this.name = 'HandlersLoadError';
  }
}

export class HandlersLoader {
  private module: HandlersModule | undefined;
  private loadedHash = '';
  private failedHash = '';
  private lastError: HandlersLoadError | undefined;
  private loads = 0;
  /** mtime/size/inode of the file last read: an unchanged stamp skips reading and hashing. */
  private stamp = '';

  constructor(
    readonly file: string,
    private readonly log: (message: string) => void = (m) => console.error(m),
  ) {}

  /** "<content hash>#<loads>": changes every time new code is taken into use. */
  get version(): string {
    return this.loadedHash ? `${this.loadedHash.slice(0, 12)}#${this.loads}` : 'none';
  }

  /**
   * The current handlers, re-imported first if the file changed. Throws HandlersLoadError when the file
   * on disk is broken (the caller answers with it; the daemon lives on).
   */
  async get(force = false): Promise<HandlersModule> {
    let source: Buffer;
    try {
      const s = await stat(this.file);
      const stamp = `${s.mtimeMs}:${s.size}:${s.ino}`;
      if (!force && stamp === this.stamp) {
        if (this.module && !this.failedHash) return this.module;
        if (this.lastError) throw this.lastError;
      }
      this.stamp = stamp;
      source = await readFile(this.file);
    } catch (err) {
      if (err instanceof HandlersLoadError) throw err;
      this.stamp = '';
      throw this.fail('', err);
    }
    const hash = createHash('sha256').update(source).digest('hex');
    if (this.module && hash === this.loadedHash && !force) {
      // the good version is back (a broken edit was undone): that is a change from the broken one
      if (this.failedHash) this.log(`handlers file ${this.file} is back to version ${this.version}`);
      this.failedHash = '';
      this.lastError = undefined;
      return this.module;
    }
    if (hash === this.failedHash && !force) throw this.lastError!;
    try {
      // A fresh URL per version makes Node evaluate the new code instead of returning its cached module.
      const mod = (await import(
        `${pathToFileURL(this.file).href}?v=${hash.slice(0, 16)}-${this.loads + 1}`
      )) as Partial<HandlersModule>;
      if (typeof mod.handle !== 'function') throw new Error('it does not export a handle(ctx, request, emit) function');
      this.module = mod as HandlersModule;
      this.loadedHash = hash;
      this.failedHash = '';
      this.lastError = undefined;
      this.loads++;
      this.log(`handlers loaded: ${this.file} (version ${this.version})`);
      return this.module;
    } catch (err) {
      throw this.fail(hash, err);
    }
  }

  private fail(hash: string, err: unknown): HandlersLoadError {
    const error = new HandlersLoadError(this.file, err);
    this.failedHash = hash;
    this.lastError = error;
    this.log(`${error.message}\n${errorDetail(err)}`);
    return error;
  }
}
