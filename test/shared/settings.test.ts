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
  VoicePresetSchema,
} from '../../src/shared/settings.js';
import { presetNameProblem } from '../../src/shared/voice-presets.js';
import { engineSettingsChanged } from '../../src/shared/settings-values.js';
import { speechServerUrlProblem } from '../../src/shared/speech-server-url.js';

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
      voices: [],
      defaultVoice: null,
      rate: 1,
      volume: 100,
      speechServer: null,
      speechServerFailover: true,
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

const V3 = {
  version: 3,
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
};
const NARRATOR = { name: 'Narrator', instruct: 'a deep, slow voice', language: 'auto', speaker: null, seed: 7 };
const BRIGHT = { name: 'bright-2', instruct: 'bright', language: 'English', speaker: null, seed: null };
const VECTOR = Buffer.from(new Float32Array([0.25, -1, 3.5, 0]).buffer).toString('base64');
const CODES = Buffer.from(new Int16Array(32).fill(2047).buffer).toString('base64');
const CLONED = {
  name: 'Radio',
  instruct: '',
  language: 'English',
  speaker: null,
  seed: null,
  clone: {
    mode: 'in_context',
    model: 'Qwen3-TTS-0.6B-Base',
    seconds: 4.2,
    text: 'Hello there.',
    locked: false,
    vector: VECTOR,
    codes: CODES,
    design: null,
  },
};
const LOCKED = {
  ...NARRATOR,
  name: 'Locked',
  clone: {
    ...CLONED.clone,
    text: 'The quick brown fox.',
    locked: true,
    design: { instruct: 'a deep, slow voice', language: 'auto', seed: 7, sentence: 'The quick brown fox.' },
  },
};

describe('saved voices in the settings', () => {
  it.each([
    ['Narrator', true],
    ['calm voice 2', true],
    ['né-à_x.1', true],
    ['', false],
    [' lead', false],
    ['trail ', false],
    ['a'.repeat(41), false],
    ['../x', false],
    ['two  spaces', false],
    ['default', false],
    ['Default', false],
    ['tab\there', false],
  ])('name %j valid: %s', (name, ok) => {
    expect(presetNameProblem(name) === null).toBe(ok);
    expect(VoicePresetSchema.safeParse({ name, instruct: 'x' }).success).toBe(ok);
  });

  it('rate and volume are patched and checked like any field', () => {
    expect(applySettingsPatch(DEFAULT_SETTINGS, { rate: 1.5, volume: 30 })).toMatchObject({ rate: 1.5, volume: 30 });
    expect(() => applySettingsPatch(DEFAULT_SETTINGS, { rate: 0.2 })).toThrow(/rate/);
    expect(() => applySettingsPatch(DEFAULT_SETTINGS, { volume: 101 })).toThrow(/volume/);
    expect(() =>
      applySettingsPatch(DEFAULT_SETTINGS, { voices: [NARRATOR, { ...NARRATOR, name: 'narrator' }] }),
    ).toThrow(/same name/);
  });
});

describe('speech server setting', () => {
  it.each([
    ['http://gpu-box:8091', null],
    ['https://tts.example.org', null],
    ['https://tts.example.org/q3tts/', null],
    ['http://[::1]:8880', null],
    ['  http://10.0.0.5:8091  ', null],
    ['', /empty/],
    ['gpu-box:8091', /http:\/\/ or https:\/\//],
    ['gpu-box', /not a URL/],
    ['ftp://gpu-box/', /http:\/\/ or https:\/\//],
    ['file:///etc/passwd', /http:\/\/ or https:\/\//],
    ['javascript:alert(1)', /http:\/\/ or https:\/\//],
    ['https://user:pass@tts.example.org', /user name or password.*token field/],
    ['https://user@tts.example.org', /user name or password/],
    ['https://tts.example.org/?token=abc', /query/],
    ['https://tts.example.org/#x', /fragment/],
    [`https://tts.example.org/${'a'.repeat(2100)}`, /at most 2048/],
  ])('URL %j → %s', (url, problem) => {
    const found = speechServerUrlProblem(url);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toMatch(problem);
    // The schema (main, the file) and the window judge alike.
    expect(SettingsPatchSchema.safeParse({ speechServer: url }).success).toBe(problem === null);
  });

  it('null is the local model; the failover choice is a boolean', () => {
    const remote = applySettingsPatch(DEFAULT_SETTINGS, { speechServer: 'https://tts.example.org' });
    expect(remote.speechServer).toBe('https://tts.example.org');
    expect(applySettingsPatch(remote, { speechServer: null }).speechServer).toBeNull();
    expect(() => applySettingsPatch(DEFAULT_SETTINGS, { speechServerFailover: 'auto' })).toThrow(
      /speechServerFailover/,
    );
  });

  it('a speech server change restarts the hosted engine (an engine field)', () => {
    expect(engineSettingsChanged(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, speechServer: 'http://gpu:8091' })).toBe(
      true,
    );
    expect(engineSettingsChanged(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, speechServerFailover: false })).toBe(true);
  });
});

describe('migrateSettings', () => {
  // [name, stored, expected fields (subset), reset list, changed]
  const rows: Array<[string, unknown, Record<string, unknown>, string[], boolean]> = [
    ['nothing stored → defaults', {}, { version: 5, speakMode: 'interrupt', httpDoor: null, voices: [] }, [], true],
    ['not an object → defaults', 'oops', { version: 5 }, [], true],
    ['current version, complete', { ...DEFAULT_SETTINGS, language: 'German' }, { language: 'German' }, [], false],
    [
      'current version, missing field gets its default',
      { version: 5, language: 'French' },
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
    ['unknown field dropped and reported', { version: 5, colour: 'red' }, { version: 5 }, ['colour'], true],
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
    [
      'v3 → v4: no saved voices, rate 1 and volume 100, the rest kept',
      { ...V3, instruct: 'a calm voice', language: 'German', httpDoor: '8880' },
      {
        instruct: 'a calm voice',
        language: 'German',
        httpDoor: '8880',
        voices: [],
        defaultVoice: null,
        rate: 1,
        volume: 100,
        speechServer: null,
        speechServerFailover: true,
      },
      [],
      true,
    ],
    [
      'v3 → v4: a v3 file that already had "voices" (written by hand) keeps the valid ones',
      { ...V3, voices: [{ name: 'Narrator', instruct: 'deep' }] },
      { voices: [] },
      [],
      true,
    ],
    [
      'v1 → v4 in one go',
      { version: 1, voice: 'old voice', interrupt: false },
      { instruct: 'old voice', speakMode: 'queue', httpDoor: null, voices: [], rate: 1, volume: 100 },
      [],
      true,
    ],
    [
      'v4 saved voices kept, defaults filled in',
      {
        ...DEFAULT_SETTINGS,
        voices: [{ name: 'Narrator', instruct: 'a deep, slow voice', seed: 7 }],
        defaultVoice: 'Narrator',
      },
      { voices: [NARRATOR], defaultVoice: 'Narrator' },
      [],
      true,
    ],
    [
      'v4 one bad saved voice costs only itself (bad name, duplicate, wrong type)',
      {
        ...DEFAULT_SETTINGS,
        voices: [NARRATOR, { name: '../evil', instruct: 'x' }, { ...NARRATOR, name: 'NARRATOR' }, 'oops', BRIGHT],
      },
      { voices: [NARRATOR, BRIGHT] },
      ['voices[1]', 'voices[2]', 'voices[3]'],
      true,
    ],
    [
      'v4 rate out of range reset alone',
      { ...DEFAULT_SETTINGS, rate: 3, volume: 40 },
      { rate: 1, volume: 40 },
      ['rate'],
      true,
    ],
    ['v4 volume out of range reset alone', { ...DEFAULT_SETTINGS, volume: -1 }, { volume: 100 }, ['volume'], true],
    [
      'v3 → v4: a speech server in a v3 file (by hand) is not taken: the upgrade keeps the local model',
      { ...V3, speechServer: 'http://gpu-box:8091', speechServerFailover: false },
      { speechServer: null, speechServerFailover: true },
      [],
      true,
    ],
    [
      'v4 speech server kept',
      { ...DEFAULT_SETTINGS, speechServer: 'https://tts.example.org/base', speechServerFailover: false },
      { speechServer: 'https://tts.example.org/base', speechServerFailover: false },
      [],
      false,
    ],
    [
      'v4 speech server with a password in the URL reset alone (never kept in the file)',
      { ...DEFAULT_SETTINGS, speechServer: 'https://me:secret@tts.example.org', language: 'German' },
      { speechServer: null, language: 'German' },
      ['speechServer'],
      true,
    ],
    [
      'v4 (before the speech server) gets none, failover on',
      { ...DEFAULT_SETTINGS, speechServer: undefined, speechServerFailover: undefined },
      { speechServer: null, speechServerFailover: true },
      [],
      true,
    ],
    [
      'v4 → v5: saved voices kept as they were (a clone is optional)',
      { ...DEFAULT_SETTINGS, version: 4, voices: [NARRATOR, BRIGHT], defaultVoice: 'Narrator' },
      { voices: [NARRATOR, BRIGHT], defaultVoice: 'Narrator' },
      [],
      true,
    ],
    [
      'v5 cloned and locked voices kept',
      { ...DEFAULT_SETTINGS, voices: [CLONED, LOCKED] },
      { voices: [CLONED, LOCKED] },
      [],
      false,
    ],
    [
      'v5 a broken clone costs only its voice (not base64, codes without text, locked without design, too big)',
      {
        ...DEFAULT_SETTINGS,
        voices: [
          { ...CLONED, name: 'a', clone: { ...CLONED.clone, vector: 'not base64!' } },
          { ...CLONED, name: 'b', clone: { ...CLONED.clone, text: null } },
          { ...LOCKED, name: 'c', clone: { ...LOCKED.clone, design: null } },
          { ...CLONED, name: 'd', clone: { ...CLONED.clone, vector: 'A'.repeat(30_000) } },
          { ...CLONED, name: 'e', clone: { ...CLONED.clone, mode: 'x_vector' } },
          { ...CLONED, name: 'f', clone: { ...CLONED.clone, extra: 1 } },
          LOCKED,
        ],
      },
      { voices: [LOCKED] },
      ['voices[0]', 'voices[1]', 'voices[2]', 'voices[3]', 'voices[4]', 'voices[5]'],
      true,
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

  it.each([[6], [0], ['2'], [1.5]])('refuses version %j', (version) => {
    expect(() => migrateSettings({ version })).toThrow(SettingsVersionError);
  });
});
