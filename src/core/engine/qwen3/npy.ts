// .npy reader for the model's embedding tables: `<f4` and `<f2`, C order, format versions 1, 2 and 3.
// Small tables are read whole into a Float32Array; the 1.2 GB text embedding is read row by row from the
// file on demand so it never sits in the JS heap.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ModelFileError } from './errors.js';
import { errorMessage } from '../../../shared/errors.js';

export type NpyDtype = '<f4' | '<f2';

export interface NpyHeader {
  dtype: NpyDtype;
  shape: number[];
  version: 1 | 2 | 3;
  /** Byte offset of the first element. */
  dataOffset: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Bytes of the fixed preamble: magic(6) + version(2) + header length (2 for v1, 4 for v2/v3). */
export function npyPreambleLength(major: number): number {
  return major === 1 ? 10 : 12;
}

/**
 * Parses the header of a .npy file from its first bytes (at least the preamble + header dict).
 * `file` only names the file in errors.
 */
export function parseNpyHeader(bytes: Uint8Array, file: string): NpyHeader {
  const bad = (why: string) => new ModelFileError(file, `not a usable .npy file: ${why}`);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw bad('missing the \\x93NUMPY magic');
  const major = bytes[6]!;
  if (major !== 1 && major !== 2 && major !== 3) throw bad(`unsupported format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = npyPreambleLength(major);
  if (bytes.length < start) throw bad('truncated header');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (bytes.length < start + headerLen) throw bad('truncated header');
  // v3 allows utf-8 in the header; v1/v2 are latin-1, which is the same for the ASCII we parse.
  const dict = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(dict)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(dict)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(dict)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw bad(`malformed header ${JSON.stringify(dict.trim())}`);
  if (descr !== '<f4' && descr !== '<f2') throw bad(`dtype '${descr}' is not supported (expected '<f4' or '<f2')`);
  if (fortran === 'True') throw bad('Fortran-order arrays are not supported (expected C order)');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(n) || n < 0) throw bad(`bad shape entry '${s}'`);
      return n;
    });
  return { dtype: descr, shape, version: major, dataOffset: start + headerLen };
}

export function npyItemSize(dtype: NpyDtype): number {
  return dtype === '<f4' ? 4 : 2;
}

// IEEE 754 binary16 → binary32 through a 64 K lookup table (built once, 256 KB).
let halfTable: Float32Array | undefined;
function halfToFloatTable(): Float32Array {
  if (halfTable) return halfTable;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) t[h] = sign * frac * 2 ** -24;
    else if (exp === 31) t[h] = frac === 0 ? sign * Infinity : NaN;
    else t[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  halfTable = t;
  return t;
}

/** Converts little-endian raw element bytes to float32 values, into `out` at `outOffset`. */
export function decodeNpyElements(raw: Uint8Array, dtype: NpyDtype, out: Float32Array, outOffset = 0): void {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (dtype === '<f4') {
    const n = raw.byteLength >> 2;
    for (let i = 0; i < n; i++) out[outOffset + i] = view.getFloat32(i * 4, true);
  } else {
    const table = halfToFloatTable();
    const n = raw.byteLength >> 1;
    for (let i = 0; i < n; i++) out[outOffset + i] = table[view.getUint16(i * 2, true)]!;
  }
}

function readHeaderFromFd(fd: number, file: string): NpyHeader {
  const pre = new Uint8Array(12);
  readSync(fd, pre, 0, 12, 0);
  const major = pre[6] ?? 0;
  const view = new DataView(pre.buffer);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const total = npyPreambleLength(major) + (major >= 1 && major <= 3 ? headerLen : 0);
  const head = new Uint8Array(Math.min(Math.max(total, 12), 1 << 20));
  readSync(fd, head, 0, head.length, 0);
  return parseNpyHeader(head, file);
}

function openNpy(file: string): { fd: number; header: NpyHeader; size: number } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelFileError(
      file,
      code === 'ENOENT' ? 'file is missing' : `cannot open (${code ?? errorMessage(err)})`,
    );
  }
  try {
    const header = readHeaderFromFd(fd, file);
    const size = fstatSync(fd).size;
    const expected = header.dataOffset + header.shape.reduce((a, b) => a * b, 1) * npyItemSize(header.dtype);
    if (size < expected)
      throw new ModelFileError(
        file,
        `truncated: ${size} bytes, the header's shape [${header.shape.join(', ')}] needs ${expected}`,
      );
    return { fd, header, size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

export interface NpyArray {
  shape: number[];
  dtype: NpyDtype;
  data: Float32Array;
}

/** Reads a whole (small) table into memory as float32. */
export function readNpy(file: string): NpyArray {
  const { fd, header } = openNpy(file);
  try {
    const count = header.shape.reduce((a, b) => a * b, 1);
    const raw = new Uint8Array(count * npyItemSize(header.dtype));
    let done = 0;
    while (done < raw.length) {
      const n = readSync(fd, raw, done, raw.length - done, header.dataOffset + done);
      if (n <= 0) throw new ModelFileError(file, 'unexpected end of file');
      done += n;
    }
    const data = new Float32Array(count);
    decodeNpyElements(raw, header.dtype, data);
    return { shape: header.shape, dtype: header.dtype, data };
  } finally {
    closeSync(fd);
  }
}

/** A 2-D table read one row at a time straight from the file (for the 151936-row text embedding). */
export class NpyRowReader {
  readonly rows: number;
  readonly cols: number;
  readonly dtype: NpyDtype;
  private fd: number | undefined;
  private readonly dataOffset: number;
  private readonly rowBytes: number;
  private readonly scratch: Uint8Array;

  constructor(readonly file: string) {
    const { fd, header } = openNpy(file);
    if (header.shape.length !== 2) {
      closeSync(fd);
      throw new ModelFileError(file, `expected a 2-D table, the header says shape [${header.shape.join(', ')}]`);
    }
    this.fd = fd;
    this.rows = header.shape[0]!;
    this.cols = header.shape[1]!;
    this.dtype = header.dtype;
    this.dataOffset = header.dataOffset;
    this.rowBytes = this.cols * npyItemSize(header.dtype);
    this.scratch = new Uint8Array(this.rowBytes);
  }

  /** Row `index` as float32, written into `out` (allocated when omitted). */
  row(index: number, out: Float32Array = new Float32Array(this.cols), outOffset = 0): Float32Array {
    if (this.fd === undefined) throw new ModelFileError(this.file, 'read after close');
    if (!Number.isInteger(index) || index < 0 || index >= this.rows)
      throw new ModelFileError(this.file, `row ${index} is out of range (0..${this.rows - 1})`);
    const n = readSync(this.fd, this.scratch, 0, this.rowBytes, this.dataOffset + index * this.rowBytes);
    if (n !== this.rowBytes) throw new ModelFileError(this.file, `short read of row ${index}`);
    decodeNpyElements(this.scratch, this.dtype, out, outOffset);
    return out;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
