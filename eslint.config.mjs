import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// The layers (docs/architecture.md): a violation of any rule below fails lint.
const electron = { name: 'electron', message: 'Only src/main/electron/** and src/preload may import electron' };
const into = (dir, why) => ({ group: [`**/${dir}/**`, `**/${dir}`], message: why });
const layers = [
  {
    // The plain-Node core runs under `q3tts serve` and the CLI, where neither Electron nor the app exists.
    files: ['src/core/**/*.ts'],
    paths: [electron],
    patterns: [
      into('main', 'src/core is plain Node: it must not import src/main'),
      into('cli', 'src/core must not import src/cli'),
    ],
  },
  {
    files: ['src/main/app/**/*.ts'],
    paths: [electron],
    patterns: [into('cli', 'src/main/app must not import src/cli: shared code belongs in src/core or src/shared')],
  },
  {
    files: ['src/cli/**/*.ts'],
    paths: [electron],
    patterns: [into('main', 'src/cli must not import src/main: shared code belongs in src/core or src/shared')],
  },
  {
    // The renderer is a sandboxed web page: only the shared contracts and itself.
    files: ['src/renderer/**/*.ts'],
    paths: [electron],
    patterns: [
      into('main', 'src/renderer imports only src/shared'),
      into('core', 'src/renderer imports only src/shared'),
      into('cli', 'src/renderer imports only src/shared'),
      into('preload', 'src/renderer imports only src/shared'),
      { group: ['node:*'], message: 'src/renderer runs in a browser: no Node modules' },
    ],
  },
  {
    files: ['src/shared/**/*.ts'],
    paths: [electron],
    patterns: [
      into('main', 'src/shared depends on nothing of ours'),
      into('core', 'src/shared depends on nothing of ours'),
      into('cli', 'src/shared depends on nothing of ours'),
      into('renderer', 'src/shared depends on nothing of ours'),
    ],
  },
];

export default defineConfig(
  { ignores: ['out/**', 'release/**', 'models/**', 'reports/**', 'node_modules/**', 'test/artifacts/**', '.tmp/**'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layers.map(({ files, paths, patterns }) => ({
    files,
    rules: { 'no-restricted-imports': ['error', { paths, patterns }] },
  })),
);
