// The Models view's controls: the catalog as choices with their sizes, the download with live progress,
// cancel/resume, errors, and the installed models with "Use". The decisions are in models-view.ts.
import type { AppStatus, ModelsSnapshot, Precision, Q3ttsBridge } from '../shared/bridge.js';
import { formatBytes } from '../shared/bytes.js';
import { IDLE, catalogChoices, installedModels, panelView, reducePanel, shownChoice, sizeLabel, spaceLine, type ModelChoice, type PanelAction, type PanelState, type PrecisionChoice } from './models-view.js';
import { $ } from './dom.js';

export interface ModelsPanel {
  /** The app's status changed: the intro shows while no model is installed; listings go stale on changes. */
  setStatus(status: AppStatus): void;
  refresh(): Promise<void>;
}

export function mountModels(deps: { bridge: Q3ttsBridge; onActivated: () => void }): ModelsPanel {
  const { bridge } = deps;
  const intro = $<HTMLParagraphElement>('models-intro');
  const form = $<HTMLFormElement>('pull-form');
  const modelSelect = $<HTMLSelectElement>('model-choice');
  const precisionInputs = [$<HTMLInputElement>('prec-int4'), $<HTMLInputElement>('prec-fp32')];
  const space = $<HTMLParagraphElement>('pull-space');
  const start = $<HTMLButtonElement>('pull-start');
  const cancel = $<HTMLButtonElement>('pull-cancel');
  const box = $<HTMLDivElement>('pull-progress-box');
  const bar = $<HTMLProgressElement>('pull-progress');
  const line = $<HTMLParagraphElement>('pull-line');
  const note = $<HTMLParagraphElement>('pull-note');
  const phase = $<HTMLParagraphElement>('pull-phase');
  const errorBox = $<HTMLDivElement>('pull-error');
  const installedList = $<HTMLUListElement>('installed-list');
  const listError = $<HTMLParagraphElement>('models-list-error');
  const rootLine = $<HTMLSpanElement>('models-root');

  let snapshot: ModelsSnapshot | null = null;
  let choices: ModelChoice[] = [];
  let state: PanelState = IDLE;
  let status: AppStatus | null = null;
  /** Made active by this download: when the app is ready on it, the speak view takes over. */
  let activating = false;

  const selectedPrecision = (): Precision => (precisionInputs.find((i) => i.checked)?.value === 'fp32' ? 'fp32' : 'int4');
  const selected = (): { model: ModelChoice; choice: PrecisionChoice | null } | null => {
    const model = choices.find((c) => c.name === modelSelect.value) ?? choices[0];
    if (!model) return null;
    return { model, choice: model.precisions.find((p) => p.precision === selectedPrecision()) ?? null };
  };

  function render(): void {
    const sel = selected();
    const choice = shownChoice(sel?.choice ?? null, state);
    const view = panelView(state, choice);
    intro.hidden = status?.state !== 'no-model';
    modelSelect.disabled = !view.choicesEnabled;
    for (const input of precisionInputs) {
      const c = sel?.model.precisions.find((p) => p.precision === input.value);
      input.disabled = !view.choicesEnabled || !c;
      $(`size-${input.value}`).textContent = c ? `— ${c.installed ? `installed, ${formatBytes(c.bytes ?? 0)}` : sizeLabel(c)}` : '— not offered';
    }
    space.textContent = spaceLine(choice, snapshot?.freeBytes ?? null);
    start.hidden = view.action === null;
    start.textContent = view.action ?? 'Download';
    start.disabled = !view.actionEnabled;
    cancel.hidden = !view.cancelVisible;
    cancel.disabled = !view.cancelEnabled;
    box.hidden = !view.progressVisible;
    if (view.percent === null) bar.removeAttribute('value');
    else bar.value = view.percent;
    bar.setAttribute('aria-valuetext', view.progressText);
    line.textContent = view.progressText;
    note.textContent = state.note ?? '';
    note.hidden = !state.note;
    if (phase.textContent !== view.phaseText) phase.textContent = view.phaseText; // only changes are announced
    errorBox.hidden = view.error === null;
    if (view.error) {
      $('pull-error-title').textContent = view.error.title;
      $('pull-error-hint').textContent = view.error.hint;
      $('pull-error-detail').textContent = view.error.detail;
    }
    form.setAttribute('aria-busy', String(view.cancelVisible));
  }

  function dispatch(action: PanelAction): void {
    const before = state.phase;
    state = reducePanel(state, action);
    render();
    // Focus follows the only useful control when the other one goes away.
    const lost = (el: HTMLElement) => document.activeElement === el || document.activeElement === document.body || document.activeElement === null;
    if (before !== state.phase && (state.phase === 'downloading' || state.phase === 'starting') && lost(start)) cancel.focus();
    if (before !== state.phase && (state.phase === 'cancelled' || state.phase === 'failed') && lost(cancel)) start.focus();
    if (before !== state.phase && ['done', 'cancelled', 'failed'].includes(state.phase)) void refresh();
    if (before !== state.phase) activated();
  }

  /** A first download is done and the app is ready on it: hand over to the speak view (once). */
  function activated(): void {
    if (!activating || state.phase !== 'done' || status?.state !== 'ready') return;
    activating = false;
    deps.onActivated();
  }

  function renderInstalled(): void {
    const rows = snapshot ? installedModels(snapshot) : [];
    if (!rows.length) {
      const li = document.createElement('li');
      li.className = 'hint';
      li.textContent = 'None yet.';
      installedList.replaceChildren(li);
      return;
    }
    installedList.replaceChildren(
      ...rows.map((m) => {
        const li = document.createElement('li');
        const name = document.createElement('span');
        name.className = 'model-name';
        name.textContent = `${m.title ?? m.name}${m.precision ? ` (${m.precision})` : ''}`;
        const size = document.createElement('span');
        size.className = 'hint';
        size.textContent = m.bytes !== null ? formatBytes(m.bytes) : '';
        li.append(name, size);
        if (m.active) {
          const badge = document.createElement('span');
          badge.className = 'badge';
          badge.textContent = 'In use';
          li.append(badge);
        } else {
          const use = document.createElement('button');
          use.type = 'button';
          use.className = 'quiet';
          use.textContent = 'Use';
          use.setAttribute('aria-label', `Use ${name.textContent}`);
          const target = m.precision && m.name !== m.folder ? { name: m.name, precision: m.precision } : { name: m.folder, precision: null };
          use.addEventListener('click', () => void useModel(target, use));
          li.append(use, removeButton(name.textContent ?? m.folder, target));
        }
        return li;
      }),
    );
  }

  /** Remove asks once more on the same button (no dialog): a second press deletes, leaving it cancels. */
  function removeButton(label: string, target: { name: string; precision: Precision | null }): HTMLButtonElement {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'quiet';
    const idle = () => {
      button.textContent = 'Remove';
      button.setAttribute('aria-label', `Remove ${label}`);
      button.dataset.confirm = 'false';
    };
    idle();
    button.addEventListener('blur', idle);
    button.addEventListener('click', () => {
      if (button.dataset.confirm !== 'true') {
        button.dataset.confirm = 'true';
        button.textContent = 'Delete from disk?';
        button.setAttribute('aria-label', `Delete ${label} from disk? Press again to confirm`);
        return;
      }
      void (async () => {
        button.disabled = true;
        listError.hidden = true;
        const answer = await bridge.removeModel(target);
        if (!answer.ok) {
          listError.hidden = false;
          listError.textContent = answer.message;
          button.disabled = false;
          idle();
          return;
        }
        await refresh();
      })();
    });
    return button;
  }

  async function useModel(params: { name: string; precision: Precision | null }, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    listError.hidden = true;
    const answer = await bridge.useModel(params);
    if (!answer.ok) {
      listError.hidden = false;
      listError.textContent = answer.message;
      button.disabled = false;
      return;
    }
    await refresh();
  }

  async function refresh(): Promise<void> {
    const answer = await bridge.listModels();
    if (!answer.ok) {
      listError.hidden = false;
      listError.textContent = `Cannot list the models: ${answer.message}`;
      return;
    }
    listError.hidden = true;
    snapshot = answer.models;
    const keep = modelSelect.value;
    choices = catalogChoices(snapshot);
    modelSelect.replaceChildren(...choices.map((c) => new Option(c.title, c.name)));
    if (choices.some((c) => c.name === keep)) modelSelect.value = keep;
    rootLine.textContent = snapshot.root;
    const running = snapshot.pulls[0];
    if (running) dispatch({ type: 'running', pull: running });
    // While a download runs the choices are locked on it (it may have been started elsewhere: show which).
    if (state.folder && ['starting', 'downloading', 'cancelling', 'activating'].includes(state.phase)) showChoice(state.folder);
    renderInstalled();
    render();
  }

  /** Points the controls at an installed or downloading folder. */
  function showChoice(folder: string): void {
    const m = snapshot?.models.find((x) => x.folder === folder);
    if (!m?.precision || !choices.some((c) => c.name === m.name)) return;
    modelSelect.value = m.name;
    for (const input of precisionInputs) input.checked = input.value === m.precision;
    render();
  }

  async function download(): Promise<void> {
    const sel = selected();
    if (!sel?.choice || start.disabled || start.hidden) return;
    // The first model (nothing installed, or the app has none loaded) becomes the one in use.
    const activate = status?.state === 'no-model' || !snapshot?.models.some((m) => m.installed);
    activating = activate;
    dispatch({ type: 'start', folder: sel.choice.folder });
    const outcome = await bridge.pullModel({ name: sel.model.name, precision: sel.choice.precision, activate });
    dispatch({ type: 'outcome', folder: sel.choice.folder, outcome });
    if (!outcome.ok) activating = false;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void download();
  });
  cancel.addEventListener('click', () => {
    // The download running, which is not necessarily what the controls show (one joined mid-way).
    const running = snapshot?.models.find((m) => m.folder === state.folder);
    const sel = selected();
    const target = running?.precision ? { name: running.name, precision: running.precision } : sel?.choice ? { name: sel.model.name, precision: sel.choice.precision } : null;
    if (!target || cancel.disabled) return;
    dispatch({ type: 'cancel' });
    void bridge.cancelPull(target);
  });
  const changed = () => {
    dispatch({ type: 'reset' });
  };
  modelSelect.addEventListener('change', changed);
  for (const input of precisionInputs) input.addEventListener('change', changed);
  bridge.onModelEvent((event) => {
    const before = state.phase;
    dispatch({ type: 'event', event });
    // Following a download this window did not start: show which.
    if (before !== 'starting' && before !== 'downloading' && state.phase === 'downloading') showChoice(event.folder);
  });

  render();
  return {
    setStatus(next) {
      const was = status?.state;
      status = next;
      render();
      if (was !== undefined && was !== next.state && (next.state === 'ready' || next.state === 'no-model')) void refresh();
      activated();
    },
    refresh,
  };
}
