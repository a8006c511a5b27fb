// Session options the engine hands onnxruntime.
import { describe, expect, it } from 'vitest';
import { sessionOptions } from '../../../src/core/engine/qwen3/sessions.js';

describe('sessionOptions', () => {
  it("keeps ORT's spin-waiting threads unless told not to spin", () => {
    expect(sessionOptions({}).extra).toBeUndefined();
    expect(sessionOptions({ spinning: true }).extra).toBeUndefined();
    expect(sessionOptions({ spinning: false }).extra).toEqual({
      session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } },
    });
    expect(sessionOptions({ intraOpNumThreads: 2, spinning: false })).toMatchObject({
      intraOpNumThreads: 2,
      executionProviders: ['cpu'],
    });
  });
});
