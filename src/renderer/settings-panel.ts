// The Settings view's controls: fills them from main's settings, saves what changed through the bridge,
// and shows each error next to its field. The decisions are in settings-view.ts.
import type { Q3ttsBridge, Voices } from '../shared/bridge.js';
import type { Settings } from '../shared/settings.js';
import {
  captureKey,
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
import { EXECUTION_PROVIDERS, EXECUTION_PROVIDER_LABELS, PRECISIONS, PRECISION_LABELS } from '../shared/engine-options.js';

export interface SettingsPanel {
  setVoices(voices: Voices): void;
  /** Saves (Ctrl+Enter in the view); resolves when main has answered. */
  save(): Promise<void>;
}

export function mountSettings(deps: { bridge: Q3ttsBridge; mac: boolean; attached: () => boolean }): SettingsPanel {
  const { bridge } = deps;
  const $ = <T extends HTMLElement>(id: string): T => {
    const el = document.getElementById(id);
    if (!el) throw new Error(`#${id} is missing from index.html`);
    return el as T;
  };
  const form = $<HTMLFormElement>('settings-form');
  const text = (id: string) => $<HTMLInputElement>(id);
  const hotkey = text('set-hotkey');
  const record = $<HTMLButtonElement>('set-hotkey-record');
  const primary = text('set-primarySelection');
  const instruct = $<HTMLTextAreaElement>('set-instruct');
  const language = $<HTMLSelectElement>('set-language');
  const speaker = $<HTMLSelectElement>('set-speaker');
  const speakerField = $<HTMLDivElement>('set-speaker-field');
  const modes = [text('set-speakMode-interrupt'), text('set-speakMode-queue')];
  const outputDevice = text('set-outputDevice');
  const modelDir = text('set-modelDir');
  const modelVariant = $<HTMLSelectElement>('set-modelVariant');
  const provider = $<HTMLSelectElement>('set-executionProvider');
  // Offered from the shared lists, so the window has exactly the choices the engine accepts.
  modelVariant.replaceChildren(...PRECISIONS.map((p) => new Option(PRECISION_LABELS[p], p)));
  provider.replaceChildren(...EXECUTION_PROVIDERS.map((p) => new Option(EXECUTION_PROVIDER_LABELS[p], p)));
  const startAtLogin = text('set-startAtLogin');
  const saveButton = $<HTMLButtonElement>('settings-save');
  const cancelButton = $<HTMLButtonElement>('settings-cancel');
  const result = $<HTMLSpanElement>('settings-result');
  const generalError = $<HTMLParagraphElement>('settings-error');
  const engineLine = $<HTMLParagraphElement>('engine-note');

  let saved: Settings | null = null;
  let voices: Voices | null = null;
  let capturing = false;
  let saving = false;

  /** The control that takes the focus (and aria-invalid) for a field. */
  const controlsOf = (field: FormField): HTMLElement[] => (field === 'speakMode' ? modes : [$(`set-${field}`)]);

  const read = (): SettingsForm => ({
    hotkey: hotkey.value,
    primarySelection: primary.checked,
    instruct: instruct.value,
    language: language.value,
    speaker: speakerField.hidden ? (saved?.speaker ?? '') : speaker.value,
    speakMode: modes.find((m) => m.checked)?.value ?? '',
    outputDevice: outputDevice.value,
    modelDir: modelDir.value,
    modelVariant: modelVariant.value,
    executionProvider: provider.value,
    startAtLogin: startAtLogin.checked,
  });

  const fillSelect = (select: HTMLSelectElement, options: Array<[string, string]>, value: string) => {
    select.replaceChildren(...options.map(([v, label]) => new Option(label, v)));
    select.value = options.find(([v]) => v.toLowerCase() === value.toLowerCase())?.[0] ?? options[0]?.[0] ?? '';
  };

  const fillChoices = (f: SettingsForm) => {
    fillSelect(language, languageOptions(voices, f.language), f.language);
    const speakers = speakerOptions(voices, f.speaker);
    speakerField.hidden = speakers === null;
    if (speakers) fillSelect(speaker, speakers, f.speaker);
  };

  const fill = (f: SettingsForm) => {
    hotkey.value = f.hotkey;
    primary.checked = f.primarySelection;
    instruct.value = f.instruct;
    for (const m of modes) m.checked = m.value === f.speakMode;
    outputDevice.value = f.outputDevice;
    modelDir.value = f.modelDir;
    modelVariant.value = f.modelVariant;
    provider.value = f.executionProvider;
    startAtLogin.checked = f.startAtLogin;
    fillChoices(f);
  };

  const setError = (field: FormField, message: string | null) => {
    const el = $(`err-${field}`);
    el.hidden = message === null;
    el.textContent = message ?? '';
    for (const c of controlsOf(field)) {
      if (message === null) c.removeAttribute('aria-invalid');
      else c.setAttribute('aria-invalid', 'true');
    }
  };
  const showErrors = (byField: Partial<Record<FormField, string>>, general: string[]) => {
    for (const f of FORM_FIELDS) setError(f, byField[f] ?? null);
    generalError.hidden = general.length === 0;
    generalError.textContent = general.join(' ');
    const first = firstInvalid(byField);
    if (first) (controlsOf(first).find((c) => (c as HTMLInputElement).checked) ?? controlsOf(first)[0])?.focus();
  };

  /** Enables Save/Cancel when something changed and says what saving will do to the engine. */
  const refresh = () => {
    const patch = saved ? patchFromForm(read(), saved).patch : {};
    const dirty = Object.keys(patch).length > 0;
    saveButton.disabled = !dirty || saving;
    cancelButton.disabled = !dirty || saving;
    const note = engineNote(patch, deps.attached(), false);
    engineLine.hidden = note === null;
    engineLine.textContent = note ?? '';
    form.setAttribute('aria-busy', String(saving));
  };

  const stopCapture = () => {
    capturing = false;
    record.setAttribute('aria-pressed', 'false');
    record.textContent = 'Press keys…';
  };

  async function save(): Promise<void> {
    if (!saved || saving) return;
    const { patch, errors } = patchFromForm(read(), saved);
    showErrors(errors, []);
    if (firstInvalid(errors)) {
      result.textContent = 'Not saved: fix the marked field.';
      return;
    }
    if (Object.keys(patch).length === 0) {
      result.textContent = savedLine(patch, deps.attached());
      return;
    }
    saving = true;
    refresh();
    try {
      const answer = await bridge.setSettings(patch);
      if (answer.ok) {
        saved = answer.settings;
        fill(formFromSettings(saved));
        result.textContent = savedLine(patch, deps.attached());
      } else {
        const placed = placeErrors(answer.fields);
        showErrors(placed.byField, placed.general.length || firstInvalid(placed.byField) ? placed.general : [answer.message]);
        result.textContent = 'Not saved.';
      }
    } catch (err) {
      showErrors({}, [`Something went wrong: ${errorMessage(err)}`]);
      result.textContent = 'Not saved.';
    } finally {
      saving = false;
      refresh();
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void save();
  });
  const edited = (event: Event) => {
    const name = (event.target as HTMLInputElement).name;
    if ((FORM_FIELDS as readonly string[]).includes(name)) setError(name as FormField, null);
    result.textContent = '';
    refresh();
  };
  form.addEventListener('input', edited);
  form.addEventListener('change', edited);
  cancelButton.addEventListener('click', () => {
    if (!saved) return;
    fill(formFromSettings(saved));
    showErrors({}, []);
    result.textContent = 'Changes discarded.';
    refresh();
  });

  // "Press keys…": the next key combination becomes the shortcut. Escape or Tab leaves it as it was.
  record.addEventListener('click', () => {
    if (capturing) return stopCapture();
    capturing = true;
    record.setAttribute('aria-pressed', 'true');
    record.textContent = 'Press a key combination…';
  });
  record.addEventListener('blur', stopCapture);
  record.addEventListener('keydown', (event) => {
    if (!capturing) return;
    event.stopPropagation(); // not Ctrl+Enter (speak/save) or Escape (stop) while recording
    const step = captureKey(event, deps.mac);
    if (step.kind === 'cancel') {
      if (event.key !== 'Tab') event.preventDefault();
      return stopCapture();
    }
    event.preventDefault();
    if (step.kind === 'pending') record.textContent = step.label;
    else if (step.kind === 'reject') setError('hotkey', step.reason);
    else {
      hotkey.value = step.kind === 'clear' ? '' : step.accelerator;
      setError('hotkey', null);
      stopCapture();
      result.textContent = '';
      refresh();
    }
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
      const current = read();
      fillChoices(current);
      refresh();
    },
    save,
  };
}
