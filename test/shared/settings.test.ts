import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  SETTINGS_VERSION,
  SettingsVersionError,
  applySettingsPatch,
  isAccelerator,
  migrateSettings,
} from '../../src/shared/settings.js';

describe('settings schema', () => {
  it('has defaults for every field at the current version', () => {
    expect(DEFAULT_SETTINGS).toEqual({
      version: SETTINGS_VERSION,
      hotkey: 'CommandOrControl+Alt+S',
      modelDir: null,
      modelVariant: 'int4',
      instruct: '',
      language: 'auto',
      speaker: null,
      executionProvider: 'auto',
      outputDevice: null,
      startAtLogin: false,
      speakMode: 'interrupt',
      speechStart: 'smooth',
      primarySelection: false,
    });
  });

  it.each([
    ['CommandOrControl+Alt+S', true],
    ['Ctrl+Shift+F12', true],
    ['Alt+Space', true],
    ['Super+Plus', true],
    ['F5', true],
    ['ctrl+alt+s', true],
    ['Ctrl+Ctrl+S', false],
    ['Ctrl+Alt', false],
    ['Hyper+S', false],
    ['Ctrl+', false],
    ['', false],
    ['Ctrl+F25', false],
  ])('accelerator %j valid: %s', (acc, ok) => expect(isAccelerator(acc)).toBe(ok));

  it('applies a valid patch and rejects an invalid one', () => {
    expect(applySettingsPatch(DEFAULT_SETTINGS, { speakMode: 'queue' }).speakMode).toBe('queue');
    expect(() => applySettingsPatch(DEFAULT_SETTINGS, { speakMode: 'shout' })).toThrow(/speakMode/);
    expect(() => applySettingsPatch(DEFAULT_SETTINGS, { version: 1 })).toThrow();
    expect(() => applySettingsPatch(DEFAULT_SETTINGS, { colour: 'red' })).toThrow();
    expect(applySettingsPatch(DEFAULT_SETTINGS, { hotkey: '' }).hotkey).toBe('');
    // A patch changes only what it names (zod 4 would otherwise fill in the defaults of the rest).
    const custom = applySettingsPatch(DEFAULT_SETTINGS, { instruct: 'Calm.', language: 'English', speakMode: 'queue' });
    expect(applySettingsPatch(custom, { hotkey: 'Alt+Q' })).toEqual({ ...custom, hotkey: 'Alt+Q' });
  });
});

describe('migrateSettings', () => {
  // [name, stored, expected fields (subset), reset list, changed]
  const rows: Array<[string, unknown, Record<string, unknown>, string[], boolean]> = [
    ['nothing stored → defaults', {}, { version: 2, speakMode: 'interrupt' }, [], true],
    ['not an object → defaults', 'oops', { version: 2 }, [], true],
    ['current version, complete', { ...DEFAULT_SETTINGS, language: 'German' }, { language: 'German' }, [], false],
    [
      'current version, missing field gets its default',
      { version: 2, language: 'French' },
      { language: 'French', hotkey: 'CommandOrControl+Alt+S' },
      [],
      true,
    ],
    [
      'v1 voice → instruct, interrupt false → queue',
      { version: 1, voice: 'a calm voice', interrupt: false },
      { instruct: 'a calm voice', speakMode: 'queue' },
      [],
      true,
    ],
    ['v1 interrupt true → interrupt', { version: 1, interrupt: true }, { speakMode: 'interrupt' }, [], true],
    [
      'unversioned file counts as v1',
      { voice: 'old voice', hotkey: 'Alt+R' },
      { instruct: 'old voice', hotkey: 'Alt+R' },
      [],
      true,
    ],
    [
      'invalid field reset alone',
      { version: 2, hotkey: 'Banana+Q', language: 'English' },
      { hotkey: 'CommandOrControl+Alt+S', language: 'English' },
      ['hotkey'],
      true,
    ],
    ['wrong type reset', { version: 2, startAtLogin: 'yes' }, { startAtLogin: false }, ['startAtLogin'], true],
    ['unknown field dropped and reported', { version: 2, colour: 'red' }, { version: 2 }, ['colour'], true],
    [
      'v1 invalid value after upgrade reset',
      { version: 1, interrupt: 'maybe', voice: 42 },
      { speakMode: 'interrupt', instruct: '' },
      ['instruct'],
      true,
    ],
  ];

  it.each(rows)('%s', (_name, stored, expected, reset, changed) => {
    const result = migrateSettings(stored);
    expect(result.settings).toMatchObject(expected);
    expect(result.settings.version).toBe(SETTINGS_VERSION);
    expect(result.reset).toEqual(reset);
    expect(result.changed).toBe(changed);
    expect(result.settings).not.toHaveProperty('voice');
    expect(result.settings).not.toHaveProperty('interrupt');
  });

  it.each([[3], [0], ['2'], [1.5]])('refuses version %j', (version) => {
    expect(() => migrateSettings({ version })).toThrow(SettingsVersionError);
  });
});
