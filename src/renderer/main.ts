// The window: the speak view and the Settings view (tabs). Everything it does goes through
// window.q3tts (the preload bridge); it has no Node.
import type { AppStatus, BridgeError, SpeakParams, Voices, WindowView } from '../shared/bridge.js';
import type { Settings } from '../shared/settings.js';
import { mountModels } from './models-panel.js';
import { mountSettings } from './settings-panel.js';
import { mountHistory } from './history-panel.js';
import { mountVoicePanel } from './voice-panel.js';
import { EXAMPLE_VOICES, STATE_LABEL, controlsFor, formatStats, statusLine } from './view.js';
import { errorMessage } from '../shared/errors.js';
import { $ } from './dom.js';
import { mountReading } from './reading.js';
import { mountClonePanel } from './clone-panel.js';

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
let status: AppStatus = {
  state: 'loading',
  message: 'Connecting…',
  engine: null,
  model: null,
  attached: false,
  last: null,
  progressSeconds: null,
};
let busy: 'speak' | 'save' | null = null;
let spoken: string | null = null; // the text our speak request sent, for the reading view's offsets
let voicesFor: string | null = null; // the model whose voices fill the selects
let resultLine: string | null = null; // what our last action reported, until the status moves on
let defaults: Pick<Settings, 'instruct' | 'language' | 'speaker'> | null = null;

const voicePanel = mountVoicePanel({
  bridge,
  fields: { instruct, language, speaker, speakerField },
  onChange: () => render(),
});
mountClonePanel({
  bridge,
  language: () => language.value || 'auto',
  onSaved: (voices, name) => voicePanel.showVoices(voices, name),
});
const reading = mountReading({
  textarea: text,
  control: (action) =>
    void bridge.control(action).then((r) => {
      if (!r.ok) showError(r);
    }),
});
const settingsPanel = mountSettings({ bridge, mac: isMac, attached: () => status.attached });
// A first download made active: the app is ready on it, so the speak view takes over.
const modelsPanel = mountModels({ bridge, onActivated: () => (showView('speak'), text.focus()) });

// --- views: a tab list (arrow keys move between tabs, as in the ARIA tabs pattern) ---
const historyPanel = mountHistory({ bridge });
const VIEWS: WindowView[] = ['speak', 'settings', 'models', 'history'];
let view: WindowView = 'speak';
/** The window went to Models by itself (no model): it goes back to speaking once a model is up. */
let autoModels = false;
function showView(next: WindowView, focusTab = false): void {
  view = next;
  autoModels = false;
  for (const v of VIEWS) {
    const tab = $<HTMLButtonElement>(`tab-${v}`);
    tab.setAttribute('aria-selected', String(v === next));
    tab.tabIndex = v === next ? 0 : -1;
    $(`view-${v}`).hidden = v !== next;
  }
  historyPanel.setVisible(next === 'history');
  if (focusTab) $(`tab-${next}`).focus();
}
for (const v of VIEWS) {
  const tab = $<HTMLButtonElement>(`tab-${v}`);
  tab.addEventListener('click', () => showView(v));
  tab.addEventListener('keydown', (event) => {
    const i = VIEWS.indexOf(v);
    const to = {
      ArrowRight: VIEWS[(i + 1) % VIEWS.length],
      ArrowLeft: VIEWS[(i + VIEWS.length - 1) % VIEWS.length],
      Home: VIEWS[0],
      End: VIEWS.at(-1),
    }[event.key];
    if (!to) return;
    event.preventDefault();
    showView(to, true);
  });
}

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
  statePill.textContent =
    status.attached && status.state === 'ready' ? `${STATE_LABEL.ready} · shared` : STATE_LABEL[status.state];
  statusEl.textContent = resultLine && status.state === 'ready' ? resultLine : statusLine(status, busy);
  const controls = controlsFor(status, text.value.trim().length > 0, busy);
  speakButton.disabled = !controls.speak;
  stopButton.disabled = !controls.stop;
  saveButton.disabled = !controls.save;
  form.setAttribute('aria-busy', String(status.state === 'loading' || busy !== null));
  voicePanel.sync();
  reading.render(status, busy === 'speak' ? spoken : null);
}

function params(): SpeakParams {
  return {
    text: text.value,
    instruct: instruct.value,
    language: language.value || 'auto',
    speaker: speakerField.hidden ? null : speaker.value || null,
    ...voicePanel.params(), // the saved voice these fields are (its seed), rate, volume
  };
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
  fillSelect(
    language,
    [['auto', 'Auto-detect'], ...langs.map((l): [string, string] => [l, l[0]!.toUpperCase() + l.slice(1)])],
    language.value,
  );
  speakerField.hidden = voices.speakers.length === 0;
  fillSelect(
    speaker,
    voices.speakers.map((s): [string, string] => [s, s]),
    speaker.value || null,
  );
  // Left editable either way: the text is kept for the next model, and the daemon warns when it is ignored.
  instructNote.hidden = voices.supportsInstruct;
  settingsPanel.setVoices(voices);
}

function onStatus(next: AppStatus): void {
  if (next.state !== 'ready') resultLine = null;
  // Nothing to speak with: the Models view is where the window can help (not while editing settings).
  if (next.state === 'no-model' && status.state !== 'no-model' && view === 'speak') {
    showView('models', document.activeElement === document.body);
    autoModels = true;
  } else if (next.state === 'ready' && autoModels && view === 'models') showView('speak');
  status = next;
  modelsPanel.setStatus(next);
  historyPanel.setStatus(next);
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
      const request = params();
      spoken = request.text;
      const result = await bridge.speak(request);
      if (result.ok) {
        resultLine = result.stats ? `Done — ${formatStats(result.stats)}` : 'Done.';
        if (result.warning) resultLine += ` (${result.warning})`;
      } else if (result.code === 'E_CANCELLED') resultLine = 'Stopped.';
      else showError(result);
    } else {
      const result = await bridge.saveWav(params());
      if (result.ok)
        resultLine = result.path
          ? `Saved ${result.path}${result.stats ? ` — ${formatStats(result.stats)}` : ''}`
          : null;
      else if (result.code === 'E_CANCELLED') resultLine = 'Stopped.';
      else showError(result);
    }
  } catch (err) {
    showError({ ok: false, code: 'E_INTERNAL', message: `Something went wrong: ${errorMessage(err)}` });
  } finally {
    busy = null;
    spoken = null;
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
// Ctrl+Enter (Cmd+Enter on macOS) speaks (in Settings: saves) from anywhere in the view; Escape stops.
document.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (isMac ? event.metaKey : event.ctrlKey)) {
    event.preventDefault();
    if (view === 'speak') void run('speak');
    else void settingsPanel.save();
  } else if (event.key === 'Escape' && !stopButton.disabled) {
    event.preventDefault();
    stopButton.click();
  }
});

bridge.onStatus(onStatus);
bridge.onShowView((next) => showView(next, true));
// New defaults replace what the speak form still holds of the old ones, never what the user typed.
bridge.onSettings((next) => {
  if (defaults && instruct.value === defaults.instruct) instruct.value = next.instruct;
  if (defaults && language.value === defaults.language && [...language.options].some((o) => o.value === next.language))
    language.value = next.language;
  if (
    defaults &&
    !speakerField.hidden &&
    speaker.value === (defaults.speaker ?? '') &&
    next.speaker &&
    [...speaker.options].some((o) => o.value === next.speaker)
  )
    speaker.value = next.speaker;
  defaults = { instruct: next.instruct, language: next.language, speaker: next.speaker };
});
// Main opens the window on a view this way (tray "Settings…", "Download a model…").
if (location.hash === '#settings') showView('settings', true);
else if (location.hash === '#models') showView('models', true);
else if (location.hash === '#history') showView('history', true);
void (async () => {
  const [initialDefaults, initial] = await Promise.all([bridge.getDefaults(), bridge.getStatus()]);
  defaults = initialDefaults;
  instruct.value = defaults.instruct;
  fillSelect(language, [['auto', 'Auto-detect']], null);
  if (defaults.language !== 'auto') {
    language.append(new Option(defaults.language, defaults.language));
    language.value = defaults.language;
  }
  if (defaults.speaker) speaker.append(new Option(defaults.speaker, defaults.speaker));
  onStatus(initial);
  if (view === 'speak') text.focus();
  await modelsPanel.refresh();
})();
render();
