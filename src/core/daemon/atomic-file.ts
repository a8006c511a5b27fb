import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { assertReplaceable, sweepOnce, temporaryPath } from '../audio/output-target.js';
import { OutputFileError } from '../audio/wav.js';

/** Writes a file so that readers see either the old one or the whole new one, never a part; only a regular file is replaced. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const temp = temporaryPath(file);
  try {
    assertReplaceable(file);
    sweepOnce(path.dirname(file));
    await writeFile(temp, data, { flag: 'wx' });
    assertReplaceable(file);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw new OutputFileError(file, err);
  }
}
