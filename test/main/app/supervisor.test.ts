import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  backoffDelay,
  DEFAULT_BACKOFF,
  Supervisor,
  type Supervised,
  type SupervisorState,
} from '../../../src/main/app/supervisor.js';

class FakeService implements Supervised {
  stopped = false;
  private end!: (r: { reason: string }) => void;
  readonly ended = new Promise<{ reason: string }>((resolve) => (this.end = resolve));
  crash(reason: string) {
    this.end({ reason });
  }
  async stop() {
    this.stopped = true;
  }
}

const policy = { initialMs: 100, factor: 2, maxMs: 1000, healthyAfterMs: 5000, maxAttempts: 4 };

describe('backoff policy', () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [5, 16000],
    [6, 30000],
    [20, 30000],
  ])('attempt %i waits %i ms', (attempt, ms) => expect(backoffDelay(DEFAULT_BACKOFF, attempt)).toBe(ms));
});

describe('supervisor', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup(spawnImpl?: () => Promise<FakeService>) {
    const spawned: FakeService[] = [];
    const states: SupervisorState[] = [];
    const sup = new Supervisor<FakeService>({
      spawn:
        spawnImpl ??
        (async () => {
          const s = new FakeService();
          spawned.push(s);
          return s;
        }),
      policy,
      now: () => Date.now(),
      isPermanent: (err) => (err as { code?: string }).code === 'E_NO_MODEL',
      onState: (s) => states.push(s),
    });
    return { sup, spawned, states };
  }

  it('restarts a crashed service after growing pauses', async () => {
    const { sup, spawned, states } = setup();
    sup.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(sup.state).toEqual({ state: 'running' });
    spawned[0]!.crash('signal SIGSEGV');
    await vi.advanceTimersByTimeAsync(0);
    expect(sup.state).toEqual({ state: 'waiting', attempt: 2, delayMs: 100, reason: 'signal SIGSEGV' });
    await vi.advanceTimersByTimeAsync(99);
    expect(spawned).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(spawned).toHaveLength(2);
    spawned[1]!.crash('code 1');
    await vi.advanceTimersByTimeAsync(0);
    expect(sup.state).toMatchObject({ state: 'waiting', delayMs: 200 });
    await vi.advanceTimersByTimeAsync(200);
    expect(spawned).toHaveLength(3);
    expect(states.map((s) => s.state)).toEqual([
      'starting',
      'running',
      'waiting',
      'starting',
      'running',
      'waiting',
      'starting',
      'running',
    ]);
  });

  it('gives up after maxAttempts quick failures, and start() tries again', async () => {
    let calls = 0;
    const { sup } = setup(async () => {
      calls++;
      throw new Error('cannot load');
    });
    sup.start();
    await vi.advanceTimersByTimeAsync(100 + 200 + 400);
    expect(calls).toBe(4);
    expect(sup.state).toEqual({ state: 'failed', reason: 'cannot load', permanent: false });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toBe(4);
    sup.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(5);
  });

  it('does not retry a permanent failure (no model installed)', async () => {
    let calls = 0;
    const { sup } = setup(async () => {
      calls++;
      throw Object.assign(new Error('no model installed'), { code: 'E_NO_MODEL' });
    });
    sup.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(1);
    expect(sup.state).toEqual({ state: 'failed', reason: 'no model installed', permanent: true });
  });

  it('forgives failures after a healthy run', async () => {
    const { sup, spawned } = setup();
    sup.start();
    await vi.advanceTimersByTimeAsync(0);
    spawned[0]!.crash('x');
    await vi.advanceTimersByTimeAsync(100);
    await vi.advanceTimersByTimeAsync(6000); // healthy for longer than healthyAfterMs
    spawned[1]!.crash('y');
    await vi.advanceTimersByTimeAsync(0);
    expect(sup.state).toMatchObject({ state: 'waiting', delayMs: 100, attempt: 2 });
  });

  it('stop() stops the service and cancels a pending restart', async () => {
    const { sup, spawned } = setup();
    sup.start();
    await vi.advanceTimersByTimeAsync(0);
    spawned[0]!.crash('x');
    await vi.advanceTimersByTimeAsync(0);
    await sup.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(spawned).toHaveLength(1);
    expect(sup.state).toEqual({ state: 'stopped' });

    sup.start();
    await vi.advanceTimersByTimeAsync(0);
    await sup.restart();
    await vi.advanceTimersByTimeAsync(0);
    expect(spawned[1]!.stopped).toBe(true);
    expect(spawned).toHaveLength(3);
    expect(sup.service).toBe(spawned[2]);
  });
});
