// Keeps one child service alive: start it, notice when it ends, start it again after a growing pause,
// and give up (until asked again) when it keeps failing. The spawn function says how to start it:
// the daemon with its engine process in the app, a fake in tests.
import { errorMessage } from '../../shared/errors.js';

export interface BackoffPolicy {
  initialMs: number;
  factor: number;
  maxMs: number;
  /** A run that lasted this long counts as healthy: the next failure starts the backoff from scratch. */
  healthyAfterMs: number;
  /** Consecutive failed starts or quick deaths before giving up. */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialMs: 1000,
  factor: 2,
  maxMs: 30_000,
  healthyAfterMs: 60_000,
  maxAttempts: 6,
};

/** Pause before restart attempt n (1-based). */
export function backoffDelay(policy: BackoffPolicy, attempt: number): number {
  return Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt - 1));
}

export interface Supervised {
  /** Resolves when the service ends on its own (crash, exit); not called for stop(). */
  readonly ended: Promise<{ reason: string }>;
  stop(): Promise<void>;
}

export type SupervisorState =
  | { state: 'starting'; attempt: number }
  | { state: 'running' }
  | { state: 'waiting'; attempt: number; delayMs: number; reason: string }
  | { state: 'failed'; reason: string; permanent: boolean }
  | { state: 'stopped' };

export interface SupervisorOptions<T extends Supervised> {
  spawn(): Promise<T>;
  /** Errors not worth retrying (e.g. no model installed): the supervisor stops until restart(). */
  isPermanent?(err: unknown): boolean;
  policy?: BackoffPolicy;
  onState?(state: SupervisorState, service: T | null): void;
  now?: () => number;
}

export class Supervisor<T extends Supervised> {
  private readonly policy: BackoffPolicy;
  private readonly now: () => number;
  private current: T | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;
  private stopped = true;
  private _state: SupervisorState = { state: 'stopped' };

  constructor(private readonly options: SupervisorOptions<T>) {
    this.policy = options.policy ?? DEFAULT_BACKOFF;
    this.now = options.now ?? Date.now;
  }

  get state(): SupervisorState {
    return this._state;
  }

  get service(): T | null {
    return this.current;
  }

  /** Starts (or, after giving up, starts again with a fresh backoff). */
  start(): void {
    this.stopped = false;
    this.attempt = 0;
    void this.launch(++this.generation);
  }

  /** Stops what runs now and starts afresh (Reload model after a failure, settings change). */
  async restart(): Promise<void> {
    await this.stop();
    this.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const running = this.current;
    this.current = null;
    this.set({ state: 'stopped' });
    await running?.stop();
  }

  private set(state: SupervisorState): void {
    this._state = state;
    this.options.onState?.(state, this.current);
  }

  private async launch(gen: number): Promise<void> {
    this.attempt++;
    this.set({ state: 'starting', attempt: this.attempt });
    let service: T;
    const startedAt = this.now();
    try {
      service = await this.options.spawn();
    } catch (err) {
      if (gen !== this.generation) return;
      return this.failed(gen, err, errorMessage(err));
    }
    if (gen !== this.generation) {
      await service.stop(); // stopped while it was starting
      return;
    }
    this.current = service;
    this.set({ state: 'running' });
    const { reason } = await service.ended;
    if (gen !== this.generation) return;
    this.current = null;
    // A healthy run counts as a fresh first attempt.
    if (this.now() - startedAt >= this.policy.healthyAfterMs) this.attempt = 1;
    this.failed(gen, null, reason);
  }

  private failed(gen: number, err: unknown, reason: string): void {
    if (this.stopped) return;
    if (err !== null && this.options.isPermanent?.(err)) return this.set({ state: 'failed', reason, permanent: true });
    if (this.attempt >= this.policy.maxAttempts) return this.set({ state: 'failed', reason, permanent: false });
    const delayMs = backoffDelay(this.policy, this.attempt);
    this.set({ state: 'waiting', attempt: this.attempt + 1, delayMs, reason });
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (gen === this.generation) void this.launch(gen);
    }, delayMs);
  }
}
