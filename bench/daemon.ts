// npm run bench:daemon — what the daemon exists for, measured: client start-up, per-request overhead,
// cancel latency, responsiveness while the engine computes, and one request with and without a daemon.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DaemonConnection } from '../src/core/client.js';
import { startDaemon } from '../src/core/daemon/daemon.js';
import { createToneEngine } from '../src/core/engine/tone.js';
import { buildSyntheticModel } from '../test/synthetic/build.js';
import { fmt, machine, median, percentile, writeSection } from './report.js';

const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'out/cli/q3tts.mjs');
const handlersFile = path.join(root, 'out/daemon/handlers.mjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-bench-'));
const socketPath = path.join(dir, 'daemon.sock');
const env = { ...process.env, Q3TTS_SOCKET: socketPath, Q3TTS_AUDIO: 'null' };
const silent = () => undefined;

async function timeIt(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

function runNode(args: string[]): Promise<number> {
  const t = performance.now();
  const child = spawn(process.execPath, args, { stdio: 'ignore' });
  return new Promise((resolve) => child.once('exit', () => resolve(performance.now() - t)));
}

/** Runs the CLI as a user would (asynchronously: the daemon under test may live in this very process). */
function runCli(args: string[], extraEnv: Record<string, string> = {}): Promise<number> {
  const t = performance.now();
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...env, ...extraEnv },
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0
        ? resolve(performance.now() - t)
        : reject(new Error(`q3tts ${args.join(' ')} failed (${code}): ${stderr}`)),
    ),
  );
}

async function main(): Promise<void> {
  const rows: string[] = [];
  process.env.Q3TTS_AUDIO = 'null';

  // 1-2. A daemon whose engine answers instantly: what remains is the daemon's own cost.
  let daemon = await startDaemon({ socketPath, engine: { kind: 'tone' }, handlersFile, announce: silent, log: silent });
  // `q3tts status` against a daemon in its own process (as users run it), interleaved with bare Node
  // start-ups so that a busy machine shows in both figures alike.
  const statusSocket = path.join(dir, 'status.sock');
  const statusDaemon = spawn(process.execPath, [cli, 'serve', '--engine', 'tone'], {
    env: { ...env, Q3TTS_SOCKET: statusSocket },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise<void>((r) =>
    statusDaemon.stdout.on('data', (d: Buffer) => d.toString().includes('listening') && r()),
  );
  const statusWall: number[] = [];
  const bareNode: number[] = [];
  for (let i = 0; i < 20; i++) {
    statusWall.push(await runCli(['status'], { Q3TTS_SOCKET: statusSocket }));
    bareNode.push(await runNode(['-e', '0']));
  }
  statusDaemon.kill('SIGTERM');
  rows.push(
    `| \`q3tts status\` wall time against \`q3tts serve\`, Node start-up included (median of 20) | ${fmt(median(statusWall))} ms | ≤ 80 ms |`,
  );
  rows.push(
    `| … of which bare Node start-up (\`node -e 0\`, median of 20, interleaved) | ${fmt(median(bareNode))} ms | |`,
  );

  const conn = await DaemonConnection.connect(socketPath);
  const out = path.join(dir, 'a.wav');
  await timeIt(20, () => conn.request({ action: 'generate', text: 'a', output: out })); // warm-up
  const viaDaemon = await timeIt(200, () => conn.request({ action: 'generate', text: 'a', output: out }));
  const engine = createToneEngine();
  const { WavFileSink } = await import('../src/core/audio/wav.js');
  const direct = await timeIt(200, async () => {
    const sink = new WavFileSink(out);
    await sink.open({ sampleRate: 24000, channels: 1 });
    for await (const e of engine.synthesize(
      { text: 'a', language: 'auto', instruct: null, speaker: null, seed: null, sampling: {} },
      new AbortController().signal,
    )) {
      if (e.type === 'audio') await sink.write(e.samples);
    }
    await sink.drain();
    await sink.close();
  });
  const statusRtt = await timeIt(200, () => conn.request({ action: 'status' }));
  rows.push(
    `| daemon overhead per request, synthesis excluded (median generate round trip ${fmt(median(viaDaemon))} ms − same work in-process ${fmt(median(direct))} ms) | ${fmt(median(viaDaemon) - median(direct))} ms | ≤ 2 ms |`,
  );
  rows.push(
    `| \`status\` round trip on an open connection (median / p99) | ${fmt(median(statusRtt))} / ${fmt(percentile(statusRtt, 99))} ms | |`,
  );
  conn.close();
  await daemon.close();

  // 3-4. An engine that blocks its thread 40 ms per frame, like a graph run does.
  daemon = await startDaemon({
    socketPath,
    engine: { kind: 'tone', msPerFrame: 40 },
    handlersFile,
    announce: silent,
    log: silent,
  });
  const c = await DaemonConnection.connect(socketPath);
  const during: number[] = [];
  const cancelLatency: number[] = [];
  for (let round = 0; round < 10; round++) {
    const pending = c.request({ action: 'generate', text: 'x'.repeat(200) });
    await new Promise((r) => setTimeout(r, 150));
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await c.request({ action: 'status' });
      during.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 7));
    }
    const t = performance.now();
    await c.request({ action: 'cancel' });
    const answer = await pending;
    cancelLatency.push(performance.now() - t);
    if (answer.status !== 'error' || answer.code !== 'E_CANCELLED')
      throw new Error(`expected a cancelled answer, got ${JSON.stringify(answer)}`);
  }
  rows.push(
    `| \`status\` answered while the engine computes (40 ms blocking steps), median / p99 of ${during.length} | ${fmt(median(during))} / ${fmt(percentile(during, 99))} ms | p99 ≤ 50 ms |`,
  );
  rows.push(
    `| cancel → the cancelled request answered (audio stopped, engine aborted), median / max of ${cancelLatency.length} | ${fmt(median(cancelLatency))} / ${fmt(Math.max(...cancelLatency))} ms | ≤ 100 ms |`,
  );
  c.close();
  await daemon.close();

  // 4b. The event loop of the process that hosts the daemon (the app's main process does the same) while
  // the synthetic Qwen3-TTS model speaks: the engine's blocking runs happen in the host process.
  const model = path.join(dir, 'model');
  await buildSyntheticModel(model, { size: 'tiny', precision: 'fp32', variant: 'voice_design', seed: 7 });
  daemon = await startDaemon({
    socketPath,
    engine: { kind: 'qwen3', modelDir: model, intraOpThreads: 1 },
    handlersFile,
    announce: silent,
    log: silent,
  });
  const q = await DaemonConnection.connect(socketPath);
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  let spoken = 0;
  for (let i = 0; i < 3; i++) {
    const a = await q.request({
      action: 'generate',
      text: 'The quick brown fox jumps over the lazy dog, again and again.',
      seed: i,
      output: path.join(dir, 'q.wav'),
    });
    if (a.status !== 'ok' || a.queued) throw new Error(JSON.stringify(a));
    spoken += a.audio_seconds ?? 0;
  }
  histogram.disable();
  const p99 = histogram.percentile(99) / 1e6;
  rows.push(
    `| event-loop delay of the daemon's process while the synthetic Qwen3-TTS model speaks (${spoken.toFixed(1)} s of audio), p99 / max | ${fmt(p99)} / ${fmt(histogram.max / 1e6)} ms | p99 ≤ 20 ms (app main) |`,
  );
  q.close();
  await daemon.close();

  // 5. The same `q3tts "text" -o` with and without a daemon (tone engine: the difference is start-up alone;
  // with a real model the daemon also saves the model load, seconds).
  const text = 'The quick brown fox jumps over the lazy dog.';
  const cold = await timeIt(5, () => runCli(['--engine', 'tone', '-q', '-o', 'cold.wav', text]));
  const served = spawn(process.execPath, [cli, 'serve', '--engine', 'tone'], {
    env,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise<void>((r) => served.stdout.on('data', (d: Buffer) => d.toString().includes('listening') && r()));
  const warm = await timeIt(5, () => runCli(['-q', '-o', 'warm.wav', text]));
  served.kill('SIGTERM');
  rows.push(
    `| \`q3tts "…" -o out.wav\` (44 chars, tone engine) without a daemon / with one (median of 5) | ${fmt(median(cold))} / ${fmt(median(warm))} ms | |`,
  );

  // 6. The same with the synthetic Qwen3-TTS model: without a daemon every call loads the model.
  const modelEnv = { Q3TTS_MODEL_DIR: model, Q3TTS_THREADS: '1' };
  const greedy = ['-q', '--greedy', '--max-frames', '40', '-o', 'm.wav', text];
  const coldModel = await timeIt(3, () => runCli(greedy, modelEnv));
  const servedModel = spawn(process.execPath, [cli, 'serve'], {
    env: { ...env, ...modelEnv },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise<void>((r) =>
    servedModel.stdout.on('data', (d: Buffer) => d.toString().includes('listening') && r()),
  );
  const warmModel = await timeIt(3, () => runCli(greedy, modelEnv));
  servedModel.kill('SIGTERM');
  rows.push(
    `| the same, synthetic tiny Qwen3-TTS model (40 frames, greedy), without / with a daemon (median of 3) | ${fmt(median(coldModel))} / ${fmt(median(warmModel))} ms | |`,
  );

  const body = [
    `Machine: ${machine()}. Date: ${new Date().toISOString().slice(0, 10)}. Reproduce: \`npm run bench:daemon\`.`,
    '',
    '| measure | result | target |',
    '|---|---|---|',
    ...rows,
  ].join('\n');
  const file = writeSection('Daemon', body);
  console.log(body);
  console.log(`\nwritten to ${file}`);
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
