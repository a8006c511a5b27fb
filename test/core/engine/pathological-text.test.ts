// Issue 16, item 1: text without sentence breaks (emoji, one endless word, a wall of combining marks)
// must not become one enormous segment. Every segment has a hard token cap, so the talker's prefill and
// KV cache are bounded whatever the text. Real tokenizer, real onnxruntime sessions on the tiny model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadQwen3Engine, MAX_INSTRUCT_TOKENS, type Qwen3Engine } from '../../../src/core/engine/qwen3/engine.js';
import { assistantTemplate, splitTargetIds } from '../../../src/core/engine/qwen3/prompt.js';
import { DEFAULT_MAX_SEGMENT_TOKENS, tokenSegments } from '../../../src/core/engine/qwen3/segment-tokens.js';
import { MAX_WORD_UNITS, splitText, textUnits } from '../../../src/core/engine/qwen3/segment.js';
import type { SynthesisRequest } from '../../../src/shared/engine.js';
import { syntheticModel } from './fixture.js';

let engine: Qwen3Engine;

beforeAll(async () => {
  engine = await loadQwen3Engine(await syntheticModel('voice_design', 7), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    // Every prompt goes through prefill, so its whole length is seen here (a cached voice prefix only shortens it).
    prefixCacheBytes: 0,
    log: () => undefined,
  });
});
afterAll(async () => {
  await engine?.dispose();
});

const EMOJI = '😀';
const texts: [string, string][] = [
  ['2,000 emoji', EMOJI.repeat(2000)],
  ['20,000 × a', 'a'.repeat(20_000)],
  ['a letter with 5,000 combining marks', 'a' + '\u0301'.repeat(5000)],
  ['mixed run of symbols', '#$%&*+'.repeat(1000)],
];

function encoder(): { encode: (s: string) => number[]; longest: () => number } {
  const { tokenizer, config } = engine.model;
  let longest = 0;
  return {
    encode: (s) => {
      longest = Math.max(longest, s.length);
      return splitTargetIds(tokenizer.encode(assistantTemplate(s)), config.ids.imStart, config.ids.imEnd).text;
    },
    longest: () => longest,
  };
}

describe('segments of text without sentence breaks', () => {
  it.each(texts)('%s: a run over MAX_WORD_UNITS is cut, so no segment grows with the text', (_name, text) => {
    const segs = splitText(text);
    expect(segs.length).toBeGreaterThan(1);
    expect(Math.max(...segs.map(textUnits))).toBeLessThanOrEqual(300);
    expect(segs.join('')).toBe(text); // nothing lost, nothing added
  });

  it('a real URL (under MAX_WORD_UNITS) is still kept whole', () => {
    const url = `https://example.com/${'x'.repeat(MAX_WORD_UNITS - 40)}`;
    expect(splitText(`see ${url} ok`, { maxUnits: 50 })).toContain(url);
  });

  it.each(texts)(
    '%s: every segment holds at most the token cap and the tokenizer never sees a long run',
    (_name, text) => {
      const { encode, longest } = encoder();
      const segs = tokenSegments(text, encode);
      expect(segs.length).toBeGreaterThan(1);
      for (const s of segs) expect(s.ids.length).toBeLessThanOrEqual(DEFAULT_MAX_SEGMENT_TOKENS);
      expect(longest()).toBeLessThanOrEqual(2 * MAX_WORD_UNITS); // UTF-16 length: an emoji is two
    },
  );

  it('a cap smaller than a word cuts between tokens and keeps every token', () => {
    const { encode } = encoder();
    const word = 'supercalifragilisticexpialidocious';
    const segs = tokenSegments(word, encode, { maxTokens: 2 });
    expect(segs.every((s) => s.ids.length <= 2)).toBe(true);
    expect(segs.flatMap((s) => s.ids)).toEqual(encode(word));
  });

  it('normal prose is not affected by the token cap', () => {
    const { encode } = encoder();
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(20).trim();
    expect(tokenSegments(text, encode).map((s) => s.text)).toEqual(splitText(text));
  });
});

describe('the engine on pathological text', () => {
  const request = (text: string, over: Partial<SynthesisRequest> = {}): SynthesisRequest => ({
    text,
    language: 'English',
    instruct: null,
    speaker: null,
    seed: 1,
    sampling: { maxNewTokens: 4 },
    ...over,
  });

  it.each(texts)('%s: prefill and KV cache stay within the configured bound', async (_name, text) => {
    const { model } = engine;
    const prefill = model.prefill.bind(model);
    const lengths: number[] = [];
    model.prefill = (embeds, P) => {
      lengths.push(P);
      return prefill(embeds, P);
    };
    try {
      for await (const ev of engine.synthesize(request(text), new AbortController().signal)) void ev;
    } finally {
      model.prefill = prefill;
    }
    expect(lengths.length).toBeGreaterThan(0);
    // prefill rows = role (3) + think block (≤ 5 with a speaker) + text + eos + bos: text ≤ the cap
    expect(Math.max(...lengths)).toBeLessThanOrEqual(DEFAULT_MAX_SEGMENT_TOKENS + 11);
    const perPosition = model.kv.positionSize * 4 * 2;
    expect(model.kv.capacityBytes).toBeLessThanOrEqual(perPosition * 2 * (DEFAULT_MAX_SEGMENT_TOKENS + 11 + 4));
  });

  it('an instruct over the token limit is refused clearly before any work', async () => {
    const run = async () => {
      for await (const ev of engine.synthesize(
        request('Hello.', { instruct: EMOJI.repeat(2000) }),
        new AbortController().signal,
      ))
        void ev;
    };
    await expect(run()).rejects.toMatchObject({
      code: 'E_INVALID',
      message: expect.stringContaining(`limit is ${MAX_INSTRUCT_TOKENS}`),
    });
  });
});
