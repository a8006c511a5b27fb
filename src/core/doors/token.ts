// The HTTP door's bearer token: generated on first use, kept 0600 in the config directory, so a door bound
// beyond loopback is never open to the network without one. `q3tts http token` prints it.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const TOKEN_FILE = 'http-token';

/** The token stored in `configDir`, created (0600) when there is none yet. */
export function loadOrCreateToken(configDir: string): string {
  const file = path.join(configDir, TOKEN_FILE);
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  try {
    // 'wx': exactly one of two racing first uses creates it; the other reads what the first wrote.
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600); // someone loosened it: the token is a secret
  const token = readFileSync(file, 'utf8').trim();
  if (token.length < 16) throw new Error(`${file} holds no usable token (delete it to have a new one made)`);
  return token;
}
