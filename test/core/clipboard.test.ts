// The one clipboard reader (CLI --clipboard, the tray app's wl-paste check), run against stand-in wl-paste,
// xclip and xsel executables that print, fail or hang the way the real ones do.
import { chmodSync, mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clipboardTools, readClipboard, readWlPaste } from '../../src/core/clipboard.js';
import { tmpDir } from '../synthetic/helpers.js';

const tmp = tmpDir('q3tts-clipboard-');
afterAll(() => tmp.remove());

type Behaviour = { out?: string; err?: string; code?: number; sleep?: number };
let n = 0;

/** A PATH holding only the given tools; each logs its arguments, then prints, fails or hangs as told. */
function toolsOnPath(tools: Record<string, Behaviour>): { env: NodeJS.ProcessEnv; calls: () => string[] } {
  const dir = path.join(tmp.dir, `bin-${n++}`);
  mkdirSync(dir);
  const log = path.join(dir, 'calls.log');
  for (const [name, b] of Object.entries(tools)) {
    writeFileSync(path.join(dir, `${name}.out`), b.out ?? '');
    writeFileSync(path.join(dir, `${name}.err`), b.err ?? '');
    const script = [
      '#!/bin/sh',
      `echo "${name} $*" >> '${log}'`,
      b.sleep ? `/bin/sleep ${b.sleep}` : '',
      `/bin/cat '${path.join(dir, `${name}.out`)}'`,
      `/bin/cat '${path.join(dir, `${name}.err`)}' >&2`,
      `exit ${b.code ?? 0}`,
    ].join('\n');
    writeFileSync(path.join(dir, name), `${script}\n`);
    chmodSync(path.join(dir, name), 0o755);
  }
  return {
    env: { PATH: dir, WAYLAND_DISPLAY: 'wayland-0' },
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []),
  };
}

const linux = { platform: 'linux' as const };

describe('clipboardTools', () => {
  it.each([
    [
      'wayland prefers wl-paste',
      'linux',
      { WAYLAND_DISPLAY: 'wayland-0' },
      false,
      ['wl-paste --no-newline --type text', 'xclip -o -selection clipboard', 'xsel --clipboard --output'],
    ],
    [
      'X11 prefers xclip',
      'linux',
      { DISPLAY: ':0' },
      false,
      ['xclip -o -selection clipboard', 'xsel --clipboard --output', 'wl-paste --no-newline --type text'],
    ],
    [
      'primary selection on wayland',
      'linux',
      { WAYLAND_DISPLAY: 'w' },
      true,
      ['wl-paste --no-newline --type text --primary', 'xclip -o -selection primary', 'xsel --primary --output'],
    ],
    ['macOS', 'darwin', {}, false, ['pbpaste']],
    ['Windows', 'win32', {}, false, ['powershell.exe -NoProfile -Command Get-Clipboard -Raw']],
  ] as const)('%s', (_name, platform, env, primary, expected) => {
    expect(clipboardTools(platform, env, primary).map((r) => [r.cmd, ...r.args].join(' '))).toEqual(expected);
  });
});

describe('reading', () => {
  it('returns the text exactly as the tool printed it', async () => {
    const t = toolsOnPath({ 'wl-paste': { out: 'Grüße,\n  world 🌍\n' } });
    expect(await readClipboard(false, { ...linux, env: t.env })).toBe('Grüße,\n  world 🌍\n');
    expect(await readWlPaste(true, { env: t.env })).toBe('Grüße,\n  world 🌍\n');
    expect(t.calls()).toEqual(['wl-paste --no-newline --type text', 'wl-paste --no-newline --type text --primary']);
  });

  it.each([
    ['wl-paste, nothing copied', 'wl-paste', 'Nothing is copied\n'],
    ['wl-paste, no primary selection', 'wl-paste', 'No selection\n'],
    ['wl-paste, only an image copied', 'wl-paste', 'No suitable type of content copied\n'],
  ])('an empty clipboard is "" for both callers, not a failure (%s)', async (_name, tool, stderr) => {
    const t = toolsOnPath({ [tool]: { err: stderr, code: 1 }, xclip: { out: 'stale X11 text' } });
    expect(await readClipboard(false, { ...linux, env: t.env })).toBe('');
    expect(await readWlPaste(false, { env: t.env })).toBe('');
    expect(t.calls().some((c) => c.startsWith('xclip'))).toBe(false);
  });

  it('xclip with nothing to paste is "" too', async () => {
    const t = toolsOnPath({ xclip: { err: 'Error: target STRING not available\n', code: 1 } });
    expect(await readClipboard(false, { ...linux, env: { ...t.env, WAYLAND_DISPLAY: undefined } })).toBe('');
  });

  it('a failing or missing wl-paste falls back to xclip; readWlPaste says null', async () => {
    const failing = toolsOnPath({
      'wl-paste': { err: 'Failed to connect to a Wayland server\n', code: 1 },
      xclip: { out: 'from xclip' },
    });
    expect(await readClipboard(false, { ...linux, env: failing.env })).toBe('from xclip');
    expect(await readWlPaste(false, { env: failing.env })).toBeNull();
    const missing = toolsOnPath({ xsel: { out: 'from xsel' } });
    expect(await readClipboard(false, { ...linux, env: missing.env })).toBe('from xsel');
    expect(await readWlPaste(false, { env: missing.env })).toBeNull();
  });

  it('with no tool that works, the error names each one and what to install', async () => {
    const t = toolsOnPath({ xclip: { err: "Error: Can't open display: (null)\n", code: 1 } });
    await expect(readClipboard(false, { ...linux, env: t.env })).rejects.toThrow(
      /tried wl-paste \(not installed\), xclip \(Error: Can't open display: \(null\)\), xsel \(not installed\)\. Install wl-clipboard/,
    );
  });

  it('a tool that hangs is given up on', async () => {
    const t = toolsOnPath({ 'wl-paste': { out: 'late', sleep: 5 }, xclip: { out: 'in time' } });
    expect(await readClipboard(false, { ...linux, env: t.env, timeoutMs: 300 })).toBe('in time');
    expect(await readWlPaste(false, { env: t.env, timeoutMs: 300 })).toBeNull();
  });
});
