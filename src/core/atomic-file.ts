// Replacing a file whole, safely: output (WAV files, codes, the active-model name, pull state) is written to a
// hidden temp file beside the target and renamed over it, so a reader or a crash sees the old file or the complete
// new one. A rename would silently replace a FIFO, a device node, a socket or a symlink with a regular file (a
// copy of /dev/full became a WAV): only a regular file, or nothing, is replaced. A process killed mid-write leaves
// its temp file behind; the next write to that directory removes those of ours whose writer is gone.
import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, renameSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../shared/errors.js';

/** An output file that cannot be written (path, permissions, disk full, not a regular file), with a user-facing reason. */
export class OutputFileError extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException)?.code;
    const why =
      code === 'ENOSPC'
        ? 'the disk is full'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'ENOENT'
            ? 'the directory does not exist'
            : code === 'EROFS'
              ? 'read-only file system'
              : errorMessage(cause);
    super(`cannot write ${file}: ${why}`);
    this.name = 'OutputFileError';
  }
}

/**
 * Writes a file so that readers see either the old one or the whole new one, never a part; only a regular file is
 * replaced. `mode` applies from the start (a private file is never readable by others, not even briefly).
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode?: number): Promise<void> {
  const temp = tempPathFor(file);
  try {
    assertReplaceable(file);
    sweepOnce(path.dirname(file));
    // flush: the data is on disk before the rename makes it the file, or a crash could leave it empty.
    await writeFile(temp, data, { flag: 'wx', flush: true, ...(mode === undefined ? {} : { mode }) });
    assertReplaceable(file); // again: the target may have changed while the data was written
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw new OutputFileError(file, err);
  }
}

/** writeFileAtomic for a read-change-write that nothing else in this process may interleave with. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array, mode?: number): void {
  const temp = tempPathFor(file);
  try {
    assertReplaceable(file);
    sweepOnce(path.dirname(file));
    writeFileSync(temp, data, { flag: 'wx', flush: true, ...(mode === undefined ? {} : { mode }) });
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new OutputFileError(file, err);
  }
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Why `file` must not be replaced, or null when it is a regular file or does not exist. */
export function notReplaceable(file: string): string | null {
  let st: Stats;
  try {
    st = lstatSync(file);
  } catch {
    return null; // missing (or unreadable: creating it will say why)
  }
  return st.isFile() ? null : `it is ${kindOf(st)}; only a regular file is replaced`;
}

/** Throws (with the reason as message) when `file` exists and is not a regular file. */
export function assertReplaceable(file: string): void {
  const why = notReplaceable(file);
  if (why) throw new Error(why);
}

/**
 * `.NAME.tmp-PID-RANDOM` beside `file`: hidden, in the same directory (so the rename stays on one file system),
 * unique per call, and naming the process that writes it (so a later sweep can tell a dead writer's).
 */
export function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

const TEMPORARY = /^\..+\.tmp-(\d+)-[0-9a-f]{8}$/;

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // someone else's live process
  }
}

const swept = new Set<string>();

/** Before this process's first write to `dir`: removes stale temporaries there (once per directory). */
export function sweepOnce(dir: string): void {
  if (swept.has(dir)) return;
  swept.add(dir);
  removeStaleTemporaries(dir);
}

/** Removes temporaries of our naming in `dir` whose writing process no longer exists; returns their names. */
export function removeStaleTemporaries(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMPORARY.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    const file = path.join(dir, name);
    try {
      if (!lstatSync(file).isFile()) continue;
      rmSync(file, { force: true });
      removed.push(name);
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}
