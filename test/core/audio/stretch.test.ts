// Rate and volume through Sonic: 2.0× halves the duration within 5 % and keeps a tone's pitch within 3 %;
// fed in the engine's chunks, the output has no click where chunks meet.
import { describe, expect, it } from 'vitest';
import { SpeechShaper } from '../../../src/core/audio/stretch.js';
import { GenerateRequestSchema, parseRequest } from '../../../src/shared/requests.js';

const RATE = 24000;
const tone = (seconds: number, hz: number) =>
  Float32Array.from({ length: Math.round(seconds * RATE) }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / RATE));

async function shape(input: Float32Array, rate: number, gain = 1, chunk = 1920): Promise<Float32Array> {
  const s = await SpeechShaper.create(RATE, rate, gain);
  const out: Float32Array[] = [];
  for (let i = 0; i < input.length; i += chunk) out.push(s.process(input.subarray(i, i + chunk)));
  out.push(s.finish());
  const joined = new Float32Array(out.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of out) {
    joined.set(a, at);
    at += a.length;
  }
  return joined;
}

/** The dominant frequency, by zero crossings over the steady middle. */
function pitch(samples: Float32Array): number {
  const mid = samples.subarray(Math.floor(samples.length * 0.2), Math.floor(samples.length * 0.8));
  let crossings = 0;
  for (let i = 1; i < mid.length; i++) if (mid[i - 1]! < 0 !== mid[i]! < 0) crossings++;
  return crossings / 2 / (mid.length / RATE);
}

describe('SpeechShaper', () => {
  it.each([2, 0.5, 1.5])(
    'rate %s changes the duration by that factor (within 5 percent) and keeps the pitch (within 3 percent)',
    async (rate) => {
      const input = tone(3, 220);
      const out = await shape(input, rate);
      expect(Math.abs(out.length / (input.length / rate) - 1)).toBeLessThan(0.05);
      expect(Math.abs(pitch(out) / 220 - 1)).toBeLessThan(0.03);
    },
  );

  it('no click where chunks meet: no jump between neighbouring samples beyond what the tone itself has', async () => {
    const input = tone(2, 220);
    const toneStep = 0.5 * 2 * Math.PI * (220 / RATE); // the largest sample-to-sample change of the input tone
    for (const chunk of [1920, 777, 4000]) {
      const out = await shape(input, 2, 1, chunk);
      let worst = 0;
      for (let i = 1; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i]! - out[i - 1]!));
      expect(worst, `chunks of ${chunk}`).toBeLessThan(toneStep * 1.5);
      expect(Math.abs(out.length / (input.length / 2) - 1)).toBeLessThan(0.05);
    }
  });

  it('volume scales the samples; rate 1 at full volume leaves them untouched', async () => {
    const input = tone(0.5, 440);
    expect(Array.from(await shape(input, 1))).toEqual(Array.from(input));
    const half = await shape(input, 1, 0.5);
    expect(half[100]).toBeCloseTo(input[100]! * 0.5, 6);
    expect(Array.from(await shape(input, 1, 0)).every((x) => x === 0)).toBe(true);
  });

  it('a rate out of 0.5–2 is refused by the protocol before any audio is shaped', () => {
    for (const rate of [0.4, 3]) {
      const parsed = parseRequest(GenerateRequestSchema, { action: 'generate', text: 'Hi.', rate });
      expect(parsed.ok).toBe(false);
    }
    expect(parseRequest(GenerateRequestSchema, { action: 'generate', text: 'Hi.', rate: 2 }).ok).toBe(true);
  });
});
