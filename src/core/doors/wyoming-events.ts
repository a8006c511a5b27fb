// Wyoming's event framing (the wyoming README): one JSON header line — {"type", "data"?, "data_length"?,
// "payload_length"?} — then data_length bytes of JSON data (merged into "data"), then payload_length bytes of
// payload. Pure, so it can be fuzzed: a header that lies about its lengths is an error, never a hang or a crash.

export interface WyomingEvent {
  type: string;
  data: Record<string, unknown>;
  payload?: Buffer;
}

export const MAX_HEADER_BYTES = 64 * 1024;
export const MAX_DATA_BYTES = 1024 * 1024;
export const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

/** A framing error: the stream cannot be re-synchronised, so the connection is closed after saying why. */
export class WyomingFramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WyomingFramingError';
  }
}

export function encodeEvent(type: string, data: Record<string, unknown> = {}, payload?: Buffer): Buffer {
  const header: Record<string, unknown> = { type, version: '1.5.0' };
  const dataBytes = Buffer.from(JSON.stringify(data));
  if (dataBytes.length > 2) header.data_length = dataBytes.length;
  if (payload?.length) header.payload_length = payload.length;
  const parts: Buffer[] = [Buffer.from(`${JSON.stringify(header)}\n`)];
  if (dataBytes.length > 2) parts.push(dataBytes);
  if (payload?.length) parts.push(payload);
  return Buffer.concat(parts);
}

export class WyomingDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  private pending:
    { type: string; data: Record<string, unknown>; dataLength: number; payloadLength: number } | undefined;

  /** Events completed by these bytes; throws WyomingFramingError on a malformed stream. */
  push(bytes: Buffer): WyomingEvent[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, bytes]) : bytes;
    const events: WyomingEvent[] = [];
    for (;;) {
      if (!this.pending) {
        const newline = this.buffer.indexOf(0x0a);
        if (newline < 0) {
          if (this.buffer.length > MAX_HEADER_BYTES)
            throw new WyomingFramingError(`header line longer than ${MAX_HEADER_BYTES} bytes`);
          return events;
        }
        if (newline > MAX_HEADER_BYTES)
          throw new WyomingFramingError(`header line longer than ${MAX_HEADER_BYTES} bytes`);
        const line = this.buffer.subarray(0, newline).toString('utf8').trim();
        this.buffer = this.buffer.subarray(newline + 1);
        if (!line) continue; // blank lines between events are harmless
        this.pending = parseHeader(line);
      }
      const { dataLength, payloadLength } = this.pending;
      if (this.buffer.length < dataLength + payloadLength) return events;
      const event: WyomingEvent = { type: this.pending.type, data: { ...this.pending.data } };
      if (dataLength > 0) {
        let extra: unknown;
        try {
          extra = JSON.parse(this.buffer.subarray(0, dataLength).toString('utf8'));
        } catch {
          throw new WyomingFramingError(`the ${dataLength} data bytes of '${event.type}' are not JSON`);
        }
        if (!isObject(extra)) throw new WyomingFramingError(`the data of '${event.type}' is not a JSON object`);
        Object.assign(event.data, extra);
      }
      if (payloadLength > 0) event.payload = Buffer.from(this.buffer.subarray(dataLength, dataLength + payloadLength));
      this.buffer = this.buffer.subarray(dataLength + payloadLength);
      this.pending = undefined;
      events.push(event);
    }
  }
}

function parseHeader(line: string): {
  type: string;
  data: Record<string, unknown>;
  dataLength: number;
  payloadLength: number;
} {
  let header: unknown;
  try {
    header = JSON.parse(line);
  } catch {
    throw new WyomingFramingError('the header line is not JSON');
  }
  if (!isObject(header)) throw new WyomingFramingError('the header line is not a JSON object');
  if (typeof header.type !== 'string' || !header.type) throw new WyomingFramingError(`the header has no "type"`);
  if (header.data !== undefined && header.data !== null && !isObject(header.data))
    throw new WyomingFramingError(`"data" of '${header.type}' is not an object`);
  return {
    type: header.type,
    data: (header.data as Record<string, unknown> | undefined) ?? {},
    dataLength: length(header.data_length, 'data_length', MAX_DATA_BYTES),
    payloadLength: length(header.payload_length, 'payload_length', MAX_PAYLOAD_BYTES),
  };
}

function length(value: unknown, field: string, max: number): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new WyomingFramingError(`"${field}" must be a whole number of bytes, not ${JSON.stringify(value)}`);
  if (value > max) throw new WyomingFramingError(`"${field}" of ${value} bytes is over the limit of ${max}`);
  return value;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
