// q3tts against q3tts: a server (`q3tts serve --http`, the synthetic tiny Qwen3-TTS model) and client daemons
// whose engine is that server (the remote engine). Byte-identical audio, failover when the server is killed and
// back when it returns, and three clients' queues served by one server in order.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type RunningDaemon } from '../../../src/core/daemon/daemon.js';
import { DEFAULT_TIMEOUTS } from '../../../src/core/engine/speech-server/http.js';
import type { EngineConfig } from '../../../src/core/engine/config.js';
import { floatToInt16 } from '../../../src/core/audio/pcm.js';
import { toneCodes, toneFrame } from '../../../src/core/engine/tone.js';
import type { Answer, EventMessage } from '../../../src/shared/protocol.js';
import { cliPath, exited, startServe, type Served } from '../../support/serve.js';
import { readWav } from '../../support/wav.js';
import { syntheticModel } from './fixture.js';

const root = path.resolve(import.meta.dirname, '../../..');
const handlersFile = path.join(root, 'out/daemon/handlers.mjs');
let dir: string;
let model: string;
let server: Served;
let url: string;
let port: number;
const clients: RunningDaemon[] = [];

function serverEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    Q3TTS_SOCKET: path.join(dir, `server-${Math.random().toString(36).slice(2)}.sock`),
    Q3TTS_CONFIG_DIR: path.join(dir, 'server-config'),
    Q3TTS_AUDIO: 'null',
    Q3TTS_MODEL_DIR: model,
    Q3TTS_THREADS: '1',
    ...extra,
  };
  if (!extra.Q3TTS_ENGINE) delete env.Q3TTS_ENGINE;
  return env;
}

async function startServer(onPort = 0, extra: Record<string, string> = {}): Promise<Served> {
  const served = await startServe(serverEnv(extra), ['--http', `127.0.0.1:${onPort}`]);
  const doorLine = () => served.stdout.find((l) => l.startsWith('HTTP door'));
  for (let i = 0; i < 200 && !doorLine(); i++) await new Promise((r) => setTimeout(r, 50)); // printed after "listening"
  const line = doorLine();
  url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line ?? '')![1]!;
  port = Number(new URL(url).port);
  return served;
}

async function client(name: string, extra: Partial<Extract<EngineConfig, { kind: 'remote' }>> = {}, log?: string[]) {
  const daemon = await startDaemon({
    socketPath: path.join(dir, `${name}.sock`),
    engine: { kind: 'remote', url, timeouts: { ...DEFAULT_TIMEOUTS }, ...extra },
    handlersFile,
    announce: () => undefined,
    log: (m) => log?.push(m),
    socketCheckMs: 0,
  });
  clients.push(daemon);
  return daemon;
}

const speak = (daemon: RunningDaemon, fields: Record<string, unknown>, emit?: (e: EventMessage) => void) =>
  daemon.core.request({ action: 'generate', language: 'English', ...fields }, emit) as Promise<
    Answer & Record<string, unknown>
  >;

async function direct(body: Record<string, unknown>): Promise<Int16Array> {
  const res = await fetch(`${url}/v1/audio/speech`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'q3tts', response_format: 'pcm', ...body }),
  });
  expect(res.status).toBe(200);
  const bytes = Buffer.from(await res.arrayBuffer());
  return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
}

beforeAll(async () => {
  process.env.Q3TTS_AUDIO = 'null';
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-remote-'));
  model = await syntheticModel('voice_design', 7);
  server = await startServer();
}, 120_000);

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  server?.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('q3tts speaking through another q3tts', () => {
  it('a seeded request gives byte-identical audio to asking the server directly', async () => {
    const c = await client('identical');
    const status = c.core.status();
    expect(status).toMatchObject({ engine: 'remote', remote: { url, using: 'server', failover: false } });
    expect(status.model).toMatch(new RegExp(`at ${url}$`));
    const voices = (await c.core.request({ action: 'voices' })) as Answer & Record<string, unknown>;
    expect(voices).toMatchObject({ status: 'ok', engine: 'remote', supports_instruct: true });
    expect(voices.languages).toEqual(expect.arrayContaining(['English', 'Chinese']));

    const text = 'Hello from the server.';
    const output = path.join(dir, 'through-client.wav');
    const answer = await speak(c, { text, seed: 42, instruct: 'a calm, low voice', max_new_tokens: 30, output });
    expect(answer.status, JSON.stringify(answer)).toBe('ok');
    expect(answer.ttfa_ms).toBeGreaterThan(0);
    expect(answer.rtf).toBeGreaterThan(0);
    const viaClient = readWav(output);
    expect(viaClient.sampleRate).toBe(24000);
    const viaServer = await direct({
      input: text,
      seed: 42,
      instructions: 'a calm, low voice',
      max_new_tokens: 30,
      language: 'English',
    });
    expect(viaServer.length).toBeGreaterThan(2400);
    expect(Buffer.from(viaClient.samples.buffer).equals(Buffer.from(viaServer.buffer))).toBe(true);
    expect(c.core.status().last).toMatchObject({ audio_seconds: viaServer.length / 24000 });
  }, 60_000);
});

describe('failover', () => {
  it('server killed mid-request → that request fails clearly, later ones go local (said once); server back → remote', async () => {
    const log: string[] = [];
    const withLocal = await client(
      'failover',
      { fallback: { kind: 'qwen3', modelDir: model, intraOpThreads: 1 }, recheckMs: 300 },
      log,
    );
    const alone = await client('alone');
    expect(withLocal.core.status().remote).toEqual({ url, using: 'server', failover: true });

    // A long text (three paragraphs, three requests to the server); the server dies at the first audio.
    const long = ['First paragraph, spoken remotely.', 'Second paragraph, never reached.', 'Third one.'].join('\n\n');
    let killed = false;
    const cut = await speak(withLocal, { text: long, seed: 1, max_new_tokens: 40, stream: true }, (e) => {
      if (e.event === 'audio' && !killed) {
        killed = true;
        server.child.kill('SIGKILL');
      }
    });
    expect(killed).toBe(true);
    expect(cut).toMatchObject({ status: 'error', code: 'E_ENGINE' });
    expect(cut.message).toMatch(
      new RegExp(`^speech server ${url}: .*\\(the audio had begun, so it is not repeated\\)$`),
    );
    await exited(server.child);

    // Later requests: spoken by the local model, and said once.
    for (const n of [1, 2]) {
      const local = await speak(withLocal, {
        text: `Spoken locally, ${n}.`,
        seed: 3,
        max_new_tokens: 20,
        output: path.join(dir, `l${n}.wav`),
      });
      expect(local.status, JSON.stringify(local)).toBe('ok');
      // the first answer spoken locally says so (the CLI prints it on stderr); the next one does not repeat it
      if (n === 1) expect(local.warning).toMatch(/speaking with the local model until it answers again/);
      else expect(String(local.warning ?? '')).not.toMatch(/local model/);
      expect(readWav(path.join(dir, `l${n}.wav`)).samples.length).toBeGreaterThan(0);
    }
    expect(withLocal.core.status().remote).toMatchObject({ url, using: 'local', failover: true });
    expect(withLocal.core.status().remote?.error).toMatch(/./);
    expect(log.filter((l) => l.includes('speaking with the local model'))).toHaveLength(1);
    // (not spawnSync: the client daemon answering it runs in this very process)
    const cli = await promisify(execFile)(process.execPath, [cliPath, 'status'], {
      env: { ...process.env, Q3TTS_SOCKET: withLocal.socketPath },
      encoding: 'utf8',
    });
    expect(cli.stdout).toMatch(new RegExp(`speech server ${url}: not answering \\(.+\\); the local model speaks`));

    // Without a local model: a clear error naming the server and the cause.
    const refused = await speak(alone, {
      text: 'Nobody to speak this.',
      max_new_tokens: 20,
      output: path.join(dir, 'none.wav'),
    });
    expect(refused).toMatchObject({ status: 'error', code: 'E_ENGINE' });
    expect(refused.message).toMatch(
      new RegExp(`^speech server ${url}: cannot reach it \\(ECONNREFUSED.*\\(and no local model to fall back on\\)$`),
    );

    // The server comes back on the same address: the next request (after the recheck time) goes to it.
    server = await startServer(port);
    await new Promise((r) => setTimeout(r, 400));
    const back = await speak(withLocal, {
      text: 'Remote again.',
      seed: 5,
      max_new_tokens: 20,
      output: path.join(dir, 'back.wav'),
    });
    expect(back.status, JSON.stringify(back)).toBe('ok');
    expect(back.warning).toMatch(/answers again; speaking through it/);
    expect(withLocal.core.status().remote).toEqual({ url, using: 'server', failover: true });
    expect(log).toContain(`speech server ${url} answers again; speaking through it`);
    const expected = await direct({ input: 'Remote again.', seed: 5, max_new_tokens: 20, language: 'English' });
    expect(Buffer.from(readWav(path.join(dir, 'back.wav')).samples.buffer).equals(Buffer.from(expected.buffer))).toBe(
      true,
    );
  }, 180_000);
});

describe('load: three clients, ten queued requests each, one server', () => {
  it('every request is answered with its own audio, in each client order', async () => {
    // A tone-engine server: its audio spells the text, so each file shows which request it answers.
    server.child.kill('SIGKILL');
    await exited(server.child);
    server = await startServer(0, { Q3TTS_ENGINE: 'tone', Q3TTS_TONE_MS_PER_FRAME: '2' });
    const three = await Promise.all(['a', 'b', 'c'].map((name) => client(`load-${name}`)));
    const done: string[][] = [[], [], []];
    const runs = three.flatMap((c, k) =>
      Array.from({ length: 10 }, (_, i) => {
        const text = `Client ${'abc'[k]} request ${i}.`;
        const output = path.join(dir, `load-${k}-${i}.wav`);
        return speak(c, { text, output }).then((answer) => {
          done[k]!.push(String(i));
          expect(answer.status, JSON.stringify(answer)).toBe('ok');
          const want = toneCodes(text).flatMap((f) => Array.from(floatToInt16(toneFrame(f[0]!))));
          expect(Array.from(readWav(output).samples)).toEqual(want);
        });
      }),
    );
    await Promise.all(runs);
    for (const order of done) expect(order).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
  }, 120_000);
});
