// The daemon's side of the model manager: the "models", "models_pull", "models_cancel" and "models_use"
// actions (docs/protocol.md, "Models"). Pulls run in the daemon, not per connection: a second request for
// the same model joins the running pull, and a client that goes away does not stop it.
import type { AnswerOf, Ok } from '../../shared/actions.js';
import type { Answer, ErrorAnswer, ErrorCode, EventMessage, Request } from '../../shared/protocol.js';
import { errorAnswer } from '../../shared/protocol.js';
import { parseRequest } from '../../shared/requests.js';
import { ModelsCancelRequestSchema, ModelsListRequestSchema, ModelsPullRequestSchema, ModelsUseRequestSchema, type PullStatus } from '../../shared/models.js';
import { defaultCatalog, findModel, parsePrecision, type Catalog, type Precision } from './catalog.js';
import { ModelError, type ModelErrorKind } from './errors.js';
import { listModels, useModel } from './inventory.js';
import { folderName, ModelsLayout } from './layout.js';
import { pullModel, type PullEvent, type PullOptions, type PullResult } from './pull.js';

export interface ModelsServiceOptions {
  root: string;
  env?: Record<string, string | undefined>;
  catalog?: Catalog;
  /** Points the engine at another model and reloads it; resolves with the reload's answer fields. */
  switchModel(dir: string, precision: Precision | null): Promise<Ok<{ engine_loads?: number }> | ErrorAnswer>;
  /** Extra pull settings (timeouts, retries; tests make them short). */
  pullOptions?: Partial<PullOptions>;
  log?: (message: string) => void;
}

interface RunningPull {
  status: PullStatus;
  controller: AbortController;
  listeners: Set<(event: PullEvent) => void>;
  done: Promise<PullResult>;
}

export function answerCode(kind: ModelErrorKind): ErrorCode {
  switch (kind) {
    case 'unknown_model':
    case 'usage':
      return 'E_INVALID';
    case 'not_installed':
      return 'E_NO_MODEL';
    case 'busy':
      return 'E_BUSY';
    case 'cancelled':
      return 'E_CANCELLED';
    default:
      return 'E_DOWNLOAD';
  }
}

export class ModelsService {
  private readonly pulls = new Map<string, RunningPull>();
  private readonly layout: ModelsLayout;
  private readonly catalog: Catalog;

  constructor(private readonly o: ModelsServiceOptions) {
    this.layout = new ModelsLayout(o.root);
    this.catalog = o.catalog ?? defaultCatalog();
  }

  async handle(request: Request, emit: (event: EventMessage) => void): Promise<Answer> {
    const ids = request.id === undefined ? {} : { id: request.id };
    try {
      switch (request.action) {
        case 'models': {
          const parsed = parseRequest(ModelsListRequestSchema, request);
          if (!parsed.ok) return errorAnswer(parsed.code, parsed.message, request.id);
          const listing = listModels(this.catalog, this.layout, this.o.env ?? process.env);
          return { status: 'ok', ...ids, ...listing, pulls: [...this.pulls.values()].map((p) => p.status) } satisfies AnswerOf<'models'>;
        }
        case 'models_pull':
          return await this.pull(request, emit);
        case 'models_cancel': {
          const parsed = parseRequest(ModelsCancelRequestSchema, request);
          if (!parsed.ok) return errorAnswer(parsed.code, parsed.message, request.id);
          const { name, precision } = parsed.value;
          const model = name === undefined ? undefined : findModel(this.catalog, name);
          let cancelled = 0;
          for (const p of this.pulls.values()) {
            if ((!model || p.status.name === model.name) && (!precision || p.status.precision === precision)) {
              p.controller.abort();
              cancelled++;
            }
          }
          return { status: 'ok', ...ids, cancelled } satisfies AnswerOf<'models_cancel'>;
        }
        case 'models_use': {
          const parsed = parseRequest(ModelsUseRequestSchema, request);
          if (!parsed.ok) return errorAnswer(parsed.code, parsed.message, request.id);
          const used = await useModel(this.catalog, this.layout, parsed.value.name, parsed.value.precision);
          const reloaded = await this.o.switchModel(used.dir, used.precision);
          if (reloaded.status === 'error') return { ...reloaded, ...ids };
          const override = (this.o.env ?? process.env).Q3TTS_MODEL_DIR;
          return {
            status: 'ok',
            ...ids,
            active: used.folder,
            dir: used.dir,
            ...(typeof reloaded.engine_loads === 'number' ? { engine_loads: reloaded.engine_loads } : {}),
            ...(override ? { warning: `Q3TTS_MODEL_DIR is set (${override}): this daemon now uses ${used.folder}, but the next start will load Q3TTS_MODEL_DIR again` } : {}),
          } satisfies AnswerOf<'models_use'>;
        }
        default:
          return errorAnswer('E_UNKNOWN_ACTION', `unknown action '${request.action}'`, request.id);
      }
    } catch (err) {
      if (err instanceof ModelError) return errorAnswer(answerCode(err.kind), err.message, request.id);
      throw err;
    }
  }

  private async pull(request: Request, emit: (event: EventMessage) => void): Promise<AnswerOf<'models_pull'>> {
    const ids = request.id === undefined ? {} : { id: request.id };
    const parsed = parseRequest(ModelsPullRequestSchema, request);
    if (!parsed.ok) return errorAnswer(parsed.code, parsed.message, request.id);
    const model = findModel(this.catalog, parsed.value.name);
    const precision = parsePrecision(parsed.value.precision, model);
    const folder = folderName(model.name, precision);
    let running = this.pulls.get(folder);
    if (!running) running = this.start(model.name, precision, folder);
    const listener = parsed.value.events ? (e: PullEvent) => emit({ event: 'pull', ...ids, ...e }) : undefined;
    if (parsed.value.wait === false) {
      running.done.catch(() => undefined);
      return { status: 'ok', ...ids, started: true, folder };
    }
    if (listener) running.listeners.add(listener);
    try {
      const result = await running.done;
      return { status: 'ok', ...ids, folder: result.folder, dir: result.dir, total_bytes: result.manifest.files.reduce((n, f) => n + f.size, 0), downloaded_bytes: result.downloadedBytes, active: result.active };
    } finally {
      if (listener) running.listeners.delete(listener);
    }
  }

  private start(name: string, precision: Precision, folder: string): RunningPull {
    const controller = new AbortController();
    const running: RunningPull = {
      status: { name, precision, folder, done_bytes: 0, total_bytes: null, speed_bps: 0, eta_s: null },
      controller,
      listeners: new Set(),
      done: Promise.resolve() as unknown as Promise<PullResult>,
    };
    const onEvent = (e: PullEvent) => {
      if (e.type === 'plan') {
        running.status.total_bytes = e.total_bytes;
        running.status.done_bytes = e.have_bytes;
      } else if (e.type === 'progress') {
        Object.assign(running.status, { done_bytes: e.done_bytes, speed_bps: e.speed_bps, eta_s: e.eta_s });
      }
      for (const l of running.listeners) l(e);
    };
    running.done = pullModel({ ...this.o.pullOptions, root: this.o.root, name, precision, catalog: this.catalog, env: this.o.env ?? process.env, signal: controller.signal, onEvent })
      .then((r) => {
        this.o.log?.(`pulled ${folder} into ${r.dir}`);
        return r;
      })
      .finally(() => this.pulls.delete(folder));
    this.pulls.set(folder, running);
    return running;
  }

  /** Cancels every running pull (daemon shutdown): their .part files stay for a later resume. */
  cancelAll(): void {
    for (const p of this.pulls.values()) p.controller.abort();
  }
}
