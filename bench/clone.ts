// npm run bench:clone — the cost of cloning a voice (clone.ts) on the full-size synthetic Base encoders (0.6B:
// ECAPA-TDNN speaker encoder, Mimi-like codec encoder over a fixed 10 s window; random weights, real sizes and
// operators): the mel, the speaker encoder and the codec encoder timed apart, per second of reference, and the RSS
// the two graphs add to a process.
//
//   npm run bench:clone [-- --rounds 5] [--models-dir DIR] [--threads N] [--no-write]
//
// The graphs are built once into --models-dir (default <tmp>/q3tts-bench-models/base-encoders-0.6b); the
// measurement runs in a child process of its own so that its RSS is the encoders' alone.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readQwen3Config } from '../src/core/engine/qwen3/config.js';
import { CloneEncoders } from '../src/core/engine/qwen3/encoders.js';
import { logMel } from '../src/core/engine/qwen3/mel.js';
import { buildCodecEncoder, CODEC_ENCODER_DIMS } from '../test/synthetic/codec-encoder.js';
import { modelConfig, REAL_DIMS } from '../test/synthetic/config.js';
import { Rng } from '../test/synthetic/rng.js';
import { buildSpeakerEncoder, SPEAKER_ENCODER_DIMS } from '../test/synthetic/speaker-encoder.js';
import { fmt, machine, median, writeSection } from './report.js';

const root = path.resolve(import.meta.dirname, '../..');
const SR = 24000;
/** Reference lengths measured: the codec encoder's window is 10 s, so in-context clips stop there. */
const SECONDS = [3, 5, 10] as const;
/** Longer clips only go through the mel and the speaker encoder (x-vector mode). */
const XVECTOR_SECONDS = [30] as const;

const MiB = (b: number) => b / 2 ** 20;

function ensureGraphs(dir: string): void {
  if (existsSync(path.join(dir, '.complete'))) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.log(`building the full-size Base encoders into ${dir} …`);
  const rng = new Rng(1);
  const config = modelConfig('base', { ...REAL_DIMS['0.6b'] }, 'q3tts/synthetic-0.6b-base-encoders');
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  buildSpeakerEncoder(rng, { ...SPEAKER_ENCODER_DIMS, encDim: REAL_DIMS['0.6b'].talkerHidden }).save(
    dir,
    'speaker_encoder',
  );
  buildCodecEncoder(rng, CODEC_ENCODER_DIMS).save(dir, 'tokenizer_encoder');
  writeFileSync(path.join(dir, '.complete'), '');
}

/** Something voice-like: a gliding harmonic tone with a little noise (the graphs' weights are random anyway). */
function clip(seconds: number): Float32Array {
  let a = 12345;
  let phase = 0;
  return Float32Array.from({ length: seconds * SR }, (_, i) => {
    const f0 = 140 + 30 * Math.sin((2 * Math.PI * 0.7 * i) / SR);
    phase += (2 * Math.PI * f0) / SR;
    a = (a * 1664525 + 1013904223) >>> 0;
    let v = 0;
    for (let h = 1; h <= 8; h++) v += Math.sin(h * phase) / h;
    return 0.2 * v + 0.01 * (a / 2 ** 32 - 0.5);
  });
}

function statusKiB(field: string): number {
  const m = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(m?.[1] ?? 0);
}

interface Row {
  seconds: number;
  melMs: number;
  speakerMs: number;
  codecMs: number | null;
}
interface Measured {
  rows: Row[];
  openMs: number;
  rssBeforeMiB: number;
  rssOpenMiB: number;
  rssSpeakerMiB: number;
  rssCodecMiB: number;
  rssAfterMiB: number;
  peakMiB: number;
  threads: number | null;
  /** 1-minute load average when the measurement started and ended (the machine may be shared). */
  load: [number, number];
}

async function measure(dir: string, rounds: number, threads: number | undefined): Promise<Measured> {
  const config = readQwen3Config(path.join(dir, 'config.json'));
  const loadStart = os.loadavg()[0]!;
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const encoders = await CloneEncoders.open(
    dir,
    config,
    threads === undefined ? {} : { intraOpNumThreads: threads },
    'cpu',
  );
  const openMs = performance.now() - t0;
  const rssOpen = process.memoryUsage().rss;
  const time = async (f: () => unknown): Promise<number> => {
    const s = performance.now();
    await f();
    return performance.now() - s;
  };
  // warm-up: the first run of each graph sizes its arenas (on a 10 s clip, the in-context maximum)
  const warm = clip(10);
  const warmMel = logMel(warm);
  await encoders.speakerVector(warmMel.data, warmMel.frames);
  const rssSpeaker = process.memoryUsage().rss;
  await encoders.codes(warm);
  const rssCodec = process.memoryUsage().rss;
  const rows: Row[] = [];
  for (const seconds of [...SECONDS, ...XVECTOR_SECONDS]) {
    const audio = clip(seconds);
    const mel: number[] = [];
    const speaker: number[] = [];
    const codec: number[] = [];
    for (let r = 0; r < rounds; r++) {
      let m = logMel(audio);
      mel.push(await time(() => (m = logMel(audio))));
      speaker.push(await time(() => encoders.speakerVector(m.data, m.frames)));
      if (seconds <= 10) codec.push(await time(() => encoders.codes(audio)));
    }
    rows.push({
      seconds,
      melMs: median(mel),
      speakerMs: median(speaker),
      codecMs: codec.length ? median(codec) : null,
    });
  }
  const result: Measured = {
    rows,
    openMs,
    rssBeforeMiB: MiB(rssBefore),
    rssOpenMiB: MiB(rssOpen),
    rssSpeakerMiB: MiB(rssSpeaker),
    rssCodecMiB: MiB(rssCodec),
    rssAfterMiB: MiB(process.memoryUsage().rss),
    peakMiB: statusKiB('VmHWM') / 1024,
    threads: threads ?? null,
    load: [loadStart, os.loadavg()[0]!],
  };
  await encoders.close();
  return result;
}

function child(args: string[]): Promise<Measured> {
  const p = spawn(process.execPath, [path.join(root, 'out/bench/clone.mjs'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  return new Promise((resolve, reject) =>
    p.once('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`measure failed (exit ${code}): ${out.slice(-2000)}`));
      else resolve(JSON.parse(line) as Measured);
    }),
  );
}

function report(m: Measured, dir: string): string {
  const size = (f: string) => statSync(path.join(dir, f)).size / 1e6;
  const spk = size('speaker_encoder.onnx') + size('speaker_encoder.onnx.data');
  const codec = size('tokenizer_encoder.onnx') + size('tokenizer_encoder.onnx.data');
  const perS = (ms: number | null, s: number) => (ms === null ? '—' : `${fmt(ms)} (${fmt(ms / s)}/s)`);
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}; ORT threads: ${m.threads ?? 'default'};`,
    `1-minute load average ${m.load[0].toFixed(1)} at the start and ${m.load[1].toFixed(1)} at the end` +
      (Math.max(...m.load) > os.cpus().length
        ? ` (more than the ${os.cpus().length} cores: the machine was shared with other work, so take the times as upper bounds).`
        : ` (on ${os.cpus().length} cores).`),
    `Reproduce: \`npm run bench:clone\` (medians of the rounds after a warm-up).`,
    '',
    `The graphs are **synthetic, with random weights**: the full-size 0.6B Base encoders of \`test/synthetic/\``,
    `(speaker_encoder ${spk.toFixed(1)} MB: the published ECAPA-TDNN's channels, kernels and dilations; tokenizer_encoder`,
    `${codec.toFixed(0)} MB: a Mimi-like encoder of Mimi's parameter count), so they cost what real ones of that`,
    `shape cost; the clones they make are meaningless. The codec encoder's input is the published graph's fixed 10 s`,
    `window, so its cost does not shrink with a shorter clip; a clip over 10 s is cloned in x-vector mode only.`,
    '',
    '| reference | mel (ms, per s of audio) | speaker encoder | codec encoder (in-context only) | total in-context | total x-vector |',
    '|---|---|---|---|---|---|',
    ...m.rows.map((r) => {
      const x = r.melMs + r.speakerMs;
      return `| ${r.seconds} s | ${perS(r.melMs, r.seconds)} | ${perS(r.speakerMs, r.seconds)} | ${perS(r.codecMs, r.seconds)} | ${r.codecMs === null ? '—' : perS(x + r.codecMs, r.seconds)} | ${perS(x, r.seconds)} |`;
    }),
    '',
    `| memory | MiB |`,
    `|---|---|`,
    `| RSS of the process before opening the encoders (Node + onnxruntime) | ${m.rssBeforeMiB.toFixed(0)} |`,
    `| … after opening both (${m.openMs.toFixed(0)} ms) | ${m.rssOpenMiB.toFixed(0)} (+${(m.rssOpenMiB - m.rssBeforeMiB).toFixed(0)}) |`,
    `| … after one speaker-encoder run on 10 s | ${m.rssSpeakerMiB.toFixed(0)} (+${(m.rssSpeakerMiB - m.rssBeforeMiB).toFixed(0)}) |`,
    `| … after one codec-encoder run (its fixed 10 s window) | ${m.rssCodecMiB.toFixed(0)} (+${(m.rssCodecMiB - m.rssBeforeMiB).toFixed(0)}) |`,
    `| … after all the runs (up to 30 s through the speaker encoder) | ${m.rssAfterMiB.toFixed(0)} (+${(m.rssAfterMiB - m.rssBeforeMiB).toFixed(0)}) |`,
    `| peak RSS (VmHWM) | ${m.peakMiB.toFixed(0)} (+${(m.peakMiB - m.rssBeforeMiB).toFixed(0)}) |`,
    '',
    'Reading: cloning is a one-off per voice, not a per-request cost. In-context cloning is dominated by the codec',
    "encoder, whose cost is that of its fixed 10 s window whatever the clip's length; x-vector cloning (mel + speaker",
    'encoder) grows with the clip. The encoder sessions run without a CPU arena (decision 0032): what stays after the',
    'runs is about the weights plus what the allocator keeps, not the largest run; the peak is one 10 s codec-encoder',
    'run. The RSS of the rest of the Base model (talker, code predictor, vocoder) is that of the 0.6B rows of "Engine".',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      job: { type: 'string' },
      dir: { type: 'string' },
      rounds: { type: 'string', default: '5' },
      threads: { type: 'string' },
      'models-dir': { type: 'string', default: path.join(os.tmpdir(), 'q3tts-bench-models') },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const rounds = Number(values.rounds);
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (values.job === 'measure') {
    const result = await measure(values.dir!, rounds, threads);
    process.stdout.write(`\n${JSON.stringify(result)}\n`);
    return;
  }
  const dir = path.join(values['models-dir'], 'base-encoders-0.6b');
  ensureGraphs(dir);
  console.log('measuring …');
  const m = await child([
    '--job',
    'measure',
    '--dir',
    dir,
    '--rounds',
    String(rounds),
    ...(threads === undefined ? [] : ['--threads', String(threads)]),
  ]);
  const body = report(m, dir);
  console.log(body);
  if (!values['no-write']) console.log(`written to ${writeSection('Cloning (bench:clone)', body)}`);
}

await main();
