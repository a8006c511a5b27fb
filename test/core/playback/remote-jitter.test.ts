// Network jitter must not break sentences: the remote engine against a stand-in speech server whose audio comes
// slower than real time and in irregular bursts, played through the pipe sink into a player that consumes at
// exactly real time and logs every underrun (test/support/paced/player.py). With the default start rule and the server's
// speed learned, underruns may fall only between segments; starting at once (asap) runs dry inside them, which
// shows the test can fail.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonCore } from '../../../src/core/daemon/core.js';
import { createSpeechServerEngine } from '../../../src/core/engine/speech-server/engine.js';
import type { Engine, SynthesisEvent } from '../../../src/shared/engine.js';
import { installPacedPlayer, pacedAudio, readPlayerLogs } from '../../support/paced-player.js';
import { startStandIn, type StandInServer } from '../../support/speech-server.js';

const root = path.resolve(import.meta.dirname, '../../..');
const handlersFile = path.join(root, 'out', 'daemon', 'handlers.mjs');
const RATE = 24_000;
let tmp: string;
let server: StandInServer;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'q3tts-jitter-'));
  installPacedPlayer(tmp, root);
  server = await startStandIn();
  // 80 ms of audio per chunk, every 90–190 ms: on average slower than real time, in irregular bursts
  Object.assign(server.switches, { chunkBytes: 3840, chunkDelayMs: 90, jitterMs: 100 });
});

afterAll(async () => {
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

interface Generation {
  boundaries: number[];
  samples: number;
}

function recorded(engine: Engine, log: Generation[]): Engine {
  return {
    get info() {
      return engine.info;
    },
    dispose: () => engine.dispose(),
    async *synthesize(request, signal): AsyncGenerator<SynthesisEvent> {
      const g: Generation = { boundaries: [], samples: 0 };
      log.push(g);
      for await (const event of engine.synthesize(request, signal)) {
        if (event.type === 'audio') g.samples += event.samples.length;
        else if (event.type === 'segment_end') g.boundaries.push(g.samples);
        yield event;
      }
    },
  };
}

/** The request's engine calls as one record: speech for the speakers is made one sentence per call (decision 0030). */
function joined(calls: Generation[]): Generation {
  const all: Generation = { boundaries: [], samples: 0 };
  for (const g of calls) {
    all.boundaries.push(...g.boundaries.map((b) => all.samples + b));
    all.samples += g.samples;
  }
  return all;
}

async function speak(name: string, text: string, start?: 'asap') {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const playerLog = path.join(dir, 'player.jsonl');
  const generations: Generation[] = [];
  const core = new DaemonCore({
    handlersFile,
    speedFile: path.join(dir, 'speed.json'),
    log: () => undefined,
    audio: pacedAudio(playerLog),
    loadEngine: async () => recorded(createSpeechServerEngine({ url: server.url }), generations),
  });
  const answer = await core.request({
    action: 'generate',
    text,
    language: 'English',
    ...(start ? { start } : {}),
  });
  await core.close();
  const players = readPlayerLogs(playerLog);
  return { answer, generation: joined(generations), player: players.at(-1)! };
}

/** Underruns (≥ 20 ms) inside a segment, as [seconds into the audio, length]. */
function insideSegments(run: Awaited<ReturnType<typeof speak>>): [number, number][] {
  const g = run.generation;
  expect(run.player.bytes, 'every sample played').toBe(g.samples * 2);
  return run.player.stalls.flatMap(([at, , seconds]): [number, number][] => {
    const sample = at / 2;
    if (seconds < 0.02) return [];
    const atBoundary =
      sample === 0 || sample >= g.samples || g.boundaries.some((b) => Math.abs(b - sample) <= 0.05 * RATE);
    return atBoundary ? [] : [[sample / RATE, seconds]];
  });
}

const TEXT = ['Network jitter here.', 'Then a second paragraph.', 'And a third.'].join('\n\n');

describe('the remote engine on a jittery network', () => {
  it('smooth (default): no underrun inside a sentence; asap: it runs dry inside one', async () => {
    // A daemon that has spoken through this server before knows its speed (the speed book, as for a local model).
    await speak('smooth', 'A first request teaches the daemon the speed of this server.');
    const smooth = await speak('smooth', TEXT);
    expect(smooth.answer.status, JSON.stringify(smooth.answer)).toBe('ok');
    expect(smooth.generation.boundaries).toHaveLength(3);
    expect(insideSegments(smooth)).toEqual([]);
    const asap = await speak('asap', TEXT, 'asap');
    expect(asap.answer.status).toBe('ok');
    expect(insideSegments(asap).length).toBeGreaterThan(0);
  }, 120_000);
});
