// The scheduler's next/back bookkeeping with a recording sink and a hand-driven clock: what is written after
// a jump, which sentence back picks (the one before, or the current one again after 1.5 s), and the bound on
// the played audio it keeps for back.
import { describe, expect, it } from 'vitest';
import type { AudioSink } from '../../../src/core/audio/sink.js';
import { PlaybackScheduler } from '../../../src/core/playback/scheduler.js';

const RATE = 1000; // 1000 samples = 1 s
const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
};
/** A segment's audio: every sample is its number, so what was written tells which segment it was. */
const tone = (segment: number, n = 1000) => new Float32Array(n).fill(segment + 1);

function setup(options: { keepSamples?: number; canRegenerate?: boolean } = {}) {
  let clock = 0;
  const written: number[] = [];
  let reopened = 0;
  const sink = (): AudioSink => ({
    open: async () => undefined,
    // a segment is written whole per chunk here: record which
    write: async (pcm) => void written.push(pcm[0]! - 1),
    drain: async () => undefined,
    stop: () => undefined,
    close: async () => undefined,
  });
  const s = new PlaybackScheduler({
    sampleRate: RATE,
    policy: 'asap',
    signal: new AbortController().signal,
    unpaused: async () => undefined,
    priorRtf: 0.1,
    predict: () => 1,
    reopen: async () => (reopened++, sink()),
    canRegenerate: () => options.canRegenerate ?? false,
    ...(options.keepSamples === undefined ? {} : { keepSamples: options.keepSamples }),
    now: () => clock,
  });
  const generate = (k: number, count: number) => {
    s.segment(k, count, 10);
    s.audio(tone(k));
    s.segmentEnd();
  };
  return {
    s,
    written,
    generate,
    advance: (ms: number) => (clock += ms),
    reopened: () => reopened,
    done: s.run(sink()),
  };
}

describe('next and back in the scheduler', () => {
  it('next goes on with the following segment on a fresh sink; past the last one, playback ends', async () => {
    const t = setup();
    for (let k = 0; k < 3; k++) t.generate(k, 3);
    t.s.end();
    await flush();
    expect(t.s.next()).toBeGreaterThanOrEqual(1);
    await t.done;
    expect(t.written[0]).toBe(0);
    expect(t.written).toContain(2);
  });

  it('back early in a segment picks the one before; after 1.5 s of it, the same one again; the first one restarts', async () => {
    const t = setup();
    t.s.segment(0, 3, 10);
    t.s.audio(tone(0));
    await flush();
    expect(t.s.back()).toBe(0); // the first: starts again
    await flush();
    t.s.segmentEnd();
    t.s.segment(1, 3, 10);
    t.s.audio(tone(1, 3000));
    await flush();
    t.advance(1000); // segment 0 heard; 1 begins
    await flush();
    expect(t.s.playhead).toBe(1);
    t.advance(100);
    expect(t.s.back()).toBe(0); // 0.1 s into it: the one before
    await flush();
    t.advance(1000);
    await flush();
    t.advance(2000); // 0 again, then 1, played 2 s into it
    await flush();
    expect(t.s.playhead).toBe(1);
    expect(t.s.back()).toBe(1); // more than 1.5 s in: this one again
    t.s.segmentEnd();
    t.s.end();
    await t.done;
    expect(t.written).toEqual([0, 0, 1, 0, 1, 1]);
    expect(t.reopened()).toBe(3); // each jump dropped what the device held
  });

  it('keeps played audio within its bound; back does not go to a segment let go once generation is over', async () => {
    const t = setup({ keepSamples: 1500 });
    for (let k = 0; k < 3; k++) t.generate(k, 3);
    t.s.end();
    for (let k = 0; k < 3; k++) {
      await flush();
      t.advance(1000);
    }
    await flush();
    expect(t.s.playhead).toBe(2);
    expect(t.s.complete(1)).toBe(true);
    expect(t.s.complete(0)).toBe(false); // 2 s behind, over the 1.5 s bound: let go
    expect(t.s.back()).toBe(1);
    expect(t.s.back()).toBe(1); // segment 0 cannot be had again: stays
    await t.done;
  });
});
