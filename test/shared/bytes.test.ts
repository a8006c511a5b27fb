import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/shared/bytes.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [33_570_478, '33.6 MB'],
    [5_240_000_000, '5.2 GB'],
    [134_000_000_000, '134 GB'],
    [2_500_000_000_000_000, '2500 TB'],
    [-5, '0 B'],
  ])('formatBytes(%d) = %s', (n, s) => expect(formatBytes(n)).toBe(s));
});
