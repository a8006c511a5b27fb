// The Settings view's controls: fills them from main's settings, saves what changed through the bridge,
// and shows each error next to its field. The decisions are in settings-view.ts. In phases: the controls
// (lookup, read, fill), the errors beside them, the "Press keys…" recorder, and mountSettings, which
// holds the state and wires them to the bridge.
import type { Q3ttsBridge, Voices } from '../shared/bridge.js';
import type { Settings } from '../shared/settings.js';
import {
  defaultVoiceOptions,
  captureKey,
  doorNotes,
  engineNote,
  firstInvalid,
  formFromSettings,
  languageOptions,
  patchFromForm,
  placeErrors,
  savedLine,
  speakerOptions,
  FORM_FIELDS,
  type FormField,
  type SettingsForm,
} from './settings-view.js';
import { errorMessage } from '../shared/errors.js';
import { $ } from './dom.js';
import { mountSpeechServer } from './speech-server-panel.js';
import {
  EXECUTION_PROVIDERS,
  EXECUTION_PROVIDER_LABELS,
  PRECISIONS,
  PRECISION_LABELS,
} from '../shared/engine-options.js';

export interface SettingsPanel {
  setVoices(voices: Voices): void;
  /** Saves (Ctrl+Enter in the view); resolves when main has answered. */
  save(): Promise<void>;
}

type Controls = ReturnType<typeof findControls>;

function findControls() {
  const input = (id: string) => $<HTMLInputElement>(id);
  return {
    form: $<HTMLFormElement>('settings-form'),
    hotkey: input('set-hotkey'),
    record: $<HTMLButtonElement>('set-hotkey-record'),
    primary: input('set-primarySelection'),
    instruct: $<HTMLTextAreaElement>('set-instruct'),
    language: $<HTMLSelectElement>('set-language'),
    speaker: $<HTMLSelectElement>('set-speaker'),
    speakerField: $<HTMLDivElement>('set-speaker-field'),
    defaultVoice: $<HTMLSelectElement>('set-defaultVoice'),
    rate: input('set-rate'),
    volume: input('set-volume'),
    modes: [input('set-speakMode-interrupt'), input('set-speakMode-queue')],
    starts: [input('set-speechStart-smooth'), input('set-speechStart-asap')],
    outputDevice: input('set-outputDevice'),
    modelDir: input('set-modelDir'),
    modelVariant: $<HTMLSelectElement>('set-modelVariant'),
    provider: $<HTMLSelectElement>('set-executionProvider'),
    speechServer: input('set-speechServer'),
    speechServerFailover: input('set-speechServerFailover'),
    httpDoor: input('set-httpDoor'),
    wyomingDoor: input('set-wyomingDoor'),
    doorLine: $<HTMLParagraphElement>('door-note'),
    startAtLogin: input('set-startAtLogin'),
    saveButton: $<HTMLButtonElement>('settings-save'),
    cancelButton: $<HTMLButtonElement>('settings-cancel'),
    result: $<HTMLSpanElement>('settings-result'),
    generalError: $<HTMLParagraphElement>('settings-error'),
    engineLine: $<HTMLParagraphElement>('engine-note'),
  };
}

/** What the controls hold; a hidden speaker choice keeps the saved one. */
function readForm(c: Controls, saved: Settings | null): SettingsForm {
  return {
    hotkey: c.hotkey.value,
    primarySelection: c.primary.checked,
    instruct: c.instruct.value,
    language: c.language.value,
    speaker: c.speakerField.hidden ? (saved?.speaker ?? '') : c.speaker.value,
    defaultVoice: c.defaultVoice.value,
    rate: c.rate.value,
    volume: c.volume.value,
    speakMode: c.modes.find((m) => m.checked)?.value ?? '',
    speechStart: c.starts.find((m) => m.checked)?.value ?? '',
    outputDevice: c.outputDevice.value,
    modelDir: c.modelDir.value,
    modelVariant: c.modelVariant.value,
    executionProvider: c.provider.value,
    speechServer: c.speechServer.value,
    speechServerFailover: c.speechServerFailover.checked,
    httpDoor: c.httpDoor.value,
    wyomingDoor: c.wyomingDoor.value,
    startAtLogin: c.startAtLogin.checked,
  };
}

function fillSelect(select: HTMLSelectElement, options: Array<[string, string]>, value: string): void {
  select.replaceChildren(...options.map(([v, label]) => new Option(label, v)));
  select.value = options.find(([v]) => v.toLowerCase() === value.toLowerCase())?.[0] ?? options[0]?.[0] ?? '';
}

/** The language and speaker choices: the model's (voices), keeping the form's current ones. */
function fillChoices(c: Controls, f: SettingsForm, voices: Voices | null, presets: Settings['voices']): void {
  fillSelect(c.defaultVoice, defaultVoiceOptions(presets, f.defaultVoice), f.defaultVoice);
  fillSelect(c.language, languageOptions(voices, f.language), f.language);
  const speakers = speakerOptions(voices, f.speaker);
  c.speakerField.hidden = speakers === null;
  if (speakers) fillSelect(c.speaker, speakers, f.speaker);
}

function fillForm(c: Controls, f: SettingsForm, voices: Voices | null, presets: Settings['voices']): void {
  c.hotkey.value = f.hotkey;
  c.primary.checked = f.primarySelection;
  c.instruct.value = f.instruct;
  c.rate.value = f.rate;
  c.volume.value = f.volume;
  for (const m of c.modes) m.checked = m.value === f.speakMode;
  for (const m of c.starts) m.checked = m.value === f.speechStart;
  c.outputDevice.value = f.outputDevice;
  c.modelDir.value = f.modelDir;
  c.modelVariant.value = f.modelVariant;
  c.provider.value = f.executionProvider;
  c.speechServer.value = f.speechServer;
  c.speechServerFailover.checked = f.speechServerFailover;
  c.httpDoor.value = f.httpDoor;
  c.wyomingDoor.value = f.wyomingDoor;
  c.startAtLogin.checked = f.startAtLogin;
  fillChoices(c, f, voices, presets);
}

/** Each field's message beside it (and aria-invalid on its controls); the rest above the buttons. */
function fieldErrors(c: Controls) {
  /** The controls that take the focus (and aria-invalid) for a field. */
  const controlsOf = (field: FormField): HTMLElement[] =>
    field === 'speakMode' ? c.modes : field === 'speechStart' ? c.starts : [$(`set-${field}`)];
  const set = (field: FormField, message: string | null) => {
    const el = $(`err-${field}`);
    el.hidden = message === null;
    el.textContent = message ?? '';
    for (const control of controlsOf(field)) {
      if (message === null) control.removeAttribute('aria-invalid');
      else control.setAttribute('aria-invalid', 'true');
    }
  };
  const show = (byField: Partial<Record<FormField, string>>, general: string[]) => {
    for (const f of FORM_FIELDS) set(f, byField[f] ?? null);
    c.generalError.hidden = general.length === 0;
    c.generalError.textContent = general.join(' ');
    const first = firstInvalid(byField);
    if (first)
      (controlsOf(first).find((control) => (control as HTMLInputElement).checked) ?? controlsOf(first)[0])?.focus();
  };
  return { set, show };
}

/**
 * "Press keys…": the next key combination becomes the shortcut (recorded() is told). Escape or Tab
 * leaves it as it was.
 */
function recordHotkey(c: Controls, mac: boolean, errors: ReturnType<typeof fieldErrors>, recorded: () => void): void {
  let capturing = false;
  const stop = () => {
    capturing = false;
    c.record.setAttribute('aria-pressed', 'false');
    c.record.textContent = 'Press keys…';
  };
  c.record.addEventListener('click', () => {
    if (capturing) return stop();
    capturing = true;
    c.record.setAttribute('aria-pressed', 'true');
    c.record.textContent = 'Press a key combination…';
  });
  c.record.addEventListener('blur', stop);
  c.record.addEventListener('keydown', (event) => {
    if (!capturing) return;
    event.stopPropagation(); // not Ctrl+Enter (speak/save) or Escape (stop) while recording
    const step = captureKey(event, mac);
    if (step.kind === 'cancel') {
      if (event.key !== 'Tab') event.preventDefault();
      return stop();
    }
    event.preventDefault();
    if (step.kind === 'pending') c.record.textContent = step.label;
    else if (step.kind === 'reject') errors.set('hotkey', step.reason);
    else {
      c.hotkey.value = step.kind === 'clear' ? '' : step.accelerator;
      errors.set('hotkey', null);
      stop();
      recorded();
    }
  });
}

export function mountSettings(deps: { bridge: Q3ttsBridge; mac: boolean; attached: () => boolean }): SettingsPanel {
  const { bridge } = deps;
  const c = findControls();
  // Offered from the shared lists, so the window has exactly the choices the engine accepts.
  c.modelVariant.replaceChildren(...PRECISIONS.map((p) => new Option(PRECISION_LABELS[p], p)));
  c.provider.replaceChildren(...EXECUTION_PROVIDERS.map((p) => new Option(EXECUTION_PROVIDER_LABELS[p], p)));
  const errors = fieldErrors(c);
  const speechServer = mountSpeechServer(bridge);

  let saved: Settings | null = null;
  let voices: Voices | null = null;
  let saving = false;

  const read = () => readForm(c, saved);
  const fill = (f: SettingsForm) => fillForm(c, f, voices, saved?.voices ?? []);

  /** Enables Save/Cancel when something changed and says what saving will do to the engine. */
  const refresh = () => {
    const patch = saved ? patchFromForm(read(), saved).patch : {};
    const dirty = Object.keys(patch).length > 0;
    c.saveButton.disabled = !dirty || saving;
    c.cancelButton.disabled = !dirty || saving;
    const note = engineNote(patch, deps.attached(), false);
    c.engineLine.hidden = note === null;
    c.engineLine.textContent = note ?? '';
    const doors = saved ? doorNotes(read(), patch, deps.attached()) : [];
    c.doorLine.hidden = doors.length === 0;
    c.doorLine.textContent = doors.join(' ');
    speechServer.render();
    c.form.setAttribute('aria-busy', String(saving));
  };

  async function save(): Promise<void> {
    if (!saved || saving) return;
    const { patch, errors: found } = patchFromForm(read(), saved);
    errors.show(found, []);
    if (firstInvalid(found)) {
      c.result.textContent = 'Not saved: fix the marked field.';
      return;
    }
    if (Object.keys(patch).length === 0) {
      c.result.textContent = savedLine(patch, deps.attached());
      return;
    }
    saving = true;
    refresh();
    try {
      await speechServer.storeTyped();
      const answer = await bridge.setSettings(patch);
      if (answer.ok) {
        saved = answer.settings;
        fill(formFromSettings(saved));
        c.result.textContent = savedLine(patch, deps.attached());
      } else {
        const placed = placeErrors(answer.fields);
        errors.show(
          placed.byField,
          placed.general.length || firstInvalid(placed.byField) ? placed.general : [answer.message],
        );
        c.result.textContent = 'Not saved.';
      }
    } catch (err) {
      errors.show({}, [`Something went wrong: ${errorMessage(err)}`]);
      c.result.textContent = 'Not saved.';
    } finally {
      saving = false;
      refresh();
    }
  }

  c.form.addEventListener('submit', (event) => {
    event.preventDefault();
    void save();
  });
  const edited = (event: Event) => {
    const name = (event.target as HTMLInputElement).name;
    if ((FORM_FIELDS as readonly string[]).includes(name)) errors.set(name as FormField, null);
    c.result.textContent = '';
    refresh();
  };
  c.form.addEventListener('input', edited);
  c.form.addEventListener('change', edited);
  c.cancelButton.addEventListener('click', () => {
    if (!saved) return;
    fill(formFromSettings(saved));
    errors.show({}, []);
    c.result.textContent = 'Changes discarded.';
    refresh();
  });
  recordHotkey(c, deps.mac, errors, () => {
    c.result.textContent = '';
    refresh();
  });

  bridge.onSettings((next) => {
    const dirty = saved !== null && Object.keys(patchFromForm(read(), saved).patch).length > 0;
    saved = next;
    if (!dirty) fill(formFromSettings(next)); // never throw away what the user is typing
    refresh();
  });

  void bridge.getSettings().then((snapshot) => {
    saved = snapshot.settings;
    $('settings-file').textContent = snapshot.file;
    $('primary-row').hidden = snapshot.platform !== 'linux';
    fill(formFromSettings(saved));
    refresh();
  });

  return {
    setVoices(next) {
      voices = next;
      fillChoices(c, read(), voices, saved?.voices ?? []);
      refresh();
    },
    save,
  };
}
