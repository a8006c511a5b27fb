// npm run bench:clone-prefill — what a cloned voice's reference adds to every request (issue 17): the prompt of an
// in-context clone holds the reference clip's frames and transcript (docs/qwen3-tts.md §5.4), so each segment's
// prefill is longer than with the speaker vector alone. Measured on a full-size Base model (synthetic, random
// weights: the real operators and sizes), interleaved round after round on one loaded model so machine load
// affects every case alike: x-vector, in-context with a 5 s and a 10 s reference; prefix cache off and on.
//
//   npm run bench:clone-prefill -- --model DIR [--rounds 3] [--no-write]
//
// DIR: a full-size model whose config.json says "tts_model_type": "base" (e.g. a copy of a `gen:synthetic --size
// 0.6b --precision int4` model with the type changed).
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { SynthesisRequest, VoiceClone } from '../src/shared/engine.js';
import { loadQwen3Engine, Qwen3Engine } from '../src/core/engine/qwen3/engine.js';
import { DEFAULT_CHUNK_PLAN } from '../src/core/engine/qwen3/vocoder-stream.js';
import { fmt, machine, median, writeSection } from './report.js';

const TEXT =
  'The quick brown fox jumps over the lazy dog, and then it runs all the way back home before the rain begins.';
/** Transcripts of about the length people say in 5 and 10 seconds. */
const TRANSCRIPT_5S = 'Thanks for calling. I will be reading the chapters to you over the next few weeks.';
const TRANSCRIPT_10S =
  'Thanks for calling. I will be reading the chapters to you over the next few weeks, one evening at a time, so sit back and enjoy the story.';

function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

function clone(hidden: number, frames: number, refText: string | null): VoiceClone {
  const r = lcg(frames + 1);
  return {
    speakerVector: Float32Array.from({ length: hidden }, () => (r() - 0.5) * 0.2),
    refCodes: frames
      ? Array.from({ length: frames }, () => Array.from({ length: 16 }, () => Math.floor(r() * 2048)))
      : null,
    refText,
    model: 'bench',
  };
}

interface Sample {
  rows: number;
  /** The first talker run of the request: the whole prompt, or the rows after a cached prefix. */
  promptMs: number;
  ttfaMs: number;
}

async function speak(engine: Qwen3Engine, voice: VoiceClone): Promise<Sample> {
  let promptMs = -1;
  let rows = 0;
  engine.model.onRun = (graph, _start, ms) => {
    if (promptMs < 0 && graph.startsWith('talker')) promptMs = ms;
  };
  const request: SynthesisRequest = {
    text: TEXT,
    language: 'English',
    instruct: null,
    speaker: null,
    seed: 1,
    sampling: { maxNewTokens: DEFAULT_CHUNK_PLAN.firstChunkFrames },
    clone: voice,
  };
  let ttfaMs = NaN;
  const extend = engine.model.extend.bind(engine.model);
  const prefill = engine.model.prefill.bind(engine.model);
  engine.model.prefill = (e, P) => ((rows = P), prefill(e, P));
  engine.model.extend = (e, N) => ((rows ||= N), extend(e, N));
  try {
    for await (const ev of engine.synthesize(request, new AbortController().signal))
      if (ev.type === 'stats') ttfaMs = ev.stats.timeToFirstAudioMs;
  } finally {
    engine.model.prefill = prefill;
    engine.model.extend = extend;
    engine.model.onRun = undefined;
  }
  return { rows, promptMs, ttfaMs };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { model: { type: 'string' }, rounds: { type: 'string', default: '3' }, 'no-write': { type: 'boolean' } },
  });
  if (!values.model) throw new Error('--model DIR is required (a full-size Base model)');
  const rounds = Number(values.rounds);
  const loadBefore = os.loadavg()[0]!;
  const log = () => undefined;
  const cached = await loadQwen3Engine(values.model, { log });
  const plain = new Qwen3Engine(cached.model, { log, prefixCacheBytes: 0 });
  const H = cached.model.config.talker.hidden;
  const cases = [
    { name: 'x-vector', voice: clone(H, 0, null), reference: '—' },
    { name: 'in-context, 5 s reference', voice: clone(H, 63, TRANSCRIPT_5S), reference: '63 frames + transcript' },
    { name: 'in-context, 10 s reference', voice: clone(H, 125, TRANSCRIPT_10S), reference: '125 frames + transcript' },
  ];
  const samples = cases.map(() => ({ off: [] as Sample[], on: [] as Sample[] }));
  for (const c of cases) {
    await speak(plain, c.voice); // first-run allocations
    await speak(cached, c.voice); // each voice's prefix cached from here on
  }
  for (let r = 0; r < rounds; r++) {
    for (const [i, c] of cases.entries()) {
      samples[i]!.off.push(await speak(plain, c.voice));
      samples[i]!.on.push(await speak(cached, c.voice)); // the voice used before: its prefix is cached
    }
    console.error(`round ${r + 1}/${rounds} done`);
  }
  const m = (xs: Sample[], key: 'promptMs' | 'ttfaMs') => median(xs.map((x) => x[key]));
  const base = samples[0]!;
  const lines = cases.map((c, i) => {
    const s = samples[i]!;
    const added = (mode: 'off' | 'on') =>
      i === 0 ? '—' : `+${fmt(m(s[mode], 'promptMs') - m(base[mode], 'promptMs'))}`;
    return (
      `| ${c.name} | ${c.reference} | ${s.off[0]!.rows} | ${fmt(m(s.off, 'promptMs'))} | ${added('off')} | ` +
      `${s.on[0]!.rows} | ${fmt(m(s.on, 'promptMs'))} | ${added('on')} | ${fmt(m(s.off, 'ttfaMs'))} | ${fmt(m(s.on, 'ttfaMs'))} |`
    );
  });
  const body = `
\`npm run bench:clone-prefill -- --model DIR --rounds ${rounds}\` on ${cached.info.model}: full-size 0.6B graphs with
random weights (${cached.model.precision}), the engine's defaults, ${new Date().toISOString().slice(0, 10)}, ${machine()}.
Load average ${loadBefore.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end (the machine was shared).
A ${TEXT.split(' ').length}-word sentence in English; medians of ${rounds} interleaved rounds. *Prompt rows*: the rows
of the request's first talker run (the whole prompt without the prefix cache; with it, the rows after the cached
voice prefix, which for in-context mode still hold the reference frames: they are paired with the text). *Prompt
ms*: that run's time; *added*: over x-vector mode. *TTFA*: time to first audio (${DEFAULT_CHUNK_PLAN.firstChunkFrames}
frames, whose decode also has ${DEFAULT_CHUNK_PLAN.leftContextFrames} reference frames as left context in in-context mode).

| voice | reference | prompt rows (no cache) | prompt ms | added ms | rows after cached prefix | prompt ms | added ms | TTFA no cache | TTFA cached |
|---|---|---|---|---|---|---|---|---|---|
${lines.join('\n')}

Every segment of a long text pays the added prefill again (decision 0035).
`;
  console.log(body);
  if (!values['no-write']) console.error(`wrote ${writeSection('Clone prefill (issue 17)', body)}`);
  await cached.dispose();
}

await main();
