// Bytes done → speed and time left. Speed is measured over a sliding window, so it falls to 0 when the
// bytes stop (an honest bar) instead of averaging over the whole pull.

export interface ProgressSnapshot {
  done_bytes: number;
  total_bytes: number;
  /** Bytes per second over the last few seconds. */
  speed_bps: number;
  /** Seconds left at that speed; null while nothing is moving. */
  eta_s: number | null;
}

export class ProgressTracker {
  private done = 0;
  private readonly samples: Array<{ t: number; done: number }> = [];

  constructor(
    readonly total: number,
    start = 0,
    private readonly windowMs = 5000,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.done = start;
    this.samples.push({ t: this.now(), done: start });
  }

  /** Adds bytes (negative when a file restarts from zero). */
  add(bytes: number): void {
    this.done += bytes;
  }

  get doneBytes(): number {
    return this.done;
  }

  snapshot(): ProgressSnapshot {
    const t = this.now();
    this.samples.push({ t, done: this.done });
    while (this.samples.length > 2 && t - this.samples[1]!.t >= this.windowMs) this.samples.shift();
    const first = this.samples[0]!;
    const span = (t - first.t) / 1000;
    const speed = span > 0 ? Math.max(0, (this.done - first.done) / span) : 0;
    const left = Math.max(0, this.total - this.done);
    return {
      done_bytes: this.done,
      total_bytes: this.total,
      speed_bps: Math.round(speed),
      eta_s: left === 0 ? 0 : speed > 0 ? Math.round(left / speed) : null,
    };
  }
}

export function formatEta(s: number | null): string {
  if (s === null) return '--';
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
