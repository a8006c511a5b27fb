// --help, README and the code say the same: every option list, exit code and environment variable.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT, EXIT, EXIT_LINE, EXIT_MEANINGS, MODELS_USAGE, USAGE, helpFor } from '../../src/cli/help.js';
import { ENGINES, EXECUTION_PROVIDERS, PRECISIONS } from '../../src/shared/engine-options.js';

const root = path.resolve(import.meta.dirname, '../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

/** Test seams, not settings: they point the code at test doubles. */
const INTERNAL = ['Q3TTS_ENGINE_HOST', 'Q3TTS_TONE_MS_PER_FRAME'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** Our variables (Q3TTS_*, the Hub's HF_* / HUGGING_FACE_*) that src/ reads from an env object. */
function variablesRead(): string[] {
  const names = new Set<string>();
  for (const file of sourceFiles(path.join(root, 'src'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/env(?:\.|\[')((?:Q3TTS|HF|HUGGING_FACE)_[A-Z0-9_]+)/g))
      names.add(m[1]!);
  }
  return [...names].sort();
}

/** The names in README's "## Environment" table. */
function readmeVariables(): string[] {
  const section = readme.slice(readme.indexOf('## Environment'));
  const rows = section.split('\n').filter((l) => l.startsWith('| `'));
  return rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([A-Z0-9_]+)(?:=[^`]*)?`/g)].map((m) => m[1]!)).sort();
}

describe('help and README agree with the code', () => {
  it('--help offers every engine, execution provider and precision', () => {
    expect(USAGE).toContain(`--provider ${EXECUTION_PROVIDERS.join('|')}`);
    expect(USAGE).toContain(`--precision ${PRECISIONS.join('|')}`);
    expect(USAGE).toContain(`--engine ${ENGINES.join('|')}`);
    expect(EXECUTION_PROVIDERS).toContain('webgpu');
    expect(MODELS_USAGE).toContain(`--precision ${PRECISIONS.join('|')}`);
  });

  it('--help and README list every exit code', () => {
    for (const [key, code] of Object.entries(EXIT)) {
      const meaning = EXIT_MEANINGS[key as keyof typeof EXIT];
      expect(USAGE).toMatch(new RegExp(`^  ${code} +${meaning.replace(/[()]/g, '\\$&')}$`, 'm'));
      expect(EXIT_LINE).toContain(`${code} ${meaning}`);
    }
    expect(Object.values(EXIT)).toEqual(expect.arrayContaining([0, 1, 2, 3, 4, 5, 130]));
    expect(readme).toContain(`Exit codes: ${EXIT_LINE}.`);
  });

  it('every variable the code reads is in --help and in README, and nothing else is', () => {
    const read = variablesRead().filter((v) => !INTERNAL.includes(v));
    expect(read).toContain('Q3TTS_CONFIG_DIR');
    expect(read).toContain('HUGGING_FACE_HUB_TOKEN');
    const documented = ENVIRONMENT.map(([name]) => name);
    for (const name of read) expect(USAGE, name).toContain(name);
    for (const name of documented) expect(read, `${name} is documented but never read`).toContain(name);
    // README may also name the test seams, in a row of their own.
    expect(readmeVariables().filter((v) => !INTERNAL.includes(v))).toEqual(read);
  });

  it('each command family has its own help', () => {
    expect(helpFor('models')).toBe(MODELS_USAGE);
    expect(helpFor('speak')).toBe(USAGE);
    expect(helpFor('status')).toBe(USAGE);
  });
});
