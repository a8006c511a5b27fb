// The OpenAI-compatible HTTP door (docs/doors.md): POST /v1/audio/speech and friends, as a thin adapter over
// the daemon core. Each speech request becomes one `generate` request whose audio streams back in the
// response body (decision 0017): same queue, same cancel (a client that hangs up cancels its job), same errors.
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { Writable } from 'node:stream';
import { z } from 'zod';
import type { OkAnswerOf } from '../../../shared/actions.js';
import { errorMessage } from '../../../shared/errors.js';
import type { Answer, ErrorCode, Request } from '../../../shared/protocol.js';
import { describeIssues } from '../../../shared/requests.js';
import type { DaemonCore } from '../../daemon/core.js';
import { isLoopbackHost } from '../../../shared/listen-address.js';
import { encoderFor, type Encoding } from '../../audio/encode.js';
import { s16leToFloat } from '../../audio/pcm.js';
import { streamingWavHeader } from '../../audio/wav-header.js';
import { formatHostPort, listenOn } from '../address.js';
import { ClientErrors } from './client-errors.js';
import { PcmStreamSink } from '../stream-sink.js';
import { resolveVoice, savedVoices, voiceFields, voiceNames } from '../voices.js';
import type { VoiceClone } from '../../../shared/engine.js';
import { findPreset, presetKind, type VoicePreset } from '../../../shared/voice-presets.js';
import { refAudioBytes } from './ref-audio.js';
import { isAbortError } from '../../engine/errors.js';

export interface OpenAiDoorOptions {
  host: string;
  port: number;
  /** Required bearer token; null = none (allowed on loopback only). */
  token: string | null;
  /** Origins allowed to call from a browser; none = no CORS headers at all. */
  corsOrigins?: string[];
  /** Request bodies larger than this are refused with 413. */
  maxBodyBytes?: number;
  /** Time allowed for a client to send its headers, and its whole request. */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  log?: (message: string) => void;
}

export interface OpenDoor {
  /** e.g. "http://127.0.0.1:8880" */
  address: string;
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** What `model` may name: OpenAI's speech models (so their clients work unchanged) and ours. */
const MODEL_ALIASES = ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts', 'q3tts'];
const FORMATS = ['wav', 'pcm', 'mp3', 'opus', 'flac', 'aac'] as const;
type SpeechFormat = (typeof FORMATS)[number];
/** What each response_format is sent as (opus comes in an Ogg container: audio/ogg, RFC 7845). */
const CONTENT_TYPES: Record<SpeechFormat, string> = {
  wav: 'audio/wav',
  pcm: 'audio/pcm',
  mp3: encoderFor('mp3').contentType,
  opus: encoderFor('opus').contentType,
  flac: encoderFor('flac').contentType,
  aac: encoderFor('aac').contentType,
};
/** Every engine speaks at 24 kHz (the Qwen3-TTS codec's rate); encoders start before the first chunk says so. */
const ENGINE_SAMPLE_RATE = 24000;

const SpeechSchema = z
  .object({
    model: z.string().max(200),
    input: z.string(),
    voice: z.union([z.string().max(200), z.object({ id: z.string().max(200) }).strict()]).optional(),
    instructions: z.string().max(4000).optional(),
    response_format: z.enum(FORMATS).optional(),
    speed: z.number().min(0.25).max(4).optional(),
    stream_format: z.enum(['audio', 'sse']).optional(),
    // vLLM-Omni's Qwen3-TTS server takes these too.
    language: z.string().max(40).optional(),
    task_type: z.enum(['CustomVoice', 'VoiceDesign', 'Base']).optional(),
    max_new_tokens: z.number().int().min(1).max(8192).optional(),
    seed: z.number().int().min(0).max(0xffff_ffff).optional(),
    // task_type "Base": the voice cloned from this clip (ref-audio.ts), with its transcript unless x-vector only
    ref_audio: z.string().min(1).optional(),
    ref_text: z.string().max(2000).optional(),
    x_vector_only_mode: z.boolean().optional(),
  })
  .strict();

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

/** How each daemon error code reads over HTTP. */
const STATUS_OF: Partial<Record<ErrorCode, [number, string, string]>> = {
  E_INVALID: [400, 'invalid_request_error', 'invalid_value'],
  E_TEXT_EMPTY: [400, 'invalid_request_error', 'empty_input'],
  E_TEXT_TOO_LONG: [400, 'invalid_request_error', 'string_above_max_length'],
  E_BUSY: [429, 'rate_limit_error', 'queue_full'],
  E_NO_MODEL: [503, 'server_error', 'no_model'],
  E_SHUTTING_DOWN: [503, 'server_error', 'shutting_down'],
  E_CANCELLED: [499, 'server_error', 'cancelled'],
};

function fromAnswer(answer: Answer & { status: 'error' }): HttpError {
  const [status, type, code] = STATUS_OF[answer.code] ?? [500, 'server_error', answer.code.slice(2).toLowerCase()];
  return new HttpError(status, answer.message, type, code);
}

export async function openOpenAiDoor(core: DaemonCore, options: OpenAiDoorOptions): Promise<OpenDoor> {
  if (!options.token && !isLoopbackHost(options.host)) {
    throw new Error(`the HTTP door on ${options.host} is reachable from other machines: it needs a bearer token`);
  }
  const log = options.log ?? (() => undefined);
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const token = options.token ? Buffer.from(options.token) : null;
  let nextId = 0;

  const clientErrors = new ClientErrors();
  const server = http.createServer((req, res) => {
    clientErrors.track(req, res);
    handle(req, res).catch((err: unknown) => {
      log(`http door: ${errorMessage(err)}`);
      if (!res.headersSent) sendError(res, new HttpError(500, 'internal error', 'server_error'));
      else res.destroy();
    });
  });
  server.headersTimeout = options.headersTimeoutMs ?? 10_000;
  server.requestTimeout = options.requestTimeoutMs ?? 30_000;
  server.on('clientError', clientErrors.handle);

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const origin = req.headers.origin;
    if (origin && options.corsOrigins?.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'Access-Control-Allow-Methods': 'GET, POST',
          'Access-Control-Allow-Headers': 'Authorization, Content-Type',
          'Access-Control-Max-Age': '600',
        });
        res.end();
        return;
      }
    }
    const url = new URL(req.url ?? '/', 'http://door');
    const route = `${req.method} ${url.pathname.replace(/\/+$/, '') || '/'}`;
    try {
      if (route === 'GET /health') return sendJson(res, 200, health());
      if (token && !authorized(req.headers.authorization)) {
        throw new HttpError(
          401,
          'missing or wrong bearer token (q3tts http token prints it)',
          'invalid_request_error',
          'invalid_api_key',
        );
      }
      switch (route) {
        case 'GET /v1/models':
          return sendJson(res, 200, await models());
        case 'GET /v1/audio/voices':
          return sendJson(res, 200, await voices());
        case 'POST /v1/audio/speech':
          return await speech(req, res);
      }
      const known = ['GET /health', 'GET /v1/models', 'GET /v1/audio/voices', 'POST /v1/audio/speech'];
      if (known.some((k) => k.endsWith(` ${url.pathname}`)))
        throw new HttpError(405, `${req.method} is not allowed on ${url.pathname}`);
      throw new HttpError(
        404,
        `no such endpoint: ${req.method} ${url.pathname} (there are: ${known.join(', ')})`,
        'invalid_request_error',
        'not_found',
      );
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      if (err.status !== 413) req.resume(); // an unread body must not hold the connection (413 closes it)
      sendError(res, err);
    }
  }

  function authorized(header: string | undefined): boolean {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match || !token) return false;
    const given = Buffer.from(match[1]!);
    return given.length === token.length && timingSafeEqual(given, token);
  }

  function health() {
    const state = core.state;
    return { status: state === 'loading' || state === 'error' ? state : 'ok', state };
  }

  /** The model's voices and identity, or the 503 that says it is not ready. */
  async function engineInfo(): Promise<OkAnswerOf<'voices'>> {
    if (core.state === 'loading')
      throw new HttpError(503, 'the model is loading; try again in a moment', 'server_error', 'model_loading');
    const answer = await core.request({ action: 'voices' });
    if (answer.status === 'error') throw new HttpError(503, answer.message, 'server_error', 'model_unavailable');
    return answer;
  }

  async function models() {
    const info = await engineInfo();
    const ids = [info.model, ...MODEL_ALIASES];
    return { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 0, owned_by: 'q3tts' })) };
  }

  async function voices() {
    const info = await engineInfo();
    const saved = await savedVoices(core, log);
    return {
      voices: voiceNames(info, saved),
      /** The user's saved voices (q3tts voices save), with what each is. */
      saved_voices: saved.map((p) => ({
        name: p.name,
        instructions: p.instruct,
        language: p.language,
        kind: presetKind(p),
      })),
      speakers: info.speakers,
      languages: info.languages,
      supports_instructions: info.supports_instruct,
    };
  }

  async function speech(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readJson(req, maxBody, () => clientErrors.overran(req));
    const parsed = SpeechSchema.safeParse(body);
    if (!parsed.success)
      throw new HttpError(
        400,
        describeIssues(parsed.error),
        'invalid_request_error',
        'invalid_value',
        String(parsed.error.issues[0]?.path[0] ?? '') || null,
      );
    const b = parsed.data;
    const format = b.response_format ?? 'wav';
    const info = await engineInfo();
    const modelOk = b.model === info.model || MODEL_ALIASES.includes(b.model) || /qwen3-tts/i.test(b.model);
    if (!modelOk)
      throw new HttpError(
        404,
        `model '${b.model}' does not exist here (available: ${[info.model, ...MODEL_ALIASES].join(', ')})`,
        'invalid_request_error',
        'model_not_found',
        'model',
      );
    const saved = await savedVoices(core, log);
    const voice = resolveVoice(info, typeof b.voice === 'object' ? b.voice.id : b.voice, saved);
    if ('error' in voice) throw new HttpError(400, voice.error, 'invalid_request_error', 'unknown_voice', 'voice');

    const id = `http-${++nextId}`;
    // A client that hangs up before the end cancels its job (queued or speaking), through the daemon's cancel.
    const hungUp = () => {
      if (!res.writableEnded) void core.request({ action: 'cancel', target: id });
    };
    res.once('close', hungUp);
    // task_type Base: a clip to clone now, or a saved cloned voice (decision 0033)
    const clone = await requestClone(b, voice.preset ? findPreset(saved, voice.preset) : undefined, id);
    const sse = b.stream_format === 'sse';
    const stream = await ResponseStream.open(res, format, sse);
    const request: Request = {
      action: 'generate',
      id,
      text: b.input,
      ...(b.language ? { language: b.language } : {}),
      ...(b.instructions ? { instruct: b.instructions } : {}),
      ...(clone ? {} : voiceFields(voice)), // a saved voice fills in what the request leaves out
      ...(b.seed !== undefined ? { seed: b.seed } : {}),
      ...(b.max_new_tokens !== undefined ? { max_new_tokens: b.max_new_tokens } : {}),
      ...(b.speed !== undefined && b.speed !== 1 ? { speed: b.speed } : {}),
    };
    const answer = await core.request(request, undefined, { stream: stream.sink, ...(clone ? { clone } : {}) });
    if (answer.status === 'error') {
      stream.abort();
      if (res.destroyed || (answer.code === 'E_CANCELLED' && res.writableEnded)) return;
      if (!res.headersSent) return sendError(res, fromAnswer(answer));
      log(`http door: ${id} failed after audio was sent: ${answer.message}`);
      res.destroy(); // the body is cut short: the client sees an incomplete response, not a clean end
      return;
    }
    try {
      await stream.end();
    } catch (err) {
      // The encoder failed: an error answer if nothing was sent yet, else a body cut short.
      if (!res.headersSent) throw new HttpError(500, errorMessage(err), 'server_error', 'encoder_failed');
      log(`http door: ${id}: ${errorMessage(err)}`);
      res.destroy();
    }
  }

  /** The voice a task_type "Base" request clones from its ref_audio; undefined for any other request. */
  async function requestClone(
    b: z.infer<typeof SpeechSchema>,
    preset: VoicePreset | undefined,
    id: string,
  ): Promise<VoiceClone | undefined> {
    const bad = (message: string, param: string) =>
      new HttpError(400, message, 'invalid_request_error', 'invalid_value', param);
    if (b.ref_audio === undefined) {
      if (b.ref_text !== undefined || b.x_vector_only_mode !== undefined)
        throw bad(`'ref_text' and 'x_vector_only_mode' go with 'ref_audio' (task_type 'Base')`, 'ref_text');
      if (b.task_type === 'Base' && !preset?.clone)
        throw bad(
          `task_type 'Base' needs 'ref_audio' (the reference clip as a base64 data: URL) or a saved cloned voice as 'voice'`,
          'ref_audio',
        );
      return undefined;
    }
    if (b.task_type !== undefined && b.task_type !== 'Base')
      throw bad(`'ref_audio' clones a voice: it goes with task_type 'Base', not '${b.task_type}'`, 'task_type');
    let bytes: Uint8Array;
    try {
      bytes = refAudioBytes(b.ref_audio);
    } catch (err) {
      throw bad(errorMessage(err), 'ref_audio');
    }
    const text = b.x_vector_only_mode ? null : b.ref_text?.trim() || null;
    try {
      return (await core.cloneFromClip({ bytes }, text, id)).clone;
    } catch (err) {
      const code = isAbortError(err) ? 'E_CANCELLED' : ((err as { code?: ErrorCode }).code ?? 'E_INTERNAL');
      const failed = fromAnswer({ status: 'error', code, message: `ref_audio: ${errorMessage(err)}` });
      throw code === 'E_INVALID' ? bad(failed.message, 'ref_audio') : failed;
    }
  }

  const port = await listenOn(server, options.port, options.host);
  const address = `http://${formatHostPort(options.host, port)}`;
  const forget = core.addDoor({ door: 'openai-http', address, auth: token !== null });
  return {
    address,
    port,
    close: async () => {
      forget();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The response body of one speech request: headers at the first bytes, then PCM, a WAV or encoded audio. */
class ResponseStream {
  readonly sink: PcmStreamSink;
  private sampleRate = ENGINE_SAMPLE_RATE;
  private bytes = 0;
  /** The encoder's pending writes, in order (the sink hands chunks on synchronously). */
  private encoded: Promise<void> = Promise.resolve();

  private constructor(
    private readonly res: http.ServerResponse,
    private readonly format: SpeechFormat,
    private readonly sse: boolean,
    private readonly encoding: Encoding | null,
  ) {
    this.sink = new PcmStreamSink({
      chunk: (pcm, f) => {
        this.sampleRate = f.sampleRate;
        this.bytes += pcm.length;
        if (!this.encoding) return this.send(pcm);
        const samples = s16leToFloat(pcm);
        this.encoded = this.encoded.then(() => this.encoding!.write(samples));
        this.encoded.catch(() => undefined); // reported by end()
      },
    });
  }

  /**
   * Opens the body of one request. A compressed format starts its encoder (ffmpeg) now, so a missing encoder
   * is an error answer before anything is generated; its bytes go out as ffmpeg makes them.
   */
  static async open(res: http.ServerResponse, format: SpeechFormat, sse: boolean): Promise<ResponseStream> {
    if (format === 'wav' || format === 'pcm') return new ResponseStream(res, format, sse, null);
    const to: { stream?: ResponseStream } = {}; // the encoder starts before the stream it feeds exists
    const out = new Writable({
      write: (bytes: Buffer, _enc, done) => {
        to.stream?.send(bytes);
        done();
      },
    });
    let encoding: Encoding;
    try {
      encoding = await encoderFor(format).start(ENGINE_SAMPLE_RATE, out);
    } catch (err) {
      throw new HttpError(500, errorMessage(err), 'server_error', 'encoder_unavailable', 'response_format');
    }
    return (to.stream = new ResponseStream(res, format, sse, encoding));
  }

  private begin(): void {
    if (this.res.headersSent) return;
    const type = this.sse ? 'text/event-stream' : CONTENT_TYPES[this.format];
    this.res.writeHead(200, {
      'Content-Type': type,
      'Cache-Control': 'no-store',
      'X-Sample-Rate': String(this.sampleRate),
    });
    if (this.format === 'wav') this.send(streamingWavHeader(this.sampleRate));
  }

  private send(bytes: Buffer): void {
    this.begin();
    if (this.res.destroyed) return;
    if (this.sse)
      this.res.write(`data: ${JSON.stringify({ type: 'speech.audio.delta', audio: bytes.toString('base64') })}\n\n`);
    else this.res.write(bytes);
  }

  /** The request failed or was cancelled: the encoder stops, its partial output is dropped. */
  abort(): void {
    this.encoding?.abort();
  }

  /** The request finished: flush the encoder, close the body (no audio still gives a valid, empty one). */
  async end(): Promise<void> {
    if (this.encoding) {
      await this.encoded;
      await this.encoding.end();
    }
    this.begin();
    if (this.sse) {
      const seconds = this.bytes / 2 / this.sampleRate;
      this.res.write(
        `data: ${JSON.stringify({ type: 'speech.audio.done', usage: { audio_seconds: Math.round(seconds * 1000) / 1000 } })}\n\n`,
      );
    }
    this.res.end();
  }
}

/** The request body as JSON: 413 past the limit, 400 when it is not JSON or more bytes followed it than declared. */
async function readJson(req: http.IncomingMessage, limit: number, overran: () => boolean): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit)
    throw new HttpError(
      413,
      `the request body is ${declared} bytes; the limit is ${limit}`,
      'invalid_request_error',
      'body_too_large',
    );
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit)
      throw new HttpError(
        413,
        `the request body is over the limit of ${limit} bytes`,
        'invalid_request_error',
        'body_too_large',
      );
    chunks.push(chunk);
  }
  if (overran())
    throw new HttpError(
      400,
      `the request body is longer than its Content-Length (${size} bytes): the bytes after them are not HTTP; send the body's exact length`,
      'invalid_request_error',
      'content_length_mismatch',
    );
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'the request body is not valid JSON', 'invalid_request_error', 'invalid_json');
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: http.ServerResponse, err: HttpError): void {
  if (err.status === 413) res.setHeader('Connection', 'close'); // the rest of the body is not read
  if (err.status === 503) res.setHeader('Retry-After', '2');
  sendJson(res, err.status, { error: { message: err.message, type: err.type, param: err.param, code: err.code } });
}
