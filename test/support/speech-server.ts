// A stand-in for vLLM-Omni's speech server, written from its documented Speech API (docs/serving/speech_api.md
// in vllm-project/vllm-omni): POST /v1/audio/speech (input, model, voice, response_format, speed, task_type,
// language, instructions, max_new_tokens, stream_format "audio" for raw bytes), GET /v1/audio/voices,
// GET /v1/models, and its error JSON {"error":{"message","type","param","code"}}. Its audio is the tone
// engine's (one 80 ms tone per character), so a test knows exactly which samples should arrive.
// Switches make it misbehave the ways real servers do: slow first byte, a drop mid-stream, 401, 500, garbage.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { floatToS16le } from '../../src/core/audio/pcm.js';
import { toneCodes, toneFrame } from '../../src/core/engine/tone.js';

export const STAND_IN_MODEL = 'Qwen/Qwen3-TTS-12Hz-1.7B-CustomVoice';
export const STAND_IN_VOICES = ['aiden', 'dylan', 'eric', 'ono_anna', 'ryan', 'serena', 'sohee', 'uncle_fu', 'vivian'];
const FORMATS = ['wav', 'mp3', 'flac', 'pcm', 'opus', 'aac'];
const TASKS = ['CustomVoice', 'VoiceDesign', 'Base'];

export interface Switches {
  /** Wait this long before the first byte of audio (the response headers go with it). */
  firstByteDelayMs: number;
  /** Pause between chunks. */
  chunkDelayMs: number;
  /** Up to this much more, at random, per chunk (network jitter). */
  jitterMs: number;
  /** Bytes per chunk (odd on purpose: a chunk may end inside a sample). */
  chunkBytes: number;
  /** Cut the connection after this many bytes of audio. */
  dropAfterBytes: number | null;
  /** Answer every speech request with this error status (500, 503, …). */
  failStatus: number | null;
  /** Answer 200 with an HTML page instead of audio. */
  garbage: boolean;
}

export const DEFAULT_SWITCHES: Switches = {
  firstByteDelayMs: 0,
  chunkDelayMs: 0,
  jitterMs: 0,
  chunkBytes: 4801,
  dropAfterBytes: null,
  failStatus: null,
  garbage: false,
};

export interface SpeechRequestSeen {
  body: Record<string, unknown>;
  authorization: string | undefined;
  /** Resolves when the client's connection for this request closed (before or after the end). */
  closed: Promise<void>;
  /** True when the response was complete when the connection closed. */
  finished(): boolean;
}

export interface StandInServer {
  url: string;
  port: number;
  switches: Switches;
  requests: SpeechRequestSeen[];
  /** Stops listening and cuts every open connection (a server that died). */
  kill(): Promise<void>;
  /** Listens again on the same port (the server is back). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** What the stand-in says for `text`: the tone engine's samples, as s16le. */
export function standInPcm(text: string): Buffer {
  return Buffer.concat(toneCodes(text).map((f) => floatToS16le(toneFrame(f[0]!))));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startStandIn(
  options: { token?: string; model?: string; port?: number; tls?: { key: string; cert: string } } = {},
): Promise<StandInServer> {
  const model = options.model ?? STAND_IN_MODEL;
  const switches: Switches = { ...DEFAULT_SWITCHES };
  const requests: SpeechRequestSeen[] = [];
  const sockets = new Set<Socket>();

  const error = (
    res: http.ServerResponse,
    code: number,
    message: string,
    type: string,
    param: string | null = null,
  ) => {
    const text = JSON.stringify({ error: { message, type, param, code } });
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };

  async function speech(req: http.IncomingMessage, res: http.ServerResponse, body: Record<string, unknown>) {
    let finished = false;
    const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
    requests.push({ body, authorization: req.headers.authorization, closed, finished: () => finished });
    if (typeof body.input !== 'string' || !body.input.trim())
      return error(res, 400, 'Input text cannot be empty', 'BadRequestError');
    if (body.model !== undefined && body.model !== model)
      return error(res, 404, `The model \`${String(body.model)}\` does not exist.`, 'NotFoundError', 'model');
    const format = (body.response_format as string | undefined) ?? 'wav';
    if (!FORMATS.includes(format)) return error(res, 400, `Unsupported response_format: ${format}`, 'BadRequestError');
    if (body.task_type !== undefined && !TASKS.includes(body.task_type as string))
      return error(res, 400, `Invalid task_type: ${String(body.task_type)}`, 'BadRequestError');
    if (body.voice !== undefined && !STAND_IN_VOICES.includes(String(body.voice).toLowerCase()))
      return error(
        res,
        400,
        `Invalid speaker '${String(body.voice)}'. Supported: ${STAND_IN_VOICES.join(', ')}`,
        'BadRequestError',
      );
    if (body.stream_format !== undefined && format !== 'pcm' && format !== 'wav')
      return error(res, 400, 'Streaming requires response_format pcm or wav', 'BadRequestError');
    if (switches.failStatus) return error(res, switches.failStatus, 'Internal server error', 'InternalServerError');
    if (switches.firstByteDelayMs) await sleep(switches.firstByteDelayMs);
    if (res.destroyed) return;
    if (switches.garbage) {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html><body>502 Bad Gateway (a proxy page)</body></html>');
      return;
    }
    res.writeHead(200, { 'Content-Type': format === 'pcm' ? 'audio/pcm' : 'audio/wav' });
    const pcm = standInPcm(body.input);
    for (let at = 0; at < pcm.length && !res.destroyed; at += switches.chunkBytes) {
      if (switches.dropAfterBytes !== null && at >= switches.dropAfterBytes) {
        await sleep(100); // what was sent reaches the client before the connection dies
        res.socket?.destroy();
        return;
      }
      res.write(pcm.subarray(at, at + switches.chunkBytes));
      const pause = switches.chunkDelayMs + Math.random() * switches.jitterMs;
      if (pause) await sleep(pause);
    }
    finished = true;
    res.end();
  }

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
      if (options.token && req.headers.authorization !== `Bearer ${options.token}`)
        return error(res, 401, 'Invalid or missing API key', 'AuthenticationError');
      const route = `${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`;
      if (route === 'GET /v1/models')
        return sendJson(res, { object: 'list', data: [{ id: model, object: 'model', owned_by: 'vllm-omni' }] });
      if (route === 'GET /v1/audio/voices') return sendJson(res, { voices: STAND_IN_VOICES, uploaded_voices: [] });
      if (route !== 'POST /v1/audio/speech') return error(res, 404, `Not Found: ${route}`, 'NotFoundError');
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return error(res, 400, 'Invalid JSON body', 'BadRequestError');
      }
      await speech(req, res, body);
    })().catch(() => res.destroy());
  };
  const server = options.tls ? https.createServer(options.tls, handler) : http.createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const port = await listen(options.port ?? 0);
  const kill = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    switches,
    requests,
    kill,
    restart: async () => void (await listen(port)),
    close: async () => {
      if (server.listening) await kill();
    },
  };
}

function sendJson(res: http.ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
