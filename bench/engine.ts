// npm run bench:engine — the Qwen3-TTS engine on full-size synthetic models (random weights; the real
// operators and sizes, so the real cost): where each frame's time goes, prefill, time to first audio,
// real-time factor, peak RSS, the KV cache's cost at context 200 and 1000, and the floor — the same graphs
// driven by the thinnest loop — with a memory-bandwidth estimate.
//
//   npm run bench:engine [-- --frames 48] [--sizes 0.6b,1.7b] [--precisions int4,fp32] [--models-dir DIR]
//                          [--model DIR ...] [--no-write]
//
// Models are built once into --models-dir (default <tmp>/q3tts-bench-models) by `gen:synthetic`. Each
// measurement runs in its own Node process so that peak RSS belongs to one model and one job: one file per
// job in bench/engine/jobs/, the models measured in engine/targets.ts, the report table in engine/table.ts.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { root } from './engine/common.js';
import { engineSection, type TargetResult } from './engine/table.js';
import { benchTargets, modelBytes } from './engine/targets.js';
import { jobBandwidth } from './engine/jobs/bandwidth.js';
import { jobChunks, type ChunksResult } from './engine/jobs/chunks.js';
import { jobCpOverhead } from './engine/jobs/cp-overhead.js';
import { jobDaemon, type DaemonResult } from './engine/jobs/daemon.js';
import { jobEngine, type EngineResult, type EngineVariant } from './engine/jobs/engine.js';
import { jobFloor, type FloorResult } from './engine/jobs/floor.js';
import { jobKv, type KvResult } from './engine/jobs/kv.js';
import { jobPrefix, type PrefixResult } from './engine/jobs/prefix.js';
import { median } from './report.js';
import { jobSpinAb } from './engine/jobs/spin-ab.js';
import { jobThreadAb, type ThreadAbResult } from './engine/jobs/thread-ab.js';
import { jobThreadsAb } from './engine/jobs/threads-ab.js';
import { writeSection } from './report.js';

interface JobArgs {
  dir: string;
  precision: string;
  nFrames: number;
  prefill: number;
  rounds: number;
  variant: EngineVariant;
  typicalOnly: boolean;
}

/** What `--job NAME` runs in a child process; its result is the last line of that process's stdout. */
const JOBS: Record<string, (a: JobArgs) => unknown> = {
  engine: (a) => jobEngine(a.dir, a.nFrames, a.variant, a.typicalOnly),
  kv: (a) => jobKv(a.dir, a.precision),
  floor: (a) => jobFloor(a.dir, a.precision, a.nFrames, a.prefill),
  bandwidth: () => jobBandwidth(),
  'thread-ab': (a) => jobThreadAb(a.dir, a.nFrames),
  daemon: (a) => jobDaemon(a.dir),
  chunks: (a) => jobChunks(a.dir, a.precision, a.rounds),
  prefix: (a) => jobPrefix(a.dir, a.rounds),
  'cp-overhead': (a) => jobCpOverhead(a.dir, a.precision, a.rounds),
  'spin-ab': (a) => jobSpinAb(a.dir, a.nFrames, a.rounds),
  'threads-ab': (a) => jobThreadsAb(a.dir, a.nFrames, a.rounds),
};

function child<T>(job: string, args: string[]): Promise<T> {
  const script = path.join(root, 'out/bench/engine.mjs');
  const p = spawn(process.execPath, [script, '--job', job, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  return new Promise((resolve, reject) =>
    p.once('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{'))
        reject(new Error(`${job} ${args.join(' ')} failed (exit ${code}): ${out.slice(-2000)}`));
      else resolve(JSON.parse(line) as T);
    }),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      job: { type: 'string' },
      dir: { type: 'string' },
      precision: { type: 'string' },
      frames: { type: 'string', default: '48' },
      prefill: { type: 'string' },
      rounds: { type: 'string', default: '3' },
      variant: { type: 'string', default: 'after' },
      'typical-only': { type: 'boolean', default: false },
      ab: { type: 'string' },
      sizes: { type: 'string', default: '0.6b,1.7b' },
      precisions: { type: 'string', default: 'int4,fp32' },
      'models-dir': { type: 'string', default: path.join(os.tmpdir(), 'q3tts-bench-models') },
      model: { type: 'string', multiple: true },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const nFrames = Number(values.frames);
  if (values.job) {
    const job = JOBS[values.job];
    if (!job) throw new Error(`unknown job ${values.job}`);
    const result: unknown = await job({
      dir: values.dir!,
      precision: values.precision ?? 'int4',
      nFrames,
      prefill: Number(values.prefill),
      rounds: Number(values.rounds),
      variant: values.variant === 'before' ? 'before' : 'after',
      typicalOnly: values['typical-only'],
    });
    process.stdout.write(`\n${JSON.stringify(result)}\n`);
    return;
  }

  const targets = benchTargets(values);
  if (values.ab) return abRuns(targets, Number(values.ab), nFrames);
  const bandwidth = await child<ReturnType<typeof jobBandwidth>>('bandwidth', []);
  const chunks = targets[0]
    ? await child<ChunksResult>('chunks', ['--dir', targets[0].dir, '--precision', targets[0].precision])
    : undefined;
  const results: TargetResult[] = [];
  for (const t of targets) {
    console.log(`${t.label}: engine …`);
    const engine = await child<EngineResult>('engine', ['--dir', t.dir, '--frames', String(nFrames)]);
    console.log(`${t.label}: KV cache …`);
    const kv = await child<Record<string, KvResult>>('kv', ['--dir', t.dir, '--precision', t.precision]);
    console.log(`${t.label}: floor loop …`);
    const floor = await child<FloorResult>('floor', [
      '--dir',
      t.dir,
      '--precision',
      t.precision,
      '--frames',
      String(nFrames),
      '--prefill',
      String(engine.typical.prefillLength),
    ]);
    console.log(`${t.label}: vocoder thread A/B …`);
    const threadAb = await child<ThreadAbResult>('thread-ab', ['--dir', t.dir, '--frames', String(nFrames)]);
    console.log(`${t.label}: daemon while speaking …`);
    const daemon = await child<DaemonResult>('daemon', ['--dir', t.dir]);
    results.push({
      label: t.label,
      files: modelBytes(t.dir, t.precision),
      precision: t.precision,
      dir: t.dir,
      engine,
      kv,
      floor,
      threadAb,
      daemon,
    });
    console.log(JSON.stringify({ label: t.label, engine, kv, floor, threadAb, daemon }));
  }

  const body = engineSection(results, bandwidth, chunks, nFrames);
  console.log(`\n${body}\n`);
  if (!values['no-write']) console.log(`written to ${writeSection('Engine', body)}`);
}

/**
 * `--ab N`: the engine before issue 12 (two talker sessions, no prefix cache) and as it is now, N runs each,
 * alternating in separate processes (peak RSS per process), then the prefix-cache, code-predictor overhead and
 * spinning jobs, the vocoder per frame by chunk cap with and without context (`chunks`) and the thread
 * placements (`threads-ab`), each printed as it ends; medians and spreads. Chunks grow past 48 only after ~64
 * frames: `--frames 240` shows that change in the before/after rows.
 */
async function abRuns(targets: ReturnType<typeof benchTargets>, n: number, nFrames: number): Promise<void> {
  for (const t of targets) {
    const runs: Record<EngineVariant, EngineResult[]> = { before: [], after: [] };
    for (let i = 0; i < n; i++) {
      for (const variant of ['before', 'after'] as const) {
        const r = await child<EngineResult>('engine', [
          '--dir',
          t.dir,
          '--frames',
          String(nFrames),
          '--variant',
          variant,
          '--typical-only',
        ]);
        runs[variant].push(r);
        console.log(
          `${t.label} ${variant} #${i + 1}: ${os.loadavg()[0]!.toFixed(1)} load, rtf ${r.typical.rtf.toFixed(2)}, ttfa ${r.typical.ttfa.toFixed(0)} ms, peak ${(r.peakTypical / 1e9).toFixed(2)} GB, sessions ${r.talkerSessions}`,
        );
      }
    }
    const prefix = await child<PrefixResult>('prefix', ['--dir', t.dir, '--rounds', String(n)]);
    const files = modelBytes(t.dir, t.precision);
    const m = (xs: number[]) =>
      `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;
    const row = (name: string, f: (r: EngineResult) => number) =>
      `| ${name} | ${m(runs.before.map(f))} | ${m(runs.after.map(f))} |`;
    console.log(
      [
        `\n${t.label}, ${n} runs each, median (min–max); load ${os
          .loadavg()
          .map((x) => x.toFixed(1))
          .join(' ')}`,
        `| measure | before | after |`,
        `|---|---|---|`,
        row('real-time factor', (r) => r.typical.rtf),
        row('time to first audio, ms (voice used before)', (r) => r.typical.ttfa),
        row('prompt run, ms', (r) => r.typical.prefillMs),
        row('peak RSS / model files, %', (r) => (100 * r.peakTypical) / files),
        row('RSS after load / model files, %', (r) => (100 * r.rssLoaded) / files),
        row('talker decode per frame, ms', (r) => r.typical.perFrame.decode.median),
        row('code predictor per frame, ms', (r) => r.typical.perFrame.cp.median),
        row('vocoder per frame, ms', (r) => r.typical.vocoderPerFrameMs),
        `prefix job: ${JSON.stringify({ off: prefix.off, miss: prefix.miss, hit: prefix.hit, raw: prefix.raw })}`,
      ].join('\n'),
    );
    const cpOverhead = await child<Record<string, unknown>>('cp-overhead', [
      '--dir',
      t.dir,
      '--precision',
      t.precision,
      '--rounds',
      '5',
    ]);
    console.log(`code predictor per-run overhead: ${JSON.stringify(cpOverhead)}`);
    const spin = await child<Record<string, unknown>>('spin-ab', [
      '--dir',
      t.dir,
      '--frames',
      String(nFrames),
      '--rounds',
      String(n),
    ]);
    console.log(`spinning A/B: ${JSON.stringify(spin)}`);
    const chunks = await child<ChunksResult>('chunks', [
      '--dir',
      t.dir,
      '--precision',
      t.precision,
      '--rounds',
      String(n),
    ]);
    console.log(`vocoder per frame by chunk cap, with and without context: ${JSON.stringify(chunks)}`);
    const threads = await child<Record<string, unknown>>('threads-ab', [
      '--dir',
      t.dir,
      '--frames',
      String(nFrames),
      '--rounds',
      String(n),
    ]);
    console.log(`threads A/B: ${JSON.stringify(threads)}`);
  }
}

await main();
