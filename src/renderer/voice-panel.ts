// The speak view's saved voices and sliders: pick a saved voice (it fills the description, language and
// speaker), save the current voice under a name, remove one; and the rate and volume the window speaks with
// (starting from the Settings' defaults). Saving and removing go through main to the daemon (decision 0026).
// Saved voices are grouped by kind (designed, cloned, locked); Lock turns a designed one into a locked one.
import type { Q3ttsBridge } from '../shared/bridge.js';
import type { Settings } from '../shared/settings.js';
import { presetNameProblem, type VoicePreset } from '../shared/voice-presets.js';
import { VOICE_KIND_LABEL, cloneOf, voiceKind, type VoiceKind } from '../shared/voice-kind.js';
import { errorMessage } from '../shared/errors.js';
import { $ } from './dom.js';

export interface VoicePanel {
  /** What the speak request carries besides the text and the fields: the saved voice in use, rate, volume. */
  params(): { voice: string | null; rate: number; volume: number };
  /** The description, language or speaker may have changed: show which saved voice they are, if any. */
  sync(): void;
  /** The saved voices changed elsewhere (a clone was saved): show them, and with `use`, pick that one. */
  showVoices(voices: VoicePreset[], use?: string): void;
}

export interface VoiceFields {
  instruct: HTMLTextAreaElement;
  language: HTMLSelectElement;
  speaker: HTMLSelectElement;
  speakerField: HTMLElement;
}

/**
 * The saved voice whose description, language and speaker the form holds now (names are unique). A cloned
 * voice is not a description: it is only ever picked by name.
 */
export function matchingPreset(
  presets: readonly VoicePreset[],
  form: { instruct: string; language: string; speaker: string | null },
): VoicePreset | undefined {
  return presets.find(
    (p) =>
      voiceKind(p) !== 'cloned' &&
      p.instruct.trim() === form.instruct.trim() &&
      p.language.toLowerCase() === form.language.toLowerCase() &&
      (form.speaker === null || p.speaker === form.speaker),
  );
}

/** The line under the saved voices for the one picked: its kind, and what Lock would do. */
export function kindLine(preset: VoicePreset): string {
  const clone = cloneOf(preset);
  const clip = clone?.seconds ? ` from a ${clone.seconds.toFixed(1)} s clip` : '';
  const mode = clone?.mode === 'in_context' ? ' with its words in context' : clone ? ' (timbre only)' : '';
  switch (voiceKind(preset)) {
    case 'designed':
      return 'Designed voice: a long text may drift between sentences. Lock keeps it one speaker (needs the Base model).';
    case 'cloned':
      return `Cloned voice${clip}${mode}.`;
    case 'locked':
      return `Locked voice: its design read a ${clone?.seconds ? `${clone.seconds.toFixed(1)} s ` : ''}sentence, kept as its reference so long texts stay one speaker.`;
  }
}

const KIND_ORDER: VoiceKind[] = ['designed', 'cloned', 'locked'];

export const rateLabel = (rate: number) => `${rate.toFixed(2)}×`;
export const volumeLabel = (volume: number) => `${Math.round(volume)} %`;

export function mountVoicePanel(deps: { bridge: Q3ttsBridge; fields: VoiceFields; onChange(): void }): VoicePanel {
  const { bridge, fields } = deps;
  const select = $<HTMLSelectElement>('preset');
  const removeButton = $<HTMLButtonElement>('remove-preset');
  const lockButton = $<HTMLButtonElement>('lock-preset');
  const kind = $<HTMLParagraphElement>('preset-kind');
  const nameInput = $<HTMLInputElement>('preset-name');
  const saveButton = $<HTMLButtonElement>('save-preset');
  const note = $<HTMLParagraphElement>('preset-note');
  const rate = $<HTMLInputElement>('rate');
  const volume = $<HTMLInputElement>('volume');
  const rateValue = $<HTMLOutputElement>('rate-value');
  const volumeValue = $<HTMLOutputElement>('volume-value');

  let presets: VoicePreset[] = [];
  /** A cloned voice picked from the list: in use until a description is typed. */
  let cloned: VoicePreset | null = null;
  let locking: string | null = null;
  let defaults = { rate: 1, volume: 100 };

  const form = () => ({
    instruct: fields.instruct.value,
    language: fields.language.value || 'auto',
    speaker: fields.speakerField.hidden ? null : fields.speaker.value || null,
  });
  const say = (text: string, failed = false) => {
    note.textContent = text;
    note.classList.toggle('error-text', failed);
  };

  /** The saved voice in use: a picked cloned one, else the one the fields describe. */
  const current = () => cloned ?? matchingPreset(presets, form());

  function sync(): void {
    const match = current();
    select.value = match?.name ?? '';
    removeButton.disabled = !match || locking !== null;
    lockButton.disabled = match === undefined || voiceKind(match) !== 'designed' || locking !== null;
    lockButton.textContent = locking ? 'Locking…' : 'Lock';
    kind.hidden = !match;
    kind.textContent = match ? kindLine(match) : '';
    saveButton.disabled = nameInput.value.trim() === '';
  }

  function showPresets(next: VoicePreset[]): void {
    presets = next;
    if (cloned) cloned = presets.find((p) => p.name === cloned!.name && voiceKind(p) === 'cloned') ?? null;
    const option = (p: VoicePreset) => new Option(p.seed === null ? p.name : `${p.name} (seed ${p.seed})`, p.name);
    const groups = KIND_ORDER.map((k) => {
      const group = document.createElement('optgroup');
      group.label = VOICE_KIND_LABEL[k];
      group.append(...presets.filter((p) => voiceKind(p) === k).map(option));
      return group;
    }).filter((g) => g.children.length > 0);
    select.replaceChildren(new Option('(this voice, not saved)', ''), ...groups);
    sync();
  }

  function use(preset: VoicePreset): void {
    cloned = voiceKind(preset) === 'cloned' ? preset : null;
    fields.instruct.value = preset.instruct;
    if (![...fields.language.options].some((o) => o.value.toLowerCase() === preset.language.toLowerCase()))
      fields.language.append(new Option(preset.language, preset.language));
    fields.language.value = [...fields.language.options].find(
      (o) => o.value.toLowerCase() === preset.language.toLowerCase(),
    )!.value;
    if (preset.speaker && [...fields.speaker.options].some((o) => o.value === preset.speaker))
      fields.speaker.value = preset.speaker;
    deps.onChange();
    sync();
  }

  function showSliders(): void {
    rateValue.textContent = rateLabel(Number(rate.value));
    volumeValue.textContent = volumeLabel(Number(volume.value));
  }

  /** New Settings: the list, and the sliders' defaults (a slider the user moved keeps its place). */
  function setSettings(s: Settings): void {
    showPresets(s.voices);
    if (Number(rate.value) === defaults.rate) rate.value = String(s.rate);
    if (Number(volume.value) === defaults.volume) volume.value = String(s.volume);
    defaults = { rate: s.rate, volume: s.volume };
    showSliders();
  }

  select.addEventListener('change', () => {
    const preset = presets.find((p) => p.name === select.value);
    if (preset) use(preset);
    else cloned = null;
    say('');
    sync();
  });
  nameInput.addEventListener('input', () => {
    saveButton.disabled = nameInput.value.trim() === '';
    say('');
  });
  nameInput.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault(); // Enter here saves the voice, not the form
    saveButton.click();
  });
  saveButton.addEventListener('click', () => {
    const name = nameInput.value.trim();
    const problem = presetNameProblem(name);
    if (problem) return say(problem, true);
    saveButton.disabled = true;
    const { instruct, language, speaker } = form();
    bridge
      .saveVoice({ name, instruct, language, speaker })
      .then((result) => {
        if (!result.ok) return say(result.message, true);
        showPresets(result.voices);
        nameInput.value = '';
        say(
          `${result.replaced ? 'Replaced' : 'Saved'} “${result.voice.name}”: pick it here, in the tray or with q3tts -v.`,
        );
      })
      .catch((err: unknown) => say(`Could not save the voice: ${errorMessage(err)}`, true))
      .finally(sync);
  });
  removeButton.addEventListener('click', () => {
    const name = select.value;
    if (!name) return;
    bridge
      .removeVoice({ name })
      .then((result) => {
        if (!result.ok) return say(result.message, true);
        showPresets(result.voices);
        say(`Removed “${name}”.`);
      })
      .catch((err: unknown) => say(`Could not remove the voice: ${errorMessage(err)}`, true));
  });
  lockButton.addEventListener('click', () => {
    const preset = current();
    if (!preset || voiceKind(preset) !== 'designed' || locking) return;
    locking = preset.name;
    say(`Locking “${preset.name}”: it reads a sentence, then the Base model keeps it as the reference…`);
    select.setAttribute('aria-busy', 'true');
    sync();
    bridge
      .lockVoice({ name: preset.name })
      .then((result) => {
        if (!result.ok) return say(`Could not lock “${preset.name}”: ${result.message}`, true);
        showPresets(result.voices);
        say(`Locked “${result.voice.name}”: long texts now keep one speaker.`);
      })
      .catch((err: unknown) => say(`Could not lock the voice: ${errorMessage(err)}`, true))
      .finally(() => {
        locking = null;
        select.removeAttribute('aria-busy');
        sync();
      });
  });
  rate.addEventListener('input', showSliders);
  volume.addEventListener('input', showSliders);
  // Describing a voice leaves a picked cloned one; another language keeps it (a clone speaks any language).
  const described = () => {
    cloned = null;
    sync();
  };
  fields.instruct.addEventListener('input', described);
  for (const el of [fields.language, fields.speaker]) {
    el.addEventListener('input', sync);
    el.addEventListener('change', sync);
  }

  bridge.onSettings(setSettings);
  void bridge.getSettings().then((snapshot) => setSettings(snapshot.settings));
  showSliders();

  return {
    showVoices(next, name) {
      showPresets(next);
      const preset = name === undefined ? undefined : presets.find((p) => p.name === name);
      if (preset) use(preset);
    },
    params: () => ({
      voice: current()?.name ?? null,
      rate: Number(rate.value),
      volume: Number(volume.value),
    }),
    sync,
  };
}
