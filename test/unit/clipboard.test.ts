import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClipboardReader, type ClipboardPolicy } from '../../src/main/app/clipboard.js';
import { readWlPaste, wlPasteArgs } from '../../src/main/app/wl-paste.js';

function reader(values: { clipboard: string[]; selection?: string[]; wl?: Array<string | null> }, policy: ClipboardPolicy) {
  const calls: string[] = [];
  const next = (list: string[] | Array<string | null> | undefined, name: string) => {
    calls.push(name);
    return list?.length ? list.shift()! : '';
  };
  const r = new ClipboardReader(
    {
      readClipboard: async () => next(values.clipboard, 'clipboard') ?? '',
      readSelection: values.selection ? async () => next(values.selection, 'selection') ?? '' : undefined,
      wlPaste: values.wl ? async (primary) => next(values.wl, primary ? 'wl-primary' : 'wl') : undefined,
    },
    () => policy,
  );
  return { r, calls };
}

describe('clipboard strategy', () => {
  it('reads Electron\'s clipboard on X11 and never spawns wl-paste', async () => {
    const { r, calls } = reader({ clipboard: ['one', 'one'], wl: ['other'] }, { wayland: false, primarySelection: false });
    expect(await r.read()).toBe('one');
    expect(await r.read()).toBe('one');
    expect(calls).toEqual(['clipboard', 'clipboard']);
  });

  it('on Wayland trusts a changed value, and asks wl-paste when the value looks stale', async () => {
    const { r, calls } = reader({ clipboard: ['first', 'first', 'second'], wl: ['fresh'] }, { wayland: true, primarySelection: false });
    expect(await r.read()).toBe('first');
    expect(await r.read()).toBe('fresh');
    expect(await r.read()).toBe('second');
    expect(calls).toEqual(['clipboard', 'clipboard', 'wl', 'clipboard']);
  });

  it('on Wayland asks wl-paste when Electron sees nothing, and keeps Electron\'s value when wl-paste fails', async () => {
    const { r } = reader({ clipboard: ['', 'same', 'same'], wl: ['from wl', null] }, { wayland: true, primarySelection: false });
    expect(await r.read()).toBe('from wl');
    expect(await r.read()).toBe('same');
    expect(await r.read()).toBe('same');
  });

  it('reads the primary selection first when enabled, falling back to the clipboard', async () => {
    const { r, calls } = reader({ clipboard: ['copied'], selection: ['highlighted', '  '] }, { wayland: false, primarySelection: true });
    expect(await r.read()).toBe('highlighted');
    expect(await r.read()).toBe('copied');
    expect(calls).toEqual(['selection', 'selection', 'clipboard']);
  });

  it('ignores the selection setting where there is no selection (macOS, Windows)', async () => {
    const { r, calls } = reader({ clipboard: ['copied'] }, { wayland: false, primarySelection: true });
    expect(await r.read()).toBe('copied');
    expect(calls).toEqual(['clipboard']);
  });
});

describe('wl-paste', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-wl-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const fake = (name: string, body: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
    return file;
  };

  it('builds its arguments', () => {
    expect(wlPasteArgs(false)).toEqual(['--no-newline', '--type', 'text/plain']);
    expect(wlPasteArgs(true)).toEqual(['--no-newline', '--type', 'text/plain', '--primary']);
  });

  it('returns the text the program prints, with its arguments passed verbatim', async () => {
    const cmd = fake('wl-ok', 'printf "%s|" "$@"; printf "héllo  world"');
    expect(await readWlPaste(true, { command: cmd })).toBe('--no-newline|--type|text/plain|--primary|héllo  world');
  });

  it('treats "Nothing is copied" as empty, other failures and timeouts as unavailable', async () => {
    expect(await readWlPaste(false, { command: fake('wl-empty', 'echo "Nothing is copied" >&2; exit 1') })).toBe('');
    expect(await readWlPaste(false, { command: fake('wl-broken', 'echo "Failed to connect to a Wayland server" >&2; exit 1') })).toBeNull();
    expect(await readWlPaste(false, { command: fake('wl-slow', 'sleep 5'), timeoutMs: 200 })).toBeNull();
    expect(await readWlPaste(false, { command: path.join(dir, 'missing') })).toBeNull();
  });
});
