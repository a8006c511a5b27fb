import { describe, expect, it } from 'vitest';
import { errorDetail, errorMessage } from '../../src/shared/errors.js';

describe('errorMessage', () => {
  it.each([
    [new Error('disk full'), 'disk full'],
    [new TypeError('bad type'), 'bad type'],
    ['a thrown string', 'a thrown string'],
    [{ message: 'an error-like object' }, 'an error-like object'],
    [42, '42'],
    [undefined, 'undefined'],
    [null, 'null'],
  ])('%s → %s', (thrown, text) => {
    expect(errorMessage(thrown)).toBe(text);
  });

  it('errorDetail keeps the stack of an Error and the text of anything else', () => {
    const err = new Error('boom');
    expect(errorDetail(err)).toContain('boom');
    expect(errorDetail(err)).toContain('errors.test.ts');
    expect(errorDetail('plain')).toBe('plain');
  });
});
