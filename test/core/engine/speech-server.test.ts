// The remote engine against the stand-in vLLM-Omni server (test/support/speech-server.ts) over a real socket:
// the fields it sends, the audio it gets back bit for bit, every way the server can fail, cancel, and failover.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { floatToS16le } from '../../../src/core/audio/pcm.js';
import { createSpeechServerEngine } from '../../../src/core/engine/speech-server/engine.js';
import { withFailover } from '../../../src/core/engine/speech-server/failover.js';
import { ServerError, type Timeouts } from '../../../src/core/engine/speech-server/http.js';
import { createToneEngine, toneCodes, toneFrame } from '../../../src/core/engine/tone.js';
import type { Engine, SynthesisEvent, SynthesisRequest } from '../../../src/shared/engine.js';
import {
  DEFAULT_SWITCHES,
  STAND_IN_MODEL,
  STAND_IN_VOICES,
  standInPcm,
  startStandIn,
  type StandInServer,
} from '../../support/speech-server.js';
import { cliPath, startServe } from '../../support/serve.js';
import { readWav } from '../../support/wav.js';

let server: StandInServer;
const TOKEN = 'test-token-123';

beforeAll(async () => {
  server = await startStandIn({ token: TOKEN });
});
afterAll(async () => server?.close());
afterEach(() => {
  Object.assign(server.switches, DEFAULT_SWITCHES);
  server.requests.length = 0;
});

const request = (text: string, extra: Partial<SynthesisRequest> = {}): SynthesisRequest => ({
  text,
  language: 'English',
  instruct: null,
  speaker: null,
  seed: null,
  sampling: {},
  ...extra,
});

const engineFor = (timeouts: Partial<Timeouts> = {}, token = TOKEN) =>
  createSpeechServerEngine({ url: server.url, token, timeouts });

async function collect(engine: Engine, req: SynthesisRequest, signal = new AbortController().signal) {
  const events: SynthesisEvent[] = [];
  for await (const e of engine.synthesize(req, signal)) events.push(e);
  return events;
}

const pcmOf = (events: SynthesisEvent[]) =>
  Buffer.concat(events.flatMap((e) => (e.type === 'audio' ? [floatToS16le(e.samples)] : [])));

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

describe('the remote engine against a vLLM-Omni speech server', () => {
  it("asks the server what it serves: its model, its voices, Qwen3-TTS's languages", async () => {
    const engine = engineFor();
    expect(await engine.refreshInfo()).toBe(true);
    expect(engine.info).toMatchObject({
      engine: 'remote',
      model: `${STAND_IN_MODEL} at ${server.url}`,
      sampleRate: 24000,
      speakers: STAND_IN_VOICES,
      supportsInstruct: true,
    });
    expect(engine.info.languages).toEqual(expect.arrayContaining(['Auto', 'English', 'Chinese']));
  });

  it('sends the documented fields with the bearer token, one request per segment, and gets the PCM bit for bit', async () => {
    const engine = engineFor();
    // segments as the local engine cuts them (paragraphs, then sentences packed up to ~300 characters)
    const text = 'Good evening.\n\nHow are you?';
    const events = await collect(
      engine,
      request(text, { instruct: 'a warm voice', speaker: 'vivian', seed: 5, sampling: { maxNewTokens: 300 } }),
    );
    expect(server.requests.map((r) => r.body)).toEqual(
      ['Good evening.', 'How are you?'].map((input) => ({
        model: STAND_IN_MODEL,
        input,
        response_format: 'pcm',
        stream_format: 'audio',
        language: 'English',
        instructions: 'a warm voice',
        voice: 'vivian',
        task_type: 'CustomVoice',
        seed: 5,
        max_new_tokens: 300,
      })),
    );
    expect(server.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    // chunks of 4801 bytes end inside samples: the engine still hands on exactly the server's samples
    expect(pcmOf(events).equals(Buffer.concat([standInPcm('Good evening.'), standInPcm('How are you?')]))).toBe(true);
    expect(events.filter((e) => e.type === 'segment').map((e) => e.type === 'segment' && e.count)).toEqual([2, 2]);
    expect(events.filter((e) => e.type === 'segment_end')).toHaveLength(2);
    const stats = events.at(-1);
    expect(stats?.type).toBe('stats');
    if (stats?.type !== 'stats') return;
    expect(stats.stats.audioSeconds).toBeCloseTo(pcmOf(events).length / 2 / 24000, 6);
    expect(stats.stats.audioSeconds).toBeCloseTo(((13 + 12) * 1920) / 24000, 6);
    expect(stats.stats.timeToFirstAudioMs).toBeGreaterThan(0);
    expect(stats.stats.realTimeFactor).toBeGreaterThan(0);
  });

  it('"auto" is sent as vLLM-Omni\'s Auto, and no voice or instructions when the request has none', async () => {
    await collect(engineFor(), request('Hi.', { language: 'auto' }));
    expect(server.requests[0]!.body).toEqual({
      model: STAND_IN_MODEL,
      input: 'Hi.',
      response_format: 'pcm',
      stream_format: 'audio',
      language: 'Auto',
      task_type: 'CustomVoice',
    });
  });

  it('a slow first byte within the timeout is waited for; past it, the request fails saying so', async () => {
    server.switches.firstByteDelayMs = 300;
    expect(pcmOf(await collect(engineFor({ firstByteMs: 5000 }), request('Slow.'))).equals(standInPcm('Slow.'))).toBe(
      true,
    );
    const err = await failure(collect(engineFor({ firstByteMs: 100 }), request('Too slow.')));
    expect(err).toBeInstanceOf(ServerError);
    expect((err as ServerError).kind).toBe('timeout');
    expect(err.message).toMatch(/no audio came in time \(100 ms\)/);
  });

  it('audio that stops flowing fails after the stall timeout', async () => {
    server.switches.chunkBytes = 960;
    server.switches.chunkDelayMs = 400;
    const err = await failure(collect(engineFor({ stallMs: 100 }), request('Stalls here.')));
    expect(err.message).toMatch(/the audio stopped coming \(100 ms\)/);
    expect(server.requests).toHaveLength(1); // audio had begun: not retried
  });

  it('a connection cut mid-stream fails as a drop, keeps the audio that came, and is not retried', async () => {
    server.switches.dropAfterBytes = 9600;
    const events: SynthesisEvent[] = [];
    const err = await failure(
      (async () => {
        for await (const e of engineFor().synthesize(request('A long sentence here.'), new AbortController().signal))
          events.push(e);
      })(),
    );
    expect((err as ServerError).kind).toBe('dropped');
    expect(err.message).toMatch(/mid-audio|before the audio did/);
    const got = pcmOf(events);
    expect(got.length).toBeGreaterThan(0);
    expect(got.equals(standInPcm('A long sentence here.').subarray(0, got.length))).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('401: the error says the server refused the token, with its message', async () => {
    const err = await failure(collect(engineFor({}, 'wrong'), request('Hello.')));
    expect((err as ServerError).status).toBe(401);
    expect(err.message).toBe(
      'HTTP 401: Invalid or missing API key (check the speech server token: Q3TTS_REMOTE_TOKEN, or the token in the app settings)',
    );
  });

  it("500: the server's error JSON is read", async () => {
    server.switches.failStatus = 500;
    const err = await failure(collect(engineFor(), request('Hello.')));
    expect(err.message).toBe('HTTP 500: Internal server error');
    expect((err as ServerError).requestFault).toBe(false);
  });

  it("400: the server's reason (an unknown voice) is the request's fault", async () => {
    const err = await failure(collect(engineFor(), request('Hello.', { speaker: 'nobody' })));
    expect(err.message).toMatch(/^HTTP 400: Invalid speaker 'nobody'/);
    expect((err as ServerError).requestFault).toBe(true);
  });

  it('a garbage body (an HTML page with 200) is refused, not played as noise', async () => {
    server.switches.garbage = true;
    const err = await failure(collect(engineFor(), request('Hello.')));
    expect((err as ServerError).kind).toBe('protocol');
    expect(err.message).toBe('the server answered text/html, not audio');
  });

  it('a server that is not there: unreachable, with the cause', async () => {
    const gone = await startStandIn();
    await gone.close();
    const engine = createSpeechServerEngine({ url: gone.url });
    expect(await engine.refreshInfo()).toBe(false);
    const err = await failure(collect(engine, request('Hello.')));
    expect((err as ServerError).kind).toBe('unreachable');
    expect(err.message).toMatch(/cannot reach it \(ECONNREFUSED/);
  });

  it('cancel closes the HTTP connection at once: the server sees it close before the end', async () => {
    server.switches.chunkBytes = 960;
    server.switches.chunkDelayMs = 50;
    const controller = new AbortController();
    const started = performance.now();
    const err = await failure(
      (async () => {
        for await (const e of engineFor().synthesize(request('This one is cancelled early.'), controller.signal))
          if (e.type === 'audio') controller.abort();
      })(),
    );
    expect(err.name).toBe('AbortError');
    await server.requests[0]!.closed;
    expect(server.requests[0]!.finished()).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000); // the whole text would take 28 chunks × 50 ms
  });

  it('cancel while waiting for the first byte closes the connection too', async () => {
    server.switches.firstByteDelayMs = 2000;
    const controller = new AbortController();
    const run = collect(engineFor(), request('Never heard.'), controller.signal);
    await new Promise((r) => setTimeout(r, 200));
    controller.abort();
    expect((await failure(run)).name).toBe('AbortError');
    await server.requests[0]!.closed;
    expect(server.requests[0]!.finished()).toBe(false);
  });
});

describe('failover to the local model', () => {
  const tonePcm = (text: string) => Buffer.concat(toneCodes(text).map((f) => floatToS16le(toneFrame(f[0]!))));
  /** The "local model" here is the tone engine (no model to load); the daemon tests below use a real one. */
  const localFor = (loads: { n: number }) => async () => {
    loads.n++;
    return createToneEngine();
  };

  it('server failing → this request and the next are spoken locally, said once; server back → remote again', async () => {
    const logs: string[] = [];
    const loads = { n: 0 };
    const engine = withFailover(engineFor(), { loadLocal: localFor(loads), recheckMs: 0, log: (m) => logs.push(m) });
    server.switches.failStatus = 500;
    const first = await collect(engine, request('One.'));
    expect(pcmOf(first).equals(tonePcm('One.'))).toBe(true);
    expect(engine.remoteStatus()).toEqual({
      url: server.url,
      using: 'local',
      error: 'HTTP 500: Internal server error',
      failover: true,
    });
    await collect(engine, request('Two.'));
    expect(logs.filter((l) => /failed/.test(l))).toEqual([
      `speech server ${server.url} failed: HTTP 500: Internal server error; speaking with the local model until it answers again`,
    ]);
    expect(loads.n).toBe(1); // loaded once, kept
    expect(engine.takeNotice()).toMatch(/failed: HTTP 500: Internal server error; speaking with the local model/);
    expect(engine.takeNotice()).toBeUndefined(); // once

    server.switches.failStatus = null;
    server.requests.length = 0;
    const back = await collect(engine, request('Three.'));
    expect(server.requests).toHaveLength(1);
    expect(pcmOf(back).equals(standInPcm('Three.'))).toBe(true);
    expect(engine.remoteStatus()).toEqual({ url: server.url, using: 'server', failover: true });
    expect(logs.at(-1)).toBe(`speech server ${server.url} answers again; speaking through it`);
    expect(engine.takeNotice()).toBe(`speech server ${server.url} answers again; speaking through it`);
  });

  it('while local, the server is left alone until the recheck time has passed', async () => {
    const engine = withFailover(engineFor(), { loadLocal: localFor({ n: 0 }), recheckMs: 60_000 });
    server.switches.failStatus = 503;
    await collect(engine, request('One.'));
    server.switches.failStatus = null;
    await collect(engine, request('Two.'));
    expect(server.requests).toHaveLength(1); // only the failed one
    expect(engine.remoteStatus().using).toBe('local');
    // asking for the voices reaches the server, and an answer brings it back
    expect(await engine.refreshInfo()).toBe(true);
    expect(engine.remoteStatus().using).toBe('server');
  });

  it('a drop mid-audio fails that request clearly (its start was heard) and the next goes local', async () => {
    const engine = withFailover(engineFor(), { loadLocal: localFor({ n: 0 }), recheckMs: 60_000 });
    server.switches.dropAfterBytes = 9600;
    const err = await failure(collect(engine, request('Cut in the middle.')));
    expect(err.message).toMatch(
      new RegExp(`^speech server ${server.url}: the connection .*\\(the audio had begun, so it is not repeated\\)$`),
    );
    const next = await collect(engine, request('Next.'));
    expect(pcmOf(next).equals(tonePcm('Next.'))).toBe(true);
    expect(server.requests).toHaveLength(1); // the server was not asked
    expect(engine.remoteStatus().using).toBe('local');
  });

  it('a bad request (400) is not failed over: the local model would not make it right', async () => {
    const loads = { n: 0 };
    const engine = withFailover(engineFor(), { loadLocal: localFor(loads) });
    const err = await failure(collect(engine, request('Hi.', { speaker: 'nobody' })));
    expect(err.message).toMatch(new RegExp(`^speech server ${server.url}: HTTP 400: Invalid speaker`));
    expect(loads.n).toBe(0);
    expect(engine.remoteStatus().using).toBe('server');
  });

  it('without a local model: a clear error naming the server and the cause', async () => {
    const engine = withFailover(engineFor({}, 'wrong'));
    const err = await failure(collect(engine, request('Hi.')));
    expect(err.message).toBe(
      `speech server ${server.url}: HTTP 401: Invalid or missing API key (check the speech server token: Q3TTS_REMOTE_TOKEN, or the token in the app settings) (and no local model to fall back on)`,
    );
    expect(engine.remoteStatus()).toMatchObject({
      using: 'server',
      failover: false,
      error: expect.stringMatching(/401/),
    });
  });
});

describe('https', () => {
  const fixtures = path.resolve(import.meta.dirname, '../../support/fixtures');
  const tls = {
    key: readFileSync(path.join(fixtures, 'tls-key.pem'), 'utf8'),
    cert: readFileSync(path.join(fixtures, 'tls-cert.pem'), 'utf8'),
  };

  it('a certificate the machine does not trust is refused, saying why', async () => {
    const secure = await startStandIn({ tls });
    try {
      const err = await failure(collect(createSpeechServerEngine({ url: secure.url }), request('Hello.')));
      expect((err as ServerError).kind).toBe('unreachable');
      expect(err.message).toMatch(/SELF_SIGNED|self.signed/i);
      expect(secure.requests).toHaveLength(0); // no text left the machine
    } finally {
      await secure.close();
    }
  });

  it('q3tts serve --remote https://… with the CA trusted (NODE_EXTRA_CA_CERTS): voices and speech through TLS', async () => {
    const secure = await startStandIn({ tls, token: TOKEN });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-https-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_EXTRA_CA_CERTS: path.join(fixtures, 'tls-cert.pem'),
      Q3TTS_SOCKET: path.join(dir, 'daemon.sock'),
      Q3TTS_DATA_DIR: path.join(dir, 'data'),
      Q3TTS_AUDIO: 'null',
      Q3TTS_REMOTE_TOKEN: TOKEN,
      Q3TTS_REMOTE_FAILOVER: 'off',
    };
    delete env.Q3TTS_ENGINE;
    delete env.Q3TTS_MODEL_DIR;
    const served = await startServe(env, ['--remote', secure.url]);
    try {
      const run = promisify(execFile);
      const voices = JSON.parse((await run(process.execPath, [cliPath, 'voices', '--json'], { env })).stdout);
      expect(voices).toMatchObject({ engine: 'remote', model: `${STAND_IN_MODEL} at ${secure.url}` });
      const out = path.join(dir, 'hi.wav');
      await run(process.execPath, [cliPath, '-l', 'English', '-o', out, 'Over TLS.'], { env });
      expect(Buffer.from(readWav(out).samples.buffer).equals(standInPcm('Over TLS.'))).toBe(true);
      expect(secure.requests.at(-1)?.authorization).toBe(`Bearer ${TOKEN}`);
    } finally {
      served.child.kill('SIGKILL');
      await secure.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
