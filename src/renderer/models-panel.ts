// The Models view's controls: the catalog as choices with their sizes, the download with live progress,
// cancel/resume, errors, and the installed models with "Use". The decisions are in models-view.ts. In
// phases: the controls (lookup), the download panel drawn from its state, the installed list with its
// Use/Remove actions, and mountModels, which holds the state and wires them to the bridge.
import type { AppStatus, BridgeError, ModelsSnapshot, Precision, Q3ttsBridge } from '../shared/bridge.js';
import { formatBytes } from '../shared/bytes.js';
import {
  IDLE,
  catalogChoices,
  installedModels,
  panelView,
  reducePanel,
  shownChoice,
  sizeLabel,
  spaceLine,
  type ModelChoice,
  type PanelAction,
  type PanelState,
  type PrecisionChoice,
} from './models-view.js';
import { $ } from './dom.js';
import { modelsRemoteLine } from './speech-server-view.js';

export interface ModelsPanel {
  /** The app's status changed: the intro shows while no model is installed; listings go stale on changes. */
  setStatus(status: AppStatus): void;
  refresh(): Promise<void>;
}

type Controls = ReturnType<typeof findControls>;
type ModelRef = { name: string; precision: Precision | null };
type Selection = { model: ModelChoice; choice: PrecisionChoice | null } | null;

function findControls() {
  return {
    intro: $<HTMLParagraphElement>('models-intro'),
    remoteLine: $<HTMLParagraphElement>('models-remote'),
    form: $<HTMLFormElement>('pull-form'),
    modelSelect: $<HTMLSelectElement>('model-choice'),
    precisionInputs: [$<HTMLInputElement>('prec-int4'), $<HTMLInputElement>('prec-fp32')],
    space: $<HTMLParagraphElement>('pull-space'),
    start: $<HTMLButtonElement>('pull-start'),
    cancel: $<HTMLButtonElement>('pull-cancel'),
    box: $<HTMLDivElement>('pull-progress-box'),
    bar: $<HTMLProgressElement>('pull-progress'),
    line: $<HTMLParagraphElement>('pull-line'),
    note: $<HTMLParagraphElement>('pull-note'),
    phase: $<HTMLParagraphElement>('pull-phase'),
    errorBox: $<HTMLDivElement>('pull-error'),
    installedList: $<HTMLUListElement>('installed-list'),
    listError: $<HTMLParagraphElement>('models-list-error'),
    rootLine: $<HTMLSpanElement>('models-root'),
  };
}

/** The download panel as its state says: choices, sizes, free space, buttons, progress and errors. */
function renderDownload(
  c: Controls,
  state: PanelState,
  sel: Selection,
  snapshot: ModelsSnapshot | null,
  status: AppStatus | null,
): void {
  const choice = shownChoice(sel?.choice ?? null, state);
  const view = panelView(state, choice);
  c.intro.hidden = status?.state !== 'no-model';
  const remote = modelsRemoteLine(status); // with a speech server, the models here are only its stand-in
  c.remoteLine.hidden = remote === null;
  c.remoteLine.textContent = remote ?? '';
  c.modelSelect.disabled = !view.choicesEnabled;
  for (const input of c.precisionInputs) {
    const p = sel?.model.precisions.find((x) => x.precision === input.value);
    input.disabled = !view.choicesEnabled || !p;
    $(`size-${input.value}`).textContent = p
      ? `— ${p.installed ? `installed, ${formatBytes(p.bytes ?? 0)}` : sizeLabel(p)}`
      : '— not offered';
  }
  c.space.textContent = spaceLine(choice, snapshot?.freeBytes ?? null);
  c.start.hidden = view.action === null;
  c.start.textContent = view.action ?? 'Download';
  c.start.disabled = !view.actionEnabled;
  c.cancel.hidden = !view.cancelVisible;
  c.cancel.disabled = !view.cancelEnabled;
  c.box.hidden = !view.progressVisible;
  if (view.percent === null) c.bar.removeAttribute('value');
  else c.bar.value = view.percent;
  c.bar.setAttribute('aria-valuetext', view.progressText);
  c.line.textContent = view.progressText;
  c.note.textContent = state.note ?? '';
  c.note.hidden = !state.note;
  if (c.phase.textContent !== view.phaseText) c.phase.textContent = view.phaseText; // only changes are announced
  c.errorBox.hidden = view.error === null;
  if (view.error) {
    $('pull-error-title').textContent = view.error.title;
    $('pull-error-hint').textContent = view.error.hint;
    $('pull-error-detail').textContent = view.error.detail;
  }
  c.form.setAttribute('aria-busy', String(view.cancelVisible));
}

/** The installed list's buttons ask main through these; false when it refused (shown above the list). */
interface ListActions {
  use(target: ModelRef, button: HTMLButtonElement): Promise<boolean>;
  remove(target: ModelRef, button: HTMLButtonElement): Promise<boolean>;
}

/** The installed models: size, "In use" on the active one, Use and Remove on the others. */
function renderInstalled(c: Controls, snapshot: ModelsSnapshot | null, actions: ListActions): void {
  const rows = snapshot ? installedModels(snapshot) : [];
  if (!rows.length) {
    const li = document.createElement('li');
    li.className = 'hint';
    li.textContent = 'None yet.';
    c.installedList.replaceChildren(li);
    return;
  }
  c.installedList.replaceChildren(
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
        const target =
          m.precision && m.name !== m.folder
            ? { name: m.name, precision: m.precision }
            : { name: m.folder, precision: null };
        use.addEventListener('click', () => void actions.use(target, use));
        li.append(use, removeButton(name.textContent ?? m.folder, target, actions));
      }
      return li;
    }),
  );
}

/** Remove asks once more on the same button (no dialog): a second press deletes, leaving it cancels. */
function removeButton(label: string, target: ModelRef, actions: ListActions): HTMLButtonElement {
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
    void actions.remove(target, button).then((removed) => {
      if (!removed) idle();
    });
  });
  return button;
}

export function mountModels(deps: { bridge: Q3ttsBridge; onActivated: () => void }): ModelsPanel {
  const { bridge } = deps;
  const c = findControls();

  let snapshot: ModelsSnapshot | null = null;
  let choices: ModelChoice[] = [];
  let state: PanelState = IDLE;
  let status: AppStatus | null = null;
  /** Made active by this download: when the app is ready on it, the speak view takes over. */
  let activating = false;

  const selectedPrecision = (): Precision =>
    c.precisionInputs.find((i) => i.checked)?.value === 'fp32' ? 'fp32' : 'int4';
  const selected = (): Selection => {
    const model = choices.find((x) => x.name === c.modelSelect.value) ?? choices[0];
    if (!model) return null;
    return { model, choice: model.precisions.find((p) => p.precision === selectedPrecision()) ?? null };
  };
  const render = () => renderDownload(c, state, selected(), snapshot, status);

  function dispatch(action: PanelAction): void {
    const before = state.phase;
    state = reducePanel(state, action);
    render();
    // Focus follows the only useful control when the other one goes away.
    const lost = (el: HTMLElement) =>
      document.activeElement === el || document.activeElement === document.body || document.activeElement === null;
    if (before !== state.phase && (state.phase === 'downloading' || state.phase === 'starting') && lost(c.start))
      c.cancel.focus();
    if (before !== state.phase && (state.phase === 'cancelled' || state.phase === 'failed') && lost(c.cancel))
      c.start.focus();
    if (before !== state.phase && ['done', 'cancelled', 'failed'].includes(state.phase)) void refresh();
    if (before !== state.phase) activated();
  }

  /** A first download is done and the app is ready on it: hand over to the speak view (once). */
  function activated(): void {
    if (!activating || state.phase !== 'done' || status?.state !== 'ready') return;
    activating = false;
    deps.onActivated();
  }

  /** Runs a list button's request: the button is disabled meanwhile, a failure shows above the list. */
  async function listAction(
    button: HTMLButtonElement,
    ask: () => Promise<{ ok: true } | BridgeError>,
  ): Promise<boolean> {
    button.disabled = true;
    c.listError.hidden = true;
    const answer = await ask();
    if (!answer.ok) {
      c.listError.hidden = false;
      c.listError.textContent = answer.message;
      button.disabled = false;
      return false;
    }
    await refresh();
    return true;
  }
  const actions: ListActions = {
    use: (target, button) => listAction(button, () => bridge.useModel(target)),
    remove: (target, button) => listAction(button, () => bridge.removeModel(target)),
  };

  async function refresh(): Promise<void> {
    const answer = await bridge.listModels();
    if (!answer.ok) {
      c.listError.hidden = false;
      c.listError.textContent = `Cannot list the models: ${answer.message}`;
      return;
    }
    c.listError.hidden = true;
    snapshot = answer.models;
    const keep = c.modelSelect.value;
    choices = catalogChoices(snapshot);
    c.modelSelect.replaceChildren(...choices.map((x) => new Option(x.title, x.name)));
    if (choices.some((x) => x.name === keep)) c.modelSelect.value = keep;
    c.rootLine.textContent = snapshot.root;
    const running = snapshot.pulls[0];
    if (running) dispatch({ type: 'running', pull: running });
    // While a download runs the choices are locked on it (it may have been started elsewhere: show which).
    if (state.folder && ['starting', 'downloading', 'cancelling', 'activating'].includes(state.phase))
      showChoice(state.folder);
    renderInstalled(c, snapshot, actions);
    render();
  }

  /** Points the controls at an installed or downloading folder. */
  function showChoice(folder: string): void {
    const m = snapshot?.models.find((x) => x.folder === folder);
    if (!m?.precision || !choices.some((x) => x.name === m.name)) return;
    c.modelSelect.value = m.name;
    for (const input of c.precisionInputs) input.checked = input.value === m.precision;
    render();
  }

  async function download(): Promise<void> {
    const sel = selected();
    if (!sel?.choice || c.start.disabled || c.start.hidden) return;
    // The first model (nothing installed, or the app has none loaded) becomes the one in use.
    const activate = status?.state === 'no-model' || !snapshot?.models.some((m) => m.installed);
    activating = activate;
    dispatch({ type: 'start', folder: sel.choice.folder });
    const outcome = await bridge.pullModel({ name: sel.model.name, precision: sel.choice.precision, activate });
    dispatch({ type: 'outcome', folder: sel.choice.folder, outcome });
    if (!outcome.ok) activating = false;
  }

  c.form.addEventListener('submit', (event) => {
    event.preventDefault();
    void download();
  });
  c.cancel.addEventListener('click', () => {
    // The download running, which is not necessarily what the controls show (one joined mid-way).
    const running = snapshot?.models.find((m) => m.folder === state.folder);
    const sel = selected();
    const target = running?.precision
      ? { name: running.name, precision: running.precision }
      : sel?.choice
        ? { name: sel.model.name, precision: sel.choice.precision }
        : null;
    if (!target || c.cancel.disabled) return;
    dispatch({ type: 'cancel' });
    void bridge.cancelPull(target);
  });
  const changed = () => {
    dispatch({ type: 'reset' });
  };
  c.modelSelect.addEventListener('change', changed);
  for (const input of c.precisionInputs) input.addEventListener('change', changed);
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
      if (was !== undefined && was !== next.state && (next.state === 'ready' || next.state === 'no-model'))
        void refresh();
      activated();
    },
    refresh,
  };
}
