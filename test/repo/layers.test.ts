// The layer rules in eslint.config.mjs really fail lint: each forbidden import is linted as if it sat in
// the folder it is forbidden in, and each allowed one passes.
import { ESLint } from 'eslint';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function violations(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = x;\n`, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rules', () => {
  it.each([
    ['src/core/daemon/probe.ts', "import { x } from '../../main/app/controller.js';", 'must not import src/main'],
    ['src/core/engine/probe.ts', "import { x } from '../../cli/args.js';", 'must not import src/cli'],
    ['src/core/probe.ts', "import { x } from 'electron';", 'Only src/main/electron'],
    ['src/main/app/probe.ts', "import { x } from '../../cli/clipboard.js';", 'must not import src/cli'],
    ['src/main/app/probe.ts', "import { x } from 'electron';", 'Only src/main/electron'],
    ['src/cli/probe.ts', "import { x } from '../main/app/speech.js';", 'must not import src/main'],
    ['src/renderer/probe.ts', "import { x } from '../core/client.js';", 'imports only src/shared'],
    ['src/renderer/probe.ts', "import { x } from '../main/app/controller.js';", 'imports only src/shared'],
    ['src/renderer/probe.ts', "import { x } from 'node:fs';", 'no Node modules'],
    ['src/shared/probe.ts', "import { x } from '../core/paths.js';", 'depends on nothing of ours'],
  ])('%s: %s fails lint', async (file, code, why) => {
    const found = await violations(file, code);
    expect(found.length).toBe(1);
    expect(found[0]).toContain(why);
  });

  it.each([
    ['src/main/app/probe.ts', "import { x } from '../../core/client.js';"],
    ['src/cli/probe.ts', "import { x } from '../core/client.js';"],
    ['src/main/electron/probe.ts', "import { x } from 'electron';"],
    ['src/renderer/probe.ts', "import { x } from '../shared/protocol.js';"],
    ['src/core/daemon/probe.ts', "import { x } from '../../shared/protocol.js';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await violations(file, code)).toEqual([]);
  });
});
