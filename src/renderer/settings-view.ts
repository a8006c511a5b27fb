// The Settings view's logic, pure so it is table-tested: settings ⇄ form values, the patch of what
// changed, the checks the window can make before asking main, and the "press keys" shortcut capture.
import type { Voices } from '../shared/bridge.js';
import type { Settings, SettingsPatch } from '../shared/settings.js';
import {
  ACCELERATOR_HINT,
  DOOR_FIELDS,
  ENGINE_FIELDS,
  LISTEN_ADDRESS_HINT,
  isAccelerator,
  isLoopbackHost,
  listenHost,
} from '../shared/settings-values.js';
import { speechServerUrlProblem } from '../shared/speech-server-url.js';

/** What the form's controls hold: text fields as typed ("" for none), checkboxes as booleans. */
export interface SettingsForm {
  hotkey: string;
  primarySelection: boolean;
  instruct: string;
  language: string;
  speaker: string;
  /** The saved voice the hotkey and a new window use; "" = the description above. */
  defaultVoice: string;
  /** As typed in the number fields. */
  rate: string;
  volume: string;
  speakMode: string;
  speechStart: string;
  outputDevice: string;
  modelDir: string;
  modelVariant: string;
  executionProvider: string;
  /** "" = the local model. */
  speechServer: string;
  speechServerFailover: boolean;
  httpDoor: string;
  wyomingDoor: string;
  startAtLogin: boolean;
}

export type FormField = keyof SettingsForm;
/** Control order in the page, so the first invalid one gets the focus. */
export const FORM_FIELDS: readonly FormField[] = [
  'hotkey',
  'primarySelection',
  'defaultVoice',
  'instruct',
  'language',
  'speaker',
  'rate',
  'volume',
  'speakMode',
  'speechStart',
  'outputDevice',
  'modelDir',
  'modelVariant',
  'executionProvider',
  'speechServer',
  'speechServerFailover',
  'httpDoor',
  'wyomingDoor',
  'startAtLogin',
];

export function formFromSettings(s: Settings): SettingsForm {
  return {
    hotkey: s.hotkey,
    primarySelection: s.primarySelection,
    instruct: s.instruct,
    language: s.language,
    speaker: s.speaker ?? '',
    defaultVoice: s.defaultVoice ?? '',
    rate: String(s.rate),
    volume: String(s.volume),
    speakMode: s.speakMode,
    speechStart: s.speechStart,
    outputDevice: s.outputDevice ?? '',
    modelDir: s.modelDir ?? '',
    modelVariant: s.modelVariant,
    executionProvider: s.executionProvider,
    speechServer: s.speechServer ?? '',
    speechServerFailover: s.speechServerFailover,
    httpDoor: s.httpDoor ?? '',
    wyomingDoor: s.wyomingDoor ?? '',
    startAtLogin: s.startAtLogin,
  };
}

const orNull = (s: string): string | null => (s.trim() === '' ? null : s.trim());

/**
 * The fields that differ from the saved settings, as the patch main validates, plus the errors the
 * window can already see. Enum values are passed through as chosen: main's schema is the judge.
 */
export function patchFromForm(
  form: SettingsForm,
  saved: Settings,
): { patch: SettingsPatch; errors: Partial<Record<FormField, string>> } {
  const wanted: Record<FormField, unknown> = {
    hotkey: form.hotkey.trim(),
    primarySelection: form.primarySelection,
    instruct: form.instruct,
    language: form.language,
    speaker: orNull(form.speaker),
    defaultVoice: orNull(form.defaultVoice),
    rate: form.rate.trim() === '' ? NaN : Number(form.rate),
    volume: form.volume.trim() === '' ? NaN : Number(form.volume),
    speakMode: form.speakMode,
    speechStart: form.speechStart,
    outputDevice: orNull(form.outputDevice),
    modelDir: orNull(form.modelDir),
    modelVariant: form.modelVariant,
    executionProvider: form.executionProvider,
    speechServer: orNull(form.speechServer),
    speechServerFailover: form.speechServerFailover,
    httpDoor: orNull(form.httpDoor),
    wyomingDoor: orNull(form.wyomingDoor),
    startAtLogin: form.startAtLogin,
  };
  const patch: Record<string, unknown> = {};
  for (const field of FORM_FIELDS) if (wanted[field] !== saved[field]) patch[field] = wanted[field];
  const errors: Partial<Record<FormField, string>> = {};
  if (typeof patch.hotkey === 'string' && patch.hotkey !== '' && !isAccelerator(patch.hotkey))
    errors.hotkey = ACCELERATOR_HINT;
  if ('rate' in patch && !(Number(patch.rate) >= 0.5 && Number(patch.rate) <= 2)) errors.rate = 'between 0.5 and 2';
  if ('volume' in patch && !(Number(patch.volume) >= 0 && Number(patch.volume) <= 100))
    errors.volume = 'between 0 and 100';
  if (typeof patch.speechServer === 'string') {
    const problem = speechServerUrlProblem(patch.speechServer);
    if (problem) errors.speechServer = problem;
  }
  for (const door of DOOR_FIELDS) {
    const value = patch[door];
    if (typeof value === 'string' && listenHost(value) === null) errors[door] = LISTEN_ADDRESS_HINT;
  }
  return { patch: patch as SettingsPatch, errors };
}

/** Main's per-field messages split into the ones a control shows and the rest (shown above Save). */
export function placeErrors(fields: Record<string, string>): {
  byField: Partial<Record<FormField, string>>;
  general: string[];
} {
  const byField: Partial<Record<FormField, string>> = {};
  const general: string[] = [];
  for (const [key, message] of Object.entries(fields)) {
    if ((FORM_FIELDS as readonly string[]).includes(key)) byField[key as FormField] = message;
    else general.push(key ? `${key}: ${message}` : message);
  }
  return { byField, general };
}

export const firstInvalid = (errors: Partial<Record<FormField, string>>): FormField | null =>
  FORM_FIELDS.find((f) => errors[f] !== undefined) ?? null;

export const touchesEngine = (patch: SettingsPatch): boolean => ENGINE_FIELDS.some((f) => f in patch);

/** The note next to the model settings: what saving them does, given who owns the engine. */
export function engineNote(patch: SettingsPatch, attached: boolean, saved: boolean): string | null {
  if (!touchesEngine(patch)) return null;
  if (attached) return 'The model is loaded by a separate q3tts serve: these apply when the app runs its own engine.';
  return saved
    ? 'The engine is reloading with the new model settings…'
    : 'Saving reloads the engine (speech pauses for a few seconds).';
}

export function savedLine(patch: SettingsPatch, attached: boolean): string {
  if (Object.keys(patch).length === 0) return 'No changes to save.';
  const note =
    engineNote(patch, attached, true) ??
    (touchesDoors(patch) && !attached ? 'The engine is restarting with the new doors…' : null);
  return note ? `Saved. ${note}` : 'Saved.';
}

export const touchesDoors = (patch: SettingsPatch): boolean => DOOR_FIELDS.some((f) => f in patch);

/** What the doors as typed mean: who can reach them, and what saving them does. */
export function doorNotes(form: SettingsForm, patch: SettingsPatch, attached: boolean): string[] {
  const notes: string[] = [];
  const httpHost = listenHost(form.httpDoor);
  if (form.httpDoor.trim() && httpHost && !isLoopbackHost(httpHost))
    notes.push(
      'Other machines can reach the HTTP door: each request needs the bearer token, which the door creates when it opens (show it with q3tts http token).',
    );
  const wyomingHost = listenHost(form.wyomingDoor);
  if (form.wyomingDoor.trim() && wyomingHost && !isLoopbackHost(wyomingHost))
    notes.push('Wyoming has no authentication: open it beyond this computer only on a network you trust.');
  if (touchesDoors(patch))
    notes.push(
      attached
        ? 'A separate q3tts serve runs the engine: these doors open when the app runs its own.'
        : 'Saving restarts the engine with these doors (speech pauses for a few seconds).',
    );
  return notes;
}

/** Language choices: "auto", the model's languages, and the saved one even if this model lacks it. */
export function languageOptions(voices: Voices | null, current: string): Array<[string, string]> {
  const langs = (voices?.languages ?? []).filter((l) => l.toLowerCase() !== 'auto');
  if (current.toLowerCase() !== 'auto' && !langs.some((l) => l.toLowerCase() === current.toLowerCase()))
    langs.push(current);
  return [['auto', 'Auto-detect'], ...langs.map((l): [string, string] => [l, l.charAt(0).toUpperCase() + l.slice(1)])];
}

/** The saved voices to pick the default from; the chosen one stays listed even if it was removed meanwhile. */
export function defaultVoiceOptions(saved: Settings['voices'], current: string): Array<[string, string]> {
  const list: Array<[string, string]> = [
    ['', 'None — use the description below'],
    ...saved.map((p): [string, string] => [p.name, p.name]),
  ];
  if (current && !saved.some((p) => p.name === current)) list.push([current, `${current} (removed)`]);
  return list;
}

/** Speaker choices, or null when the model has none (the field is hidden). */
export function speakerOptions(voices: Voices | null, current: string): Array<[string, string]> | null {
  const speakers = voices?.speakers ?? [];
  if (speakers.length === 0) return null;
  const list: Array<[string, string]> = [['', 'Model default'], ...speakers.map((s): [string, string] => [s, s])];
  if (current && !speakers.includes(current)) list.push([current, `${current} (not in this model)`]);
  return list;
}

export interface KeyPress {
  key: string;
  code: string;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
}

/** One keydown while "press keys" listens. */
export type CaptureStep =
  | { kind: 'done'; accelerator: string }
  | { kind: 'pending'; label: string } // modifiers only so far
  | { kind: 'cancel' } // Escape, or Tab: leave the field as it was (Tab also moves the focus on)
  | { kind: 'clear' } // Backspace/Delete alone: no shortcut
  | { kind: 'reject'; reason: string };

const MODIFIER_KEYS = new Set(['Control', 'Alt', 'Shift', 'Meta', 'AltGraph', 'OS', 'Super', 'Hyper']);
const NAMED: Record<string, string> = {
  ' ': 'Space',
  ArrowUp: 'Up',
  ArrowDown: 'Down',
  ArrowLeft: 'Left',
  ArrowRight: 'Right',
  Enter: 'Return',
  Backspace: 'Backspace',
  Delete: 'Delete',
  Insert: 'Insert',
  Home: 'Home',
  End: 'End',
  PageUp: 'PageUp',
  PageDown: 'PageDown',
  PrintScreen: 'PrintScreen',
  Tab: 'Tab',
  '+': 'Plus',
};

/** The accelerator's key name: by physical key for letters and digits (layout-proof), else by name. */
function keyName(e: KeyPress): string | null {
  const letter = /^Key([A-Z])$/.exec(e.code);
  if (letter) return letter[1]!;
  const digit = /^(?:Digit|Numpad)(\d)$/.exec(e.code);
  if (digit) return digit[1]!;
  if (/^F(?:[1-9]|1\d|2[0-4])$/.test(e.key)) return e.key;
  if (NAMED[e.key]) return NAMED[e.key]!;
  if (e.key.length === 1 && isAccelerator(e.key)) return e.key;
  return null;
}

export function captureKey(e: KeyPress, mac: boolean): CaptureStep {
  const mods = [
    ...((mac ? e.metaKey : e.ctrlKey) ? ['CommandOrControl'] : []),
    ...(mac && e.ctrlKey ? ['Control'] : []),
    ...(!mac && e.metaKey ? ['Super'] : []),
    ...(e.altKey ? ['Alt'] : []),
    ...(e.shiftKey ? ['Shift'] : []),
  ];
  if (MODIFIER_KEYS.has(e.key))
    return { kind: 'pending', label: mods.length ? `${mods.join('+')}+…` : 'Press a key combination…' };
  if (mods.length === 0) {
    if (e.key === 'Escape' || e.key === 'Tab') return { kind: 'cancel' };
    if (e.key === 'Backspace' || e.key === 'Delete') return { kind: 'clear' };
  }
  const key = keyName(e);
  if (!key) return { kind: 'reject', reason: `“${e.key}” cannot be part of a global shortcut` };
  // A global shortcut without a modifier would swallow that key in every application.
  if (mods.length === 0 && !/^F\d+$/.test(key))
    return { kind: 'reject', reason: 'add Ctrl, Alt, Shift or Super (only F-keys work alone)' };
  const accelerator = [...mods, key].join('+');
  return isAccelerator(accelerator) ? { kind: 'done', accelerator } : { kind: 'reject', reason: ACCELERATOR_HINT };
}
