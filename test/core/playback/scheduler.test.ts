// The scheduler's bookkeeping with a recording sink and a hand-driven clock: what it writes when, the phases
// it reports, pause, cancel, and what it records for the speed book.
import { describe, expect, it } from 'vitest';
import type { AudioSink } from '../../../src/core/audio/sink.js';
import { PlaybackScheduler, type SegmentTiming } from '../../../src/core/playback/scheduler.js';
import type { StartPolicy } from '../../../src/core/playback/start-rule.js';

const RATE = 1000; // 1000 samples = 1 s, to keep the arithmetic readable
const flush = () => new Promise((r) => setTimeout(r, 0));

function setup(policy: StartPolicy, options: { rtf?: number; predict?: number } = {}) {
  let clock = 0;
  const written: number[] = [];
  const phases: string[] = [];
  const timings: SegmentTiming[] = [];
  const sink: AudioSink = {
    open: async () => undefined,
    write: async (pcm) => void written.push(pcm.length),
    drain: async () => undefined,
    stop: () => undefined,
    close: async () => undefined,
  };
  const controller = new AbortController();
  let gate: Promise<void> = Promise.resolve();
  const s = new PlaybackScheduler({
    sampleRate: RATE,
    policy,
    signal: controller.signal,
    unpaused: () => gate,
    priorRtf: options.rtf,
    predict: () => options.predict ?? 4,
    record: (t) => timings.push(t),
    onPhase: (phase, seg) => phases.push(`${phase} ${seg.index + 1}/${seg.count}`),
    now: () => clock,
  });
  const done = s.run(sink);
  return {
    s,
    written,
    phases,
    timings,
    done,
    controller,
    advance: (ms: number) => (clock += ms),
    pause: () => {
      let open!: () => void;
      gate = new Promise((r) => (open = r));
      return () => {
        gate = Promise.resolve();
        open();
      };
    },
  };
}

describe('playback scheduler', () => {
  it('asap writes each chunk as it comes', async () => {
    const t = setup('asap');
    t.s.segment(0, 1, 10);
    t.advance(500);
    t.s.audio(new Float32Array(300));
    await flush();
    expect(t.written).toEqual([300]);
    t.s.audio(new Float32Array(200));
    t.s.end();
    await t.done;
    expect(t.written).toEqual([300, 200]);
    expect(t.phases).toEqual(['speaking 1/1']);
  });

  it('sentence holds a segment until it is complete, says "preparing" once, and goes on with the next', async () => {
    const t = setup('sentence');
    t.s.segment(0, 2, 10);
    t.s.audio(new Float32Array(300));
    t.s.audio(new Float32Array(300));
    await flush();
    expect(t.written).toEqual([]);
    expect(t.phases).toEqual(['preparing 1/2']);
    t.advance(2000);
    t.s.segmentEnd();
    await flush();
    expect(t.written).toEqual([300, 300]);
    t.s.segment(1, 2, 10);
    t.s.audio(new Float32Array(100));
    t.s.segmentEnd();
    t.s.end();
    await t.done;
    expect(t.written).toEqual([300, 300, 100]);
    expect(t.phases).toEqual(['preparing 1/2', 'speaking 1/2', 'speaking 2/2']);
    // what the speed book learns: 2 s of wall for 0.6 s of audio
    expect(t.timings[0]).toEqual({ index: 0, wallSeconds: 2, audioSeconds: 0.6, tokens: 10 });
  });

  it('smooth starts at once on a fast machine, and waits on a slow one until the rest can be made in time', async () => {
    const fast = setup('smooth', { rtf: 0.3, predict: 4 });
    fast.s.segment(0, 1, 10);
    fast.advance(90);
    fast.s.audio(new Float32Array(320), 320);
    await flush();
    expect(fast.written).toEqual([320]);

    const slow = setup('smooth', { rtf: 2, predict: 4 });
    slow.s.segment(0, 1, 10);
    for (let i = 0; i < 5; i++) {
      slow.advance(1000);
      slow.s.audio(new Float32Array(500), 500); // made at RTF 2
      await flush();
    }
    // 2.5 s of a predicted 4 (4.6 with the margin): the rest would take 4.6 s to make, 4.1 s of it must play first
    expect(slow.written).toEqual([]);
    expect(slow.phases).toEqual(['preparing 1/1']);
    slow.advance(1000);
    slow.s.audio(new Float32Array(500), 500);
    await flush();
    // 3 s made: the rest (1.6 s) takes 3.5 s, while 4.1 s plays — start now, before the segment is complete
    expect(slow.written).toHaveLength(6);
    slow.advance(1000);
    slow.s.audio(new Float32Array(500), 500);
    slow.s.segmentEnd();
    slow.s.end();
    await slow.done;
    expect(slow.written).toHaveLength(7);
  });

  it('a pause holds the writes; cancel ends run() at once, even while held', async () => {
    const t = setup('asap');
    const resume = t.pause();
    t.s.segment(0, 1, 10);
    t.s.audio(new Float32Array(100));
    await flush();
    expect(t.written).toEqual([]);
    resume();
    await flush();
    expect(t.written).toEqual([100]);

    const held = setup('sentence');
    held.s.segment(0, 1, 10);
    held.s.audio(new Float32Array(100));
    await flush();
    held.controller.abort();
    await held.done;
    expect(held.written).toEqual([]);
    expect(held.timings).toEqual([]); // an aborted segment teaches nothing
    held.s.end();
    expect(held.timings).toEqual([]);
  });

  it('an engine without segment events is one segment; an empty request ends without writing', async () => {
    const t = setup('sentence');
    t.s.audio(new Float32Array(100));
    t.s.audio(new Float32Array(100));
    t.s.end();
    await t.done;
    expect(t.written).toEqual([100, 100]);
    const empty = setup('smooth');
    empty.s.segment(0, 1, 3);
    empty.s.end();
    await empty.done;
    expect(empty.written).toEqual([]);
  });
});
