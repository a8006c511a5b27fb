// The remote engine under load (issue 15): one q3tts server (`q3tts serve --http`, the synthetic tiny Qwen3-TTS
// model) and three client daemons whose engine is that server, each given ten queued requests at once. Prints
// a BENCHMARKS.md section: answers, order, wall time, and the server's resident memory (daemon + engine host)
// before and after, over several rounds (a leak grows round after round; warm-up growth does not).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, type RunningDaemon } from '../src/core/daemon/daemon.js';
import { DEFAULT_TIMEOUTS } from '../src/core/engine/speech-server/http.js';
import { buildSyntheticModel } from '../test/synthetic/build.js';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'out/cli/q3tts.mjs');

function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}
/** The server's resident memory: the daemon and its engine host child. */
function serverRss(pid: number): number {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  return rssKiB(pid) + children.reduce((sum, c) => sum + rssKiB(Number(c)), 0);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-bench-remote-'));
  const model = path.join(dir, 'model');
  await buildSyntheticModel(model, { size: 'tiny', precision: 'fp32', variant: 'voice_design', seed: 7 });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    Q3TTS_SOCKET: path.join(dir, 'server.sock'),
    Q3TTS_CONFIG_DIR: path.join(dir, 'config'),
    Q3TTS_DATA_DIR: path.join(dir, 'data'),
    Q3TTS_MODEL_DIR: model,
    Q3TTS_AUDIO: 'null',
    Q3TTS_THREADS: '1',
  };
  delete env.Q3TTS_ENGINE;
  process.env.Q3TTS_AUDIO = 'null';
  process.env.Q3TTS_DATA_DIR = path.join(dir, 'client-data');
  const server = spawn(process.execPath, [cli, 'serve', '--http', '127.0.0.1:0'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /HTTP door .* on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const clients: RunningDaemon[] = [];
  for (const name of ['a', 'b', 'c'])
    clients.push(
      await startDaemon({
        socketPath: path.join(dir, `${name}.sock`),
        engine: { kind: 'remote', url, timeouts: { ...DEFAULT_TIMEOUTS } },
        handlersFile: path.join(root, 'out/daemon/handlers.mjs'),
        announce: () => undefined,
        log: () => undefined,
        socketCheckMs: 0,
      }),
    );

  const rss: number[] = [serverRss(server.pid!)];
  let answered = 0;
  let inOrder = true;
  let audio = 0;
  const started = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    await Promise.all(
      clients.map(async (c, k) => {
        const order: number[] = [];
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            c.core
              .request({
                action: 'generate',
                text: `Client ${k} says sentence number ${i}.`,
                seed: i,
                max_new_tokens: 40,
                output: path.join(dir, `${k}-${i}.wav`),
              })
              .then((a) => {
                if (a.status !== 'ok') throw new Error(`client ${k} request ${i}: ${JSON.stringify(a)}`);
                answered++;
                audio += Number((a as { audio_seconds?: number }).audio_seconds ?? 0);
                order.push(i);
              }),
          ),
        );
        if (order.join() !== Array.from({ length: 10 }, (_, i) => i).join()) inOrder = false;
      }),
    );
    rss.push(serverRss(server.pid!));
  }
  const wall = (performance.now() - started) / 1000;
  for (const c of clients) await c.close();
  server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });

  const mib = (kib: number) => (kib / 1024).toFixed(1);
  console.log(`## Remote engine under load

Machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'CPU'}, Linux ${os.release()}, Node ${process.version} (shared with other jobs while measured). Date: ${new Date().toISOString().slice(0, 10)}. Reproduce: \`npm run bench:remote\`.

One q3tts server (\`q3tts serve --http\`, synthetic tiny Qwen3-TTS model, 1 thread) and 3 client daemons with the remote
engine, each given 10 queued requests at once (max 40 frames each), ${ROUNDS} rounds.

| measure | result |
|---|---|
| requests answered ok | ${answered} of ${ROUNDS * 30} |
| each client's answers in the order asked | ${inOrder ? 'yes' : 'NO'} |
| audio made / wall time | ${audio.toFixed(1)} s / ${wall.toFixed(1)} s |
| server RSS (daemon + engine host) before, then after each round | ${rss.map(mib).join(' → ')} MiB |
`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
