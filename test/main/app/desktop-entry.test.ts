// The AppImage's .desktop file, on a real temporary file system: written on first run, kept current when
// the AppImage moves, never written over someone else's, and found wherever the desktop looks.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applicationEntry, applicationsDirs, ensureApplicationEntry } from '../../../src/main/app/desktop-entry.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'q3tts-desktop-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const NAME = 'io.github.q3tts.desktop';
let n = 0;
/** A fresh home and system data dir per test. */
function fresh() {
  const base = path.join(root, String(n++));
  const home = path.join(base, 'home');
  const system = path.join(base, 'usr/share');
  mkdirSync(home, { recursive: true });
  const env = { XDG_DATA_DIRS: system };
  return { home, system, env, own: path.join(home, '.local/share/applications', NAME) };
}

describe('AppImage application entry', () => {
  it('is written on the first run of an AppImage, to the user applications directory, and only once', () => {
    const { home, env, own } = fresh();
    const appImage = '/home/ann/Apps/q3tts 0.1.AppImage';
    expect(ensureApplicationEntry(NAME, { ...env, APPIMAGE: appImage }, home)).toEqual({
      status: 'installed',
      file: own,
    });
    const text = readFileSync(own, 'utf8');
    expect(text).toContain('Exec="/home/ann/Apps/q3tts 0.1.AppImage"\n');
    expect(text).toMatch(/^\[Desktop Entry\]\nType=Application\n/);
    expect(text).toContain('Name=q3tts\n');
    expect(ensureApplicationEntry(NAME, { ...env, APPIMAGE: appImage }, home)).toEqual({
      status: 'present',
      file: own,
    });
  });

  it('follows the AppImage when it moves', () => {
    const { home, env, own } = fresh();
    ensureApplicationEntry(NAME, { ...env, APPIMAGE: '/old/q3tts.AppImage' }, home);
    expect(ensureApplicationEntry(NAME, { ...env, APPIMAGE: '/new/q3tts.AppImage' }, home)).toEqual({
      status: 'updated',
      file: own,
    });
    expect(readFileSync(own, 'utf8')).toBe(applicationEntry('/new/q3tts.AppImage'));
  });

  it("leaves a user's own entry of that name alone", () => {
    const { home, env, own } = fresh();
    mkdirSync(path.dirname(own), { recursive: true });
    writeFileSync(own, '[Desktop Entry]\nName=my q3tts\nExec=/opt/mine\n');
    expect(ensureApplicationEntry(NAME, { ...env, APPIMAGE: '/x/q3tts.AppImage' }, home)).toEqual({
      status: 'present',
      file: own,
    });
    expect(readFileSync(own, 'utf8')).toContain('Exec=/opt/mine');
  });

  it('finds the .deb entry in the system data dirs and writes nothing', () => {
    const { home, system, env, own } = fresh();
    const deb = path.join(system, 'applications', NAME);
    mkdirSync(path.dirname(deb), { recursive: true });
    writeFileSync(deb, '[Desktop Entry]\n');
    expect(ensureApplicationEntry(NAME, env, home)).toEqual({ status: 'present', file: deb });
    expect(ensureApplicationEntry(NAME, { ...env, APPIMAGE: '/x/q3tts.AppImage' }, home)).toEqual({
      status: 'present',
      file: deb,
    });
    expect(existsSync(own)).toBe(false);
  });

  it('reports missing outside an AppImage when nothing is installed (an unpackaged run)', () => {
    const { home, env } = fresh();
    expect(ensureApplicationEntry(NAME, env, home)).toEqual({ status: 'missing' });
    expect(ensureApplicationEntry(NAME, { ...env, APPIMAGE: 'relative/q3tts.AppImage' }, home)).toEqual({
      status: 'missing',
    });
  });

  it('reports a directory it cannot write to as failed', () => {
    const { home, env } = fresh();
    writeFileSync(path.join(home, 'data'), 'a file where a directory should be');
    const entry = ensureApplicationEntry(
      NAME,
      { ...env, XDG_DATA_HOME: path.join(home, 'data'), APPIMAGE: '/x/q3tts.AppImage' },
      home,
    );
    expect(entry).toMatchObject({ status: 'failed', error: /ENOTDIR|EEXIST/ });
  });

  it('searches $XDG_DATA_HOME first, then $XDG_DATA_DIRS (defaults per the XDG spec)', () => {
    expect(applicationsDirs({}, '/home/ann')).toEqual([
      '/home/ann/.local/share/applications',
      '/usr/local/share/applications',
      '/usr/share/applications',
    ]);
    expect(applicationsDirs({ XDG_DATA_HOME: '/d', XDG_DATA_DIRS: '/a:relative:/b' }, '/home/ann')).toEqual([
      '/d/applications',
      '/a/applications',
      '/b/applications',
    ]);
  });
});
