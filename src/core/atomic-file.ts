// Files replaced whole (the active-model name, pull state, handler output): written to a hidden temp file
// beside the target, then renamed over it, so a reader or a crash sees the old file or the complete new one.
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A hidden temp name beside `file` (same directory, so the rename stays on one file system), unique per call. */
export function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Writes a file so that readers see either the old one or the whole new one, never a part. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const temp = tempPathFor(file);
  try {
    // flush: the data is on disk before the rename makes it the file, or a crash could leave it empty.
    await writeFile(temp, data, { flush: true });
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
