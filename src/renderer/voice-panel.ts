// The speak view's saved voices and sliders: pick a saved voice (it fills the description, language and
// speaker), save the current voice under a name, remove one; and the rate and volume the window speaks with
// (starting from the Settings' defaults). Saving and removing go through main to the daemon (decision 0026).
import type { Q3ttsBridge } from '../shared/bridge.js';
import type { Settings } from '../shared/settings.js';
import { presetNameProblem, type VoicePreset } from '../shared/voice-presets.js';
import { errorMessage } from '../shared/errors.js';
import { $ } from './dom.js';

export interface VoicePanel {
  /** What the speak request carries besides the text and the fields: the saved voice in use, rate, volume. */
  params(): { voice: string | null; rate: number; volume: number };
  /** The description, language or speaker may have changed: show which saved voice they are, if any. */
  sync(): void;
}

export interface VoiceFields {
  instruct: HTMLTextAreaElement;
  language: HTMLSelectElement;
  speaker: HTMLSelectElement;
  speakerField: HTMLElement;
}

/** The saved voice whose description, language and speaker the form holds now (names are unique). */
export function matchingPreset(
  presets: readonly VoicePreset[],
  form: { instruct: string; language: string; speaker: string | null },
): VoicePreset | undefined {
  return presets.find(
    (p) =>
      p.instruct.trim() === form.instruct.trim() &&
      p.language.toLowerCase() === form.language.toLowerCase() &&
      (form.speaker === null || p.speaker === form.speaker),
  );
}

export const rateLabel = (rate: number) => `${rate.toFixed(2)}×`;
export const volumeLabel = (volume: number) => `${Math.round(volume)} %`;

export function mountVoicePanel(deps: { bridge: Q3ttsBridge; fields: VoiceFields; onChange(): void }): VoicePanel {
  const { bridge, fields } = deps;
  const select = $<HTMLSelectElement>('preset');
  const removeButton = $<HTMLButtonElement>('remove-preset');
  const nameInput = $<HTMLInputElement>('preset-name');
  const saveButton = $<HTMLButtonElement>('save-preset');
  const note = $<HTMLParagraphElement>('preset-note');
  const rate = $<HTMLInputElement>('rate');
  const volume = $<HTMLInputElement>('volume');
  const rateValue = $<HTMLOutputElement>('rate-value');
  const volumeValue = $<HTMLOutputElement>('volume-value');

  let presets: VoicePreset[] = [];
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

  function sync(): void {
    const match = matchingPreset(presets, form());
    select.value = match?.name ?? '';
    removeButton.disabled = !match;
    saveButton.disabled = nameInput.value.trim() === '';
  }

  function showPresets(next: VoicePreset[]): void {
    presets = next;
    select.replaceChildren(
      new Option('(this voice, not saved)', ''),
      ...presets.map((p) => new Option(p.seed === null ? p.name : `${p.name} (seed ${p.seed})`, p.name)),
    );
    sync();
  }

  function use(preset: VoicePreset): void {
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
    say('');
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
  rate.addEventListener('input', showSliders);
  volume.addEventListener('input', showSliders);
  for (const el of [fields.instruct, fields.language, fields.speaker]) {
    el.addEventListener('input', sync);
    el.addEventListener('change', sync);
  }

  bridge.onSettings(setSettings);
  void bridge.getSettings().then((snapshot) => setSettings(snapshot.settings));
  showSliders();

  return {
    params: () => ({
      voice: matchingPreset(presets, form())?.name ?? null,
      rate: Number(rate.value),
      volume: Number(volume.value),
    }),
    sync,
  };
}
