// The window's model manager: list, download (progress pushed as events), cancel and use, over the
// daemon's model actions (docs/protocol.md, "Models"). No Electron here.
// With no model installed no daemon can start, so there is none to ask: the same actions are then
// answered in this process by a ModelsService (`local`), and once a model is made active the app
// starts its daemon on it.
import type {
  BridgeError,
  BridgeResult,
  ModelEvent,
  ModelInfo,
  ModelsSnapshot,
  Precision,
  PullFailure,
  PullOutcome,
  PullParams,
  PullProgress,
} from '../../shared/bridge.js';
import type { Answer, EventMessage, Request } from '../../shared/protocol.js';
import type { Settings, SettingsPatch } from '../../shared/settings.js';
import { defaultCatalog } from '../../core/models/catalog.js';
import { ModelError } from '../../core/models/errors.js';
import { removeModel } from '../../core/models/inventory.js';
import { ModelsLayout } from '../../core/models/layout.js';
import { freeBytesAt } from '../../core/models/pull.js';
import { errorMessage } from '../../shared/errors.js';
import { isPrecision } from '../../shared/engine-options.js';

/** Whatever answers protocol requests: the running daemon (SpeechService.request) or the local ModelsService. */
export interface ModelsPort {
  request(request: Request, onEvent?: (event: EventMessage) => void): Promise<Answer>;
}

export interface ModelManagerDeps {
  /** The running daemon; null while none runs (nothing installed yet, starting, or failed). */
  daemon(): ModelsPort | null;
  /** Answers the model actions in this process while no daemon runs. */
  local: ModelsPort;
  settings: { get(): Settings; update(patch: SettingsPatch): unknown };
  /** Starts the daemon again (it could not start before: no model). */
  restartService(): void;
  /** Pushes download progress to the window. */
  onEvent(event: ModelEvent): void;
  freeBytes?(dir: string): Promise<number>;
}

/** Pure: the window's reason for a failed download, from the protocol's code and message. */
export function pullFailure(code: string, message: string): PullFailure {
  if (code === 'E_CANCELLED') return 'cancelled';
  if (code === 'E_BUSY') return 'busy';
  if (code === 'E_DAEMON_GONE') return 'other';
  if (/\((401|403)\)/.test(message)) return 'auth';
  if (/\(404\)/.test(message)) return 'not-found';
  if (/disk is full|free on the disk|ENOSPC|EDQUOT/i.test(message)) return 'disk';
  if (/sha256|git blob id|does not match|more than the \d+ bytes/i.test(message)) return 'checksum';
  if (
    /no network|refused the connection|cannot find|no network route|reset|timed out|stalled|rate-limiting|failed with 5\d\d/i.test(
      message,
    )
  )
    return 'network';
  return 'other';
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const precisionOf = (v: unknown): Precision | null => (isPrecision(v) ? v : null);
const records = (v: unknown): Array<Record<string, unknown>> =>
  Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];

/** Pure: the `models` answer as the window shows it. */
export function toSnapshot(answer: Record<string, unknown>, freeBytes: number | null): ModelsSnapshot {
  const models = records(answer.models).map((m): ModelInfo => ({
    name: str(m.name) ?? '',
    precision: precisionOf(m.precision),
    folder: str(m.folder) ?? '',
    title: str(m.title),
    sizeClass: str(m.size_class),
    installed: m.installed === true,
    active: m.active === true,
    bytes: num(m.bytes),
    approx: m.approx === true,
    partialBytes: num(m.partial_bytes),
  }));
  const pulls = records(answer.pulls).map((p): PullProgress => ({
    folder: str(p.folder) ?? '',
    doneBytes: num(p.done_bytes) ?? 0,
    totalBytes: num(p.total_bytes),
    speedBps: num(p.speed_bps) ?? 0,
    etaS: num(p.eta_s),
  }));
  return {
    models,
    active: str(answer.active),
    override: str(answer.override),
    root: str(answer.root) ?? '',
    freeBytes,
    pulls,
  };
}

/** Pure: a daemon "pull" event as the window's ModelEvent; null for those it does not show. */
export function toModelEvent(e: EventMessage, folder: string): ModelEvent | null {
  const path = str(e.path) ?? '';
  switch (e.type) {
    case 'plan':
      return {
        type: 'plan',
        folder,
        files: num(e.files) ?? 0,
        totalBytes: num(e.total_bytes) ?? 0,
        haveBytes: num(e.have_bytes) ?? 0,
        freeBytes: num(e.free_bytes) ?? 0,
      };
    case 'progress':
      return {
        type: 'progress',
        folder,
        doneBytes: num(e.done_bytes) ?? 0,
        totalBytes: num(e.total_bytes) ?? 0,
        speedBps: num(e.speed_bps) ?? 0,
        etaS: num(e.eta_s),
        filesDone: num(e.files_done) ?? 0,
        filesTotal: num(e.files_total) ?? 0,
      };
    case 'resume':
      return { type: 'note', folder, message: `Resuming ${path} from ${num(e.offset) ?? 0} bytes` };
    case 'retry':
      return {
        type: 'note',
        folder,
        message: `Retrying ${path} in ${Math.round((num(e.delay_ms) ?? 0) / 1000)} s: ${str(e.reason) ?? 'network error'}`,
      };
    case 'restart':
      return { type: 'note', folder, message: `Starting ${path} over: ${str(e.reason) ?? ''}`.trim() };
    case 'checksum':
      return {
        type: 'note',
        folder,
        message: `${str(e.message) ?? `${path} failed its check`}${e.refetch === true ? ' — fetching it again' : ''}`,
      };
    case 'installed':
      return {
        type: 'installed',
        folder,
        totalBytes: num(e.total_bytes) ?? 0,
        downloadedBytes: num(e.downloaded_bytes) ?? 0,
        seconds: num(e.seconds) ?? 0,
      };
    default:
      return null; // "file": one per file, progress already says it
  }
}

const gone = (err: unknown): BridgeError => ({
  ok: false,
  code: (err as { code?: string }).code ?? 'E_INTERNAL',
  message: errorMessage(err),
});

export class ModelManager {
  /** Downloads started here, by folder: a second request joins the first (one set of events). */
  private readonly running = new Map<string, { port: ModelsPort; done: Promise<PullOutcome> }>();

  constructor(private readonly deps: ModelManagerDeps) {}

  private port(): ModelsPort {
    return this.deps.daemon() ?? this.deps.local;
  }

  async list(): Promise<BridgeResult<{ models: ModelsSnapshot }>> {
    let answer: Answer;
    try {
      answer = await this.port().request({ action: 'models' });
    } catch (err) {
      return gone(err);
    }
    if (answer.status === 'error') return { ok: false, code: answer.code, message: answer.message };
    const root = str(answer.root);
    const free = root ? await (this.deps.freeBytes ?? freeBytesAt)(root).catch(() => null) : null;
    return { ok: true, models: toSnapshot(answer, free) };
  }

  pull(params: PullParams): Promise<PullOutcome> {
    const folder = `${params.name}-${params.precision}`;
    const joined = this.running.get(folder);
    if (joined) return joined.done;
    const port = this.port();
    const done = this.runPull(port, params, folder).finally(() => this.running.delete(folder));
    this.running.set(folder, { port, done });
    return done;
  }

  private async runPull(port: ModelsPort, params: PullParams, guess: string): Promise<PullOutcome> {
    let folder = guess;
    const finish = (outcome: PullOutcome): PullOutcome => {
      this.deps.onEvent({ type: 'finished', folder, outcome });
      return outcome;
    };
    const fail = (code: string, message: string) =>
      finish({ ok: false, code, message, reason: pullFailure(code, message) });
    let answer: Answer;
    try {
      answer = await port.request(
        { action: 'models_pull', name: params.name, precision: params.precision, events: true },
        (e) => {
          if (e.event !== 'pull') return;
          if (e.type === 'plan' && typeof e.folder === 'string') folder = e.folder;
          const event = toModelEvent(e, folder);
          if (event) this.deps.onEvent(event);
        },
      );
    } catch (err) {
      const e = gone(err);
      return fail(e.code, e.message);
    }
    if (answer.status === 'error') return fail(answer.code, answer.message);
    folder = str(answer.folder) ?? folder;
    let active = answer.active === true;
    let warning: string | null = null;
    if (params.activate) {
      const used = await this.use({ name: params.name, precision: params.precision });
      if (used.ok) active = true;
      // Downloaded but not loaded: still a success, with the reason it is not in use.
      else warning = `Downloaded, but it could not be made active: ${used.message}`;
    }
    return finish({ ok: true, folder, active, warning });
  }

  async cancel(params: { name: string; precision: Precision }): Promise<BridgeResult<{ cancelled: number }>> {
    // The pull runs where it was started: ask that port, even if a daemon came up since.
    const port = this.running.get(`${params.name}-${params.precision}`)?.port ?? this.port();
    try {
      const answer = await port.request({ action: 'models_cancel', name: params.name, precision: params.precision });
      if (answer.status === 'error') return { ok: false, code: answer.code, message: answer.message };
      return { ok: true, cancelled: num(answer.cancelled) ?? 0 };
    } catch (err) {
      return gone(err);
    }
  }

  async use(params: {
    name: string;
    precision: Precision | null;
  }): Promise<BridgeResult<{ active: string; warning: string | null }>> {
    const port = this.port();
    let answer: Answer;
    try {
      answer = await port.request({
        action: 'models_use',
        name: params.name,
        ...(params.precision ? { precision: params.precision } : {}),
      });
    } catch (err) {
      return gone(err);
    }
    if (answer.status === 'error') return { ok: false, code: answer.code, message: answer.message };
    // The app starts its engine with the settings' precision, so keep it the one just chosen; saving an
    // engine setting restarts the app's own daemon (electron/index.ts), which loads the new model.
    if (params.precision && this.deps.settings.get().modelVariant !== params.precision)
      this.deps.settings.update({ modelVariant: params.precision });
    else if (port === this.deps.local) this.deps.restartService();
    return { ok: true, active: str(answer.active) ?? params.name, warning: str(answer.warning) };
  }

  /**
   * Deletes an installed model, on disk as `q3tts models remove` does (the protocol has no such action),
   * in the root the daemon lists. Never the model in use or one being downloaded.
   */
  async remove(params: {
    name: string;
    precision: Precision | null;
  }): Promise<BridgeResult<{ removed: string; bytes: number }>> {
    const listed = await this.list();
    if (!listed.ok) return listed;
    const entry = listed.models.models.find(
      (m) =>
        m.installed &&
        (params.precision === null
          ? m.folder === params.name
          : m.name === params.name && m.precision === params.precision),
    );
    if (!entry)
      return {
        ok: false,
        code: 'E_NO_MODEL',
        message: `${params.name}${params.precision ? ` (${params.precision})` : ''} is not installed`,
      };
    const label = `${entry.title ?? entry.name}${entry.precision ? ` (${entry.precision})` : ''}`;
    if (entry.active)
      return { ok: false, code: 'E_BUSY', message: `${label} is the model in use: use another one first` };
    if (this.running.has(entry.folder) || listed.models.pulls.some((p) => p.folder === entry.folder))
      return { ok: false, code: 'E_BUSY', message: `${label} is being downloaded` };
    try {
      const removed = await removeModel(defaultCatalog(), new ModelsLayout(listed.models.root), entry.folder);
      return { ok: true, removed: removed.folder, bytes: removed.bytes };
    } catch (err) {
      if (err instanceof ModelError) return { ok: false, code: 'E_REMOVE', message: err.message };
      return { ok: false, code: 'E_REMOVE', message: `cannot remove ${label}: ${errorMessage(err)}` };
    }
  }
}
