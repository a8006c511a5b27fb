// The repository's own checks, so CI keeps them true: the whole tree type-checks and lints clean.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const run = (script: string) => spawnSync('npm', ['run', '-s', script], { cwd: root, encoding: 'utf8', timeout: 240_000 });

describe('static checks', () => {
  it('npm run typecheck passes', { timeout: 240_000 }, () => {
    const r = run('typecheck');
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  });

  it('npm run lint passes', { timeout: 240_000 }, () => {
    const r = run('lint');
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  });
});
