// next/back and the sentence events, through the daemon's core and handlers, with the tone engine (each
// character one 80 ms tone of its own pitch) speaking through the pipe sink into a player that consumes at
// exactly real time and records what it played (test/support/paced/player.py). What was skipped or repeated is
// read off the recording: each sentence's letters are tones no other sentence has.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipeSink } from '../../../src/core/audio/pipe-sink.js';
import { WavFileSink } from '../../../src/core/audio/wav.js';
import { DaemonCore } from '../../../src/core/daemon/core.js';
import { writeFileAtomic } from '../../../src/core/atomic-file.js';
import { createToneEngine } from '../../../src/core/engine/tone.js';
import type { Engine, SynthesisEvent } from '../../../src/shared/engine.js';
import type { EventMessage } from '../../../src/shared/protocol.js';
import { tonesOf, toneRuns } from '../../support/tones.js';

const root = path.resolve(import.meta.dirname, '../../..');
const handlersFile = path.join(root, 'out', 'daemon', 'handlers.mjs');
const player = path.join(root, 'test', 'support', 'paced', 'player.py');
let tmp: string;
let runs = 0;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'q3tts-controls-'));
  const bin = path.join(tmp, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'aplay'), `#!/bin/sh\nexec python3 ${JSON.stringify(player)}\n`);
  chmodSync(path.join(bin, 'aplay'), 0o755);
  process.env.PATH = `${bin}${path.delimiter}${process.env.PATH ?? ''}`;
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Rig {
  core: DaemonCore;
  /** The texts the engine was asked to speak, in order. */
  calls: string[];
  /** Everything the player played, s16le. */
  played(): Int16Array;
}

/** A core on the tone engine; `frameDelayMs` makes generation slower (a wait per 80 ms frame, no CPU burnt). */
function rig(frameDelayMs = 0): Rig {
  const dir = path.join(tmp, `run-${++runs}`);
  mkdirSync(dir);
  const out = path.join(dir, 'played.raw');
  const calls: string[] = [];
  const tone = createToneEngine();
  const engine: Engine = {
    info: tone.info,
    dispose: () => tone.dispose(),
    async *synthesize(request, signal): AsyncGenerator<SynthesisEvent> {
      calls.push(request.text);
      for await (const event of tone.synthesize(request, signal)) {
        if (event.type === 'audio' && frameDelayMs > 0) await new Promise((r) => setTimeout(r, frameDelayMs));
        yield event;
      }
    },
  };
  const core = new DaemonCore({
    handlersFile,
    speedFile: path.join(dir, 'speed.json'),
    log: () => undefined,
    audio: {
      openPlayback: async () => {
        const sink = new PipeSink('aplay');
        const open = sink.open.bind(sink);
        sink.open = (format) => {
          process.env.PACED_LOG = path.join(dir, 'player.jsonl'); // read by the player spawned inside open()
          process.env.PACED_OUT = out;
          return open(format);
        };
        return sink;
      },
      openFile: async (file) => new WavFileSink(file),
      writeFileAtomic,
    },
    loadEngine: async () => engine,
  });
  return {
    core,
    calls,
    played: () => {
      if (!existsSync(out)) return new Int16Array(0);
      const raw = readFileSync(out);
      return new Int16Array(raw.buffer, raw.byteOffset, raw.length >> 1);
    },
  };
}

type Sentence = { sentence: number; sentences: number; start: number; end: number; text: string; job: number };

/** Speaks `text`, calling `react` on each sentence event; resolves with the answer and the sentence events. */
async function speak(
  r: Rig,
  text: string,
  react: (s: Sentence, index: number) => void | Promise<void> = () => undefined,
  extra: Record<string, unknown> = {},
) {
  const sentences: Sentence[] = [];
  const events: EventMessage[] = [];
  const answer = await r.core.request({ action: 'generate', text, events: true, ...extra }, (e) => {
    events.push(e);
    if (e.event === 'sentence') {
      sentences.push(e as unknown as Sentence);
      void react(e as unknown as Sentence, sentences.length - 1);
    }
  });
  return { answer, sentences, events };
}

const A = `${'a'.repeat(25)}.`;
const B = `${'b'.repeat(15)}.`;
const C = `${'c'.repeat(15)}.`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once the player has played `n` whole tones of `ch` (the player process takes a moment to start). */
async function heard(r: Rig, ch: string, n: number): Promise<void> {
  for (const until = Date.now() + 10_000; Date.now() < until; await sleep(20)) if (tonesOf(r.played(), ch) >= n) return;
  throw new Error(`never heard ${n} tones of '${ch}'`);
}

describe('next and back', () => {
  it('a sentence event per sentence as it starts playing, with its offsets in the text as sent', async () => {
    const r = rig();
    const text = ' Hi 👋🏽 there.  Cafe\u0301 ok!\n\n😀😀 done. ';
    const { answer, sentences } = await speak(r, text);
    expect(answer.status).toBe('ok');
    expect(sentences.map((s) => [s.sentence, s.sentences, text.slice(s.start, s.end), s.text])).toEqual([
      [1, 3, 'Hi 👋🏽 there.', 'Hi 👋🏽 there.'],
      [2, 3, 'Cafe\u0301 ok!', 'Cafe\u0301 ok!'],
      [3, 3, '😀😀 done.', '😀😀 done.'],
    ]);
    expect(sentences[1]!.start).toBe(17); // UTF-16 code units: the hand with its skin tone is 4
    expect(new Set(sentences.map((s) => s.job)).size).toBe(1);
  }, 30_000);

  it('next skips the rest of the sentence playing: its remaining tones are never played, the others all are', async () => {
    const r = rig();
    const steps: unknown[] = [];
    const { answer, sentences } = await speak(r, `${A} ${B} ${C}`, async (s) => {
      if (s.sentence !== 1) return;
      await heard(r, 'a', 3);
      steps.push(await r.core.request({ action: 'next' }));
    });
    expect(answer.status).toBe('ok');
    expect(steps).toMatchObject([{ status: 'ok', job: sentences[0]!.job, sentence: 2, sentences: 3 }]);
    expect(sentences.map((s) => s.sentence)).toEqual([1, 2, 3]);
    const runs = toneRuns(r.played(), 'abc');
    expect(runs.map(([ch]) => ch)).toEqual(['a', 'b', 'c']);
    expect(runs[0]![1]).toBeGreaterThanOrEqual(3);
    expect(runs[0]![1]).toBeLessThan(25 - 5); // a 2 s sentence, skipped once 3 of its tones were heard
    expect(runs.slice(1)).toEqual([
      ['b', 15],
      ['c', 15],
    ]);
    expect(r.calls).toEqual([A, B, C]); // each sentence made once
  }, 30_000);

  it('back early in a sentence repeats the one before, from the audio kept (nothing generated again)', async () => {
    const r = rig();
    const steps: unknown[] = [];
    let once = false;
    const { answer, sentences } = await speak(r, `${A} ${B} ${C}`, async (s) => {
      if (s.sentence !== 2 || once) return;
      once = true;
      steps.push(await r.core.request({ action: 'back', id: 'b1' }));
    });
    expect(answer.status).toBe('ok');
    expect(steps).toMatchObject([{ status: 'ok', id: 'b1', sentence: 1, sentences: 3 }]);
    expect(sentences.map((s) => s.sentence)).toEqual([1, 2, 1, 2, 3]);
    // (the first time, the end of the first sentence may be cut: back drops what the device still held)
    // back came as the second sentence began: little or none of it was heard before the first came again
    const runs = toneRuns(r.played(), 'abc');
    const before = runs.slice(0, -3);
    expect(before[0]![0]).toBe('a');
    expect(before.length === 1 || (before.length === 2 && before[1]![0] === 'b' && before[1]![1] < 5)).toBe(true);
    expect(runs.slice(-3)).toEqual([
      ['a', 25], // the first sentence again, whole
      ['b', 15],
      ['c', 15],
    ]);
    expect(r.calls).toEqual([A, B, C]); // replayed from the kept audio: nothing generated twice
  }, 30_000);

  it('back after 1.5 s of a sentence starts that sentence again (as a media player does)', async () => {
    const r = rig();
    const long = `${'d'.repeat(40)}.`;
    let once = false;
    const steps: unknown[] = [];
    const { sentences } = await speak(r, `${B} ${long} ${C}`, async (s) => {
      if (s.sentence !== 2 || once) return;
      once = true;
      await sleep(2200);
      steps.push(await r.core.request({ action: 'back' }));
    });
    expect(steps).toMatchObject([{ status: 'ok', sentence: 2, sentences: 3 }]);
    expect(sentences.map((s) => s.sentence)).toEqual([1, 2, 2, 3]);
    const runs = toneRuns(r.played(), 'bdc');
    expect(runs.map(([ch]) => ch)).toEqual(['b', 'd', 'd', 'c']);
    expect(runs[1]![1]).toBeGreaterThan(5); // a good part of it …
    expect(runs[1]![1]).toBeLessThan(40);
    expect(runs[2]).toEqual(['d', 40]); // … then all of it again
    expect(runs[3]).toEqual(['c', 15]);
  }, 30_000);

  it('next on the last sentence ends that request (answered ok) and the queue goes on with the next', async () => {
    const r = rig();
    const E = `${'e'.repeat(10)}.`;
    const first = speak(r, A, async (s) => {
      await heard(r, 'a', 3);
      const step = await r.core.request({ action: 'next' });
      expect(step).toMatchObject({ status: 'ok', job: s.job, sentence: null, sentences: 1 });
    });
    const second = speak(r, E);
    const [one, two] = await Promise.all([first, second]);
    expect(one.answer.status).toBe('ok');
    expect(two.answer.status).toBe('ok');
    const played = r.played();
    expect(tonesOf(played, 'a')).toBeLessThan(25 - 5);
    expect(tonesOf(played, 'e')).toBe(10);
  }, 30_000);

  it('next while the sentence is still being generated stops its generation and goes on at once; it is made whole again later', async () => {
    const r = rig(160); // twice slower than real time
    const S1 = `${'f'.repeat(10)}.`;
    const S2 = `${'g'.repeat(5)}.`;
    const { answer, sentences } = await speak(
      r,
      `${S1} ${S2}`,
      async (s) => {
        if (s.sentence === 1) expect(await r.core.request({ action: 'next' })).toMatchObject({ sentence: 2 });
      },
      { start: 'asap' },
    );
    expect(answer.status).toBe('ok');
    expect(sentences.map((s) => s.sentence)).toEqual([1, 2]);
    // the first call was cut short, the second began at once, and the skipped sentence was made again for back
    expect(r.calls).toEqual([S1, S2, S1]);
    const played = r.played();
    expect(tonesOf(played, 'f')).toBeLessThan(3);
    expect(tonesOf(played, 'g')).toBe(5);
  }, 30_000);

  it('with nothing speaking, next and back say so (ok, job null); unknown fields are refused', async () => {
    const r = rig();
    await r.core.ensureEngine();
    for (const action of ['next', 'back'] as const)
      expect(await r.core.request({ action, id: 7 })).toEqual({
        status: 'ok',
        id: 7,
        state: 'idle',
        job: null,
        sentence: null,
        sentences: null,
      });
    expect(await r.core.request({ action: 'next', steps: 2 } as never)).toMatchObject({
      status: 'error',
      code: 'E_INVALID',
    });
  }, 30_000);

  it('next while paused moves on and stays paused; resume plays the next sentence', async () => {
    const r = rig();
    let paused = false;
    const { answer, sentences } = await speak(r, `${A} ${B}`, async (s) => {
      if (s.sentence !== 1) return;
      await heard(r, 'a', 3);
      expect(await r.core.request({ action: 'pause' })).toMatchObject({ state: 'paused' });
      paused = true;
      expect(await r.core.request({ action: 'next' })).toMatchObject({ state: 'paused', sentence: 2 });
      await sleep(500);
      expect(tonesOf(r.played(), 'b')).toBe(0); // held
      expect(await r.core.request({ action: 'resume' })).toMatchObject({ state: 'speaking' });
    });
    expect(paused).toBe(true);
    expect(answer.status).toBe('ok');
    expect(sentences.map((s) => s.sentence)).toEqual([1, 2]);
    expect(tonesOf(r.played(), 'a')).toBeLessThan(25 - 5);
    expect(tonesOf(r.played(), 'b')).toBe(15);
  }, 30_000);
});
