import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NpyRowReader, parseNpyHeader, readNpy } from '../../../src/core/engine/qwen3/npy.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-npy-'));

/** A .npy written by hand, byte by byte as numpy's format spec describes it. */
function npyBytes(values: number[], shape: number[], dtype: string, version: 1 | 2 | 3, extra = ''): Buffer {
  let header = `{'descr': '${dtype}', 'fortran_order': ${extra === 'fortran' ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pre = version === 1 ? 10 : 12;
  while ((pre + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const head = Buffer.alloc(pre);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(head);
  if (version === 1) head.writeUInt16LE(header.length, 8);
  else head.writeUInt32LE(header.length, 8);
  let body: Buffer;
  if (dtype === '<f4') {
    body = Buffer.alloc(values.length * 4);
    values.forEach((v, i) => body.writeFloatLE(v, i * 4));
  } else if (dtype === '<f2') {
    body = Buffer.alloc(values.length * 2);
    values.forEach((v, i) => body.writeUInt16LE(toHalf(v), i * 2));
  } else {
    body = Buffer.alloc(values.length * 8);
  }
  return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
}

/** float → binary16 for values exactly representable in half precision (the test values are). */
function toHalf(v: number): number {
  if (v === 0) return Object.is(v, -0) ? 0x8000 : 0;
  const sign = v < 0 ? 0x8000 : 0;
  const a = Math.abs(v);
  const exp = Math.floor(Math.log2(a));
  if (exp < -14) return sign | Math.round(a / 2 ** -24);
  const frac = Math.round((a / 2 ** exp - 1) * 1024);
  return sign | ((exp + 15) << 10) | frac;
}

function write(name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

const values = [0, 1, -2, 0.5, 1.5, -0.25, 65504, 2 ** -24, 3.25, -1024, 0.125, 7];

describe('npy parsing (f4/f2, v1/v2/v3 headers)', () => {
  for (const dtype of ['<f4', '<f2'] as const) {
    for (const version of [1, 2, 3] as const) {
      it(`reads ${dtype} version ${version} whole and by row`, () => {
        const file = write(`t-${dtype.slice(1)}-v${version}.npy`, npyBytes(values, [3, 4], dtype, version));
        const a = readNpy(file);
        expect(a.shape).toEqual([3, 4]);
        expect(a.dtype).toBe(dtype);
        expect(Array.from(a.data)).toEqual(values);
        const r = new NpyRowReader(file);
        expect([r.rows, r.cols]).toEqual([3, 4]);
        expect(Array.from(r.row(2))).toEqual(values.slice(8, 12));
        const out = new Float32Array(6);
        r.row(1, out, 2);
        expect(Array.from(out)).toEqual([0, 0, ...values.slice(4, 8)]);
        r.close();
      });
    }
  }

  it('parses header length as u16 for v1 and u32 for v2', () => {
    const v1 = npyBytes([1], [1], '<f4', 1);
    const v2 = npyBytes([1], [1], '<f4', 2);
    expect(parseNpyHeader(v1, 'v1').dataOffset).toBe(v1.length - 4);
    expect(parseNpyHeader(v2, 'v2').dataOffset).toBe(v2.length - 4);
    expect(parseNpyHeader(v2, 'v2').version).toBe(2);
    expect(parseNpyHeader(v1, 'v1').shape).toEqual([1]);
    // a v2 header whose u32 length exceeds 65535 would be misread as u16: check the field width directly
    const big = Buffer.from(v2);
    big.writeUInt32LE(0x10000 + 52, 8);
    expect(() => parseNpyHeader(big, 'big.npy')).toThrow(/big\.npy: .*truncated header/);
  });

  it('rejects other dtypes, Fortran order, bad magic and truncation, naming the file', () => {
    expect(() => readNpy(write('f8.npy', npyBytes([1, 2], [2], '<f8', 1)))).toThrow(
      /f8\.npy: .*dtype '<f8' is not supported/,
    );
    expect(() => readNpy(write('fortran.npy', npyBytes([1, 2, 3, 4], [2, 2], '<f4', 1, 'fortran')))).toThrow(
      /fortran\.npy: .*Fortran/,
    );
    expect(() => readNpy(write('magic.npy', Buffer.from('hello world, not numpy')))).toThrow(/magic\.npy: .*magic/);
    const full = npyBytes(values, [3, 4], '<f4', 1);
    expect(() => readNpy(write('short.npy', full.subarray(0, full.length - 4)))).toThrow(/short\.npy: truncated/);
    expect(() => readNpy(path.join(dir, 'absent.npy'))).toThrow(/absent\.npy: file is missing/);
    const r = new NpyRowReader(write('rows.npy', npyBytes(values, [3, 4], '<f4', 1)));
    expect(() => r.row(3)).toThrow(/rows\.npy: row 3 is out of range/);
    r.close();
    expect(() => new NpyRowReader(write('flat.npy', npyBytes(values, [12], '<f4', 1)))).toThrow(
      /flat\.npy: expected a 2-D table/,
    );
  });

  it('decodes f2 specials: subnormals, infinities, NaN, negative zero', () => {
    const raw = Buffer.alloc(10);
    [0x0001, 0x7c00, 0xfc00, 0x7e00, 0x8000].forEach((h, i) => raw.writeUInt16LE(h, i * 2));
    const head = npyBytes([], [5], '<f2', 1);
    const a = readNpy(write('special.npy', Buffer.concat([head, raw])));
    expect(a.data[0]).toBe(2 ** -24);
    expect(a.data[1]).toBe(Infinity);
    expect(a.data[2]).toBe(-Infinity);
    expect(a.data[3]).toBeNaN();
    expect(Object.is(a.data[4], -0)).toBe(true);
  });
});
