// The speak window. Everything it does goes through window.q3tts (the preload bridge); it has no Node.
import type { AppStatus, BridgeError, SpeakParams, Voices } from '../shared/bridge.js';
import { EXAMPLE_VOICES, STATE_LABEL, controlsFor, formatStats, statusLine } from './view.js';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
};

const form = $<HTMLFormElement>('form');
const text = $<HTMLTextAreaElement>('text');
const instruct = $<HTMLTextAreaElement>('instruct');
const language = $<HTMLSelectElement>('language');
const speaker = $<HTMLSelectElement>('speaker');
const speakerField = $<HTMLDivElement>('speaker-field');
const speakButton = $<HTMLButtonElement>('speak');
const stopButton = $<HTMLButtonElement>('stop');
const saveButton = $<HTMLButtonElement>('save');
const statePill = $<HTMLParagraphElement>('state');
const statusEl = $<HTMLParagraphElement>('status');
const errorEl = $<HTMLParagraphElement>('error');
const examples = $<HTMLSpanElement>('examples');
const shortcut = $<HTMLSpanElement>('shortcut');
const instructNote = $<HTMLSpanElement>('instruct-note');

const bridge = window.q3tts;
const isMac = /Mac/i.test(navigator.platform);
let status: AppStatus = { state: 'loading', message: 'Connecting…', engine: null, model: null, attached: false, last: null, progressSeconds: null };
let busy: 'speak' | 'save' | null = null;
let voicesFor: string | null = null; // the model whose voices fill the selects
let resultLine: string | null = null; // what our last action reported, until the status moves on

shortcut.textContent = `${isMac ? '⌘' : 'Ctrl'}+Enter to speak`;

for (const voice of EXAMPLE_VOICES) {
  const chip = document.createElement('button');
  chip.type = 'button';
  chip.className = 'chip';
  chip.textContent = voice.name;
  chip.title = voice.instruct;
  chip.setAttribute('aria-label', `Use voice: ${voice.name}`);
  chip.addEventListener('click', () => {
    instruct.value = voice.instruct;
    instruct.focus();
  });
  examples.append(chip);
}

function showError(error: BridgeError | null): void {
  errorEl.hidden = error === null;
  errorEl.textContent = error ? error.message : '';
}

function render(): void {
  statePill.dataset.state = status.state;
  statePill.textContent = status.attached && status.state === 'ready' ? `${STATE_LABEL.ready} · shared` : STATE_LABEL[status.state];
  statusEl.textContent = resultLine && status.state === 'ready' ? resultLine : statusLine(status, busy);
  const controls = controlsFor(status, text.value.trim().length > 0, busy);
  speakButton.disabled = !controls.speak;
  stopButton.disabled = !controls.stop;
  saveButton.disabled = !controls.save;
  form.setAttribute('aria-busy', String(status.state === 'loading' || busy !== null));
}

function params(): SpeakParams {
  return { text: text.value, instruct: instruct.value, language: language.value || 'auto', speaker: speakerField.hidden ? null : speaker.value || null };
}

function fillSelect(select: HTMLSelectElement, options: Array<[string, string]>, keep: string | null): void {
  select.replaceChildren(...options.map(([value, label]) => new Option(label, value)));
  if (keep !== null && options.some(([v]) => v.toLowerCase() === keep.toLowerCase())) {
    select.value = options.find(([v]) => v.toLowerCase() === keep.toLowerCase())![0];
  }
}

async function loadVoices(): Promise<void> {
  const result = await bridge.getVoices();
  if (!result.ok) return;
  const voices: Voices = result.voices;
  voicesFor = `${voices.engine}/${voices.model}`;
  const langs = voices.languages.filter((l) => l.toLowerCase() !== 'auto');
  fillSelect(language, [['auto', 'Auto-detect'], ...langs.map((l): [string, string] => [l, l[0]!.toUpperCase() + l.slice(1)])], language.value);
  speakerField.hidden = voices.speakers.length === 0;
  fillSelect(speaker, voices.speakers.map((s): [string, string] => [s, s]), speaker.value || null);
  // Left editable either way: the text is kept for the next model, and the daemon warns when it is ignored.
  instructNote.hidden = voices.supportsInstruct;
}

function onStatus(next: AppStatus): void {
  if (next.state !== 'ready') resultLine = null;
  status = next;
  const model = next.engine && next.model ? `${next.engine}/${next.model}` : null;
  if ((next.state === 'ready' || next.state === 'speaking') && model !== voicesFor) void loadVoices();
  render();
}

async function run(kind: 'speak' | 'save'): Promise<void> {
  if (kind === 'speak' ? speakButton.disabled : saveButton.disabled) return;
  showError(null);
  resultLine = null;
  busy = kind;
  render();
  try {
    if (kind === 'speak') {
      const result = await bridge.speak(params());
      if (result.ok) {
        resultLine = result.stats ? `Done — ${formatStats(result.stats)}` : 'Done.';
        if (result.warning) resultLine += ` (${result.warning})`;
      } else if (result.code === 'E_CANCELLED') resultLine = 'Stopped.';
      else showError(result);
    } else {
      const result = await bridge.saveWav(params());
      if (result.ok) resultLine = result.path ? `Saved ${result.path}${result.stats ? ` — ${formatStats(result.stats)}` : ''}` : null;
      else if (result.code === 'E_CANCELLED') resultLine = 'Stopped.';
      else showError(result);
    }
  } catch (err) {
    showError({ ok: false, code: 'E_INTERNAL', message: `Something went wrong: ${(err as Error).message}` });
  } finally {
    busy = null;
    render();
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void run('speak');
});
saveButton.addEventListener('click', () => void run('save'));
stopButton.addEventListener('click', () => {
  void bridge.stop().then((r) => {
    if (!r.ok) showError(r);
  });
});
text.addEventListener('input', render);
// Ctrl+Enter (Cmd+Enter on macOS) speaks from anywhere in the window; Escape stops.
document.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (isMac ? event.metaKey : event.ctrlKey)) {
    event.preventDefault();
    void run('speak');
  } else if (event.key === 'Escape' && !stopButton.disabled) {
    event.preventDefault();
    stopButton.click();
  }
});

bridge.onStatus(onStatus);
void (async () => {
  const [defaults, initial] = await Promise.all([bridge.getDefaults(), bridge.getStatus()]);
  instruct.value = defaults.instruct;
  fillSelect(language, [['auto', 'Auto-detect']], null);
  if (defaults.language !== 'auto') {
    language.append(new Option(defaults.language, defaults.language));
    language.value = defaults.language;
  }
  if (defaults.speaker) speaker.append(new Option(defaults.speaker, defaults.speaker));
  onStatus(initial);
  text.focus();
})();
render();
