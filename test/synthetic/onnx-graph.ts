// A tiny typed graph builder over onnx-proto: named inputs/outputs, ops with auto-named results,
// and weights saved as external data in `<name>.onnx.data`, the way the real export stores them.
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

const { onnx } = onnxProto;

/** Opset of the real talker/CP export (TorchScript exporter); IR 8 is what onnx-proto v8 knows. */
export const OPSET = 17;
const IR_VERSION = 8;
/** Initializers at least this big go to the .onnx.data file; small constants stay inline like torch does. */
const EXTERNAL_MIN_BYTES = 1024;
const DATA_ALIGN = 64;
/** Big tensors start on a page boundary, so ORT can map them from the file instead of copying. */
const PAGE = 4096;
const PAGE_ALIGN_MIN_BYTES = 1 << 20;
/** ONNX Runtime's contrib operators (MatMulNBits). */
export const MS_DOMAIN = 'com.microsoft';

export type DType = 'float32' | 'int64' | 'bool' | 'uint8';
/** A dimension: a fixed size or a symbolic dim_param (dynamic axis). */
export type Dim = number | string;

/** Attribute values: plain numbers are INT, `{ f }` is FLOAT, number[] is INTS. */
export type AttrValue = number | { f: number } | number[] | string;

const ELEM_TYPE: Record<DType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
  uint8: onnx.TensorProto.DataType.UINT8,
};

function valueInfo(name: string, dtype: DType, dims: readonly Dim[]): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEM_TYPE[dtype],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, v: AttrValue): OnnxTypes.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  return { name, type: T.FLOAT, f: v.f };
}

export class Graph {
  private readonly nodes: OnnxTypes.INodeProto[] = [];
  private readonly inputs: OnnxTypes.IValueInfoProto[] = [];
  private readonly outputs: OnnxTypes.IValueInfoProto[] = [];
  private readonly initializers: OnnxTypes.ITensorProto[] = [];
  private readonly external: { tensor: OnnxTypes.ITensorProto; bytes: Uint8Array }[] = [];
  private readonly names = new Set<string>();
  private readonly domains = new Set<string>();
  private counter = 0;

  constructor(readonly name: string) {}

  private fresh(hint: string): string {
    let n: string;
    do n = `${hint}_${this.counter++}`;
    while (this.names.has(n));
    this.names.add(n);
    return n;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`duplicate value name ${name}`);
    this.names.add(name);
    return name;
  }

  input(name: string, dtype: DType, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(this.claim(name), dtype, dims));
    return name;
  }

  /**
   * Exposes `value` as graph output `name`. The producing node's result is renamed, as the torch exporter
   * names outputs: an Identity would cost ORT a full copy of every KV tensor per step.
   */
  output(name: string, value: string, dtype: DType, dims: readonly Dim[]): void {
    const producer = this.nodes.find((n) => n.output?.includes(value));
    const exposed = this.outputs.some((o) => o.name === value) || this.inputs.some((i) => i.name === value);
    if (!producer || exposed) {
      this.nodes.push({ opType: 'Identity', input: [value], output: [this.claim(name)], name: `out_${name}` });
    } else {
      this.claim(name);
      producer.output = producer.output!.map((o) => (o === value ? name : o));
      for (const n of this.nodes) n.input = (n.input ?? []).map((i) => (i === value ? name : i));
    }
    this.outputs.push(valueInfo(name, dtype, dims));
  }

  /** A uint8 weight (packed int4 blocks); always external. */
  weightU8(hint: string, data: Uint8Array, dims: readonly number[]): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) throw new Error(`${hint}: ${data.length} bytes for dims [${dims.join(',')}]`);
    const name = this.fresh(hint);
    const tensor: OnnxTypes.ITensorProto = { name, dims: [...dims], dataType: onnx.TensorProto.DataType.UINT8 };
    this.external.push({ tensor, bytes: data });
    this.initializers.push(tensor);
    return name;
  }

  /** A node of a non-default operator domain (com.microsoft contrib ops). */
  opIn(domain: string, opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}): string {
    this.domains.add(domain);
    const out = this.fresh(opType.toLowerCase());
    this.nodes.push({
      opType,
      domain,
      input: [...inputs],
      output: [out],
      name: `${opType}_${this.counter++}`,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }

  /** A float32 weight; large ones are written to the external data file. */
  weight(hint: string, data: Float32Array, dims: readonly number[]): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) throw new Error(`${hint}: ${data.length} values for dims [${dims.join(',')}]`);
    const name = this.fresh(hint);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const tensor: OnnxTypes.ITensorProto = { name, dims: [...dims], dataType: onnx.TensorProto.DataType.FLOAT };
    if (bytes.byteLength >= EXTERNAL_MIN_BYTES) this.external.push({ tensor, bytes });
    else tensor.rawData = Uint8Array.from(bytes);
    this.initializers.push(tensor);
    return name;
  }

  constF32(
    values: number | readonly number[],
    dims: readonly number[] = typeof values === 'number' ? [] : [values.length],
  ): string {
    const data = Float32Array.from(typeof values === 'number' ? [values] : values);
    const name = this.fresh('c');
    this.initializers.push({
      name,
      dims: [...dims],
      dataType: onnx.TensorProto.DataType.FLOAT,
      floatData: Array.from(data),
    });
    return name;
  }

  constI64(
    values: number | readonly number[],
    dims: readonly number[] = typeof values === 'number' ? [] : [values.length],
  ): string {
    const list = typeof values === 'number' ? [values] : [...values];
    const name = this.fresh('c');
    this.initializers.push({ name, dims: [...dims], dataType: onnx.TensorProto.DataType.INT64, int64Data: list });
    return name;
  }

  /** Adds one node and returns its outputs' names. */
  opN(opType: string, inputs: readonly string[], nOut: number, attrs: Record<string, AttrValue> = {}): string[] {
    const output = Array.from({ length: nOut }, () => this.fresh(opType.toLowerCase()));
    this.nodes.push({
      opType,
      input: [...inputs],
      output,
      name: `${opType}_${this.counter++}`,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  op(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}): string {
    const [out] = this.opN(opType, inputs, 1, attrs);
    if (out === undefined) throw new Error('unreachable');
    return out;
  }

  /** Serializes to `<dir>/<file>.onnx` + `<dir>/<file>.onnx.data`, writing weights one at a time (no 4 GB buffer). */
  save(dir: string, file: string): void {
    mkdirSync(dir, { recursive: true });
    const dataName = `${file}.onnx.data`;
    const fd = openSync(path.join(dir, dataName), 'w');
    try {
      let offset = 0;
      for (const { tensor, bytes } of this.external) {
        const align = bytes.byteLength >= PAGE_ALIGN_MIN_BYTES ? PAGE : DATA_ALIGN;
        const pad = (align - (offset % align)) % align;
        if (pad) writeSync(fd, new Uint8Array(pad));
        offset += pad;
        tensor.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
        tensor.externalData = [
          { key: 'location', value: dataName },
          { key: 'offset', value: String(offset) },
          { key: 'length', value: String(bytes.byteLength) },
        ];
        for (let at = 0; at < bytes.byteLength;)
          at += writeSync(fd, bytes, at, Math.min(bytes.byteLength - at, 1 << 30));
        offset += bytes.byteLength;
      }
    } finally {
      closeSync(fd);
    }
    const model: OnnxTypes.IModelProto = {
      irVersion: IR_VERSION,
      producerName: 'q3tts-synthetic',
      opsetImport: [{ domain: '', version: OPSET }, ...[...this.domains].map((domain) => ({ domain, version: 1 }))],
      graph: {
        name: this.name,
        node: this.nodes,
        input: this.inputs,
        output: this.outputs,
        initializer: this.initializers,
      },
    };
    const err = onnx.ModelProto.verify(model);
    if (err) throw new Error(`${file}: invalid model proto: ${err}`);
    writeFileSync(path.join(dir, `${file}.onnx`), onnx.ModelProto.encode(model).finish());
  }
}
