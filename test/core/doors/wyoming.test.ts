// The Wyoming door against a client written here from the protocol's documentation (the wyoming README: a JSON
// header line, then data_length bytes of JSON data, then payload_length bytes of payload), on 127.0.0.1.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type RunningDaemon } from '../../../src/core/daemon/daemon.js';
import { openWyomingDoor, type OpenWyomingDoor } from '../../../src/core/doors/wyoming.js';
import { toneCodes, toneFrame } from '../../../src/core/engine/tone.js';
import { maxAbsDiff, toInt16 } from '../../support/wav.js';

const root = path.resolve(import.meta.dirname, '../../..');
const handlersFile = path.join(root, 'out/daemon/handlers.mjs');

let dir: string;
let daemon: RunningDaemon;
let door: OpenWyomingDoor;

beforeAll(async () => {
  process.env.Q3TTS_AUDIO = 'null';
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-wyoming-'));
  process.env.Q3TTS_CONFIG_DIR = path.join(dir, 'config'); // saved voices: this test's own settings file
  daemon = await startDaemon({
    socketPath: path.join(dir, 'run', 'daemon.sock'),
    engine: { kind: 'tone', msPerFrame: 15 },
    handlersFile,
    announce: () => undefined,
    log: () => undefined,
  });
  door = await openWyomingDoor(daemon.core, { host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await door?.close();
  await daemon?.close();
  rmSync(dir, { recursive: true, force: true });
});

function expectedPcm(...texts: string[]): Int16Array {
  const frames = texts.flatMap((t) => toneCodes(t)).map((f) => toneFrame(f[0]!));
  const all = new Float32Array(frames.length * 1920);
  frames.forEach((f, i) => all.set(f, i * 1920));
  return toInt16(all);
}

interface Event {
  type: string;
  data: Record<string, unknown>;
  payload?: Buffer;
}

/** A Wyoming client as the README describes the format (written independently of the door's own codec). */
class Client {
  readonly events: Event[] = [];
  private buffer = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.parse();
      this.wake?.();
    });
    this.closed = new Promise((r) => socket.once('close', () => (r(), this.wake?.())));
  }

  static connect(port: number): Promise<Client> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new Client(socket)));
      socket.once('error', reject);
    });
  }

  private parse(): void {
    for (;;) {
      const nl = this.buffer.indexOf(10);
      if (nl < 0) return;
      const header = JSON.parse(this.buffer.subarray(0, nl).toString()) as {
        type: string;
        data?: Record<string, unknown>;
        data_length?: number;
        payload_length?: number;
      };
      const dl = header.data_length ?? 0;
      const pl = header.payload_length ?? 0;
      if (this.buffer.length < nl + 1 + dl + pl) return;
      const data = {
        ...(header.data ?? {}),
        ...(dl ? (JSON.parse(this.buffer.subarray(nl + 1, nl + 1 + dl).toString()) as object) : {}),
      };
      const event: Event = { type: header.type, data };
      if (pl) event.payload = Buffer.from(this.buffer.subarray(nl + 1 + dl, nl + 1 + dl + pl));
      this.events.push(event);
      this.buffer = this.buffer.subarray(nl + 1 + dl + pl);
    }
  }

  /** Sends an event with its data in the data section, as newer clients do (or inline in the header). */
  send(type: string, data?: Record<string, unknown>, inline = false): void {
    if (!data) return void this.socket.write(`${JSON.stringify({ type })}\n`);
    if (inline) return void this.socket.write(`${JSON.stringify({ type, data })}\n`);
    const body = Buffer.from(JSON.stringify(data));
    this.socket.write(
      Buffer.concat([Buffer.from(`${JSON.stringify({ type, version: '1.5.0', data_length: body.length })}\n`), body]),
    );
  }

  /** Waits until an event of this type has arrived; returns every event up to it. */
  async until(type: string, timeoutMs = 20_000): Promise<Event[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.events.findIndex((e) => e.type === type);
      if (at >= 0) return this.events.splice(0, at + 1);
      if (this.socket.destroyed)
        throw new Error(`connection closed before '${type}' (got ${this.events.map((e) => e.type).join(', ')})`);
      if (Date.now() > deadline) throw new Error(`no '${type}' (got ${this.events.map((e) => e.type).join(', ')})`);
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 50);
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

const pcmOf = (events: Event[]) => {
  const b = Buffer.concat(events.filter((e) => e.type === 'audio-chunk').map((e) => e.payload!));
  return new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
};

describe('describe', () => {
  it('answers info with a TTS program, its voices and languages', async () => {
    const c = await Client.connect(door.port);
    c.send('describe');
    const [info] = await c.until('info');
    const tts = info!.data.tts as {
      name: string;
      installed: boolean;
      supports_synthesize_streaming: boolean;
      voices: { name: string; languages: string[] }[];
    }[];
    expect(tts).toHaveLength(1);
    expect(tts[0]).toMatchObject({ name: 'q3tts', installed: true, supports_synthesize_streaming: true });
    expect(tts[0]!.voices).toEqual([expect.objectContaining({ name: 'default', languages: ['English'] })]);
    c.close();
  });
});

describe('synthesize', () => {
  it("audio-start (24 kHz, 16-bit, mono), audio-chunks with the engine's samples as produced, audio-stop", async () => {
    const c = await Client.connect(door.port);
    c.send('synthesize', { text: 'Hello there', voice: { name: 'default', language: 'English' } });
    const events = await c.until('audio-stop');
    expect(events[0]).toMatchObject({ type: 'audio-start', data: { rate: 24000, width: 2, channels: 1 } });
    expect(events.filter((e) => e.type === 'audio-chunk').length).toBeGreaterThan(1); // as produced, not at the end
    expect(
      events
        .filter((e) => e.type === 'audio-chunk')
        .every((e) => e.data.rate === 24000 && e.data.width === 2 && e.data.channels === 1),
    ).toBe(true);
    expect(maxAbsDiff(pcmOf(events), expectedPcm('Hello there'))).toBeLessThanOrEqual(1);
    c.close();
  });

  it('data inline in the header works the same', async () => {
    const c = await Client.connect(door.port);
    c.send('synthesize', { text: 'inline' }, true);
    expect(maxAbsDiff(pcmOf(await c.until('audio-stop')), expectedPcm('inline'))).toBeLessThanOrEqual(1);
    c.close();
  });

  it('the streaming form speaks sentence by sentence as the text arrives', async () => {
    const c = await Client.connect(door.port);
    c.send('synthesize-start', { voice: { name: 'default' } });
    // older-server compatibility: the whole text also comes as one synthesize, which a streaming server ignores
    c.send('synthesize', { text: 'First sentence. Second one? And the rest' });
    c.send('synthesize-chunk', { text: 'First sent' });
    c.send('synthesize-chunk', { text: 'ence. Sec' });
    // the first sentence is spoken before the text goes on
    const early = await c.until('audio-chunk');
    expect(early.map((e) => e.type)).toEqual(['audio-start', 'audio-chunk']);
    c.send('synthesize-chunk', { text: 'ond one? And the rest' });
    c.send('synthesize-stop');
    const rest = await c.until('synthesize-stopped');
    expect(rest.map((e) => e.type).filter((t) => t !== 'audio-chunk')).toEqual(['audio-stop', 'synthesize-stopped']);
    expect(
      maxAbsDiff(pcmOf([...early, ...rest]), expectedPcm('First sentence.', 'Second one?', 'And the rest')),
    ).toBeLessThanOrEqual(1);
    c.close();
  });

  it('a client that disconnects mid-synthesis cancels its job', async () => {
    const c = await Client.connect(door.port);
    c.send('synthesize', { text: 'y'.repeat(400) });
    await c.until('audio-chunk');
    expect(daemon.core.queue.length).toBe(1);
    c.close();
    await expect.poll(() => daemon.core.queue.length, { timeout: 5000, interval: 20 }).toBe(0);
  });
});

describe('errors are error events; the daemon is never taken down', () => {
  it.each([
    [
      'an unknown voice (the valid ones listed)',
      { type: 'synthesize', data: { text: 'hi', voice: { name: 'nobody' } } },
      /unknown voice 'nobody'.*default/,
    ],
    [
      'an unknown language',
      { type: 'synthesize', data: { text: 'hi', voice: { language: 'Klingon' } } },
      /unknown language 'Klingon'/,
    ],
    ['empty text', { type: 'synthesize', data: { text: '   ' } }, /text is empty/],
    ['text of the wrong type', { type: 'synthesize', data: { text: 5 } }, /needs "text"/],
    [
      'a voice of the wrong type',
      { type: 'synthesize', data: { text: 'hi', voice: 'default' } },
      /"voice" must be an object/,
    ],
    ['an unknown event', { type: 'transcribe', data: {} }, /unknown event type 'transcribe'/],
    ['a chunk without a start', { type: 'synthesize-chunk', data: { text: 'hi' } }, /without synthesize-start/],
  ])('%s → error, and the connection goes on', async (_name, event, message) => {
    const c = await Client.connect(door.port);
    c.send(event.type, event.data);
    const [error] = await c.until('error');
    expect(String(error!.data.text)).toMatch(message);
    c.send('synthesize', { text: 'ok' });
    expect(maxAbsDiff(pcmOf(await c.until('audio-stop')), expectedPcm('ok'))).toBeLessThanOrEqual(1);
    c.close();
  });

  it.each([
    ['a header that is not JSON', 'this is not json\n', /not JSON/],
    ['a header without a type', '{"data":{}}\n', /no "type"/],
    ['a negative payload_length', '{"type":"synthesize","payload_length":-1}\n', /payload_length/],
    ['a fractional data_length', '{"type":"synthesize","data_length":2.5}\n', /data_length/],
    ['a data_length of a string', '{"type":"synthesize","data_length":"12"}\n', /data_length/],
    ['a payload_length far over the limit', '{"type":"audio-chunk","payload_length":99999999999}\n', /over the limit/],
    ['a data_length that lies (the bytes are not JSON)', '{"type":"synthesize","data_length":5}\nhello', /not JSON/],
    ['a header line that never ends', `{"type":"${'x'.repeat(70 * 1024)}`, /header line longer/],
  ])('%s → error event, then the connection is closed; others are served', async (_name, bytes, message) => {
    const c = await Client.connect(door.port);
    c.socket.write(bytes);
    const [error] = await c.until('error');
    expect(String(error!.data.text)).toMatch(message);
    await c.closed;
    const other = await Client.connect(door.port);
    other.send('synthesize', { text: 'fine' });
    expect(maxAbsDiff(pcmOf(await other.until('audio-stop')), expectedPcm('fine'))).toBeLessThanOrEqual(1);
    other.close();
  });

  it('a data_length longer than what is sent just waits (no crash), and a hang-up ends it', async () => {
    const c = await Client.connect(door.port);
    c.socket.write('{"type":"synthesize","data_length":1000}\n{"text":"short"}');
    await new Promise((r) => setTimeout(r, 200));
    expect(c.events).toEqual([]);
    c.close();
    expect((await daemon.core.request({ action: 'ping' })).status).toBe('ok');
  });

  it('fuzz: random bytes and mangled events on many connections never take the daemon down', async () => {
    let seed = 13;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const valid = '{"type":"synthesize","data_length":15}\n{"text":"fuzz"}';
    for (let round = 0; round < 40; round++) {
      const c = await Client.connect(door.port);
      const bytes = Buffer.from(valid);
      for (let k = 0; k < 4; k++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      const noise = Buffer.from(Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)));
      c.socket.write(Buffer.concat([bytes, rand() < 0.5 ? noise : Buffer.from('\n')]));
      await new Promise((r) => setTimeout(r, 5));
      c.close();
    }
    await expect.poll(() => daemon.core.queue.length, { timeout: 10_000, interval: 50 }).toBe(0);
    const c = await Client.connect(door.port);
    c.send('describe');
    await c.until('info');
    c.close();
  });
});

it('status lists the Wyoming door', () => {
  expect(daemon.core.doors).toEqual([{ door: 'wyoming', address: door.address, auth: false }]);
});

// Found by the soak: a stream whose sentences all fail (here: the handlers file is broken, so the voices cannot be
// listed) said so once per sentence; a failed stream says so once, then synthesize-stopped.
it('a failed stream gets one error event, however many sentences it had', async () => {
  const broken = path.join(dir, 'broken-handlers.mjs');
  writeFileSync(broken, 'export const handle = (;');
  const other = await startDaemon({
    socketPath: path.join(dir, 'run-broken', 'daemon.sock'),
    engine: { kind: 'tone', msPerFrame: 15 },
    handlersFile: broken,
    announce: () => undefined,
    log: () => undefined,
  });
  const otherDoor = await openWyomingDoor(other.core, { host: '127.0.0.1', port: 0 });
  try {
    const c = await Client.connect(otherDoor.port);
    c.send('synthesize-start', {});
    c.send('synthesize-chunk', { text: 'One. Two. Three. ' });
    c.send('synthesize-stop');
    const events = await c.until('synthesize-stopped');
    expect(events.map((e) => e.type)).toEqual(['error', 'synthesize-stopped']);
    c.close();
  } finally {
    await otherDoor.close();
    await other.close();
  }
});

describe('saved voices (q3tts voices save) at the Wyoming door', () => {
  it('describe lists them as voices; synthesize and a stream speak with one', async () => {
    await daemon.core.request({
      action: 'voices_save',
      name: 'Narrator',
      instruct: 'a deep voice',
      language: 'English',
    });
    await daemon.core.request({ action: 'voices_save', name: 'Alien', instruct: 'odd', language: 'Klingon' });
    try {
      const c = await Client.connect(door.port);
      c.send('describe');
      const [info] = await c.until('info');
      const voices = (info!.data.tts as { voices: { name: string; description: string; languages: string[] }[] }[])[0]!
        .voices;
      expect(voices.map((v) => v.name)).toEqual(['Narrator', 'Alien', 'default']);
      expect(voices[0]).toMatchObject({ description: 'saved voice: a deep voice', languages: ['English'] });

      c.send('synthesize', { text: 'Hello there', voice: { name: 'narrator' } });
      const events = await c.until('audio-stop');
      expect(maxAbsDiff(pcmOf(events), expectedPcm('Hello there'))).toBeLessThanOrEqual(1);

      // the preset's language reaches the handlers (the tone engine knows English only)
      c.send('synthesize', { text: 'Hello', voice: { name: 'Alien' } });
      const [error] = await c.until('error');
      expect(String(error!.data.text)).toMatch(/unknown language 'Klingon'/);
      c.close();

      const s = await Client.connect(door.port);
      s.send('synthesize-start', { voice: { name: 'Narrator' } });
      s.send('synthesize-chunk', { text: 'One. Two.' });
      s.send('synthesize-stop');
      const streamed = await s.until('synthesize-stopped');
      expect(maxAbsDiff(pcmOf(streamed), expectedPcm('One.', 'Two.'))).toBeLessThanOrEqual(1);
      s.close();
    } finally {
      await daemon.core.request({ action: 'voices_remove', name: 'Narrator' });
      await daemon.core.request({ action: 'voices_remove', name: 'Alien' });
    }
  });
});
