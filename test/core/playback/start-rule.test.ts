// The start rule, the speed book and the length prediction, table-tested (pure parts of the scheduler).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { average, DEFAULT_FRAMES_PER_TOKEN, predictSeconds, SpeedBook } from '../../../src/core/playback/speed.js';
import { mayStart, startDelay, type StartInput } from '../../../src/core/playback/start-rule.js';

const base: StartInput = {
  policy: 'smooth',
  generated: 0.32,
  ended: false,
  predicted: 4.7,
  ahead: 0,
  rtf: 0.5,
  chunk: 0.32,
};

/** Plays a segment against a real-time device in simulation: the longest silence after it started. */
function simulate(
  length: number,
  rtf: number,
  chunks: number[],
  policy: StartInput['policy'],
): { start: number; longestGap: number } {
  // chunk i is ready when all its audio has been generated (rtf seconds per second of audio)
  const ready: { at: number; seconds: number }[] = [];
  let made = 0;
  for (const c of chunks) {
    const seconds = Math.min(c, length - made);
    if (seconds <= 0) break;
    made += seconds;
    ready.push({ at: made * rtf, seconds });
  }
  // starts at the first chunk for which the rule says yes (ahead = 0: nothing plays before this segment)
  let start = ready.at(-1)!.at;
  let generated = 0;
  for (const [i, r] of ready.entries()) {
    generated += r.seconds;
    const ended = i === ready.length - 1;
    if (mayStart({ policy, generated, ended, predicted: length, ahead: 0, rtf, chunk: ready[i + 1]?.seconds ?? 0 })) {
      start = r.at;
      break;
    }
  }
  let clock = start;
  let longestGap = 0;
  for (const r of ready) {
    if (r.at > clock) longestGap = Math.max(longestGap, r.at - clock);
    clock = Math.max(clock, r.at) + r.seconds;
  }
  return { start, longestGap };
}

describe('start rule', () => {
  it.each([
    // [case, input change, may start]
    ['nothing generated yet', { generated: 0 }, false],
    ['an empty segment that ended (nothing to wait for)', { generated: 0, ended: true }, true],
    ['faster than real time: the first chunk starts playback', {}, true],
    ['the segment is complete', { ended: true, rtf: 5 }, true],
    ['asap starts at any audio, however slow', { policy: 'asap' as const, rtf: 5 }, true],
    ['sentence waits for the end, however fast', { policy: 'sentence' as const, rtf: 0.1 }, false],
    ['slower than real time: a first chunk is not enough', { rtf: 3 }, false],
    ['slower than real time, most of it made: enough', { rtf: 1.5, generated: 3.9, chunk: 0.64 }, true],
    ['slower than real time, not enough made yet', { rtf: 1.5, generated: 2.0, chunk: 0.64 }, false],
    ['audio still queued ahead covers the wait', { rtf: 1.5, generated: 0.64, chunk: 0.64, ahead: 4 }, true],
    ['… but not when less is queued', { rtf: 1.5, generated: 0.64, chunk: 0.64, ahead: 3 }, false],
    ['a big next chunk takes long to arrive', { rtf: 1.5, generated: 3.9, chunk: 3.84, predicted: 12 }, false],
    [
      'longer than predicted: held to the end of the segment, however fast',
      { rtf: 0.5, generated: 6, predicted: 4.7, chunk: 0.64 },
      false,
    ],
  ] satisfies [string, Partial<StartInput>, boolean][])('%s', (_, change, expected) => {
    expect(mayStart({ ...base, ...change })).toBe(expected);
  });

  it.each([0.5, 0.9, 1.5, 2.4, 3, 6])(
    'at RTF %f the segment never runs dry once started (simulated real-time device)',
    (rtf) => {
      const chunks = [4, 4, 8, 16, 32, 48, 48, 48].map((f) => f / 12.5);
      for (const length of [1, 4.7, 12, 30]) {
        const smooth = simulate(length, rtf, chunks, 'smooth');
        expect(smooth.longestGap, `length ${length}`).toBe(0);
        // never later than waiting for the whole segment, and at once when faster than real time
        expect(smooth.start).toBeLessThanOrEqual(simulate(length, rtf, chunks, 'sentence').start);
        if (rtf <= 0.5) expect(smooth.start).toBe(simulate(length, rtf, chunks, 'asap').start);
        if (rtf >= 1.5) expect(simulate(length, rtf, chunks, 'asap').longestGap).toBeGreaterThan(0); // what the rule prevents
      }
    },
  );

  it('startDelay: nothing when fast, most of the sentence when slow, all of it at most', () => {
    expect(startDelay(5, 0.5, 0.32)).toBeLessThan(0.5);
    const slow = startDelay(5, 3, 0.32);
    expect(slow).toBeGreaterThan(5 * 3 * 0.6);
    expect(slow).toBeLessThanOrEqual(5 * 1.15 * 3 + 1e-9);
  });
});

describe('speed book', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-speed-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('running averages: the first sample is taken as is, later ones move it by 30 %', () => {
    expect(average(undefined, 2)).toEqual({ value: 2, samples: 1 });
    expect(average({ value: 2, samples: 1 }, 3)).toEqual({ value: 2.3, samples: 2 });
  });

  it('predicts seconds from tokens (12.5 frames a second)', () => {
    expect(predictSeconds(25, 4)).toBe(8);
    expect(predictSeconds(0, 4)).toBe(0);
  });

  it('learns RTF per model and frames per token per language, keeps them across restarts, and says when slow', async () => {
    const file = path.join(dir, 'sub', 'speed.json');
    const book = new SpeedBook(file);
    expect(book.rtf('m (int4)')).toBeUndefined();
    expect(book.framesPerToken('English')).toBe(DEFAULT_FRAMES_PER_TOKEN);
    book.record('m (int4)', 'English', { wallSeconds: 10, audioSeconds: 4, tokens: 10 });
    expect(book.slow('m (int4)')).toBe(false); // one sample is not "persistently"
    book.record('m (int4)', 'English', { wallSeconds: 10, audioSeconds: 4, tokens: 10 });
    expect(book.rtf('m (int4)')).toBeCloseTo(2.5);
    expect(book.slow('m (int4)')).toBe(true);
    expect(book.framesPerToken('english')).toBeCloseTo(5);
    expect(book.rtf('other')).toBeUndefined();
    await book.flushed();
    const again = new SpeedBook(file);
    expect(again.rtf('m (int4)')).toBeCloseTo(2.5);
    expect(again.framesPerToken('ENGLISH')).toBeCloseTo(5);
  });

  it('a damaged or odd file is ignored, not fatal; zero-length samples are not recorded', () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, '{"rtf": {"a": {"value": -1, "samples": 1}, "b": "x"}, "framesPerToken": 3');
    const book = new SpeedBook(file);
    expect(book.rtf('a')).toBeUndefined();
    writeFileSync(file, '{"rtf": {"a": {"value": -1, "samples": 1}, "b": {"value": 1.5, "samples": 3}}}');
    const ok = new SpeedBook(file);
    expect(ok.rtf('a')).toBeUndefined();
    expect(ok.rtf('b')).toBe(1.5);
    ok.record('b', 'auto', { wallSeconds: 1, audioSeconds: 0, tokens: 3 });
    expect(ok.rtf('b')).toBe(1.5);
    expect(readFileSync(file, 'utf8')).toContain('1.5');
  });
});
