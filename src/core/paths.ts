// The PathEnv of the running process (the impure edge of src/shared/paths.ts).
import os from 'node:os';
import type { PathEnv } from '../shared/paths.js';

export function currentPathEnv(env: Record<string, string | undefined> = process.env): PathEnv {
  let username = env.USER || env.USERNAME || 'user';
  try {
    username = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep the environment's idea
  }
  return {
    platform: process.platform,
    env,
    uid: typeof process.getuid === 'function' ? process.getuid() : 0,
    username,
    homedir: os.homedir(),
    tmpdir: os.tmpdir(),
  };
}
