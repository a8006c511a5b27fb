// The daemon's stable shell: owns the engine, the speech queue and the audio devices, and routes each
// request either to its own control actions (which must work even when handlers are broken) or to the
// hot-reloaded handlers. Transport-free: the socket server, the app and the CLI's in-process fallback
// all drive it through request().
import type {
  AnswerOf,
  DaemonState,
  DoorInfo,
  OkAnswerOf,
  RequestOf,
  RemoteStatus,
  SpeedReport,
  TypedAction,
} from '../../shared/actions.js';
import type { z } from 'zod';
import type { Engine, EngineInfo, SynthesisStats, VoiceClone } from '../../shared/engine.js';
import type { Precision } from '../../shared/engine-options.js';
import {
  ACTIONS,
  PROTOCOL_VERSION,
  errorAnswer,
  type Answer,
  type EventMessage,
  type Request,
} from '../../shared/protocol.js';
import { CancelRequestSchema, parseRequest } from '../../shared/requests.js';
import { CONTROL_REQUEST_SCHEMAS, validRequestId } from '../../shared/control-requests.js';
import { answerInTime, checkedAnswer, DEFAULT_HANDLER_TIMEOUT_MS } from './handler-guard.js';
import type { AudioSink } from '../audio/sink.js';
import { modelsRoot } from '../models/layout.js';
import { EngineError, EngineHostDiedWhileLoading } from '../engine/errors.js';
import { ModelsService } from '../models/service.js';
import { currentPathEnv } from '../paths.js';
import type { HandlerContext } from './handlers-api.js';
import { SpeechShaper } from '../audio/stretch.js';
import { speakable } from '../text/document.js';
import { HandlersLoader } from './handlers-loader.js';
import { SpeechQueue } from './queue.js';
import { SpeedBook } from '../playback/speed.js';
import { speedKey, type SentenceControls } from '../playback/speak.js';
import { startDelay, type StartPolicy } from '../playback/start-rule.js';
import { dataDir } from '../../shared/paths.js';
import path from 'node:path';
import { errorDetail, errorMessage } from '../../shared/errors.js';
import { HistoryStore, historyOptionsFromEnv, type HistoryOptions } from '../history/store.js';
import { historyAction } from '../history/actions.js';
import { VoicePresetStore } from '../voices/store.js';
import { answerPresetAction, applyPreset, isAnswer } from '../voices/actions.js';
import { answerCloneAction, cloneFromClip } from '../voices/clone-actions.js';
import type { ReferenceSource } from '../audio/reference.js';

export type { DaemonState, DoorInfo };

/** What a front door passes along with a request. */
export interface RequestExtras {
  /** The door's per-request audio stream: speech goes there instead of to the speakers (decision 0017). */
  stream?: AudioSink;
  /** A cloned voice to speak with (a saved cloned voice, or a door's reference clip; decision 0033). */
  clone?: VoiceClone;
  /** The saved voice the request named (the history keeps it, so "speak again" uses its clone too). */
  savedVoice?: string;
}

export interface AudioOutputs {
  openPlayback(): Promise<AudioSink>;
  openFile(path: string): Promise<AudioSink>;
  writeFileAtomic(path: string, data: string): Promise<void>;
}

export interface CoreOptions {
  handlersFile: string;
  audio: AudioOutputs;
  /** Loads (or reloads) the engine. Called once at start and again after the engine died. */
  loadEngine(): Promise<Engine>;
  socketPath?: string;
  log?: (message: string) => void;
  /** Called when `stop` is requested; the owner shuts down (answers first, then exits). */
  onStop?: () => void;
  /** Points the engine at another model folder (models_use); false when the engine takes no model (tone). */
  selectModel?: (dir: string, precision: Precision | null) => boolean;
  /** Where models are installed (default: <data dir>/models). */
  modelsRoot?: string;
  /** Where the measured speed is kept (default: <data dir>/speed.json). */
  speedFile?: string;
  /** When speech starts if a request does not say (default smooth: no pauses inside a sentence). */
  startPolicy?: StartPolicy;
  /** How long handlers may take to answer, not counting the time their jobs wait and run in the queue. */
  handlerTimeoutMs?: number;
  /** The history of utterances (default: from the environment, in the cache directory; decision 0024). */
  history?: HistoryOptions;
  /** The settings file that holds the saved voices (default: the app's, in the per-user config directory). */
  settingsFile?: string;
}

/** A typical sentence (seconds of speech) and the engine's largest audio chunk, for "how long until speech". */
const TYPICAL_SENTENCE_S = 5;
const LARGEST_CHUNK_S = 48 / 12.5;

export class DaemonCore {
  readonly queue: SpeechQueue;
  readonly handlers: HandlersLoader;
  private engine: Engine | undefined;
  private engineLoading: Promise<Engine> | undefined;
  private engineError: string | undefined;
  private engineLoads = 0;
  private lastStats: SynthesisStats | undefined;
  private readonly startedAt = Date.now();
  private stopping = false;
  private readonly log: (message: string) => void;
  private readonly stateListeners = new Set<(state: DaemonState) => void>();
  private handlersInOrder: Promise<unknown> = Promise.resolve();
  private restartDelayMs = 1000;
  /** Set while paused: playback waits on it (generation runs on and is buffered). */
  private pauseGate: { promise: Promise<void>; open(): void } | undefined;
  private modelsService: ModelsService | undefined;
  private readonly openDoors = new Set<DoorInfo>();
  readonly speed: SpeedBook;
  /** Jobs at (or waiting for) the speakers that can step through sentences, in queue order. */
  private readonly players = new Map<number, SentenceControls>();
  /** Each playing job's phase: status says speaking if any speaks, else preparing if any is held back. */
  private readonly phases = new Map<object, 'preparing' | 'speaking'>();

  private readonly handlerTimeoutMs: number;
  readonly history: HistoryStore;
  readonly presets: VoicePresetStore;

  constructor(private readonly options: CoreOptions) {
    this.log = options.log ?? ((m) => console.error(m));
    this.handlerTimeoutMs = options.handlerTimeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS;
    this.handlers = new HandlersLoader(options.handlersFile, this.log);
    this.history = new HistoryStore(options.history ?? historyOptionsFromEnv(this.log));
    this.presets = new VoicePresetStore(options.settingsFile);
    this.speed = new SpeedBook(options.speedFile ?? path.join(dataDir(currentPathEnv()), 'speed.json'));
    this.queue = new SpeechQueue({
      started: () => this.emitState(),
      finished: () => this.emitState(),
    });
  }

  /** How many times an engine has been loaded (hot reloads of handlers must not change it). */
  get engineLoadCount(): number {
    return this.engineLoads;
  }

  get state(): DaemonState {
    if (this.engineLoading && !this.engine) return 'loading';
    if (!this.engine || !this.engineAlive()) return 'error';
    if (this.pauseGate) return 'paused';
    return this.queue.busy ? 'speaking' : 'idle';
  }

  /**
   * Reports an engine that died on its own (its process exited). It is loaded again after a pause that
   * doubles with each crash in a row (1 s … 30 s), or sooner by the next request.
   */
  engineDied(reason: string): void {
    if (this.stopping) return;
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(delay * 2, 30_000);
    this.engineError = `the engine process exited unexpectedly (${reason}); restarting it in ${Math.round(delay / 1000)} s (or at the next request)`;
    this.log(this.engineError);
    this.emitState();
    setTimeout(() => {
      if (this.stopping || this.engineAlive()) return;
      this.ensureEngine().catch(() => undefined); // a failed load is reported by status
    }, delay).unref();
  }

  /** The engine switched what speaks (a speech server and its local stand-in): tell the state listeners. */
  engineChanged(): void {
    this.emitState();
  }

  private engineAlive(): boolean {
    return (this.engine as { alive?: boolean } | undefined)?.alive ?? true;
  }

  onState(listener: (state: DaemonState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Loads the engine (once; again only after it has died or on reload_model). */
  async ensureEngine(): Promise<Engine> {
    const alive = this.engineAlive();
    if (this.engine && alive) return this.engine;
    if (this.engine && !alive) {
      this.log('engine process is gone; loading it again');
      this.engine = undefined;
    }
    // A host that dies while loading (killed, crashed) gets one more try before the requests waiting on it fail.
    const load = () =>
      this.options.loadEngine().catch((err: unknown) => {
        if (!(err instanceof EngineHostDiedWhileLoading) || this.stopping) throw err;
        this.log(`${errorMessage(err)}; loading it once more`);
        return this.options.loadEngine();
      });
    this.engineLoading ??= load()
      .then((engine) => {
        this.engine = engine;
        this.engineLoads++;
        this.engineError = undefined;
        setTimeout(() => {
          if (this.engine === engine && this.engineAlive()) this.restartDelayMs = 1000; // stable again
        }, 60_000).unref();
        return engine;
      })
      .catch((err: unknown) => {
        this.engineError = errorMessage(err);
        throw err;
      })
      .finally(() => {
        this.engineLoading = undefined;
        this.emitState();
      });
    this.emitState();
    return this.engineLoading;
  }

  /** Records an open front door for `status`; returns the call that forgets it again. */
  addDoor(door: DoorInfo): () => void {
    this.openDoors.add(door);
    return () => this.openDoors.delete(door);
  }

  get doors(): DoorInfo[] {
    return [...this.openDoors];
  }

  /** Answers one request. Never throws: every failure becomes an error answer. */
  request<A extends TypedAction>(
    request: RequestOf<A> & { action: A },
    emit?: (event: EventMessage) => void,
    extras?: RequestExtras,
  ): Promise<AnswerOf<A>>;
  request(request: Request, emit?: (event: EventMessage) => void, extras?: RequestExtras): Promise<Answer>;
  async request(
    request: Request,
    emit: (event: EventMessage) => void = () => undefined,
    extras: RequestExtras = {},
  ): Promise<Answer> {
    // an id of the wrong type is not echoed (one nested 10,000 deep could not even be sent back)
    const id = validRequestId(request.id) ? request.id : undefined;
    try {
      if (request.id !== undefined && id === undefined)
        return errorAnswer('E_INVALID', "field 'id' must be a string (up to 200 characters) or an integer");
      if (typeof request.action !== 'string') return errorAnswer('E_INVALID', "field 'action' must be a string", id);
      if (this.stopping) return errorAnswer('E_SHUTTING_DOWN', 'the daemon is shutting down', id);
      if (Object.hasOwn(CONTROL_REQUEST_SCHEMAS, request.action)) {
        const schema: z.ZodType = CONTROL_REQUEST_SCHEMAS[request.action as keyof typeof CONTROL_REQUEST_SCHEMAS];
        const parsed = parseRequest(schema, request);
        if (!parsed.ok) return errorAnswer(parsed.code, parsed.message, id);
      }
      switch (request.action) {
        case 'ping':
          return {
            status: 'ok',
            ...(id === undefined ? {} : { id }),
            v: PROTOCOL_VERSION,
          } satisfies OkAnswerOf<'ping'>;
        case 'status':
          return this.status(request);
        case 'cancel':
          return this.cancel(request);
        case 'queue':
          return {
            status: 'ok',
            ...(id === undefined ? {} : { id }),
            jobs: this.queue.list(),
          } satisfies OkAnswerOf<'queue'>;
        case 'pause':
          return this.setPaused(true, request);
        case 'resume':
          return this.setPaused(false, request);
        case 'next':
        case 'back':
          return this.step(request.action, request);
        case 'reload':
          return await this.reload(request);
        case 'models':
        case 'models_pull':
        case 'models_cancel':
        case 'models_use':
          return await this.models().handle(request, emit);
        case 'history':
        case 'history_replay':
        case 'history_save':
        case 'history_clear':
          return await this.historyAction(request);
        case 'voices_list':
        case 'voices_save':
        case 'voices_remove':
          return answerPresetAction(this.presets, request);
        case 'voices_clone':
        case 'voices_lock':
          return await answerCloneAction(
            { store: this.presets, engine: () => this.ensureEngine(), queue: this.queue },
            request,
          );
        case 'stop':
          this.stopping = true;
          setImmediate(() => this.options.onStop?.());
          return { status: 'ok', ...(id === undefined ? {} : { id }) } satisfies OkAnswerOf<'stop'>;
      }
      if (!(ACTIONS as readonly string[]).includes(request.action)) {
        return errorAnswer('E_UNKNOWN_ACTION', `unknown action '${request.action}' (known: ${ACTIONS.join(', ')})`, id);
      }
      if (request.action === 'generate') {
        const applied = applyPreset(this.presets, request); // a saved voice's fields and clone (decisions 0026, 0033)
        if (isAnswer(applied)) return applied;
        if (applied.clone) extras = { ...extras, clone: applied.clone };
        if (typeof request.voice === 'string') extras = { ...extras, savedVoice: request.voice };
        request = applied.request as Request & { action: 'generate' };
      }
      let handlers;
      try {
        // One at a time, in arrival order: handlers then start (and queue speech) in the order requests came.
        const next = this.handlersInOrder.then(() => this.handlers.get());
        this.handlersInOrder = next.catch(() => undefined);
        handlers = await next;
      } catch (err) {
        return errorAnswer('E_HANDLERS', errorMessage(err), id);
      }
      try {
        return checkedAnswer(
          await answerInTime(handlers, this.context(extras), request, emit, this.handlerTimeoutMs),
          id,
        );
      } catch (err) {
        this.log(`handlers threw on '${request.action}': ${errorDetail(err)}`);
        return errorAnswer('E_HANDLERS', `handlers failed: ${errorMessage(err)}`, id);
      }
    } catch (err) {
      this.log(`internal error: ${errorDetail(err)}`);
      return errorAnswer('E_INTERNAL', errorMessage(err), id);
    }
  }

  /** Clones a voice from a clip for one request (the HTTP door's ref_audio), on the queue like voices_clone. */
  cloneFromClip(source: ReferenceSource, text: string | null, requestId: string): Promise<{ clone: VoiceClone }> {
    return cloneFromClip(
      { engine: () => this.ensureEngine(), queue: this.queue },
      source,
      text,
      requestId,
      'clone ref_audio',
    );
  }

  status(request: Request = { action: 'status' }): OkAnswerOf<'status'> {
    const info: EngineInfo | undefined = this.engine?.info;
    const answer: OkAnswerOf<'status'> = {
      status: 'ok',
      ...(request.id === undefined ? {} : { id: request.id }),
      v: PROTOCOL_VERSION,
      pid: process.pid,
      uptime_s: Math.round((Date.now() - this.startedAt) / 1000),
      state: this.state,
      engine: info?.engine ?? null,
      model: info?.model ?? null,
      queue_length: this.queue.length,
      socket: this.options.socketPath ?? null,
      handlers_version: this.handlers.version,
      engine_loads: this.engineLoads,
      doors: this.doors,
      playback: this.playbackPhase(),
    };
    if (this.engineError) answer.error = this.engineError;
    if (this.engine) answer.speed = this.speedReport(this.engine);
    const remote = (this.engine as { remoteStatus?: () => RemoteStatus } | undefined)?.remoteStatus?.();
    if (remote) answer.remote = remote;
    if (this.lastStats) {
      answer.last = {
        ttfa_ms: Math.round(this.lastStats.timeToFirstAudioMs),
        rtf: Math.round(this.lastStats.realTimeFactor * 1000) / 1000,
        audio_seconds: Math.round(this.lastStats.audioSeconds * 1000) / 1000,
      };
    }
    return answer;
  }

  /** Shuts the shell down: cancels speech (answering waiting clients), releases the engine. */
  async close(): Promise<void> {
    this.stopping = true;
    this.queue.cancel();
    this.modelsService?.cancelAll();
    const engine = this.engine ?? (await this.engineLoading?.catch(() => undefined));
    this.engine = undefined;
    await engine?.dispose();
  }

  private setPaused(paused: boolean, request: Request): OkAnswerOf<'pause' | 'resume'> {
    if (paused && !this.pauseGate) {
      let open!: () => void;
      const promise = new Promise<void>((resolve) => (open = resolve));
      this.pauseGate = { promise, open };
    } else if (!paused && this.pauseGate) {
      this.pauseGate.open();
      this.pauseGate = undefined;
    }
    this.emitState();
    return { status: 'ok', ...(request.id === undefined ? {} : { id: request.id }), state: this.state };
  }

  /** next/back on the job at the speakers: the oldest that offers controls (the others wait their turn). */
  private step(action: 'next' | 'back', request: Request): OkAnswerOf<'next' | 'back'> {
    const ids = request.id === undefined ? {} : { id: request.id };
    const first = this.players.entries().next();
    if (first.done) return { status: 'ok', ...ids, state: this.state, job: null, sentence: null, sentences: null };
    const [job, controls] = first.value;
    const to = action === 'next' ? controls.next() : controls.back();
    const { count } = controls.position();
    return { status: 'ok', ...ids, state: this.state, job, sentence: to < count ? to + 1 : null, sentences: count };
  }

  private unpaused(signal: AbortSignal): Promise<void> {
    const gate = this.pauseGate;
    if (!gate || signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      signal.addEventListener('abort', () => resolve(), { once: true });
      void gate.promise.then(resolve);
    });
  }

  private cancel(request: Request): AnswerOf<'cancel'> {
    const parsed = parseRequest(CancelRequestSchema, request);
    if (!parsed.ok) return errorAnswer(parsed.code, parsed.message, request.id);
    const cancelled = this.queue.cancel(parsed.value.target);
    return { status: 'ok', ...(request.id === undefined ? {} : { id: request.id }), cancelled };
  }

  private async reload(request: Request): Promise<AnswerOf<'reload'>> {
    const ids = request.id === undefined ? {} : { id: request.id };
    let modelFields = {};
    if (request.model === true) {
      const start = performance.now();
      this.queue.cancel();
      const old = this.engine;
      this.engine = undefined;
      await old?.dispose();
      try {
        const engine = await this.ensureEngine();
        modelFields = { model: engine.info.model, load_ms: Math.round(performance.now() - start) };
      } catch (err) {
        return errorAnswer(err instanceof EngineError ? err.code : 'E_ENGINE', errorMessage(err), request.id);
      }
    }
    try {
      await this.handlers.get(true);
    } catch (err) {
      return errorAnswer('E_HANDLERS', errorMessage(err), request.id);
    }
    return {
      status: 'ok',
      ...ids,
      handlers_version: this.handlers.version,
      engine_loads: this.engineLoads,
      ...modelFields,
    };
  }

  /** The model manager (docs/protocol.md, "Models"): control actions, so they work without a model or handlers. */
  private models(): ModelsService {
    this.modelsService ??= new ModelsService({
      root: this.options.modelsRoot ?? modelsRoot(currentPathEnv()),
      log: this.log,
      switchModel: async (dir, precision) => {
        if (!this.options.selectModel?.(dir, precision)) return { status: 'ok' };
        return this.reload({ action: 'reload', model: true });
      },
    });
    return this.modelsService;
  }

  /** The history actions (docs/protocol.md, "History"): control actions, answered without handlers or a model. */
  private historyAction(request: Request): Promise<Answer> {
    return historyAction(
      {
        store: this.history,
        queue: this.queue,
        openPlayback: () => this.options.audio.openPlayback(),
        openFile: (p) => this.options.audio.openFile(p),
        unpaused: (signal) => this.unpaused(signal),
      },
      request,
    );
  }

  /** The model's measured real-time factor and, when slower than real time, what that means and what helps. */
  private speedReport(engine: Engine): SpeedReport {
    const rtf = this.speed.rtf(speedKey(engine));
    if (rtf === undefined) return { rtf: null, slow: false };
    const slow = this.speed.slow(speedKey(engine));
    const report: SpeedReport = { rtf: Math.round(rtf * 100) / 100, slow };
    if (slow) {
      const wait = this.expectedWait(engine) ?? 0;
      report.wait_s = Math.round(wait * 10) / 10;
      report.advice = slowAdvice(engine.info.model, rtf, wait);
    }
    return report;
  }

  /** speaking if any job plays, else preparing if any is held back, else idle. */
  playbackPhase(): 'preparing' | 'speaking' | 'idle' {
    const phases = [...this.phases.values()];
    return phases.includes('speaking') ? 'speaking' : phases.includes('preparing') ? 'preparing' : 'idle';
  }

  private expectedWait(engine: Engine): number | undefined {
    const rtf = this.speed.rtf(speedKey(engine));
    return rtf === undefined ? undefined : startDelay(TYPICAL_SENTENCE_S, rtf, LARGEST_CHUNK_S);
  }

  private context(extras: RequestExtras = {}): HandlerContext {
    return {
      ...(extras.stream ? { stream: extras.stream } : {}),
      ...(extras.clone ? { clone: extras.clone } : {}),
      ...(extras.savedVoice ? { savedVoice: extras.savedVoice } : {}),
      speed: this.speed,
      startPolicy: () => this.options.startPolicy ?? 'smooth',
      expectedWait: (engine) => this.expectedWait(engine),
      slowNotice: (engine) => {
        const report = this.speedReport(engine);
        return report.slow ? (report as { rtf: number; wait_s: number; advice: string }) : undefined;
      },
      playbackPhase: (job, phase) => {
        const before = this.playbackPhase();
        if (phase === 'idle') this.phases.delete(job);
        else this.phases.set(job, phase);
        if (this.playbackPhase() !== before) this.emitState();
      },
      controls: (job, controls) => {
        if (controls) this.players.set(job, controls);
        else this.players.delete(job);
      },
      engine: () => this.ensureEngine(),
      engineInfo: () => this.engine?.info,
      queue: this.queue,
      unpaused: (signal) => this.unpaused(signal),
      openPlayback: () => this.options.audio.openPlayback(),
      openFile: (p) => this.options.audio.openFile(p),
      writeFileAtomic: (p, d) => this.options.audio.writeFileAtomic(p, d),
      history: (info) => this.history.begin({ ...info, source: info.source ?? (extras.stream ? 'door' : null) }),
      shaper: (sampleRate, rate, gain) => SpeechShaper.create(sampleRate, rate, gain),
      speakable,
      recordStats: (s) => {
        this.lastStats = s;
        this.log(
          `spoke ${s.audioSeconds.toFixed(2)} s: first audio ${Math.round(s.timeToFirstAudioMs)} ms, real-time factor ${s.realTimeFactor.toFixed(2)}${s.truncated ? ' (cut by the frame budget)' : ''}`,
        );
      },
      log: this.log,
    };
  }

  private emitState(): void {
    const state = this.state;
    for (const l of this.stateListeners) l(state);
  }
}

/** What to tell a user whose machine speaks slower than real time (CLI, tray tooltip, window). */
export function slowAdvice(model: string, rtf: number, waitSeconds: number): string {
  const tips = [
    /0\.6b/i.test(model) ? null : 'the 0.6B model',
    /int4/i.test(model) ? null : 'int4 precision',
    'a GPU execution provider',
  ].filter(Boolean);
  return (
    `this machine generates speech ${rtf.toFixed(1)}× slower than real time with ${model}, so each sentence is prepared before it plays ` +
    `(about ${Math.round(waitSeconds)} s for a typical sentence) to avoid pauses inside it; faster: ${tips.join(', ')}`
  );
}
