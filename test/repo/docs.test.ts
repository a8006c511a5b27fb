// The docs keep their own promises: decision records numbered 0001..N without holes, dated and in one format;
// nothing in the repository points at a file outside it; every relative Markdown link resolves; every
// "qwen3-tts.md §N" citation names a section that exists. Each check is a pure function over files, tried first
// on small broken trees (so a check that cannot fail is caught), then on the repository itself.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/** Folders and top-level files that make up the repository (build output and dependencies excluded). */
const SCANNED = [
  'src',
  'docs',
  'test',
  'bench',
  'scripts',
  'models',
  'assets',
  'README.md',
  'BENCHMARKS.md',
  'CHANGELOG.md',
  'package.json',
  'electron-builder.yml',
  'eslint.config.mjs',
  'vitest.config.ts',
  'tsconfig.json',
  'tsconfig.web.json',
];
const SKIPPED_DIRS = new Set(['node_modules', 'out', 'artifacts', '.git']);
const TEXT_EXT = /\.(ts|mts|mjs|cjs|js|json|md|yml|yaml|sh|html|css|txt)$/;

/** Text files under `dir` for the given top-level entries, as paths relative to `dir`. */
function textFiles(dir: string, entries: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = path.join(dir, rel);
    if (!existsSync(abs)) return;
    if (statSync(abs).isDirectory()) {
      for (const name of readdirSync(abs)) if (!SKIPPED_DIRS.has(name)) walk(path.join(rel, name));
    } else if (TEXT_EXT.test(rel)) out.push(rel);
  };
  entries.forEach(walk);
  return out.sort();
}

const DECISION_FILE = /^(\d{4})-[a-z0-9]+(?:-[a-z0-9]+)*\.md$/;
const SECTIONS = ['## Decision', '## Why', '## Consequences'];

/** Problems with the decision records in `dir`: numbering, title, date, status and sections. */
function decisionProblems(dir: string): string[] {
  const problems: string[] = [];
  const names = readdirSync(dir).sort();
  const numbers: number[] = [];
  for (const name of names) {
    const m = DECISION_FILE.exec(name);
    if (!m) {
      problems.push(`${name}: not named NNNN-lower-case-title.md`);
      continue;
    }
    const n = Number(m[1]);
    if (numbers.includes(n)) problems.push(`${name}: number ${m[1]} used twice`);
    numbers.push(n);
    const lines = readFileSync(path.join(dir, name), 'utf8').split('\n');
    if (!new RegExp(`^# ${m[1]} — \\S`).test(lines[0] ?? ''))
      problems.push(`${name}: first line must be "# ${m[1]} — Title"`);
    const date = lines.find((l) => l.startsWith('Date:'));
    const iso = /^Date: (\d{4}-\d{2}-\d{2})$/.exec(date ?? '')?.[1];
    if (
      !iso ||
      Number.isNaN(Date.parse(`${iso}T00:00:00Z`)) ||
      new Date(`${iso}T00:00:00Z`).toISOString().slice(0, 10) !== iso
    ) {
      problems.push(`${name}: needs a "Date: YYYY-MM-DD" line`);
    }
    if (!lines.some((l) => /^Status: \S/.test(l))) problems.push(`${name}: needs a "Status: …" line`);
    const at = SECTIONS.map((s) => lines.indexOf(s));
    if (at.some((i) => i < 0) || at.some((i, k) => k > 0 && i < at[k - 1]!))
      problems.push(`${name}: needs the sections ${SECTIONS.join(', ')} in that order`);
  }
  numbers.sort((a, b) => a - b);
  numbers.forEach((n, i) => {
    if (n !== i + 1)
      problems.push(
        `decision numbers must run 0001..${String(numbers.length).padStart(4, '0')} without holes; found ${numbers.map((x) => String(x).padStart(4, '0')).join(', ')}`,
      );
  });
  return [...new Set(problems)];
}

// A path-like run of "../" segments (with what follows), as source strings and Markdown links write them.
const RELATIVE_UP = /(?<![\w.])\.\.\/(?:\.\.\/)*[\w.@-]*(?:\/[\w.@-]+)*/g;
const OUTSIDE = [/shared\/docs/, /\/work\//];

/**
 * References in `files` (relative to `dir`) to something outside `dir`: a known outside folder, or a ../ path
 * leaving it. Code runs from its built copy under out/ too (one folder deeper), so a path from a code file counts
 * as leaving only when it leaves from both places.
 */
function outsideReferences(dir: string, files: readonly string[]): string[] {
  const found: string[] = [];
  for (const rel of files) {
    const text = readFileSync(path.join(dir, rel), 'utf8');
    text.split('\n').forEach((line, i) => {
      const where = `${rel}:${i + 1}`;
      for (const pattern of OUTSIDE) if (pattern.test(line)) found.push(`${where}: ${line.trim()}`);
      for (const m of line.matchAll(RELATIVE_UP)) {
        const from = TEXT_EXT.exec(rel)![1]!.match(/^[mc]?[jt]s$/)
          ? [path.dirname(rel), path.join('out', path.dirname(rel))]
          : [path.dirname(rel)];
        const leaves = from.every((d) => path.relative(dir, path.resolve(dir, d, m[0])).startsWith('..'));
        if (leaves) found.push(`${where}: '${m[0]}' leaves the repository`);
      }
    });
  }
  return found;
}

const LINK = /\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g;

/** Relative links in the Markdown `files` (relative to `dir`) whose target does not exist inside `dir`. */
function brokenLinks(dir: string, files: readonly string[]): string[] {
  const broken: string[] = [];
  for (const rel of files.filter((f) => f.endsWith('.md'))) {
    const text = readFileSync(path.join(dir, rel), 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const m of text.matchAll(LINK)) {
      const href = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('#')) continue; // http:, mailto:, same page
      const target = path.resolve(dir, path.dirname(rel), decodeURIComponent(href.split('#')[0]!));
      if (path.relative(dir, target).startsWith('..') || !existsSync(target)) broken.push(`${rel}: ${href}`);
    }
  }
  return broken;
}

/** Citations of the model doc: "spec §…" (the old outside spec) and "qwen3-tts.md §N" naming a missing section. */
function badCitations(dir: string, files: readonly string[], doc: string): string[] {
  const docText = readFileSync(path.join(dir, doc), 'utf8');
  const sections = new Set([...docText.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)].map((m) => m[1]!));
  const bad: string[] = [];
  for (const rel of files) {
    readFileSync(path.join(dir, rel), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (/\bspec §/.test(line)) bad.push(`${rel}:${i + 1}: cites "spec §…"; cite ${path.basename(doc)} §N`);
        // "qwen3-tts.md §6.1 … (§6.2)": the first section after the name, and bare ones later on the same line
        const cite = line.indexOf(`${path.basename(doc)} §`);
        if (cite < 0) return;
        for (const m of line.slice(cite).matchAll(/§(\d+(?:\.\d+)?)/g))
          if (!sections.has(m[1]!)) bad.push(`${rel}:${i + 1}: §${m[1]} is not a section of ${doc}`);
      });
  }
  return bad;
}

// This file is left out of the content checks: its fixtures hold the very strings they look for.
const SELF = path.relative(root, import.meta.filename);
const repoFiles = textFiles(root, SCANNED).filter((f) => f !== SELF);
const markdown = textFiles(root, ['docs', 'models', 'test', 'README.md', 'BENCHMARKS.md', 'CHANGELOG.md']).filter((f) =>
  f.endsWith('.md'),
);

describe('the checks catch what they are for (small broken trees)', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'q3tts-docs-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const tree = (name: string, files: Record<string, string>) => {
    const dir = path.join(tmp, name);
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    }
    return dir;
  };
  const decision = (n: string, extra = '') =>
    `# ${n} — A title\n\nDate: 2026-11-23\nStatus: accepted\n${extra}\n## Decision\n\nx\n\n## Why\n\ny\n\n## Consequences\n\nz\n`;

  it('decisions: accepts 0001..N in the format, reports a hole, a missing date, a wrong title and missing sections', () => {
    expect(decisionProblems(tree('ok', { '0001-a.md': decision('0001'), '0002-b.md': decision('0002') }))).toEqual([]);
    expect(
      decisionProblems(tree('hole', { '0001-a.md': decision('0001'), '0003-c.md': decision('0003') })).join('\n'),
    ).toMatch(/without holes; found 0001, 0003/);
    expect(
      decisionProblems(tree('nodate', { '0001-a.md': decision('0001').replace('Date: 2026-11-23\n', '') })),
    ).toEqual(['0001-a.md: needs a "Date: YYYY-MM-DD" line']);
    expect(
      decisionProblems(tree('baddate', { '0001-a.md': decision('0001').replace('2026-11-23', '2026-13-40') })),
    ).toEqual(['0001-a.md: needs a "Date: YYYY-MM-DD" line']);
    expect(decisionProblems(tree('title', { '0001-a.md': decision('0002') }))).toEqual([
      '0001-a.md: first line must be "# 0001 — Title"',
    ]);
    expect(decisionProblems(tree('sections', { '0001-a.md': decision('0001').replace('## Why', '**Why.**') }))).toEqual(
      ['0001-a.md: needs the sections ## Decision, ## Why, ## Consequences in that order'],
    );
    expect(decisionProblems(tree('name', { '0001 A.md': decision('0001') }))).toEqual([
      '0001 A.md: not named NNNN-lower-case-title.md',
    ]);
  });

  it('outside references: a ../ path that leaves the tree and the old spec folder are reported, inner ../ paths are not', () => {
    const dir = tree('outside', {
      'docs/a.md': 'see `../shared/docs/spec.md` §3\n',
      'docs/b.md': 'see [the code](../src/x.ts) and ../../elsewhere/file\n',
      'src/deep/x.ts': "import { y } from '../../src/y.js';\nconst p = new URL('../../out/x.mjs', import.meta.url);\n",
      'bench/b.ts':
        "const root = path.resolve(import.meta.dirname, '../..'); // from out/bench\nconst far = '../../../x';\n",
    });
    const found = outsideReferences(dir, ['docs/a.md', 'docs/b.md', 'src/deep/x.ts', 'bench/b.ts']);
    expect(found).toEqual([
      'docs/a.md:1: see `../shared/docs/spec.md` §3',
      "docs/b.md:1: '../../elsewhere/file' leaves the repository",
      "bench/b.ts:2: '../../../x' leaves the repository",
    ]);
  });

  it('links: a missing target or one outside the tree is reported; URLs, anchors and code blocks are not', () => {
    const dir = tree('links', {
      'README.md':
        '[ok](docs/a.md) [dir](docs/) [anchor](docs/a.md#x) [web](https://example.com) [here](#top) [gone](docs/missing.md)\n```\n[in code](nowhere.md)\n```\n',
      'docs/a.md': '[up](../README.md) [out](../../x.md)\n',
    });
    expect(brokenLinks(dir, ['README.md', 'docs/a.md'])).toEqual([
      'README.md: docs/missing.md',
      'docs/a.md: ../../x.md',
    ]);
  });

  it('citations: "spec §" and a section the doc lacks are reported', () => {
    const dir = tree('cite', {
      'docs/m.md': '# M\n\n## 1. One\n\n### 1.2 Two\n\n## 3. Three\n',
      'src/a.ts': '// the loop (m.md §1.2) with (§3)\n// old (spec §2.5)\n// bad (m.md §4) and (§1.9)\n',
    });
    expect(badCitations(dir, ['src/a.ts'], 'docs/m.md')).toEqual([
      'src/a.ts:2: cites "spec §…"; cite m.md §N',
      'src/a.ts:3: §4 is not a section of docs/m.md',
      'src/a.ts:3: §1.9 is not a section of docs/m.md',
    ]);
  });
});

describe('the repository', () => {
  it('scans the files it claims to (sources, tests, docs)', () => {
    for (const f of [
      'src/core/engine/qwen3/generate.ts',
      'test/repo/layers.test.ts',
      'docs/qwen3-tts.md',
      'README.md',
      'models/catalog.json',
    ])
      expect(repoFiles).toContain(f);
    expect(SELF).toBe('test/repo/docs.test.ts');
    expect(repoFiles.some((f) => f.includes('node_modules') || f.startsWith('out/'))).toBe(false);
    expect(markdown).toContain('docs/architecture.md');
  });

  it('decision records are numbered 0001..N without holes, dated, and in one format', () => {
    expect(decisionProblems(path.join(root, 'docs/decisions'))).toEqual([]);
  });

  it('nothing points at a file outside the repository', () => {
    expect(outsideReferences(root, repoFiles)).toEqual([]);
  });

  it('every relative link in the Markdown files resolves', () => {
    expect(brokenLinks(root, markdown)).toEqual([]);
  });

  it('citations of docs/qwen3-tts.md name sections it has', () => {
    expect(badCitations(root, repoFiles, 'docs/qwen3-tts.md')).toEqual([]);
  });

  it('docs/architecture.md names only files and folders that exist', () => {
    const text = readFileSync(path.join(root, 'docs/architecture.md'), 'utf8');
    const named = [...text.matchAll(/`((?:src|test|scripts|bench|models)\/[\w./-]*)`/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((p) => !existsSync(path.join(root, p)))).toEqual([]);
  });
});
