// The speech server's wire: one streaming POST (or a small GET) over node:http/https, with the three
// timeouts a stream needs (connect, first byte, stall) and an abort that closes the connection at once.
// Every failure becomes a ServerError that says whether it happened before any audio arrived (only then
// is a retry, or a switch to the local model, safe).
import http from 'node:http';
import https from 'node:https';
import { abortError } from '../errors.js';
import { EngineError } from '../errors.js';

export interface Timeouts {
  /** To open the TCP (and TLS) connection. */
  connectMs: number;
  /** From sending the request to the first byte of audio (the server may queue the request first). */
  firstByteMs: number;
  /** Between two pieces of audio once it flows. */
  stallMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 5_000, firstByteMs: 60_000, stallMs: 15_000 };

/**
 * unreachable: no connection (refused, no route, reset before an answer); timeout: connect/first byte/stall;
 * http: an error status; protocol: an answer that is not audio; dropped: the connection ended mid-audio.
 */
export type FailureKind = 'unreachable' | 'timeout' | 'http' | 'protocol' | 'dropped';

export class ServerError extends EngineError {
  constructor(
    readonly kind: FailureKind,
    message: string,
    /** The HTTP status, for kind 'http'. */
    readonly status?: number,
  ) {
    super('E_ENGINE', message);
    this.name = 'ServerError';
  }

  /** A problem with this request rather than with the server (a 400 says the text or voice is wrong). */
  get requestFault(): boolean {
    return this.kind === 'http' && (this.status === 400 || this.status === 404 || this.status === 422);
  }
}

export interface CallOptions {
  token?: string | undefined;
  timeouts: Timeouts;
  signal?: AbortSignal | undefined;
}

// Keep-alive: a household's requests reuse one connection instead of a TCP (and TLS) handshake each.
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

/** Streams the body of POST `url` (JSON in), yielding its bytes as they arrive. */
export async function* postStream(
  url: URL,
  body: unknown,
  options: CallOptions,
): AsyncGenerator<{ bytes: Buffer; headers: http.IncomingHttpHeaders }> {
  const payload = Buffer.from(JSON.stringify(body));
  const { req, response } = send(url, 'POST', options, payload);
  const t = options.timeouts;
  let timer: NodeJS.Timeout | undefined;
  let res: http.IncomingMessage | undefined;
  const arm = (ms: number, what: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => (res ?? req).destroy(new ServerError('timeout', `${what} (${ms} ms)`)), ms);
  };
  arm(t.firstByteMs, 'no audio came in time');
  let received = 0;
  try {
    res = await response;
    if ((res.statusCode ?? 0) >= 300) throw await statusError(res);
    for await (const chunk of res as AsyncIterable<Buffer>) {
      received += chunk.length;
      arm(t.stallMs, 'the audio stopped coming');
      yield { bytes: chunk, headers: res.headers };
    }
    if (!res.complete) throw new ServerError('dropped', 'the connection ended before the audio did');
  } catch (err) {
    throw classify(err, received > 0, options.signal);
  } finally {
    clearTimeout(timer);
    req.destroy(); // a consumer that stopped early (cancel) closes the connection at once
  }
}

/** GET `url` as JSON (small answers: voices, models). */
export async function getJson(url: URL, options: CallOptions): Promise<unknown> {
  const { req, response } = send(url, 'GET', options);
  const timer = setTimeout(
    () => req.destroy(new ServerError('timeout', `no answer (${options.timeouts.firstByteMs} ms)`)),
    options.timeouts.firstByteMs,
  );
  try {
    const res = await response;
    if ((res.statusCode ?? 0) >= 300) throw await statusError(res);
    const text = (await readAll(res, 1024 * 1024)).toString('utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ServerError('protocol', `GET ${url.pathname} did not answer JSON: ${preview(text)}`);
    }
  } catch (err) {
    throw classify(err, false, options.signal);
  } finally {
    clearTimeout(timer);
    req.destroy();
  }
}

function send(url: URL, method: 'GET' | 'POST', options: CallOptions, payload?: Buffer) {
  if (options.signal?.aborted) throw abortError();
  const secure = url.protocol === 'https:';
  const headers: http.OutgoingHttpHeaders = { Accept: method === 'POST' ? 'audio/pcm, */*' : 'application/json' };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (payload) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = payload.length;
  }
  const req = (secure ? https : http).request(url, {
    method,
    headers,
    agent: secure ? agents.https : agents.http,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  // The connect timeout covers the handshake only; a reused keep-alive socket is already connected.
  req.on('socket', (socket) => {
    if (!socket.connecting) return;
    const ms = options.timeouts.connectMs;
    const timer = setTimeout(() => req.destroy(new ServerError('timeout', `could not connect (${ms} ms)`)), ms);
    socket.once(secure ? 'secureConnect' : 'connect', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
  });
  const response = new Promise<http.IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  response.catch(() => undefined); // awaited by the caller; a failure before that must not go unhandled
  req.end(payload);
  return { req, response };
}

/** An error status as the server explained it: OpenAI/vLLM-Omni's {"error":{"message"}}, FastAPI's {"detail"}. */
async function statusError(res: http.IncomingMessage): Promise<ServerError> {
  const status = res.statusCode ?? 0;
  let detail = '';
  try {
    const text = (await readAll(res, 64 * 1024)).toString('utf8');
    detail = preview(text);
    const json = JSON.parse(text) as { error?: { message?: unknown } | string; detail?: unknown; message?: unknown };
    const message = typeof json.error === 'object' ? json.error?.message : (json.error ?? json.detail ?? json.message);
    if (typeof message === 'string' && message) detail = message;
  } catch {
    // not JSON: the preview of the text stands
  }
  const hint =
    status === 401 || status === 403
      ? ' (check the speech server token: Q3TTS_REMOTE_TOKEN, or the token in the app settings)'
      : '';
  return new ServerError('http', `HTTP ${status}${detail ? `: ${detail}` : ''}${hint}`, status);
}

async function readAll(res: http.IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const preview = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 200);

function classify(err: unknown, gotAudio: boolean, signal: AbortSignal | undefined): Error {
  if (signal?.aborted) return abortError();
  if (err instanceof ServerError) return err;
  const e = err as NodeJS.ErrnoException;
  const what = e.code ? `${e.code}${e.message && !e.message.includes(e.code) ? ` ${e.message}` : ''}` : e.message;
  if (gotAudio) return new ServerError('dropped', `the connection broke mid-audio (${what})`);
  return new ServerError('unreachable', `cannot reach it (${what})`);
}
