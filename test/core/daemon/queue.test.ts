import { describe, expect, it } from 'vitest';
import { SpeechQueue } from '../../../src/core/daemon/queue.js';

/** A job that runs until released or aborted, recording what happened to it. */
function job(log: string[], name: string) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  return {
    release: () => release(),
    spec: {
      summary: name,
      requestId: name,
      run: async (signal: AbortSignal) => {
        log.push(`start ${name}`);
        await Promise.race([released, new Promise((r) => signal.addEventListener('abort', r))]);
        log.push(signal.aborted ? `abort ${name}` : `end ${name}`);
      },
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('SpeechQueue', () => {
  it('runs one job at a time, in order', async () => {
    const log: string[] = [];
    const q = new SpeechQueue();
    const a = job(log, 'a');
    const b = job(log, 'b');
    const ta = q.enqueue(a.spec);
    const tb = q.enqueue(b.spec);
    expect([ta.position, tb.position]).toEqual([0, 1]);
    await tick();
    expect(log).toEqual(['start a']);
    expect(q.list().map((j) => [j.summary, j.state])).toEqual([
      ['a', 'speaking'],
      ['b', 'waiting'],
    ]);
    a.release();
    await ta.done;
    await tick();
    expect(log).toEqual(['start a', 'end a', 'start b']);
    b.release();
    await tb.done;
    expect(q.length).toBe(0);
  });

  it('cancel aborts the current job and clears the waiting ones, each rejecting as cancelled', async () => {
    const log: string[] = [];
    const q = new SpeechQueue();
    const t = ['a', 'b', 'c'].map((n) => q.enqueue(job(log, n).spec));
    await tick();
    expect(q.cancel()).toBe(3);
    for (const x of t) await expect(x.done).rejects.toMatchObject({ name: 'AbortError' });
    expect(log).toEqual(['start a', 'abort a']);
    expect(q.length).toBe(0);
  });

  it('cancel with a target removes only that request', async () => {
    const log: string[] = [];
    const q = new SpeechQueue();
    const a = job(log, 'a');
    const ta = q.enqueue(a.spec);
    const tb = q.enqueue(job(log, 'b').spec);
    expect(q.cancel('b')).toBe(1);
    await expect(tb.done).rejects.toMatchObject({ name: 'AbortError' });
    a.release();
    await ta.done;
    expect(log).toEqual(['start a', 'end a']);
  });

  it('interrupt cancels what is playing and waiting, then runs at once', async () => {
    const log: string[] = [];
    const q = new SpeechQueue();
    const ta = q.enqueue(job(log, 'a').spec);
    const tb = q.enqueue(job(log, 'b').spec);
    await tick();
    const c = job(log, 'c');
    const tc = q.enqueue(c.spec, { interrupt: true });
    await expect(ta.done).rejects.toMatchObject({ name: 'AbortError' });
    await expect(tb.done).rejects.toMatchObject({ name: 'AbortError' });
    await tick();
    c.release();
    await tc.done;
    expect(log).toEqual(['start a', 'abort a', 'start c', 'end c']);
  });

  it('a failing job rejects with its error and the queue moves on', async () => {
    const q = new SpeechQueue();
    const bad = q.enqueue({ summary: 'bad', run: async () => Promise.reject(new Error('boom')) });
    const good = q.enqueue({ summary: 'good', run: async () => undefined });
    await expect(bad.done).rejects.toThrow('boom');
    await expect(good.done).resolves.toBeUndefined();
  });
});
