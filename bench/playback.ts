// npm run bench:playback — playback scheduling on the full-size 0.6B int4 synthetic model at its natural
// speed, against a device that consumes audio at exactly real time (the pipe sink into a paced player that
// logs every underrun: test/support/paced/player.py). For each start policy: underruns inside
// sentences (count, total), silence between sentences, time to first audio, wall time.
//
//   npm run bench:playback [-- --model DIR] [--models-dir DIR] [--cases one,three] [--no-write]
//
// The model is built once by `gen:synthetic` (~30 s, 1.8 GB). Random weights babble, so segment lengths are
// fixed the way real speech is: 4 codec frames per text token, no early end.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DaemonCore } from '../src/core/daemon/core.js';
import { loadQwen3Engine } from '../src/core/engine/qwen3/engine.js';
import type { Engine, SynthesisEvent } from '../src/shared/engine.js';
import type { EventMessage } from '../src/shared/protocol.js';
import { installPacedPlayer, pacedAudio, readPlayerLogs } from '../test/support/paced-player.js';
import { machine, writeSection } from './report.js';

const root = path.resolve(import.meta.dirname, '../..');
const RATE = 24_000;
/** ~4.7 s of speech at 4 frames per token. */
const SENTENCE = 'The quick brown fox jumps over the lazy dog by the river.';
/** Three short sentences (~1.5 s each). */
const STORY = ['The fox ran home.', 'The rain came down.', 'Then all was quiet.'];
const POLICIES = ['asap', 'sentence', 'smooth'] as const;

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    'models-dir': { type: 'string' },
    cases: { type: 'string', default: 'one,three' },
    'no-write': { type: 'boolean' },
  },
});

interface Generation {
  endedAt: number;
  boundaries: number[];
  samples: number;
}
interface Result {
  policy: string;
  audio: number;
  rtf: number;
  inside: { count: number; seconds: number };
  between: number;
  ttfa: number;
  wall: number;
  generation: number;
}

function modelDir(): string {
  if (args.model) return args.model;
  const dir = path.join(args['models-dir'] ?? path.join(os.tmpdir(), 'q3tts-bench-models'), '0.6b-int4-playback');
  if (!existsSync(path.join(dir, 'config.json'))) {
    console.log(`building the 0.6B int4 synthetic model in ${dir} …`);
    execFileSync(
      process.execPath,
      [
        path.join(root, 'out/scripts/gen-synthetic.mjs'),
        '--size',
        '0.6b',
        '--precision',
        'int4',
        '--seed',
        '1',
        '--out',
        dir,
      ],
      { stdio: 'inherit' },
    );
  }
  return dir;
}

/** The engine as is, noting when each request's generation ended and where its segments end. */
function tracked(engine: Engine, log: Generation[]): Engine {
  return {
    info: engine.info,
    dispose: async () => undefined, // shared by the runs
    async *synthesize(request, signal): AsyncGenerator<SynthesisEvent> {
      const g: Generation = { endedAt: 0, boundaries: [], samples: 0 };
      log.push(g);
      for await (const event of engine.synthesize(request, signal)) {
        if (event.type === 'audio') g.samples += event.samples.length;
        else if (event.type === 'segment_end') g.boundaries.push(g.samples);
        yield event;
      }
      g.endedAt = Date.now();
    },
  };
}

async function run(
  engine: Engine,
  work: string,
  name: string,
  policy: string,
  text: string,
  speedFile: string,
): Promise<Result> {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  const playerLog = path.join(dir, 'player.jsonl');
  const generations: Generation[] = [];
  const core = new DaemonCore({
    handlersFile: path.join(root, 'out/daemon/handlers.mjs'),
    speedFile,
    log: () => undefined,
    audio: pacedAudio(playerLog),
    loadEngine: async () => tracked(engine, generations),
  });
  await core.ensureEngine();
  let started = 0;
  const answer = await core.request(
    { action: 'generate', text, language: 'English', seed: 1, events: true, start: policy },
    (e: EventMessage) => {
      if (e.event === 'started') started = Date.now();
    },
  );
  const answered = Date.now();
  await core.close();
  if (answer.status !== 'ok') throw new Error(`${name}: ${answer.message}`);
  const [player] = readPlayerLogs(playerLog);
  if (!player) throw new Error(`${name}: the player logged nothing`);
  const g = generations[0]!;
  const inside = { count: 0, seconds: 0 };
  let between = 0;
  for (const [at, , seconds] of player.stalls) {
    if (seconds < 0.02) continue;
    const sample = at / 2;
    if (g.boundaries.some((b) => Math.abs(b - sample) <= 0.05 * RATE) || sample >= g.samples) between += seconds;
    else {
      inside.count++;
      inside.seconds += seconds;
    }
  }
  const audio = g.samples / RATE;
  return {
    policy,
    audio,
    rtf: (g.endedAt - started) / 1000 / audio,
    inside,
    between,
    ttfa: player.first! - started / 1000,
    wall: (answered - started) / 1000,
    generation: (g.endedAt - started) / 1000,
  };
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'q3tts-bench-playback-'));
  installPacedPlayer(work, root);
  const dir = modelDir();
  const engine = await loadQwen3Engine(dir, {
    maxSegmentUnits: 60,
    minNewTokens: 1 << 20,
    budget: { framesPerTextToken: 4, minFrames: 1 },
    log: () => undefined,
  });
  const speedFile = path.join(work, 'speed.json');
  try {
    // warm: onnxruntime's first runs, and the speed book (as after a first request on this machine)
    await run(engine, work, 'warm', 'smooth', 'Seven bright kites drifted over the harbour.', speedFile);
    const rows: string[] = [];
    // (paragraphs, so each sentence is its own segment: the engine packs short sentences together otherwise)
    const cases = [
      ['one', 'one sentence', SENTENCE],
      ['three', 'three sentences', STORY.join('\n\n')],
    ] as const;
    for (const [, label, text] of cases.filter(([key]) => args.cases!.split(',').includes(key))) {
      for (const policy of POLICIES) {
        const r = await run(engine, work, `${label}-${policy}`, policy, text, speedFile);
        const line = `| ${label} (${r.audio.toFixed(1)} s) | ${policy}${policy === 'asap' ? ' (before)' : policy === 'smooth' ? ' (after, default)' : ''} | ${r.rtf.toFixed(2)} | ${r.inside.count} / ${r.inside.seconds.toFixed(1)} s | ${r.between.toFixed(1)} s | ${r.ttfa.toFixed(1)} s | ${r.wall.toFixed(1)} s | ${r.generation.toFixed(1)} s |`;
        console.log(line);
        rows.push(line);
      }
    }
    const load = os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(', ');
    const body = [
      `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine()}; load average ${load} (the machine was shared).`,
      `Full-size 0.6B int4 synthetic model at its natural speed, default threads, against a device consuming exactly 48,000 bytes/s`,
      `(pipe sink → paced player). Underruns ≥ 20 ms; "inside" = within a sentence, "between" = at sentence ends and before`,
      `the end. First audio and wall time from the job's start. Reproduce: \`npm run bench:playback\`.`,
      '',
      '| text | start policy | RTF | underruns inside sentences | silence between sentences | first audio | wall | generation |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n');
    if (!args['no-write']) console.log(`wrote ${writeSection('Playback scheduling (bench:playback)', body)}`);
    else console.log(body);
  } finally {
    await engine.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
