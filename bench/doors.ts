// npm run bench:doors — the front doors' own cost: the HTTP door's added latency per request against the socket,
// and 20 concurrent HTTP clients (all answered, in queue order, memory flat over rounds).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DaemonConnection } from '../src/core/client.js';
import { startDaemon } from '../src/core/daemon/daemon.js';
import type { RequestExtras } from '../src/core/daemon/core.js';
import { openOpenAiDoor } from '../src/core/doors/http/openai.js';
import type { Answer, EventMessage, Request } from '../src/shared/protocol.js';
import { fmt, machine, median, percentile, writeSection } from './report.js';

const root = path.resolve(import.meta.dirname, '../..');
const handlersFile = path.join(root, 'out/daemon/handlers.mjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-bench-doors-'));
const silent = () => undefined;

async function main(): Promise<void> {
  process.env.Q3TTS_AUDIO = 'null';
  const rows: string[] = [];
  const daemon = await startDaemon({
    socketPath: path.join(dir, 'daemon.sock'),
    engine: { kind: 'tone' },
    handlersFile,
    announce: silent,
    log: silent,
  });
  const door = await openOpenAiDoor(daemon.core, { host: '127.0.0.1', port: 0, token: null });
  const socket = await DaemonConnection.connect(daemon.socketPath);
  const speakHttp = async (input: string) => {
    const r = await fetch(`${door.address}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'tts-1', voice: 'alloy', input, response_format: 'pcm' }),
    });
    const bytes = (await r.arrayBuffer()).byteLength;
    if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
    return bytes;
  };
  const speakSocket = async (text: string) => {
    const a = await socket.request({ action: 'generate', text });
    if (a.status !== 'ok') throw new Error(a.message);
  };

  // 1. Added latency: the same 2-frame request (tone engine, instant) through each door, interleaved, warm.
  for (let i = 0; i < 20; i++)
    await Promise.all([speakHttp('Hi'), speakSocket('Hi')].map((p) => p.catch(() => undefined)));
  const viaHttp: number[] = [];
  const viaSocket: number[] = [];
  for (let i = 0; i < 100; i++) {
    let t = performance.now();
    await speakHttp('Hi');
    viaHttp.push(performance.now() - t);
    t = performance.now();
    await speakSocket('Hi');
    viaSocket.push(performance.now() - t);
  }
  rows.push(
    `| \`POST /v1/audio/speech\` (pcm, 2 frames, tone engine) round trip, median / p99 of 100 | ${fmt(median(viaHttp))} / ${fmt(percentile(viaHttp, 99))} ms | |`,
  );
  rows.push(
    `| the same request on the socket (one open connection), median / p99 of 100 | ${fmt(median(viaSocket))} / ${fmt(percentile(viaSocket, 99))} ms | |`,
  );
  rows.push(
    `| HTTP door's added latency per request (difference of the medians) | ${fmt(median(viaHttp) - median(viaSocket))} ms | |`,
  );

  // 2. 20 concurrent clients, 10 rounds: every one answered with its audio, in the order the daemon received them
  // (the clients' own connection set-up may reorder them on the way; the queue must not).
  const arrived: string[] = [];
  const request = daemon.core.request.bind(daemon.core) as (
    r: Request,
    e?: (ev: EventMessage) => void,
    x?: RequestExtras,
  ) => Promise<Answer>;
  (daemon.core as { request: typeof request }).request = (r, e, x) => {
    if (r.action === 'generate') arrived.push(String(r.text));
    return request(r, e, x);
  };
  const rss: number[] = [];
  let outOfOrder = 0;
  let answered = 0;
  const roundTimes: number[] = [];
  for (let round = 0; round < 10; round++) {
    const finished: string[] = [];
    arrived.length = 0;
    const t = performance.now();
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i * 3)); // sent in order i = 0..19
        const text = `client ${String(i).padStart(2, '0')}`;
        const bytes = await speakHttp(text);
        if (bytes !== text.length * 1920 * 2) throw new Error(`client ${i}: ${bytes} bytes`);
        finished.push(text);
        answered++;
      }),
    );
    roundTimes.push(performance.now() - t);
    finished.forEach((text, k) => (outOfOrder += text === arrived[k] ? 0 : 1));
    globalThis.gc?.();
    rss.push(process.memoryUsage().rss / 2 ** 20);
  }
  rows.push(
    `| 20 concurrent HTTP clients × 10 rounds: answered / answered out of the daemon's arrival order | ${answered} of 200 / ${outOfOrder} | all / 0 |`,
  );
  rows.push(`| … one round (20 requests of 9 frames), median | ${fmt(median(roundTimes))} ms | |`);
  rows.push(
    `| … RSS of the daemon's process after round 2 / round 10${globalThis.gc ? ' (after gc)' : ''} | ${rss[1]!.toFixed(1)} / ${rss[9]!.toFixed(1)} MiB | no growth |`,
  );

  socket.close();
  await door.close();
  await daemon.close();
  rmSync(dir, { recursive: true, force: true });

  const body = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()} (shared with other work; \`npm run bench:doors\`).`,
    'The tone engine answers instantly, so what is measured is the doors and the daemon, not synthesis.',
    '',
    '| measure | value | target |',
    '|---|---|---|',
    ...rows,
  ].join('\n');
  const file = writeSection('Front doors', body);
  console.log(`${body}\n\nwritten to ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
