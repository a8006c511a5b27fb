// Grown chunks (chunk-growth.ts) on real onnxruntime-node sessions over the synthetic tiny model: the audio is
// today's stream's (the tiny codec's reach is inside the 25 frames of context, so streamed = one-shot within
// float error), the codes are bit-identical, and each announced next chunk is the chunk that follows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SynthesisEvent, SynthesisRequest } from '../../../src/shared/engine.js';
import { loadQwen3Engine, type Qwen3Engine } from '../../../src/core/engine/qwen3/engine.js';
import { SAMPLES_PER_FRAME } from '../../../src/core/engine/qwen3/model.js';
import { VocoderStream, type ChunkPlan } from '../../../src/core/engine/qwen3/vocoder-stream.js';
import { syntheticModel } from './fixture.js';

let dir: string;
const engines: Qwen3Engine[] = [];
const open = async (stream: Partial<ChunkPlan>) => {
  const e = await loadQwen3Engine(dir, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    minNewTokens: 1 << 20,
    budget: { minFrames: 1 << 20 },
    log: () => undefined,
    stream,
  });
  engines.push(e);
  return e;
};

beforeAll(async () => {
  dir = await syntheticModel('voice_design', 7);
});
afterAll(async () => {
  for (const e of engines) await e.dispose();
});

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const PLAN = { firstChunkFrames: 4, chunkFrames: 8, leftContextFrames: 25 };

describe('grown chunks on the tiny model', () => {
  it('give the same audio as the plan without growth, and as a one-shot decode', async () => {
    const e = await open({});
    const frames = Array.from({ length: 120 }, (_, t) =>
      Array.from({ length: 16 }, (_, g) => (t * 733 + g * 419 + 11) % 2048),
    );
    const stream = async (plan: ChunkPlan) => {
      const s = new VocoderStream(
        (f) => e.model.vocode(f),
        plan,
        () => 0,
      ); // no time passes: all audio in hand
      const parts: Float32Array[] = [];
      const sizes: number[] = [];
      for (const f of frames) {
        s.push(f);
        if (s.ready) {
          const c = (await s.flush())!;
          parts.push(c.samples);
          sizes.push(c.frames.length);
        }
      }
      const last = await s.flush();
      if (last) parts.push(last.samples);
      return { audio: concat(parts), sizes };
    };
    const grown = await stream({ ...PLAN, bufferedChunkFrames: 32 });
    const today = await stream({ ...PLAN, bufferedChunkFrames: 8 });
    expect(grown.sizes).toEqual([4, 4, 32, 32, 32]); // the third is at the cap: 0.64 s in hand lets it grow
    expect(Math.max(...today.sizes)).toBe(8);
    expect(maxAbsDiff(grown.audio, today.audio)).toBeLessThan(1e-5);
    expect(maxAbsDiff(grown.audio, await e.model.vocode(frames))).toBeLessThan(1e-5);
  }, 60_000);

  it('keep the engine’s codes bit-identical and its audio within float error; each announced chunk comes', async () => {
    const req: SynthesisRequest = {
      text: 'Growing chunks should not change a single code.',
      language: 'English',
      instruct: 'A calm voice.',
      speaker: null,
      seed: 3,
      sampling: { maxNewTokens: 80 },
    };
    const run = async (e: Qwen3Engine) => {
      const events: SynthesisEvent[] = [];
      for await (const ev of e.synthesize(req, new AbortController().signal)) events.push(ev);
      return events;
    };
    const grownEvents = await run(await open({ ...PLAN, bufferedChunkFrames: 64 }));
    const todayEvents = await run(await open({ ...PLAN, bufferedChunkFrames: 8 }));
    const codes = (ev: SynthesisEvent[]) => ev.flatMap((x) => (x.type === 'codes' ? x.frames : []));
    const audio = (ev: SynthesisEvent[]) => concat(ev.flatMap((x) => (x.type === 'audio' ? [x.samples] : [])));
    expect(codes(grownEvents).length).toBe(80);
    expect(codes(grownEvents)).toEqual(codes(todayEvents));
    expect(maxAbsDiff(audio(grownEvents), audio(todayEvents))).toBeLessThan(1e-5);

    // within a segment, the chunk announced with each audio event is the one that follows (the last may be short)
    const chunks = grownEvents.flatMap((x) =>
      x.type === 'audio' ? [{ frames: x.samples.length / SAMPLES_PER_FRAME, next: x.next! / SAMPLES_PER_FRAME }] : [],
    );
    console.log(`grown chunks on this machine: ${chunks.map((c) => c.frames).join(',')}`);
    chunks.slice(0, -2).forEach((c, i) => expect(chunks[i + 1]!.frames).toBe(c.next));
    expect(chunks.at(-1)!.frames).toBeLessThanOrEqual(chunks.at(-2)!.next);
  }, 180_000);
});
