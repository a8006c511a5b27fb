// The settings' allowed values and the checks the window needs, without zod: the renderer bundles
// this file, and the schema (settings.ts) builds on it, so both sides agree on what is valid.

export { LISTEN_ADDRESS_HINT, isLoopbackHost, listenHost } from './listen-address.js';

export const SPEAK_MODES = ['interrupt', 'queue'] as const;
/** smooth: no pauses inside a sentence (speech may start later on a slow machine); asap: start at the first audio. */
export const SPEECH_STARTS = ['smooth', 'asap'] as const;

/** Fields whose change needs a new engine (the composition root restarts it). */
export const ENGINE_FIELDS = [
  'modelDir',
  'modelVariant',
  'executionProvider',
  'speechServer',
  'speechServerFailover',
] as const;

/** Fields whose change needs the front doors reopened (the composition root restarts the hosted daemon). */
export const DOOR_FIELDS = ['httpDoor', 'wyomingDoor'] as const;

export function doorSettingsChanged<T extends Record<(typeof DOOR_FIELDS)[number], unknown>>(a: T, b: T): boolean {
  return DOOR_FIELDS.some((f) => a[f] !== b[f]);
}

export function engineSettingsChanged<T extends Record<(typeof ENGINE_FIELDS)[number], unknown>>(a: T, b: T): boolean {
  return ENGINE_FIELDS.some((f) => a[f] !== b[f]);
}

/** Electron accelerator, e.g. "CommandOrControl+Alt+S": zero or more modifiers, then exactly one key. */
export const ACCELERATOR_MODIFIERS = [
  'Command',
  'Cmd',
  'Control',
  'Ctrl',
  'CommandOrControl',
  'CmdOrCtrl',
  'Alt',
  'Option',
  'AltGr',
  'Shift',
  'Super',
  'Meta',
];
const KEY =
  /^(?:[A-Z0-9]|F(?:[1-9]|1\d|2[0-4])|Space|Tab|Backspace|Delete|Insert|Return|Enter|Up|Down|Left|Right|Home|End|PageUp|PageDown|Escape|Esc|PrintScreen|Plus|[`\-=[\];',./\\])$/;

export function isAccelerator(value: string): boolean {
  const parts = value.split('+');
  const key = parts.pop();
  if (key === undefined || !KEY.test(key.length === 1 ? key.toUpperCase() : key)) return false;
  const lower = ACCELERATOR_MODIFIERS.map((m) => m.toLowerCase());
  const seen = new Set<string>();
  for (const mod of parts) {
    const m = mod.toLowerCase();
    if (!lower.includes(m) || seen.has(m)) return false;
    seen.add(m);
  }
  return true;
}

export const ACCELERATOR_HINT = 'not a valid shortcut (e.g. CommandOrControl+Alt+S)';
