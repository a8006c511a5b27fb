import { describe, expect, it } from 'vitest';
import { parseListenAddress } from '../../src/core/doors/address.js';
import {
  DEFAULT_SETTINGS,
  SETTINGS_VERSION,
  SettingsPatchSchema,
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
      httpDoor: null,
      wyomingDoor: null,
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

  it.each([
    ['8880', true],
    ['127.0.0.1:8880', true],
    ['0.0.0.0:10200', true],
    ['localhost:8880', true],
    ['[::1]:8880', true],
    [' 8880 ', true],
    ['70000', false],
    ['example.com:80', false],
    ['127.0.0.1', false],
    ['256.0.0.1:80', false],
    ['::1:80', false],
    ['', false],
  ])('door address %j valid: %s', (address, ok) => {
    expect(SettingsPatchSchema.safeParse({ httpDoor: address }).success).toBe(ok);
    expect(SettingsPatchSchema.safeParse({ wyomingDoor: address }).success).toBe(ok);
    // the window's check agrees with the daemon's parser
    let parsed = true;
    try {
      parseListenAddress(address);
    } catch {
      parsed = false;
    }
    expect(parsed).toBe(ok);
  });

  it('doors are closed by default and can be closed again with null', () => {
    expect(DEFAULT_SETTINGS).toMatchObject({ httpDoor: null, wyomingDoor: null });
    const open = applySettingsPatch(DEFAULT_SETTINGS, { httpDoor: '8880' });
    expect(open.httpDoor).toBe('8880');
    expect(applySettingsPatch(open, { httpDoor: null }).httpDoor).toBeNull();
  });
});

describe('migrateSettings', () => {
  // [name, stored, expected fields (subset), reset list, changed]
  const rows: Array<[string, unknown, Record<string, unknown>, string[], boolean]> = [
    ['nothing stored → defaults', {}, { version: 3, speakMode: 'interrupt', httpDoor: null }, [], true],
    ['not an object → defaults', 'oops', { version: 3 }, [], true],
    ['current version, complete', { ...DEFAULT_SETTINGS, language: 'German' }, { language: 'German' }, [], false],
    [
      'current version, missing field gets its default',
      { version: 3, language: 'French' },
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
    ['unknown field dropped and reported', { version: 3, colour: 'red' }, { version: 3 }, ['colour'], true],
    [
      'v2 → v3: the doors stay closed, the rest is kept',
      { ...DEFAULT_SETTINGS, version: 2, httpDoor: undefined, wyomingDoor: undefined, speechStart: 'asap' },
      { httpDoor: null, wyomingDoor: null, speechStart: 'asap' },
      [],
      true,
    ],
    [
      'v3 doors kept',
      { ...DEFAULT_SETTINGS, httpDoor: '127.0.0.1:8880', wyomingDoor: '0.0.0.0:10200' },
      { httpDoor: '127.0.0.1:8880', wyomingDoor: '0.0.0.0:10200' },
      [],
      false,
    ],
    ['v3 invalid door reset alone', { version: 3, httpDoor: 'nowhere:80' }, { httpDoor: null }, ['httpDoor'], true],
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

  it.each([[4], [0], ['2'], [1.5]])('refuses version %j', (version) => {
    expect(() => migrateSettings({ version })).toThrow(SettingsVersionError);
  });
});
