// The queue's hand-over: a job that has finished generating lets the next one generate while it still plays,
// playback stays in order (each job's turn comes when the one before has finished), and cancel reaches both.
import { describe, expect, it } from 'vitest';
import { SpeechQueue, type Lane } from '../../../src/core/daemon/queue.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('queue lanes', () => {
  it('the next job generates while the current one plays; its turn comes when that one is done', async () => {
    const q = new SpeechQueue();
    const log: string[] = [];
    const firstPlays = deferred();
    const lanes: Lane[] = [];
    const a = q.enqueue({
      summary: 'a',
      run: async (_signal, lane) => {
        lanes.push(lane);
        log.push('a generates');
        lane.generated();
        await firstPlays.promise;
        log.push('a played');
      },
    });
    const b = q.enqueue({
      summary: 'b',
      run: async (_signal, lane) => {
        log.push('b generates');
        lane.generated();
        await lane.turn;
        log.push('b plays');
      },
    });
    await tick();
    expect(log).toEqual(['a generates', 'b generates']);
    expect(q.list().map((j) => [j.summary, j.state])).toEqual([
      ['a', 'speaking'],
      ['b', 'speaking'],
    ]);
    expect(q.length).toBe(2);
    firstPlays.resolve();
    await Promise.all([a.done, b.done]);
    expect(log).toEqual(['a generates', 'b generates', 'a played', 'b plays']);
    expect(q.busy).toBe(false);
  });

  it('a job that never hands over keeps the next one waiting (files, decode)', async () => {
    const q = new SpeechQueue();
    const log: string[] = [];
    const hold = deferred();
    q.enqueue({ summary: 'a', run: async () => hold.promise.then(() => void log.push('a done')) });
    const b = q.enqueue({ summary: 'b', run: async () => void log.push('b runs') });
    await tick();
    expect(log).toEqual([]);
    expect(q.list().map((j) => j.state)).toEqual(['speaking', 'waiting']);
    hold.resolve();
    await b.done;
    expect(log).toEqual(['a done', 'b runs']);
  });

  it('cancel reaches the job still playing and the one generating behind it', async () => {
    const q = new SpeechQueue();
    const aborted: string[] = [];
    const job = (name: string) =>
      q.enqueue({
        summary: name,
        run: (signal, lane) =>
          new Promise<void>((resolve) => {
            lane.generated();
            signal.addEventListener('abort', () => {
              aborted.push(name);
              resolve();
            });
          }),
      });
    const a = job('a');
    const b = job('b');
    await tick();
    expect(q.cancel()).toBe(2);
    await expect(a.done).rejects.toMatchObject({ name: 'AbortError' });
    await expect(b.done).rejects.toMatchObject({ name: 'AbortError' });
    expect(aborted.sort()).toEqual(['a', 'b']);
  });
});
