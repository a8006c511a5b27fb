import { describe, expect, it } from 'vitest';
import { FrameDecoder, encodeFrame, parseFrameBody, type DecodedFrame } from '../../src/shared/protocol.js';
import { stream } from '../synthetic/rng.js';

const frame = (body: Buffer | string) => {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const head = Buffer.alloc(4);
  head.writeUInt32BE(b.length);
  return Buffer.concat([head, b]);
};

/** A deterministic PRNG, so a failing fuzz case can be replayed from its seed. */
const rng = (seed: number) => stream(seed, 'protocol-fuzz');

describe('parseFrameBody', () => {
  it.each([
    ['{"action":"status"}', { ok: true }],
    ['{"action":"generate","text":"héllo 你好 🎉"}', { ok: true }],
    ['[]', { code: 'E_INVALID' }],
    ['42', { code: 'E_INVALID' }],
    ['null', { code: 'E_INVALID' }],
    ['"text"', { code: 'E_INVALID' }],
    ['{"action":', { code: 'E_BAD_FRAME' }],
    ['', { code: 'E_BAD_FRAME' }],
    ["{'action':'status'}", { code: 'E_BAD_FRAME' }],
  ])('%s', (body, expected) => {
    const result = parseFrameBody(Buffer.from(body));
    if ('ok' in expected) expect(result.ok).toBe(true);
    else expect(result.ok === false && result.error.code).toBe(expected.code);
  });

  it('rejects invalid UTF-8 (an overlong encoding and a lone continuation byte)', () => {
    for (const bytes of [[0x7b, 0xc0, 0xaf, 0x7d], [0x80], [0xed, 0xa0, 0x80]]) {
      const result = parseFrameBody(Buffer.from(bytes));
      expect(result.ok === false && result.error.message).toMatch(/UTF-8/);
    }
  });
});

describe('FrameDecoder', () => {
  it('decodes frames split at every possible byte boundary', () => {
    const messages = [{ action: 'status' }, { action: 'generate', text: 'Grüße 👋', id: 7 }];
    const stream = Buffer.concat(messages.map((m) => encodeFrame(m)));
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new FrameDecoder();
      const out = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      expect(out.map((f) => f.ok && f.value)).toEqual(messages);
      expect(d.pendingBytes).toBe(0);
    }
  });

  it('keeps the framing after a bad frame: the next good frame still decodes', () => {
    const d = new FrameDecoder();
    const out = d.push(
      Buffer.concat([
        frame('not json'),
        frame(Buffer.from([0xff, 0xfe])),
        frame('[1]'),
        encodeFrame({ action: 'ping' }),
      ]),
    );
    expect(out.map((f) => (f.ok ? 'ok' : f.error.code))).toEqual(['E_BAD_FRAME', 'E_BAD_FRAME', 'E_INVALID', 'ok']);
  });

  it('refuses a length over the limit before buffering its body, once, and then accepts nothing', () => {
    const d = new FrameDecoder(1024);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(1025);
    const out = d.push(Buffer.concat([head, Buffer.alloc(100)]));
    expect(out).toHaveLength(1);
    expect(out[0]!.ok === false && out[0]!.error.code).toBe('E_FRAME_TOO_LARGE');
    expect(d.pendingBytes).toBe(0);
    expect(d.push(encodeFrame({ action: 'ping' }))).toEqual([]);
  });

  it('accepts a frame of exactly the limit', () => {
    const body = JSON.stringify({ action: 'generate', text: 'x'.repeat(1000) });
    const d = new FrameDecoder(Buffer.byteLength(body));
    const out = d.push(frame(body));
    expect(out[0]!.ok).toBe(true);
  });

  it('encodeFrame refuses to build an oversize frame', () => {
    expect(() => encodeFrame({ text: 'x'.repeat(2000) }, 1000)).toThrow(/exceeds/);
  });

  it('fuzz: random valid messages in random chunkings round-trip exactly', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = rng(seed);
      const messages = Array.from({ length: 1 + Math.floor(r() * 5) }, (_, i) => ({
        action: 'generate',
        id: i,
        text: Array.from({ length: Math.floor(r() * 300) }, () =>
          String.fromCodePoint(32 + Math.floor(r() * 0x2000)),
        ).join(''),
      }));
      const stream = Buffer.concat(messages.map((m) => encodeFrame(m)));
      const d = new FrameDecoder();
      const out: DecodedFrame[] = [];
      for (let at = 0; at < stream.length;) {
        const n = 1 + Math.floor(r() * 64);
        out.push(...(d.push(stream.subarray(at, at + n)) as DecodedFrame[]));
        at += n;
      }
      expect(
        out.map((f) => f.ok && f.value),
        `seed ${seed}`,
      ).toEqual(messages);
    }
  });

  it('fuzz: random bytes never throw and never buffer more than one frame', () => {
    const max = 4096;
    for (let seed = 1; seed <= 300; seed++) {
      const r = rng(seed);
      const d = new FrameDecoder(max);
      let fatal = 0;
      for (let i = 0; i < 50; i++) {
        const bytes = Buffer.from(Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256)));
        // Small lengths now and then, so some frames complete with garbage bodies.
        if (r() < 0.3 && bytes.length >= 4) bytes.writeUInt32BE(Math.floor(r() * 50), 0);
        const out = d.push(bytes);
        fatal += out.filter((f) => 'fatal' in f).length;
        for (const f of out) if (f.ok) expect(typeof f.value).toBe('object');
        expect(d.pendingBytes).toBeLessThanOrEqual(max + 4);
      }
      expect(fatal).toBeLessThanOrEqual(1);
    }
  });
});
