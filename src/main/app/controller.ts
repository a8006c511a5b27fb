// What the app does, whoever asks (tray, window, hotkey, second instance): speak, stop, save, reload,
// and one AppStatus everyone displays. No Electron here; the electron/ adapters call these methods.
import type {
  AppStatus,
  BridgeError,
  BridgeResult,
  RunStats,
  SpeakParams,
  Voices,
  WindowDefaults,
} from '../../shared/bridge.js';
import type { Settings } from '../../shared/settings.js';
import {
  SpeechError,
  type PlaybackControl,
  type SentencePlace,
  type SpeechService,
  type SpeechSnapshot,
} from './speech.js';
import { errorMessage } from '../../shared/errors.js';
import { defaultVoiceOf } from './voice-presets.js';

export interface ControllerDeps {
  settings(): Settings;
  /** The text the hotkey should read (clipboard or primary selection), already chosen by the clipboard strategy. */
  readClipboard(): Promise<string>;
  /** Restarts the speech service (host: a new daemon; attached: reconnect); "Reload model" when it is down. */
  restartService?(): void;
  log?(message: string): void;
}

/** Where the service stands when there is none to ask (starting, or failed to start). */
export type ServicePhase =
  { phase: 'starting'; message: string } | { phase: 'failed'; code: string; message: string } | { phase: 'up' };

/** Pure: the status every front end shows, from the service's snapshot and what the app knows. */
export function deriveStatus(
  phase: ServicePhase,
  snapshot: SpeechSnapshot | null,
  extra: {
    attached: boolean;
    progressSeconds: number | null;
    last: RunStats | null;
    sentence?: SentencePlace | null;
  },
): AppStatus {
  const base = {
    attached: extra.attached,
    engine: snapshot?.engine ?? null,
    model: snapshot?.model ?? null,
    last: snapshot?.last ?? extra.last,
    progressSeconds: null,
    slow: snapshot?.slow ?? null,
    ...(snapshot?.doors?.length ? { doors: snapshot.doors } : {}),
    ...(snapshot?.remote ? { remote: snapshot.remote } : {}),
  };
  if (phase.phase === 'starting') return { ...base, state: 'loading', message: phase.message };
  if (phase.phase === 'failed')
    return { ...base, state: phase.code === 'E_NO_MODEL' ? 'no-model' : 'error', message: phase.message };
  if (!snapshot) return { ...base, state: 'loading', message: 'Connecting to the daemon…' };
  switch (snapshot.state) {
    case 'loading':
      return { ...base, state: 'loading', message: 'Loading the model…' };
    case 'error':
      return {
        ...base,
        state: /\bno model\b/i.test(snapshot.error ?? '') ? 'no-model' : 'error',
        message: snapshot.error ?? 'The engine is not running.',
      };
    case 'speaking':
      return {
        ...base,
        state: 'speaking',
        message: null,
        progressSeconds: extra.progressSeconds,
        ...(snapshot.paused ? { paused: true } : {}),
        ...(extra.sentence ? { sentence: extra.sentence } : {}),
      };
    default:
      return { ...base, state: 'ready', message: null };
  }
}

const sameStatus = (a: AppStatus, b: AppStatus) => JSON.stringify(a) === JSON.stringify(b);

export class AppController {
  private service: SpeechService | null = null;
  private phase: ServicePhase = { phase: 'starting', message: 'Starting…' };
  private snapshot: SpeechSnapshot | null = null;
  private progressSeconds: number | null = null;
  /** The sentence the app's own utterance is reading. */
  private sentence: SentencePlace | null = null;
  private last: RunStats | null = null;
  private current: AppStatus;
  private readonly listeners = new Set<(s: AppStatus) => void>();
  private offService: (() => void) | undefined;

  constructor(private readonly deps: ControllerDeps) {
    this.current = this.compute();
  }

  get status(): AppStatus {
    return this.current;
  }

  get speech(): SpeechService | null {
    return this.service;
  }

  onStatus(listener: (s: AppStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The composition root reports the service's lifecycle here. */
  setStarting(message: string): void {
    this.useService(null);
    this.phase = { phase: 'starting', message };
    this.publish();
  }

  setFailed(code: string, message: string): void {
    this.useService(null);
    this.phase = { phase: 'failed', code, message };
    this.publish();
  }

  async setService(service: SpeechService): Promise<void> {
    this.useService(service);
    this.phase = { phase: 'up' };
    this.offService = service.onChange(() => void this.refresh());
    await this.refresh();
  }

  /** Re-reads the service's state (after a change notice). */
  async refresh(): Promise<void> {
    const service = this.service;
    if (!service) return this.publish();
    try {
      this.snapshot = await service.snapshot();
    } catch (err) {
      if (this.service !== service) return;
      this.snapshot = {
        state: 'error',
        engine: null,
        model: null,
        error: errorMessage(err),
        last: this.snapshot?.last ?? null,
      };
    }
    if (this.snapshot.state !== 'speaking') {
      this.progressSeconds = null;
      this.sentence = null;
    }
    this.publish();
  }

  defaults(): WindowDefaults {
    const s = this.deps.settings();
    const { instruct, language, speaker } = defaultVoiceOf(s);
    return { instruct, language, speaker, rate: s.rate, volume: s.volume };
  }

  async speak(
    params: SpeakParams,
    options: { clean?: boolean; output?: string; source?: 'window' | 'hotkey' } = {},
  ): Promise<BridgeResult<{ stats: RunStats | null; warning: string | null }>> {
    const service = this.service;
    if (!service) return this.unavailable();
    const settings = this.deps.settings();
    try {
      const outcome = await service.speak(
        {
          text: params.text,
          instruct: params.instruct.trim() ? params.instruct : null,
          language: params.language,
          speaker: params.speaker,
          interrupt: settings.speakMode === 'interrupt',
          ...(settings.speechStart === 'asap' ? { asap: true } : {}),
          clean: options.clean ?? false,
          ...(options.output ? { output: options.output } : {}),
          source: options.source ?? 'window',
          ...(params.voice ? { voice: params.voice } : {}),
          // the window's sliders; the hotkey and older windows get the Settings' defaults
          rate: params.rate ?? settings.rate,
          volume: params.volume ?? settings.volume,
        },
        (p) => {
          if (p.type === 'progress') {
            this.progressSeconds = p.audioSeconds;
            this.publish();
          } else if (p.type === 'sentence') {
            this.sentence = { sentence: p.sentence, sentences: p.sentences, start: p.start, end: p.end };
            this.publish();
          }
        },
      );
      if (outcome.stats) this.last = outcome.stats;
      this.sentence = null;
      await this.refresh();
      return { ok: true, stats: outcome.stats, warning: outcome.warning };
    } catch (err) {
      this.sentence = null;
      await this.refresh();
      return failure(err);
    }
  }

  /** Pause, resume, next sentence, previous sentence (tray, window). */
  async control(action: PlaybackControl): Promise<BridgeResult<object>> {
    if (!this.service) return this.unavailable();
    try {
      await this.service.control(action);
      await this.refresh();
      return { ok: true };
    } catch (err) {
      return failure(err);
    }
  }

  async saveWav(
    params: SpeakParams,
    path: string | null,
  ): Promise<BridgeResult<{ path: string | null; stats: RunStats | null }>> {
    if (path === null) return { ok: true, path: null, stats: null };
    const result = await this.speak(params, { output: path });
    return result.ok ? { ok: true, path, stats: result.stats } : result;
  }

  /** The hotkey, the tray item and `--speak-clipboard`: read, clean (in the daemon) and speak. */
  async speakClipboard(): Promise<BridgeResult<{ stats: RunStats | null; warning: string | null }>> {
    let text: string;
    try {
      text = await this.deps.readClipboard();
    } catch (err) {
      return { ok: false, code: 'E_CLIPBOARD', message: `cannot read the clipboard: ${errorMessage(err)}` };
    }
    if (!text.trim()) return { ok: false, code: 'E_TEXT_EMPTY', message: 'The clipboard holds no text.' };
    return this.speak({ text, ...defaultVoiceOf(this.deps.settings()) }, { clean: true, source: 'hotkey' });
  }

  async stop(): Promise<BridgeResult<{ cancelled: number }>> {
    if (!this.service) return { ok: true, cancelled: 0 };
    try {
      return { ok: true, cancelled: await this.service.stop() };
    } catch (err) {
      return failure(err);
    }
  }

  async voices(): Promise<BridgeResult<{ voices: Voices }>> {
    if (!this.service) return this.unavailable();
    try {
      return { ok: true, voices: await this.service.voices() };
    } catch (err) {
      return failure(err);
    }
  }

  async reload(model: boolean): Promise<BridgeResult<object>> {
    if (!this.service) {
      // Nothing to reload: start again (e.g. after installing a model).
      this.deps.restartService?.();
      return { ok: true };
    }
    if (model) {
      this.snapshot = this.snapshot ? { ...this.snapshot, state: 'loading' } : null;
      this.publish();
    }
    try {
      await this.service.reload({ model });
      await this.refresh();
      return { ok: true };
    } catch (err) {
      await this.refresh();
      return failure(err);
    }
  }

  async close(): Promise<void> {
    const service = this.service;
    this.useService(null);
    await service?.close();
  }

  private useService(service: SpeechService | null): void {
    this.offService?.();
    this.offService = undefined;
    this.service = service;
    this.snapshot = null;
  }

  private unavailable(): BridgeError {
    const s = this.current;
    if (s.state === 'no-model')
      return { ok: false, code: 'E_NO_MODEL', message: s.message ?? 'No model is installed.' };
    if (s.state === 'loading') return { ok: false, code: 'E_LOADING', message: 'The model is still loading.' };
    return { ok: false, code: 'E_ENGINE', message: s.message ?? 'The speech engine is not running.' };
  }

  private compute(): AppStatus {
    return deriveStatus(this.phase, this.snapshot, {
      attached: this.service?.mode === 'attached',
      progressSeconds: this.progressSeconds,
      last: this.last,
      sentence: this.sentence,
    });
  }

  private publish(): void {
    const next = this.compute();
    if (sameStatus(next, this.current)) return;
    this.current = next;
    for (const l of this.listeners) l(next);
  }
}

function failure(err: unknown): BridgeError {
  if (err instanceof SpeechError) return { ok: false, code: err.code, message: err.message };
  return { ok: false, code: 'E_INTERNAL', message: errorMessage(err) };
}
