// One synthesis at a time; the rest wait in order. A job that has finished generating hands the engine
// on (lane.generated()) while it still plays, so the next request is generated meanwhile; playback stays
// in order (lane.turn). Cancelling aborts a job's signal, which its runner turns into an immediate audio
// stop, so silence does not wait for the engine to notice.
import type { QueuedJob } from '../../shared/actions.js';
import type { RequestId } from '../../shared/protocol.js';
import { abortError } from '../engine/errors.js';

export interface JobSpec {
  requestId?: RequestId | undefined;
  /** A short description for `queue` listings (the first words of the text). */
  summary: string;
  run(signal: AbortSignal, lane: Lane): Promise<void>;
}

/** How a job shares the daemon with the jobs around it. */
export interface Lane {
  /** Call when generation is over: the next job may start generating while this one plays on. */
  generated(): void;
  /** Resolves when the jobs before this one have finished playing (its turn at the speakers). */
  turn: Promise<void>;
  /** This job's number (as `queue` lists it). */
  job: number;
}

/** A job as the `queue` action lists it. */
export type JobView = QueuedJob;

interface Job extends JobSpec {
  job: number;
  controller: AbortController;
  enqueuedAt: number;
  settle: { resolve(): void; reject(err: unknown): void };
}

export interface QueueListener {
  started?(job: JobView): void;
  finished?(job: JobView): void;
}

export class SpeechQueue {
  /** The job generating (or running, for jobs that never hand over). */
  private current: Job | undefined;
  /** Jobs done generating that still play, in order. */
  private playing: Job[] = [];
  private waiting: Job[] = [];
  private nextJob = 1;
  /** Settles when the last started job has finished: the next one's turn. */
  private lastDone: Promise<void> = Promise.resolve();

  constructor(private readonly listener: QueueListener = {}) {}

  /** Jobs not finished yet: those speaking plus those waiting. */
  get length(): number {
    return this.waiting.length + this.playing.length + (this.current ? 1 : 0);
  }

  get busy(): boolean {
    return this.current !== undefined || this.playing.length > 0;
  }

  /**
   * Adds a job; `interrupt` first cancels everything playing or waiting ("speak now").
   * Returns its position (0 = starts now) and a promise that settles when it has run, failed or been cancelled.
   */
  enqueue(
    spec: JobSpec,
    options: { interrupt?: boolean } = {},
  ): { job: number; position: number; done: Promise<void> } {
    if (options.interrupt) this.cancel();
    let settle!: Job['settle'];
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    const job: Job = {
      ...spec,
      job: this.nextJob++,
      controller: new AbortController(),
      enqueuedAt: performance.now(),
      settle,
    };
    this.waiting.push(job);
    const position = this.length - 1;
    this.pump();
    return { job: job.job, position, done };
  }

  /** Cancels one job (by job number or request id), or everything when no target is given. Returns how many. */
  cancel(target?: RequestId): number {
    const matches = (j: Job) => target === undefined || j.job === target || j.requestId === target;
    const dropped = this.waiting.filter(matches);
    this.waiting = this.waiting.filter((j) => !matches(j));
    for (const j of dropped) {
      j.controller.abort();
      j.settle.reject(abortError());
    }
    let count = dropped.length;
    for (const j of [...this.playing, ...(this.current ? [this.current] : [])]) {
      if (matches(j) && !j.controller.signal.aborted) {
        j.controller.abort();
        count++;
      }
    }
    return count;
  }

  list(): JobView[] {
    const active = [...this.playing, ...(this.current ? [this.current] : [])];
    return [...active.map((j) => this.view(j, 'speaking')), ...this.waiting.map((j) => this.view(j, 'waiting'))];
  }

  private view(j: Job, state: JobView['state']): JobView {
    const v: JobView = {
      job: j.job,
      summary: j.summary,
      state,
      queuedMs: Math.round(performance.now() - j.enqueuedAt),
    };
    if (j.requestId !== undefined) v.id = j.requestId;
    return v;
  }

  private pump(): void {
    if (this.current) return;
    const job = this.waiting.shift();
    if (!job) return;
    this.current = job;
    this.listener.started?.(this.view(job, 'speaking'));
    const { signal } = job.controller;
    const turn = this.lastDone;
    let finished!: () => void;
    this.lastDone = new Promise<void>((resolve) => (finished = resolve));
    const lane: Lane = {
      generated: () => {
        if (this.current !== job) return;
        this.current = undefined;
        this.playing.push(job);
        this.pump();
      },
      turn,
      job: job.job,
    };
    // The queue is updated before the job's promise settles, so whoever awaits it sees the queue moved on.
    const finish = (settle: () => void) => {
      if (this.current === job) this.current = undefined;
      this.playing = this.playing.filter((j) => j !== job);
      this.listener.finished?.(this.view(job, 'speaking'));
      finished();
      settle();
      this.pump();
    };
    // Started on the next microtask: whoever enqueued it gets its ticket (and can say "queued") first.
    Promise.resolve()
      .then(() => job.run(signal, lane))
      .then(
        () => finish(() => (signal.aborted ? job.settle.reject(abortError()) : job.settle.resolve())),
        (err: unknown) => finish(() => job.settle.reject(signal.aborted ? abortError() : err)),
      );
  }
}
