import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSettingsRepo } from '../../../src/main/app/settings-repo.js';
import { DEFAULT_SETTINGS, SETTINGS_VERSION } from '../../../src/shared/settings.js';
import { VoicePresetStore } from '../../../src/core/voices/store.js';

let dir: string;
const file = () => path.join(dir, 'settings.json');
const onDisk = () => JSON.parse(readFileSync(file(), 'utf8')) as Record<string, unknown>;
const fixedNow = () => new Date('2026-11-23T10:00:00.000Z');

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('settings repo (real conf)', () => {
  it('creates the file with defaults on first run, without notices', () => {
    const repo = openSettingsRepo({ cwd: dir });
    expect(repo.get()).toEqual(DEFAULT_SETTINGS);
    expect(onDisk()).toEqual(DEFAULT_SETTINGS);
    expect(repo.path).toBe(file());
    expect(repo.takeNotices()).toEqual([]);
  });

  it('upgrades a v1 file on disk', () => {
    writeFileSync(file(), JSON.stringify({ version: 1, voice: 'a warm narrator', interrupt: false }));
    const repo = openSettingsRepo({ cwd: dir });
    expect(repo.get()).toMatchObject({ instruct: 'a warm narrator', speakMode: 'queue', version: SETTINGS_VERSION });
    expect(onDisk()).toMatchObject({ version: SETTINGS_VERSION, instruct: 'a warm narrator', speakMode: 'queue' });
    expect(onDisk()).not.toHaveProperty('voice');
  });

  it('keeps a corrupt file aside, starts from defaults and says so once', () => {
    writeFileSync(file(), '{"hotkey": "Alt+S",,,');
    const repo = openSettingsRepo({ cwd: dir, now: fixedNow });
    expect(repo.get()).toEqual(DEFAULT_SETTINGS);
    const aside = readdirSync(dir).filter((f) => f.startsWith('settings.corrupt-'));
    expect(aside).toEqual(['settings.corrupt-2026-11-23T10-00-00-000Z.json']);
    expect(readFileSync(path.join(dir, aside[0]!), 'utf8')).toBe('{"hotkey": "Alt+S",,,');
    expect(onDisk()).toEqual(DEFAULT_SETTINGS);
    const notices = repo.takeNotices();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/kept it as .*settings\.corrupt-.*defaults/);
    expect(repo.takeNotices()).toEqual([]);
  });

  it('keeps a file from a newer version aside instead of guessing', () => {
    writeFileSync(file(), JSON.stringify({ version: 99, hotkey: 'Alt+S' }));
    const repo = openSettingsRepo({ cwd: dir, now: fixedNow });
    expect(repo.get()).toEqual(DEFAULT_SETTINGS);
    expect(repo.takeNotices()[0]).toMatch(/version 99/);
    expect(readdirSync(dir).some((f) => f.startsWith('settings.corrupt-'))).toBe(true);
  });

  it('resets only the invalid fields and reports them', () => {
    writeFileSync(file(), JSON.stringify({ version: 2, language: 'Japanese', speakMode: 'loud' }));
    const repo = openSettingsRepo({ cwd: dir });
    expect(repo.get()).toMatchObject({ language: 'Japanese', speakMode: 'interrupt' });
    expect(repo.takeNotices()).toEqual(['Some settings were invalid and were reset to their defaults: speakMode.']);
  });

  it('saves updates, emits change events, and survives reopening', () => {
    const repo = openSettingsRepo({ cwd: dir });
    const seen: Array<[string, string]> = [];
    const off = repo.onChange((next, prev) => seen.push([prev.language, next.language]));
    repo.update({ language: 'German' });
    repo.update({ language: 'German' }); // no change, no event
    off();
    repo.update({ language: 'Korean' });
    expect(seen).toEqual([['auto', 'German']]);
    expect(openSettingsRepo({ cwd: dir }).get().language).toBe('Korean');
  });

  it('refuses an invalid update without touching the file', () => {
    const repo = openSettingsRepo({ cwd: dir });
    expect(() => repo.update({ hotkey: 'Nope+1' })).toThrow(/shortcut/);
    expect(() => repo.update({ version: 1 })).toThrow();
    expect(onDisk()).toEqual(DEFAULT_SETTINGS);
  });

  it('reload picks up a hand edit, and ignores a broken one', () => {
    const repo = openSettingsRepo({ cwd: dir });
    const events: string[] = [];
    repo.onChange((s) => events.push(s.hotkey));
    writeFileSync(file(), JSON.stringify({ ...DEFAULT_SETTINGS, hotkey: 'Alt+Shift+R' }));
    expect(repo.reload().hotkey).toBe('Alt+Shift+R');
    writeFileSync(file(), '{ broken');
    expect(repo.reload().hotkey).toBe('Alt+Shift+R');
    expect(repo.takeNotices().join('\n')).toMatch(/not valid JSON/);
    expect(events).toEqual(['Alt+Shift+R']);
  });

  it('an update keeps what another writer (the daemon saving a voice) put in the file meanwhile', () => {
    const repo = openSettingsRepo({ cwd: dir });
    const daemon = new VoicePresetStore(file());
    daemon.save({ name: 'Narrator', instruct: 'a deep, slow voice', seed: 3 });
    repo.update({ language: 'German' });
    expect(onDisk()).toMatchObject({ language: 'German', voices: [{ name: 'Narrator', seed: 3 }] });
    expect(repo.get().voices.map((v) => v.name)).toEqual(['Narrator']);
    // and the daemon's next write keeps the app's change
    daemon.remove('narrator');
    expect(onDisk()).toMatchObject({ language: 'German', voices: [] });
  });
});
