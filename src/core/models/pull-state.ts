// A pull's staging folder state: which files are complete and verified, for the commit being pulled, so an
// interrupted pull resumes where it stopped; and the atomic JSON writes its state and manifest use.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';

/** What a resumed pull already has: completed files (verified) of the same commit. */
export interface StagingState {
  commit: string | null;
  revision: string;
  done: Record<string, { size: number; sha256: string }>;
}
export const STATE_FILE = '.q3tts-pull.json';

/** The staging folder's state for `commit`; a state of another commit is cleared, with its parts. */
export async function readState(staging: string, commit: string | null, revision: string): Promise<StagingState> {
  const file = path.join(staging, STATE_FILE);
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as StagingState;
    if (s.commit === commit && s.revision === revision && s.done && typeof s.done === 'object') return s;
  } catch {
    // none yet, or unreadable: start clean
  }
  if (existsSync(staging)) {
    // Parts of another commit would only fail their checksums: clear them (the lock file stays).
    for (const e of await readdir(staging)) if (e !== '.lock') await rm(path.join(staging, e), { recursive: true, force: true });
  }
  const fresh: StagingState = { commit, revision, done: {} };
  await mkdir(staging, { recursive: true });
  await writeJsonAtomic(file, fresh);
  return fresh;
}

export function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  return writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
