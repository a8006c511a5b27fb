// The one atomic write (temp file + rename) that the daemon, the active-model file and pull state share.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempPathFor, writeFileAtomic } from '../../src/core/atomic-file.js';
import { ModelsLayout } from '../../src/core/models/layout.js';
import { tmpDir } from '../synthetic/helpers.js';

const tmp = tmpDir('q3tts-atomic-');
afterAll(() => tmp.remove());

const fresh = (name: string) => {
  const dir = path.join(tmp.dir, name);
  mkdirSync(dir);
  return dir;
};

describe('writeFileAtomic', () => {
  it('replaces a file whole and leaves no temp file behind', async () => {
    const dir = fresh('replace');
    const file = path.join(dir, 'state.json');
    writeFileSync(file, 'old');
    await writeFileAtomic(file, 'new contents');
    expect(readFileSync(file, 'utf8')).toBe('new contents');
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('many writers at once in one process: every write succeeds and the file is one of them, whole', async () => {
    const dir = fresh('concurrent');
    const file = path.join(dir, 'active');
    const values = Array.from({ length: 20 }, (_, i) => `model-${i}\n`.repeat(1000));
    await Promise.all(values.map((v) => writeFileAtomic(file, v)));
    expect(values).toContain(readFileSync(file, 'utf8'));
    expect(readdirSync(dir)).toEqual(['active']);
  });

  it('a failed write throws, keeps the old target and removes its temp file', async () => {
    const dir = fresh('fails');
    const target = path.join(dir, 'taken');
    mkdirSync(target);
    writeFileSync(path.join(target, 'inside'), 'x');
    await expect(writeFileAtomic(target, 'data')).rejects.toThrow(/cannot write .*taken: it is a directory/);
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readdirSync(target)).toEqual(['inside']);
  });

  it('temp names are hidden, beside the target and never repeat', () => {
    const a = tempPathFor('/x/y/out.wav');
    expect(path.dirname(a)).toBe('/x/y');
    expect(path.basename(a)).toMatch(/^\.out\.wav\.tmp-\d+-[0-9a-f]{8}$/);
    expect(tempPathFor('/x/y/out.wav')).not.toBe(a);
  });
});

describe('the active-model file', () => {
  it('two quick switches both land; the last one wins and the models folder holds only the file', async () => {
    const root = fresh('models');
    const layout = new ModelsLayout(root);
    await Promise.all([layout.setActive('a-int4'), layout.setActive('b-fp32')]);
    expect(['a-int4', 'b-fp32']).toContain(layout.active());
    await layout.setActive('c-int4');
    expect(layout.active()).toBe('c-int4');
    expect(readdirSync(root)).toEqual(['active']);
  });
});
