// The soak's Wyoming client kind (issue 16): one exchange with the Wyoming door on a connection of its own —
// describe, synthesize, the streaming synthesize-start/chunk/stop, a synthesize abandoned after its audio began
// (which must cancel it), or a header that lies about its lengths (one error event, then the door closes).
import net from 'node:net';
import { WyomingDecoder, encodeEvent, type WyomingEvent } from '../src/core/doors/wyoming-events.js';
import type { Record } from './soak-http.js';

const ANSWER_MS = 60_000;

/** Sends `bytes`, collects events until `done` says so, the door closes, or the time runs out. */
function converse(
  port: number,
  bytes: Buffer,
  done: (events: WyomingEvent[]) => boolean,
): Promise<{ events: WyomingEvent[]; closed: boolean; timedOut: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const decoder = new WyomingDecoder();
    const events: WyomingEvent[] = [];
    let settled = false;
    const finish = (closed: boolean, timedOut = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ events, closed, timedOut });
    };
    const timer = setTimeout(() => finish(false, true), ANSWER_MS);
    s.on('data', (d) => {
      try {
        events.push(...decoder.push(d));
      } catch {
        events.push({ type: 'undecodable', data: {} });
      }
      if (done(events)) finish(false);
    });
    s.on('error', () => undefined);
    s.on('close', () => finish(true));
    s.once('connect', () => s.write(bytes));
  });
}

const count = (events: WyomingEvent[], type: string) => events.filter((e) => e.type === type).length;

export async function wyomingRequest(port: number, random: () => number, record: Record): Promise<void> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const kind = pick(['describe', 'synthesize', 'synthesize', 'stream', 'abandon', 'lying'] as const);
  const text = pick(['Hello there.', 'One. Two.', 'Zwölf Boxkämpfer.']);
  if (kind === 'describe') {
    const r = await converse(port, encodeEvent('describe'), (ev) => ev.length > 0);
    if (r.events.length === 1 && r.events[0]!.type === 'info') return record('wyoming:info');
    // while the handlers file is broken by the chaos, the voices cannot be listed: one error event
    if (r.events.length === 1 && r.events[0]!.type === 'error') return record('wyoming:describe error');
    return record('wyoming:bad describe', `describe got ${JSON.stringify(r.events.map((e) => e.type))}`);
  }
  if (kind === 'lying') {
    const header = pick([
      '{"type":"synthesize","data_length":-4}\n',
      '{"type":"synthesize","data_length":1.5}\n',
      '{"type":"synthesize","payload_length":99999999999}\n',
      '{"type":"synthesize","data_length":2000000}\n',
      'this is not json\n',
    ]);
    const r = await converse(port, Buffer.from(header), () => false);
    if (r.closed && r.events.length === 1 && r.events[0]!.type === 'error') return record('wyoming:lying:error');
    return record(
      'wyoming:lying:bad',
      `a lying Wyoming header got ${JSON.stringify(r.events.map((e) => e.type))}${r.closed ? '' : ', connection left open'}`,
    );
  }
  if (kind === 'abandon') {
    const r = await converse(port, encodeEvent('synthesize', { text }), (ev) => ev.length > 0);
    if (r.timedOut) return record('wyoming:no answer', 'an abandoned synthesize never began');
    return record('wyoming:abandoned'); // closed by us after the first event (audio-start or an error)
  }
  const bytes =
    kind === 'synthesize'
      ? encodeEvent('synthesize', { text })
      : Buffer.concat([
          encodeEvent('synthesize-start', {}),
          ...text.split(' ').map((w) => encodeEvent('synthesize-chunk', { text: `${w} ` })),
          encodeEvent('synthesize-stop'),
        ]);
  const last = kind === 'synthesize' ? 'audio-stop' : 'synthesize-stopped';
  const r = await converse(port, bytes, (ev) => ev.some((e) => e.type === last || e.type === 'error'));
  if (r.timedOut) return record('wyoming:no answer', `a Wyoming ${kind} never finished`);
  const ends = count(r.events, 'audio-stop') + count(r.events, 'error');
  const starts = count(r.events, 'audio-start');
  if (count(r.events, 'error') === 1 && starts <= 1) return record('wyoming:error');
  if (ends === 1 && starts === 1 && count(r.events, 'audio-chunk') > 0) return record(`wyoming:${kind}`);
  record('wyoming:bad', `a Wyoming ${kind} got ${JSON.stringify(r.events.map((e) => e.type))}`);
}
