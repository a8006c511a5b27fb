import { describe, expect, it } from 'vitest';
import { clipboardReaders } from '../../src/cli/clipboard.js';

describe('clipboardReaders', () => {
  it.each([
    ['wayland prefers wl-paste', 'linux', { WAYLAND_DISPLAY: 'wayland-0' }, false, ['wl-paste --no-newline', 'xclip -o -selection clipboard', 'xsel --clipboard --output']],
    ['X11 prefers xclip', 'linux', { DISPLAY: ':0' }, false, ['xclip -o -selection clipboard', 'xsel --clipboard --output', 'wl-paste --no-newline']],
    ['primary selection on wayland', 'linux', { WAYLAND_DISPLAY: 'w' }, true, ['wl-paste --no-newline --primary', 'xclip -o -selection primary', 'xsel --primary --output']],
    ['macOS', 'darwin', {}, false, ['pbpaste']],
    ['Windows', 'win32', {}, false, ['powershell.exe -NoProfile -Command Get-Clipboard -Raw']],
  ] as const)('%s', (_name, platform, env, primary, expected) => {
    expect(clipboardReaders(platform, env, primary).map((r) => [r.cmd, ...r.args].join(' '))).toEqual(expected);
  });
});
