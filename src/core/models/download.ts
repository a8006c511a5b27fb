// One file from the Hub into the staging folder: resumable (.part + HTTP Range), retried with backoff,
// stall-guarded, and checked (size, then sha256 or the git blob sha1) before it takes its real name.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, rename, rm, stat, truncate, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cancelledError, ModelError } from './errors.js';
import { isRetryable, networkError, type Hub, type HubFile } from './hub.js';
import { errorMessage } from '../../shared/errors.js';

/** Writes one chunk at a position. Replaceable (documented test seam) to simulate a full disk. */
export type WriteChunk = (handle: FileHandle, chunk: Buffer, position: number) => Promise<void>;

export const writeChunk: WriteChunk = async (handle, chunk, position) => {
  let at = 0;
  while (at < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, at, chunk.length - at, position + at);
    at += bytesWritten;
  }
};

export type DownloadEvent =
  | { type: 'resume'; path: string; offset: number }
  | { type: 'restart'; path: string; reason: string }
  | { type: 'retry'; path: string; attempt: number; delay_ms: number; reason: string };

export interface DownloadOptions {
  hub: Hub;
  repo: string;
  revision: string;
  /** Attempts in a row that make no progress before giving up (an attempt that got bytes resets the count). */
  retries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  write: WriteChunk;
  /** Bytes written (negative when a partial file is thrown away). */
  onBytes(delta: number): void;
  onEvent(event: DownloadEvent): void;
  signal: AbortSignal;
}

class Hasher {
  private sha256: Hash = createHash('sha256');
  private sha1: Hash | undefined;

  constructor(private readonly file: HubFile) {
    this.reset();
  }

  reset(): void {
    this.sha256 = createHash('sha256');
    // A git blob id is sha1("blob <size>\0" + content).
    this.sha1 = this.file.gitOid ? createHash('sha1').update(`blob ${this.file.size}\0`) : undefined;
  }

  update(chunk: Buffer): void {
    this.sha256.update(chunk);
    this.sha1?.update(chunk);
  }

  /** The sha256 when the content is the expected one; a ModelError otherwise. */
  finish(): string {
    const sha256 = this.sha256.digest('hex');
    if (this.file.sha256 && sha256 !== this.file.sha256) {
      throw new ModelError('checksum', `${this.file.path}: sha256 ${sha256.slice(0, 12)}… does not match the Hub's ${this.file.sha256.slice(0, 12)}…`);
    }
    const sha1 = this.sha1?.digest('hex');
    if (this.file.gitOid && sha1 !== this.file.gitOid) {
      throw new ModelError('checksum', `${this.file.path}: git blob id ${sha1?.slice(0, 12)}… does not match the Hub's ${this.file.gitOid.slice(0, 12)}…`);
    }
    return sha256;
  }
}

async function hashPrefix(file: string, bytes: number, hasher: Hasher): Promise<void> {
  if (bytes === 0) return;
  for await (const chunk of createReadStream(file, { start: 0, end: bytes - 1 })) hasher.update(chunk as Buffer);
}

/**
 * Downloads `file` to `dest` (via `dest.part`) and returns its sha256. A .part left by an earlier run is
 * continued from its length. On cancel or a full disk the .part is cut back to the last byte known good,
 * so the next run resumes from there.
 */
export async function downloadFile(file: HubFile, dest: string, o: DownloadOptions): Promise<string> {
  const part = `${dest}.part`;
  await mkdir(path.dirname(dest), { recursive: true });
  let offset = existsSync(part) ? (await stat(part)).size : 0;
  if (offset > file.size) {
    await truncate(part, 0);
    o.onBytes(-offset);
    offset = 0;
  }
  const hasher = new Hasher(file);
  await hashPrefix(part, offset, hasher);
  if (offset > 0) o.onEvent({ type: 'resume', path: file.path, offset });

  const url = o.hub.resolveUrl(o.repo, o.revision, file.path);
  const at = { offset };
  let failures = 0;
  for (;;) {
    if (o.signal.aborted) throw cancelledError();
    const before = at.offset;
    try {
      if (at.offset < file.size) await fetchInto(file, part, at, url, hasher, o);
      if (at.offset !== file.size) throw new ModelError('network', `the connection ended after ${at.offset} of ${file.size} bytes of ${file.path}`);
      break;
    } catch (err) {
      if (o.signal.aborted) throw cancelledError();
      if (err instanceof ModelError && err.kind === 'checksum') {
        await rm(part, { force: true });
        o.onBytes(-at.offset);
      }
      if (!isRetryable(err)) throw err;
      failures = at.offset > before ? 1 : failures + 1; // progress resets the count: a flaky link still finishes
      if (failures > o.retries) {
        throw new ModelError('network', `${errorMessage(err)}; gave up on ${file.path} after ${o.retries} retries (run the pull again to resume at ${at.offset} bytes)`);
      }
      const delay = Math.min(o.retryMaxMs, o.retryBaseMs * 2 ** (failures - 1));
      o.onEvent({ type: 'retry', path: file.path, attempt: failures, delay_ms: delay, reason: errorMessage(err) });
      try {
        await sleep(delay, undefined, { signal: o.signal });
      } catch {
        throw cancelledError();
      }
    }
  }
  try {
    const sha256 = hasher.finish();
    await rename(part, dest);
    return sha256;
  } catch (err) {
    await rm(part, { force: true }); // a wrong file is never resumed from
    o.onBytes(-file.size);
    throw err;
  }
}

/** One HTTP attempt: appends to the .part from at.offset, keeping at.offset equal to the bytes on disk and hashed. */
async function fetchInto(file: HubFile, part: string, at: { offset: number }, url: URL, hasher: Hasher, o: DownloadOptions): Promise<void> {
  const headers: Record<string, string> = {};
  if (at.offset > 0) headers.range = `bytes=${at.offset}-`;
  const { res, stalled } = await o.hub.get(url, `${o.repo}/${file.path}`, headers, o.signal);
  const status = res.statusCode ?? 0;
  if (at.offset > 0 && status === 206) {
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? ''));
    if (!m || Number(m[1]) !== at.offset) {
      res.resume();
      throw new ModelError('network', `the server answered the range request for ${file.path} with '${String(res.headers['content-range'])}', not bytes ${at.offset}-`);
    }
  } else if (at.offset > 0 || status === 416) {
    // 200: the server ignored the range; 416: it refused it (the file changed?). Either way start over.
    o.onEvent({ type: 'restart', path: file.path, reason: `the server ${status === 416 ? 'refused' : 'ignored'} the range request (${status}): starting the file again` });
    o.onBytes(-at.offset);
    hasher.reset();
    at.offset = 0;
    await truncate(part, 0).catch(() => undefined);
    if (status === 416) {
      res.resume();
      return fetchInto(file, part, at, url, hasher, o);
    }
  }
  const handle = await open(part, at.offset === 0 ? 'w' : 'r+');
  try {
    for await (const chunk of res) {
      const buf = chunk as Buffer;
      if (at.offset + buf.length > file.size) {
        throw new ModelError('checksum', `${file.path}: the server sent more than the ${file.size} bytes the Hub lists`);
      }
      try {
        await o.write(handle, buf, at.offset);
      } catch (err) {
        throw diskError(err as NodeJS.ErrnoException, part);
      }
      hasher.update(buf);
      at.offset += buf.length;
      o.onBytes(buf.length);
    }
  } catch (err) {
    if (err instanceof ModelError) throw err;
    if (stalled()) throw new ModelError('network', `no data for ${Math.round(o.hub.stallTimeoutMs / 1000)} s while downloading ${file.path} (stalled connection)`);
    throw networkError(err as Error, url);
  } finally {
    await handle.close();
    // Whatever happened, the .part holds exactly the bytes counted: a short write is cut away.
    await truncate(part, at.offset).catch(() => undefined);
  }
}

function diskError(err: NodeJS.ErrnoException, file: string): Error {
  if (err.code === 'ENOSPC' || err.code === 'EDQUOT') {
    return new ModelError('no_space', `the disk is full (${err.code}) while writing ${file}: free some space and run the pull again (it resumes)`);
  }
  return new ModelError('io', `cannot write ${file}: ${err.message}`);
}
