// The q3tts wire protocol: what travels on the daemon's socket. Documented in docs/protocol.md.
// Frame = 4-byte unsigned big-endian length + that many bytes of UTF-8 JSON (one object).
// Requests carry an "action"; answers carry "status": "ok" | "error". The original contract
// ({"action":"generate","text",...} → {"status":"ok"}) is a subset and keeps working verbatim.

export const PROTOCOL_VERSION = 1;
import { errorMessage } from './errors.js';
import { jsonDepth, MAX_JSON_DEPTH } from './json-depth.js';
/** Frames longer than this are refused (and the connection closed: it cannot be re-synchronised cheaply). */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
/** A client that stops sending in the middle of a frame is dropped after this long. */
export const PARTIAL_FRAME_TIMEOUT_MS = 10_000;

export const ACTIONS = [
  'generate',
  'decode',
  'status',
  'cancel',
  'pause',
  'resume',
  'queue',
  'stop',
  'reload',
  'voices',
  'ping',
  'models',
  'models_pull',
  'models_cancel',
  'models_use',
  'history',
  'history_replay',
  'history_save',
  'history_clear',
  'voices_list',
  'voices_save',
  'voices_remove',
  'next',
  'back',
  'voices_clone',
  'voices_lock',
] as const;
export type Action = (typeof ACTIONS)[number];

export const ERROR_CODES = {
  E_FRAME_TOO_LARGE: 'frame length over the limit',
  E_BAD_FRAME: 'frame is not valid UTF-8 JSON',
  E_INVALID: 'request is not valid (wrong type, missing or unknown field value)',
  E_UNKNOWN_ACTION: 'unknown action',
  E_TEXT_EMPTY: 'text is empty',
  E_TEXT_TOO_LONG: 'text is longer than the limit',
  E_CANCELLED: 'request was cancelled',
  E_BUSY: 'the queue is full',
  E_NO_MODEL: 'no model is installed or configured',
  E_ENGINE: 'the engine or the model failed',
  E_AUDIO_DEVICE: 'no usable audio output device',
  E_OUTPUT: 'the output file cannot be written',
  E_HANDLERS: 'the handlers module failed to load or threw',
  E_DOWNLOAD: 'a model download failed (network, refused, checksum, disk full)',
  E_SHUTTING_DOWN: 'the daemon is shutting down',
  E_INTERNAL: 'internal error',
  E_NOT_FOUND: 'no such history entry, or its audio is no longer kept',
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export type RequestId = string | number;

/** Any request: validated further by the handler of its action. */
export interface Request {
  action: string;
  id?: RequestId;
  v?: number;
  [field: string]: unknown;
}

export interface OkAnswer {
  status: 'ok';
  id?: RequestId;
  [field: string]: unknown;
}
export interface ErrorAnswer {
  status: 'error';
  id?: RequestId;
  code: ErrorCode;
  message: string;
}
export type Answer = OkAnswer | ErrorAnswer;

/** Sent before the answer on the requesting connection when a generate request asks for "events": true. */
export interface EventMessage {
  /** preparing: speech generated but held back so it will not pause mid-sentence; speaking: it plays; slow: the machine is slower than real time. */
  event: 'queued' | 'started' | 'preparing' | 'speaking' | 'slow' | 'progress' | 'done' | 'pull' | 'audio' | 'sentence';
  id?: RequestId;
  [field: string]: unknown;
}
export type ServerMessage = Answer | EventMessage;

export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export function errorAnswer(code: ErrorCode, message: string, id?: RequestId): ErrorAnswer {
  return id === undefined ? { status: 'error', code, message } : { status: 'error', id, code, message };
}

export function encodeFrame(message: unknown, maxBytes = DEFAULT_MAX_FRAME_BYTES): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  if (body.length > maxBytes)
    throw new ProtocolError('E_FRAME_TOO_LARGE', `frame of ${body.length} bytes exceeds ${maxBytes}`);
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/** One decoded frame: a JSON object, or why it is unusable (framing stays intact in both cases). */
export type DecodedFrame = { ok: true; value: Record<string, unknown> } | { ok: false; error: ProtocolError };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Turns the body of one frame into an object, or a precise error. */
export function parseFrameBody(body: Uint8Array): DecodedFrame {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { ok: false, error: new ProtocolError('E_BAD_FRAME', 'frame is not valid UTF-8') };
  }
  if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    return { ok: false, error: new ProtocolError('E_BAD_FRAME', `frame nests deeper than ${MAX_JSON_DEPTH} levels`) };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: new ProtocolError('E_BAD_FRAME', `frame is not valid JSON: ${errorMessage(err)}`) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: new ProtocolError('E_INVALID', 'frame must hold a JSON object') };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * Incremental frame reader. Buffers at most one frame (bounded by maxBytes): a length over the limit is
 * reported once as fatal, after which the reader accepts nothing more.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private fatal = false;

  constructor(private readonly maxBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Bytes received that do not yet form a whole frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Feeds bytes; returns the frames they complete. A fatal error ends the list and the decoder. */
  push(data: Uint8Array): Array<DecodedFrame | { ok: false; fatal: true; error: ProtocolError }> {
    if (this.fatal) return [];
    this.chunks.push(Buffer.from(data)); // a copy: callers may reuse their buffer
    this.buffered += data.byteLength;
    const out: Array<DecodedFrame | { ok: false; fatal: true; error: ProtocolError }> = [];
    for (;;) {
      if (this.buffered < 4) break;
      const head = this.peek(4);
      const length = head.readUInt32BE(0);
      if (length > this.maxBytes) {
        this.fatal = true;
        this.chunks = [];
        this.buffered = 0;
        out.push({
          ok: false,
          fatal: true,
          error: new ProtocolError(
            'E_FRAME_TOO_LARGE',
            `frame length ${length} exceeds the limit of ${this.maxBytes} bytes`,
          ),
        });
        break;
      }
      if (this.buffered < 4 + length) break;
      const whole = this.take(4 + length);
      out.push(parseFrameBody(whole.subarray(4)));
    }
    return out;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!;
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined;
  }

  private take(n: number): Buffer {
    const joined = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const frame = joined.subarray(0, n);
    const rest = joined.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return frame;
  }
}
