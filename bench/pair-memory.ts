// npm run bench:pair-memory — what a voice lock costs in memory: the engine process holding the VoiceDesign model
// and, beside it, the Base model that clones and speaks cloned voices (src/core/engine/voice-pair.ts loads the second
// one into the same process the first time it is needed, and keeps it).
//
//   npm run bench:pair-memory -- --design DIR --base DIR [--frames 25] [--no-write]
//
// The steps follow a lock and what comes after it: a designed request, the Base model loaded, a 5 s clip cloned in
// context, a request with that clone, a designed request again (both warm). Each step's RSS and the peak so far.
// The measurement runs in a child process of its own so that its RSS is the two models' alone.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadQwen3Engine, type Qwen3Engine } from '../src/core/engine/qwen3/engine.js';
import type { SynthesisRequest } from '../src/shared/engine.js';
import { machine, writeSection } from './report.js';

const GiB = (b: number) => (b / 2 ** 30).toFixed(2);

function peakRss(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

function treeBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? treeBytes(p) : statSync(p).size;
  }
  return n;
}

async function speak(engine: Qwen3Engine, request: Partial<SynthesisRequest>, frames: number): Promise<void> {
  const full: SynthesisRequest = {
    text: 'A sentence long enough to keep the model busy for a while.',
    language: 'English',
    instruct: null,
    speaker: null,
    seed: 1,
    sampling: { maxNewTokens: frames },
    ...request,
  };
  for await (const event of engine.synthesize(full, new AbortController().signal)) void event;
}

/** A gliding harmonic tone: voice-like enough for random weights. */
function clip(seconds: number): Float32Array {
  let phase = 0;
  return Float32Array.from({ length: seconds * 24_000 }, (_, i) => {
    phase += (2 * Math.PI * (140 + 30 * Math.sin((2 * Math.PI * 0.7 * i) / 24_000))) / 24_000;
    let v = 0;
    for (let h = 1; h <= 8; h++) v += Math.sin(h * phase) / h;
    return 0.2 * v;
  });
}

async function child(design: string, base: string, frames: number): Promise<void> {
  const rows: Array<[string, number, number]> = [];
  const mark = (step: string) => rows.push([step, process.memoryUsage().rss, peakRss()]);
  mark('process start (Node + onnxruntime)');
  const options = { minNewTokens: 10_000 }; // every request runs its fixed number of frames
  const designEngine = await loadQwen3Engine(design, options);
  mark('VoiceDesign model loaded');
  await speak(designEngine, { instruct: 'a warm, slow narrator' }, frames);
  mark(`after a designed request (${frames} frames)`);
  const baseEngine = await loadQwen3Engine(base, options);
  mark('Base model loaded beside it');
  const clone = await baseEngine.cloneVoice!(clip(5), 'What the five second clip says.', new AbortController().signal);
  mark('after cloning a 5 s clip in context');
  await speak(baseEngine, { clone }, frames);
  mark(`after a request with that clone (${frames} frames)`);
  await speak(designEngine, { instruct: 'a warm, slow narrator' }, frames);
  mark('after a designed request again (both warm)');
  process.stdout.write(JSON.stringify(rows));
  await baseEngine.dispose();
  await designEngine.dispose();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      design: { type: 'string' },
      base: { type: 'string' },
      frames: { type: 'string', default: '25' },
      child: { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
    },
  });
  if (!values.design || !values.base) throw new Error('--design DIR and --base DIR are required');
  const frames = Number(values.frames);
  if (values.child) return child(values.design, values.base, frames);

  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn(process.execPath, [process.argv[1]!, ...process.argv.slice(2), '--child'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    p.stdout.on('data', (d: Buffer) => (text += d.toString()));
    p.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`child exited ${code}`))));
  });
  const rows = JSON.parse(out.slice(out.lastIndexOf('[['))) as Array<[string, number, number]>;
  const name = (dir: string) =>
    (JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as { _name_or_path?: string })._name_or_path ??
    path.basename(dir);
  const body = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}. Reproduce: \`npm run bench:pair-memory -- --design DIR --base DIR\`.`,
    '',
    `Models (full-size synthetic graphs, random weights, int4 talker): VoiceDesign \`${name(values.design)}\` ` +
      `(${GiB(treeBytes(values.design))} GiB of files), Base \`${name(values.base)}\` (${GiB(treeBytes(values.base))} GiB of files, ` +
      'its two encoders included). One engine process holds both, as the daemon does once a clone or a lock needs the Base model.',
    '',
    '| step | RSS (GiB) | peak RSS so far (GiB) |',
    '|---|---|---|',
    ...rows.map(([step, rss, peak]) => `| ${step} | ${GiB(rss)} | ${GiB(peak)} |`),
    '',
    'Reading: a lock needs both models installed (VoiceDesign speaks the sentence, Base clones it and speaks the',
    'voice); once the Base model has been needed, the engine process holds both until the daemon stops or reloads.',
    'Requests of a few seconds; a long prompt (an in-context reference plus a long segment) adds working memory as',
    'in the engine section. The graphs are synthetic, so the sizes, not the voices, are what these figures carry.',
  ].join('\n');
  console.log(body);
  if (!values['no-write'])
    console.log(`\nwritten to ${writeSection('Two models for cloned voices (bench:pair-memory)', body)}`);
}

await main();
