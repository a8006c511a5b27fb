import { describe, expect, it } from 'vitest';
import type { Voices } from '../../src/shared/bridge.js';
import { DEFAULT_SETTINGS, SettingsPatchSchema, type Settings } from '../../src/shared/settings.js';
import { doorSettingsChanged, engineSettingsChanged } from '../../src/shared/settings-values.js';
import {
  captureKey,
  defaultVoiceOptions,
  doorNotes,
  engineNote,
  firstInvalid,
  formFromSettings,
  languageOptions,
  patchFromForm,
  placeErrors,
  savedLine,
  speakerOptions,
  type KeyPress,
  type SettingsForm,
} from '../../src/renderer/settings-view.js';

const saved: Settings = { ...DEFAULT_SETTINGS, instruct: 'Calm.', language: 'English', speaker: 'Vivian' };
const form = (changes: Partial<SettingsForm> = {}): SettingsForm => ({ ...formFromSettings(saved), ...changes });

describe('settings form ⇄ patch', () => {
  it('round-trips: the saved settings as a form change nothing', () => {
    expect(patchFromForm(formFromSettings(saved), saved)).toEqual({ patch: {}, errors: {} });
    expect(patchFromForm(formFromSettings(DEFAULT_SETTINGS), DEFAULT_SETTINGS).patch).toEqual({});
  });

  it.each([
    ['a new shortcut, trimmed', { hotkey: ' Alt+Shift+R ' }, { hotkey: 'Alt+Shift+R' }],
    ['no shortcut', { hotkey: '' }, { hotkey: '' }],
    ['primary selection on', { primarySelection: true }, { primarySelection: true }],
    ['voice text as typed', { instruct: ' Bright ' }, { instruct: ' Bright ' }],
    ['language', { language: 'auto' }, { language: 'auto' }],
    ['speaker cleared → null', { speaker: '' }, { speaker: null }],
    ['queue mode', { speakMode: 'queue' }, { speakMode: 'queue' }],
    ['start at once', { speechStart: 'asap' }, { speechStart: 'asap' }],
    ['smooth start again (no change)', { speechStart: 'smooth' }, {}],
    ['an output device, trimmed', { outputDevice: ' USB Headset ' }, { outputDevice: 'USB Headset' }],
    ['a model directory', { modelDir: '/models/q3' }, { modelDir: '/models/q3' }],
    ['blank model directory stays automatic (no change)', { modelDir: '   ' }, {}],
    [
      'precision and provider',
      { modelVariant: 'fp32', executionProvider: 'cuda' },
      { modelVariant: 'fp32', executionProvider: 'cuda' },
    ],
    ['start at login', { startAtLogin: true }, { startAtLogin: true }],
    ['an HTTP door, trimmed', { httpDoor: ' 127.0.0.1:8880 ' }, { httpDoor: '127.0.0.1:8880' }],
    ['a Wyoming door on every interface', { wyomingDoor: '0.0.0.0:10200' }, { wyomingDoor: '0.0.0.0:10200' }],
    ['a blank door stays closed (no change)', { httpDoor: '  ' }, {}],
    ['typed back to the saved value (no change)', { instruct: 'Calm.' }, {}],
    ['a default saved voice', { defaultVoice: 'Narrator' }, { defaultVoice: 'Narrator' }],
    ['rate and volume as numbers', { rate: '1.5', volume: '40' }, { rate: 1.5, volume: 40 }],
    ['rate typed as the saved one (no change)', { rate: '1.0' }, {}],
  ] as const)('%s', (_name, changes, patch) => {
    const result = patchFromForm(form(changes), saved);
    expect(result.patch).toEqual(patch);
    expect(result.errors).toEqual({});
    expect(SettingsPatchSchema.safeParse(result.patch).success).toBe(true); // what main will accept
  });

  it('turns "" back into null for the nullable fields when clearing saved values', () => {
    const withValues: Settings = { ...saved, modelDir: '/m', outputDevice: 'hw:1' };
    expect(patchFromForm(form({ modelDir: '', outputDevice: '' }), withValues).patch).toEqual({
      modelDir: null,
      outputDevice: null,
    });
  });

  it.each([
    ['Ctrl+Nope', /not a valid shortcut/],
    ['Alt+', /not a valid shortcut/],
    ['Shift+Shift+A', /not a valid shortcut/],
  ])('catches the bad shortcut %j before asking main', (hotkey, message) => {
    const { errors } = patchFromForm(form({ hotkey }), saved);
    expect(errors.hotkey).toMatch(message);
    expect(firstInvalid(errors)).toBe('hotkey');
  });

  it.each([['example.com:80'], ['8880x'], ['99999'], ['127.0.0.1']])(
    'catches the bad door address %j before asking main',
    (address) => {
      const { errors } = patchFromForm(form({ httpDoor: address, wyomingDoor: address }), saved);
      expect(errors.httpDoor).toMatch(/\[HOST:\]PORT/);
      expect(errors.wyomingDoor).toMatch(/\[HOST:\]PORT/);
      expect(firstInvalid(errors)).toBe('httpDoor');
    },
  );

  it('closing an open door sends null', () => {
    const open: Settings = { ...saved, httpDoor: '8880' };
    expect(patchFromForm(form({ httpDoor: '' }), open).patch).toEqual({ httpDoor: null });
  });

  it('leaves the other checks to main (one schema), passing the value through', () => {
    expect(patchFromForm(form({ modelVariant: 'int8' }), saved)).toEqual({
      patch: { modelVariant: 'int8' },
      errors: {},
    });
  });
});

describe("main's errors in the view", () => {
  it.each([
    [{ hotkey: 'bad' }, { hotkey: 'bad' }, []],
    [{ instruct: 'too long', modelDir: 'empty' }, { instruct: 'too long', modelDir: 'empty' }, []],
    [{ '': "unknown setting 'version'" }, {}, ["unknown setting 'version'"]],
    [{ theme: 'x' }, {}, ['theme: x']],
  ])('%j', (fields, byField, general) => expect(placeErrors(fields)).toEqual({ byField, general }));

  it('focuses the first invalid field in page order', () => {
    expect(firstInvalid({ startAtLogin: 'x', hotkey: 'y' })).toBe('hotkey');
    expect(firstInvalid({ executionProvider: 'x', instruct: 'y' })).toBe('instruct');
    expect(firstInvalid({})).toBeNull();
  });
});

describe('engine reload note', () => {
  it.each([
    [{ speakMode: 'queue' }, false, false, null],
    [{ modelDir: '/m' }, false, false, /Saving reloads the engine/],
    [{ modelVariant: 'fp32' }, false, true, /engine is reloading/],
    [{ executionProvider: 'cuda' }, true, false, /separate q3tts serve/],
  ] as const)('%j (attached %s, saved %s)', (patch, attached, done, note) => {
    const got = engineNote(patch, attached, done);
    if (note === null) expect(got).toBeNull();
    else expect(got).toMatch(note);
  });

  it('agrees with what the composition root restarts the engine for', () => {
    for (const field of ['modelDir', 'modelVariant', 'executionProvider', 'hotkey', 'speakMode', 'instruct'] as const) {
      const next = {
        ...DEFAULT_SETTINGS,
        [field]:
          field === 'modelDir'
            ? '/m'
            : field === 'modelVariant'
              ? 'fp32'
              : field === 'executionProvider'
                ? 'cuda'
                : field === 'speakMode'
                  ? 'queue'
                  : 'Alt+Q',
      };
      expect(engineNote({ [field]: next[field] }, false, false) !== null).toBe(
        engineSettingsChanged(DEFAULT_SETTINGS, next),
      );
    }
  });

  it.each([
    [{}, false, 'No changes to save.'],
    [{ speakMode: 'queue' }, false, 'Saved.'],
    [{ modelDir: '/m' }, false, 'Saved. The engine is reloading with the new model settings…'],
  ] as const)('saved line for %j', (patch, attached, line) => expect(savedLine(patch, attached)).toBe(line));
});

describe('door notes', () => {
  it.each([
    [{}, false, []],
    [{ httpDoor: '8880' }, false, [/Saving restarts the engine/]],
    [{ httpDoor: '127.0.0.1:8880' }, true, [/separate q3tts serve/]],
    [{ httpDoor: '0.0.0.0:8880' }, false, [/bearer token.*door creates.*q3tts http token/, /Saving restarts/]],
    [{ httpDoor: '[::]:8880' }, false, [/bearer token/, /Saving restarts/]],
    [{ httpDoor: 'nowhere' }, false, [/Saving restarts/]], // the field's error says what is wrong
    [{ wyomingDoor: '0.0.0.0:10200' }, false, [/no authentication/, /Saving restarts/]],
  ] as const)('%j (attached %s)', (changes, attached, notes) => {
    const f = form(changes);
    const got = doorNotes(f, patchFromForm(f, saved).patch, attached);
    expect(got).toHaveLength(notes.length);
    notes.forEach((n, i) => expect(got[i]).toMatch(n));
  });

  it('the saved line says the engine restarts for doors, as the composition root does', () => {
    expect(savedLine({ wyomingDoor: '10200' }, false)).toBe('Saved. The engine is restarting with the new doors…');
    expect(savedLine({ wyomingDoor: '10200' }, true)).toBe('Saved.');
    const next = { ...DEFAULT_SETTINGS, httpDoor: '8880' };
    expect(doorSettingsChanged(DEFAULT_SETTINGS, next)).toBe(true);
    expect(doorSettingsChanged(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, speechStart: 'asap' })).toBe(false);
  });
});

describe('voice choices', () => {
  const design: Voices = {
    engine: 'qwen3-tts',
    model: 'VoiceDesign',
    languages: ['auto', 'english', 'chinese'],
    speakers: [],
    supportsInstruct: true,
  };
  const custom: Voices = { ...design, model: 'CustomVoice', speakers: ['Vivian', 'Ryan'] };
  it.each([
    [
      'model languages after auto',
      design,
      'auto',
      [
        ['auto', 'Auto-detect'],
        ['english', 'English'],
        ['chinese', 'Chinese'],
      ],
    ],
    [
      'the saved language kept when the model lacks it',
      design,
      'German',
      [
        ['auto', 'Auto-detect'],
        ['english', 'English'],
        ['chinese', 'Chinese'],
        ['German', 'German'],
      ],
    ],
    [
      'case-insensitive match',
      design,
      'English',
      [
        ['auto', 'Auto-detect'],
        ['english', 'English'],
        ['chinese', 'Chinese'],
      ],
    ],
    [
      'no model yet: auto and the saved one',
      null,
      'English',
      [
        ['auto', 'Auto-detect'],
        ['English', 'English'],
      ],
    ],
  ] as const)('languages: %s', (_n, voices, current, options) =>
    expect(languageOptions(voices, current)).toEqual(options),
  );

  it.each([
    ['no speakers: the field is hidden', design, 'Vivian', null],
    ['no model yet: hidden', null, '', null],
    [
      'speakers, model default first',
      custom,
      '',
      [
        ['', 'Model default'],
        ['Vivian', 'Vivian'],
        ['Ryan', 'Ryan'],
      ],
    ],
    [
      'a saved speaker this model lacks stays visible',
      custom,
      'Eric',
      [
        ['', 'Model default'],
        ['Vivian', 'Vivian'],
        ['Ryan', 'Ryan'],
        ['Eric', 'Eric (not in this model)'],
      ],
    ],
  ] as const)('speakers: %s', (_n, voices, current, options) =>
    expect(speakerOptions(voices, current)).toEqual(options),
  );
});

describe('"press keys" shortcut capture', () => {
  const key = (k: string, code: string, mods: Partial<KeyPress> = {}): KeyPress => ({
    key: k,
    code,
    ctrlKey: false,
    altKey: false,
    shiftKey: false,
    metaKey: false,
    ...mods,
  });
  it.each([
    [
      'Ctrl+Alt+S',
      key('s', 'KeyS', { ctrlKey: true, altKey: true }),
      false,
      { kind: 'done', accelerator: 'CommandOrControl+Alt+S' },
    ],
    [
      'Cmd+Shift+R on macOS',
      key('R', 'KeyR', { metaKey: true, shiftKey: true }),
      true,
      { kind: 'done', accelerator: 'CommandOrControl+Shift+R' },
    ],
    ['Ctrl on macOS is Control', key('a', 'KeyA', { ctrlKey: true }), true, { kind: 'done', accelerator: 'Control+A' }],
    ['Super+Space on Linux', key(' ', 'Space', { metaKey: true }), false, { kind: 'done', accelerator: 'Super+Space' }],
    [
      'layout-proof letters (AZERTY a on KeyQ)',
      key('a', 'KeyQ', { altKey: true }),
      false,
      { kind: 'done', accelerator: 'Alt+Q' },
    ],
    [
      'Alt+Shift+1 (key "!")',
      key('!', 'Digit1', { altKey: true, shiftKey: true }),
      false,
      { kind: 'done', accelerator: 'Alt+Shift+1' },
    ],
    ['F9 alone', key('F9', 'F9'), false, { kind: 'done', accelerator: 'F9' }],
    [
      'Ctrl+Up',
      key('ArrowUp', 'ArrowUp', { ctrlKey: true }),
      false,
      { kind: 'done', accelerator: 'CommandOrControl+Up' },
    ],
    [
      'Ctrl+Enter',
      key('Enter', 'Enter', { ctrlKey: true }),
      false,
      { kind: 'done', accelerator: 'CommandOrControl+Return' },
    ],
    [
      'modifiers only so far',
      key('Alt', 'AltLeft', { ctrlKey: true, altKey: true }),
      false,
      { kind: 'pending', label: 'CommandOrControl+Alt+…' },
    ],
    [
      'first modifier',
      key('Control', 'ControlLeft', { ctrlKey: true }),
      false,
      { kind: 'pending', label: 'CommandOrControl+…' },
    ],
    ['Escape cancels', key('Escape', 'Escape'), false, { kind: 'cancel' }],
    ['Tab cancels (focus moves on)', key('Tab', 'Tab'), false, { kind: 'cancel' }],
    ['Backspace clears', key('Backspace', 'Backspace'), false, { kind: 'clear' }],
    [
      'a letter alone would swallow typing',
      key('s', 'KeyS'),
      false,
      { kind: 'reject', reason: expect.stringMatching(/add Ctrl, Alt/) },
    ],
    [
      'an unknown key',
      key('Dead', 'BracketLeft', { altKey: true }),
      false,
      { kind: 'reject', reason: expect.stringMatching(/cannot be part/) },
    ],
  ] as const)('%s', (_n, press, mac, step) => expect(captureKey(press, mac)).toEqual(step));
});

describe('saved voices and the rate/volume defaults in the Settings form', () => {
  it.each([
    [{ rate: '0.2' }, { rate: 'between 0.5 and 2' }],
    [{ rate: '' }, { rate: 'between 0.5 and 2' }],
    [{ volume: '101' }, { volume: 'between 0 and 100' }],
    [{ volume: 'x' }, { volume: 'between 0 and 100' }],
  ] as const)('%j is refused before asking main', (changes, errors) => {
    expect(patchFromForm(form(changes), saved).errors).toEqual(errors);
  });

  it('offers the saved voices, and keeps a removed default visible as removed', () => {
    const voices = [{ name: 'Narrator', instruct: 'x', language: 'auto', speaker: null, seed: null }];
    expect(defaultVoiceOptions(voices, '')).toEqual([
      ['', 'None — use the description below'],
      ['Narrator', 'Narrator'],
    ]);
    expect(defaultVoiceOptions(voices, 'Gone').at(-1)).toEqual(['Gone', 'Gone (removed)']);
  });
});
